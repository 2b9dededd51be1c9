#include "SessionTicket.h"

#include "EncryptedTcpSocket.h"
#include "LogThrottle.h"
#include "Logging.h"
#include "Protocol.h"
#include "ProxyHeaderReader.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QtEndian>
#include <openssl/crypto.h>

namespace QuietWire {

SessionTicket::SessionTicket(QTcpServer* listener, const QByteArray& ticket, ServerHandshake::HandOff handOff,
    const Timeouts& timeouts, LogThrottle* log, QObject* parent)
    : QObject(parent)
    , m_listener(listener)
    , m_port(listener->serverPort())
    , m_ticket(ticket)
    , m_handOff(std::move(handOff))
    , m_timeouts(timeouts)
    , m_log(log)
{
    listener->setParent(this);
    connect(listener, &QTcpServer::newConnection, this, &SessionTicket::onConnection);
    if (QTcpSocket* closing = m_handOff.closingConnection) {
        closing->setParent(this); // deletes itself once closed
        m_handOff.closingConnection = nullptr;
    }
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &SessionTicket::onDeadline);
    m_deadline.start(m_timeouts.ticketMs);
}

SessionTicket::~SessionTicket()
{
    if (m_socket) {
        m_socket->disconnect(this);
    }
    if (m_connection) {
        m_connection->disconnect(this);
    }
}

void SessionTicket::onConnection()
{
    if (!m_listener) {
        return;
    }
    while (QTcpSocket* connection = m_listener->nextPendingConnection()) {
        const QHostAddress peer = EncryptedTcpSocket::plainAddress(connection->peerAddress());
        if (!m_isTrustedProxy || !m_isTrustedProxy(peer)) {
            accept(connection, peer);
            continue;
        }
        // The proxy says first whom it carries; the ticket's address is checked against that.
        auto* reader = new ProxyHeaderReader(connection, m_timeouts.ticketMs, this);
        connect(reader, &ProxyHeaderReader::ready, this,
            [this](QTcpSocket* proxied, const QHostAddress& client, bool) { accept(proxied, client); });
        connect(reader, &ProxyHeaderReader::failed, this, [this, peer](QTcpSocket* failed, const QString& reason) {
            if (m_log->admit()) {
                qCWarning(lcServer).noquote()
                    << "session port" << m_port << "connection from" << peer.toString() << "refused -" << reason;
            }
            if (failed) {
                failed->abort();
                failed->deleteLater();
            }
        });
        reader->start();
    }
}

void SessionTicket::accept(QTcpSocket* connection, const QHostAddress& from)
{
    if (from != m_handOff.address || m_connection || m_state != State::AwaitingConnection) {
        if (m_log->admit()) {
            qCWarning(lcServer).noquote()
                << "session port" << m_port << "connection from" << from.toString() << "refused -"
                << (m_connection || m_state != State::AwaitingConnection
                           ? QStringLiteral("the port already took the one connection of its ticket")
                           : QStringLiteral("the ticket belongs to %1").arg(m_handOff.address.toString()));
        }
        connection->abort();
        connection->deleteLater();
        return;
    }
    // One connection per ticket: the first from the ticket's address. Others wait in no queue.
    m_connection = connection;
    connection->setParent(this);
    connect(connection, &QTcpSocket::readyRead, this, &SessionTicket::readTicket);
    connect(connection, &QTcpSocket::disconnected, this, [this] {
        if (m_state == State::AwaitingTicket) {
            spend(); // closed before it redeemed: the ticket is spent
        }
    });
    m_state = State::AwaitingTicket;
    if (m_listener) {
        m_listener->close();
    }
    readTicket();
}

