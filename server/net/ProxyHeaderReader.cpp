#include "ProxyHeaderReader.h"

#include "EncryptedTcpSocket.h"

#include <QTcpSocket>

namespace QuietWire {

ProxyHeaderReader::ProxyHeaderReader(QTcpSocket* connection, int timeoutMs, QObject* parent)
    : QObject(parent)
    , m_connection(connection)
{
    m_deadline.setSingleShot(true);
    m_deadline.setInterval(timeoutMs);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        if (!m_done) {
            m_done = true;
            emit failed(m_connection,
                QStringLiteral("the trusted proxy sent no PROXY protocol header within %1 seconds")
                    .arg(m_deadline.interval() / 1000.0));
            finish();
        }
    });
}

void ProxyHeaderReader::start()
{
    connect(m_connection, &QTcpSocket::readyRead, this, &ProxyHeaderReader::read);
    connect(m_connection, &QTcpSocket::disconnected, this, [this] {
        if (!m_done) {
            m_done = true;
            emit failed(
                m_connection, QStringLiteral("the trusted proxy closed the connection before its PROXY header"));
            finish();
        }
    });
    m_deadline.start();
    read();
}

void ProxyHeaderReader::read()
{
    if (m_done || !m_connection) {
        return;
    }
    // Peeked, so that what follows the header stays in the socket for the next reader.
    const QByteArray head = m_connection->peek(ProxyHeader::MaxSize);
    const ProxyHeader::Result result = ProxyHeader::parse(head);
    if (result.status == ProxyHeader::Status::NeedMore) {
        return;
    }
    m_done = true;
    if (result.status == ProxyHeader::Status::Invalid) {
        emit failed(m_connection, result.error);
    } else {
        m_connection->skip(result.size);
        emit ready(m_connection,
            result.hasAddresses ? EncryptedTcpSocket::plainAddress(result.source)
                                : EncryptedTcpSocket::plainAddress(m_connection->peerAddress()),
            !result.hasAddresses);
    }
    finish();
}

void ProxyHeaderReader::finish()
{
    m_deadline.stop();
    if (m_connection) {
        m_connection->disconnect(this);
    }
    deleteLater();
}

} // namespace QuietWire
