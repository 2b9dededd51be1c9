#pragma once

#include "ProxyHeader.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QTcpSocket;

namespace QuietWire {

/// Reads the PROXY protocol version 2 header (ProxyHeader) from the start of a connection that
/// came from a trusted proxy (--trusted-proxy), before anything else reads it: the handshake on the
/// main port, the ticket on a session port. ready() gives the client the proxy speaks for (or the
/// connection's own address for a LOCAL header, the proxy's health check); failed() when the
/// header is malformed, the connection closes, or it does not come within timeoutMs. Either way it
/// then deletes itself; the connection stays with whoever owned it (its parent is not changed).
///
/// Usage:
///     if (isTrustedProxy(connection->peerAddress())) {
///         auto* reader = new ProxyHeaderReader(connection, timeoutMs, this);
///         connect(reader, &ProxyHeaderReader::ready, this, [](QTcpSocket* c, const QHostAddress& client, bool) { ...
///         }); connect(reader, &ProxyHeaderReader::failed, this, [](QTcpSocket* c, const QString& why) { c->abort();
///         }); reader->start();
///     }
class ProxyHeaderReader : public QObject
{
    Q_OBJECT

public:
    ProxyHeaderReader(QTcpSocket* connection, int timeoutMs, QObject* parent = nullptr);

    void start();

signals:
    /// local: the proxy's own connection (a LOCAL header: its health check), client its address.
    void ready(QTcpSocket* connection, const QHostAddress& client, bool local);
    void failed(QTcpSocket* connection, const QString& reason);

private:
    void read();
    void finish();

    QPointer<QTcpSocket> m_connection;
    QTimer m_deadline;
    bool m_done = false;
};

} // namespace QuietWire