void SessionTicket::readTicket()
{
    if (m_state != State::AwaitingTicket || !m_connection
        || m_connection->bytesAvailable() < Protocol::FrameHeaderSize) {
        return;
    }
    // A length other than the ticket's is refused as soon as the two header bytes are in; a short
    // body waits, until the ticket expires.
    uchar header[Protocol::FrameHeaderSize];
    m_connection->peek(reinterpret_cast<char*>(header), Protocol::FrameHeaderSize);
    const int length = qFromBigEndian<quint16>(header);
    if (length == Protocol::TicketSize
        && m_connection->bytesAvailable() < Protocol::FrameHeaderSize + Protocol::TicketSize) {
        return;
    }
    bool match = false;
    if (length == Protocol::TicketSize) {
        m_connection->skip(Protocol::FrameHeaderSize);
        const QByteArray ticket = m_connection->read(Protocol::TicketSize);
        match = CRYPTO_memcmp(ticket.constData(), m_ticket.constData(), Protocol::TicketSize) == 0;
    }
    if (!match) {
        if (m_log->admit()) {
            qCWarning(lcServer).noquote()
                << (length == Protocol::TicketSize ? QStringLiteral("wrong ticket")
                                                   : QStringLiteral("a %1-byte ticket frame").arg(length))
                << "on session port" << m_port << "from"
                << EncryptedTcpSocket::plainAddress(m_connection->peerAddress()).toString()
                << "- connection closed, ticket spent";
        }
        spend();
        return;
    }
    QTcpSocket* connection = m_connection;
    m_connection = nullptr;
    connection->disconnect(this);
    releasePort(); // redeemed: the ticket is spent and the port goes back to the pool
    m_state = State::AwaitingFirstMessage;
    m_deadline.start(m_timeouts.firstMessageMs);

    EncryptedTcpSocket::Established session;
    session.connection = connection;
    session.transport = std::move(m_handOff.transport);
    session.peerKey = m_handOff.peerKey;
    session.handshakeHash = m_handOff.handshakeHash;
    session.peerName = m_handOff.address.toString();
    session.peerAddress = m_handOff.address; // the client's, also behind a trusted proxy
    session.sessionPort = m_port;
    // No keepalive and no idle timeout before the hello: the set-up deadline above holds instead.
    m_socket = new EncryptedTcpSocket(std::move(session), this);
    connect(m_socket, &EncryptedTcpSocket::messageReceived, this, &SessionTicket::onFirstMessage);
    connect(m_socket, &EncryptedTcpSocket::errorOccurred, this,
        [this](EncryptedTcpSocket::Error, const QString& message) { failSession(message); });
    connect(m_socket, &EncryptedTcpSocket::disconnected, this,
        [this] { failSession(QStringLiteral("The client closed the connection before the session was set up")); });
}

void SessionTicket::onFirstMessage(const QByteArray& message)
{
    if (m_state != State::AwaitingFirstMessage) {
        return;
    }
    m_state = State::Redeemed;
    m_deadline.stop();
    EncryptedTcpSocket* socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    socket->setParent(nullptr);
    const QPointer<SessionTicket> guard(this);
    emit redeemed(socket, message);
    if (guard) {
        emit finished();
    }
}

void SessionTicket::onDeadline()
{
    switch (m_state) {
    case State::AwaitingConnection:
    case State::AwaitingTicket:
        if (m_log->admit()) {
            qCInfo(lcServer).noquote() << "ticket for session port" << m_port << "from" << m_handOff.address.toString()
                                       << "expired unused";
        }
        spend();
        break;
    case State::AwaitingFirstMessage:
        failSession(QStringLiteral("The peer did not complete the QuietWire handshake within %1 seconds")
                        .arg(m_timeouts.firstMessageMs / 1000.0));
        break;
    case State::Redeemed:
    case State::Spent:
        break;
    }
}

void SessionTicket::spend()
{
    if (m_state != State::AwaitingConnection && m_state != State::AwaitingTicket) {
        return;
    }
    m_state = State::Spent;
    m_deadline.stop();
    if (QTcpSocket* connection = m_connection) {
        m_connection = nullptr;
        connection->disconnect(this);
        connection->abort();
        connection->deleteLater();
    }
    releasePort();
    emit finished();
}

void SessionTicket::failSession(const QString& reason)
{
    if (m_state != State::AwaitingFirstMessage) {
        return;
    }
    m_state = State::Spent;
    m_deadline.stop();
    if (EncryptedTcpSocket* socket = m_socket) {
        m_socket = nullptr;
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
    const QPointer<SessionTicket> guard(this);
    emit failed(reason);
    if (guard) {
        emit finished();
    }
}

void SessionTicket::releasePort()
{
    if (QTcpServer* listener = m_listener) {
        m_listener = nullptr;
        listener->close();
        listener->deleteLater();
        emit portReleased(m_port);
    }
}

} // namespace QuietWire
