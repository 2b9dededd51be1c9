#pragma once

#include "noise/X25519.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QElapsedTimer>
#include <QSet>

#include <functional>

class QTcpServer;
class QTcpSocket;
class QTimer;

namespace QuietWire {

class EncryptedTcpSocket;

/// Accepts QuietWire connections: runs the Noise XX handshake on the main port, asks the
/// authorizer about the client's static key, and hands the client over to a session port from
/// the pool with a one-time ticket. Only a client that redeems its ticket (same IP, within the
/// ticket timeout, once) and whose first transport message there decrypts becomes a session.
///
/// Usage:
///     EncryptedTcpServer server(identity.keyPair());
///     server.setAuthorizer([](const QByteArray& key, const QHostAddress& ip, QString* refusal) { ... });
///     connect(&server, &EncryptedTcpServer::newSession, ...); // socket is yours, firstMessage is its hello
///     if (!server.listen(options, &error)) ...
class EncryptedTcpServer : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QHostAddress address = QHostAddress::Any;
        quint16 port = 7400;
        quint16 sessionPortFirst = 7401;
        quint16 sessionPortLast = 7464;
        int handshakeTimeoutMs = 10000;
        int ticketTimeoutMs = 10000;
        int idleTimeoutMs = 60000;
        int keepaliveMs = 15000; // also recommended to clients in the session message
        int maxHandshakes = 64;          // in progress at once; more are closed at once
        int maxHandshakesPerAddress = 8; // from one IP address
        quint64 rekeyAfterMessages = 0;  // 0: the protocol's default
        quint64 rekeyAfterBytes = 0;
    };

    struct Decision
    {
        bool allowed = false;
        QString code;    // for a refusal: "unauthorized", "too_many_sessions", ...
        QString message; // for a refusal: sent to the client
    };
    using Authorizer = std::function<Decision(const QByteArray& key, const QHostAddress& address)>;

    explicit EncryptedTcpServer(const Noise::KeyPair& identity, QObject* parent = nullptr);
    ~EncryptedTcpServer() override;

    void setAuthorizer(Authorizer authorizer) { m_authorizer = std::move(authorizer); }
    bool listen(const Options& options, QString* error = nullptr);
    void close();
    quint16 serverPort() const;
    int handshakesInProgress() const { return static_cast<int>(m_handshaking.size()); }
    const Options& options() const { return m_options; }
    int sessionPortsInUse() const { return static_cast<int>(m_reservations.size()); }
    int sessionPortCount() const { return m_options.sessionPortLast - m_options.sessionPortFirst + 1; }

signals:
    /// A client finished the hand-off. The server gives up ownership: reparent or delete it.
    void newSession(QuietWire::EncryptedTcpSocket* socket, const QByteArray& firstMessage);
    /// For logs: a connection that did not become a session, and why.
    void connectionFailed(const QHostAddress& address, const QString& reason);

private:
    struct Reservation
    {
        quint16 port = 0;
        QByteArray ticket;
        QHostAddress clientAddress;
        EncryptedTcpSocket* socket = nullptr;
        QTcpServer* listener = nullptr;
        QTimer* expiry = nullptr;
    };

    void onMainConnection();
    void endHandshake(EncryptedTcpSocket* socket);
    void configure(EncryptedTcpSocket* socket) const;
    void onHandshakeCompleted(EncryptedTcpSocket* socket);
    bool reserve(EncryptedTcpSocket* socket);
    void closeGracefully(EncryptedTcpSocket* socket);
    void onSessionConnection(quint16 port);
    void tryRedeem(quint16 port, QTcpSocket* connection);
    void releasePort(quint16 port);

    Noise::KeyPair m_identity;
    Options m_options;
    Authorizer m_authorizer;
    QTcpServer* m_mainServer = nullptr;
    QHash<quint16, Reservation> m_reservations;
    QHash<EncryptedTcpSocket*, QHostAddress> m_handshaking;
    QHash<QHostAddress, int> m_handshakesPerAddress;
    qint64 m_refusedSinceLog = 0;
    QElapsedTimer m_refusalLog;
    quint16 m_nextPort = 0;
};

} // namespace QuietWire
