#include "EncryptedTcpServer.h"

#include "EncryptedTcpSocket.h"
#include "Identity.h"
#include "Logging.h"
#include "Protocol.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QtEndian>
#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace QuietWire {

EncryptedTcpServer::EncryptedTcpServer(const Noise::KeyPair& identity, QObject* parent)
    : QObject(parent)
    , m_identity(identity)
{ }

EncryptedTcpServer::~EncryptedTcpServer()
{
    close();
}

bool EncryptedTcpServer::listen(const Options& options, QString* error)
{
    m_options = options;
    m_slots.setLimits({ options.maxHandshakes, options.maxHandshakesPerAddress, options.handshakeIpv4Prefix });
    if (options.sessionPortFirst == 0 || options.sessionPortLast < options.sessionPortFirst) {
        if (error) {
            *error = QStringLiteral("Invalid session port range %1-%2")
                         .arg(options.sessionPortFirst)
                         .arg(options.sessionPortLast);
        }
        return false;
    }
    if (options.port >= options.sessionPortFirst && options.port <= options.sessionPortLast) {
        if (error) {
            *error = QStringLiteral("The main port %1 lies inside the session port range %2-%3; choose "
                                    "--port outside --session-ports")
                         .arg(options.port)
                         .arg(options.sessionPortFirst)
                         .arg(options.sessionPortLast);
        }
        return false;
    }
    m_nextPort = options.sessionPortFirst;
    m_mainServer = new QTcpServer(this);
    connect(m_mainServer, &QTcpServer::newConnection, this, &EncryptedTcpServer::onMainConnection);
    // Room for bursts of clients (and floods, which are refused cheaply after accept()).
    m_mainServer->setListenBacklogSize(1024);
    if (!m_mainServer->listen(options.address, options.port)) {
        if (error) {
            *error = QStringLiteral("Cannot listen on %1 port %2: %3 (is another server running? use --port)")
                         .arg(options.address.toString())
                         .arg(options.port)
                         .arg(m_mainServer->errorString());
        }
        delete m_mainServer;
        m_mainServer = nullptr;
        return false;
    }
    return true;
}

void EncryptedTcpServer::close()
{
    const auto ports = m_reservations.keys();
    for (const quint16 port : ports) {
        dropReservation(port);
    }
    if (m_mainServer) {
        m_mainServer->close();
        delete m_mainServer;
        m_mainServer = nullptr;
    }
}

quint16 EncryptedTcpServer::serverPort() const
{
    return m_mainServer ? m_mainServer->serverPort() : 0;
}

void EncryptedTcpServer::configure(EncryptedTcpSocket* socket) const
{
    socket->setHandshakeTimeout(m_options.handshakeTimeoutMs);
    socket->setKeepaliveInterval(m_options.keepaliveMs);
    socket->setIdleTimeout(m_options.idleTimeoutMs);
    if (m_options.rekeyAfterMessages > 0 || m_options.rekeyAfterBytes > 0) {
        socket->setRekeyLimits(
            m_options.rekeyAfterMessages > 0 ? m_options.rekeyAfterMessages : Protocol::RekeyAfterMessages,
            m_options.rekeyAfterBytes > 0 ? m_options.rekeyAfterBytes : Protocol::RekeyAfterBytes);
    }
}

void EncryptedTcpServer::onMainConnection()
{
    while (QTcpSocket* connection = m_mainServer->nextPendingConnection()) {
        const QHostAddress address = EncryptedTcpSocket::plainAddress(connection->peerAddress());
        auto* socket = new EncryptedTcpSocket(m_identity, this);
        // Refused at once and cheaply, before any key exchange, when its source is at its limit or
        // the table is full of connections that are not silent.
        const HandshakeSlots::Admission admission = m_slots.admit(socket, address);
        if (admission.result != HandshakeSlots::Result::Admitted) {
            delete socket;
            connection->abort();
            connection->deleteLater();
            if (m_refusalLog.admit()) {
                qCWarning(lcServer).noquote()
                    << "refused a connection from" << address.toString() << "- too many handshakes in progress ("
                    << m_slots.size() << "in all," << m_slots.countFrom(address) << "from"
                    << HandshakeSlots::describeSource(address, m_options.handshakeIpv4Prefix) << ")";
            }
            continue;
        }
        if (admission.evicted) {
            // Out of the table already; its sockets go with it.
            auto* evicted = static_cast<EncryptedTcpSocket*>(admission.evicted);
            if (m_evictionLog.admit()) {
                qCInfo(lcServer).noquote()
                    << "handshake table full: closed a silent connection from" << evicted->peerAddress().toString()
                    << "to make room for" << address.toString();
            }
            evicted->abort();
        }
        configure(socket);
        connect(socket, &QObject::destroyed, this, [this, socket] {
            endHandshake(socket);
            m_handoffs.remove(socket);
        });
        // A connection that sent something is no longer silent: it keeps its place in a full table.
        connect(connection, &QTcpSocket::readyRead, socket, [this, socket] { m_slots.heard(socket); });
        if (connection->bytesAvailable() > 0) {
            m_slots.heard(socket);
        }
        connect(socket, &EncryptedTcpSocket::handshakeCompleted, this, [this, socket] {
            endHandshake(socket);
            onHandshakeCompleted(socket);
        });
        connect(socket, &EncryptedTcpSocket::errorOccurred, this,
            [this, socket, address](EncryptedTcpSocket::Error, const QString& message) {
                endHandshake(socket);
                // A socket still owned by the server is ours to delete; and anyone can make
                // one fail, so its line is throttled.
                if (socket->parent() == this) {
                    if (m_failureLog.admit()) {
                        qCInfo(lcNet).noquote() << "connection from" << address.toString() << "closed:" << message;
                    }
                    socket->deleteLater();
                }
                emit connectionFailed(address, message);
            });
        connect(socket, &EncryptedTcpSocket::disconnected, this, [this, socket] {
            endHandshake(socket);
            if (socket->parent() == this && socket->state() == EncryptedTcpSocket::State::Unconnected) {
                socket->deleteLater();
            }
        });
        socket->startServerHandshake(connection);
    }
}

void EncryptedTcpServer::endHandshake(EncryptedTcpSocket* socket)
{
    m_slots.remove(socket);
}

int EncryptedTcpServer::handoffsOfKey(const QByteArray& key) const
{
    int count = 0;
    for (const Handoff& handoff : m_handoffs) {
        count += handoff.key == key ? 1 : 0;
    }
    return count;
}

int EncryptedTcpServer::handoffsFrom(const QHostAddress& address) const
{
    const QHostAddress source = HandshakeSlots::sourceOf(address, m_options.handshakeIpv4Prefix);
    int count = 0;
    for (const Handoff& handoff : m_handoffs) {
        count += handoff.source == source ? 1 : 0;
    }
    return count;
}

void EncryptedTcpServer::refuse(EncryptedTcpSocket* socket, const char* code, const QString& message)
{
    socket->sendMessage(Protocol::encode(Protocol::makeError(QLatin1String(code), message)));
    closeGracefully(socket);
}

void EncryptedTcpServer::onHandshakeCompleted(EncryptedTcpSocket* socket)
{
    const Decision decision
        = m_authorizer ? m_authorizer(socket->peerKey(), socket->peerAddress()) : Decision { true, {}, {} };
    if (!decision.allowed) {
        socket->sendMessage(Protocol::encode(Protocol::makeError(
            decision.code.isEmpty() ? QLatin1String(Protocol::ErrorUnauthorized) : decision.code, decision.message)));
        closeGracefully(socket);
        return;
    }
    switch (reserve(socket)) {
    case ReserveResult::Reserved:
        return;
    case ReserveResult::KeyAtLimit:
        if (m_ticketLog.admit()) {
            qCInfo(lcServer).noquote() << "refused a session ticket for" << Identity::fingerprint(socket->peerKey())
                                       << "from" << socket->peerAddress().toString() << "- already"
                                       << m_options.maxTicketsPerKey << "waiting to be redeemed";
        }
        refuse(socket, Protocol::ErrorTooManySessions,
            QStringLiteral("Your key already has %1 connections being set up, the most this server allows; wait "
                           "until they are set up (at most %2 seconds) and try again")
                .arg(m_options.maxTicketsPerKey)
                .arg(m_options.ticketTimeoutMs / 1000.0));
        return;
    case ReserveResult::SourceAtLimit:
        if (m_ticketLog.admit()) {
            qCInfo(lcServer).noquote() << "refused a session ticket for" << socket->peerAddress().toString() << "-"
                                       << m_options.maxTicketsPerSource << "from"
                                       << HandshakeSlots::describeSource(
                                              socket->peerAddress(), m_options.handshakeIpv4Prefix)
                                       << "waiting to be redeemed";
        }
        refuse(socket, Protocol::ErrorBusy,
            QStringLiteral("Your address already has %1 connections being set up, the most this server allows; "
                           "try again in a few seconds")
                .arg(m_options.maxTicketsPerSource));
        return;
    case ReserveResult::NoFreePort:
    case ReserveResult::Failed:
        if (m_ticketLog.admit()) {
            qCWarning(lcServer).noquote() << "no free session port in" << m_options.sessionPortFirst << "-"
                                          << m_options.sessionPortLast << "for" << socket->peerAddress().toString();
        }
        refuse(socket, Protocol::ErrorBusy,
            QStringLiteral("The server has no free session port right now (all %1 are in use); try again in a few "
                           "seconds")
                .arg(sessionPortCount()));
        return;
    }
}

void EncryptedTcpServer::closeGracefully(EncryptedTcpSocket* socket)
{
    socket->disconnectFromHost();
    // A client that never reads must not keep the socket forever.
    QTimer::singleShot(m_options.handshakeTimeoutMs, socket, [socket] { socket->abort(); });
}

EncryptedTcpServer::ReserveResult EncryptedTcpServer::reserve(EncryptedTcpSocket* socket)
{
    if (handoffsOfKey(socket->peerKey()) >= m_options.maxTicketsPerKey) {
        return ReserveResult::KeyAtLimit;
    }
    if (handoffsFrom(socket->peerAddress()) >= m_options.maxTicketsPerSource) {
        return ReserveResult::SourceAtLimit;
    }
    const int count = sessionPortCount();
    for (int i = 0; i < count; ++i) {
        const quint16 port = m_nextPort;
        m_nextPort = port >= m_options.sessionPortLast ? m_options.sessionPortFirst : static_cast<quint16>(port + 1);
        if (m_reservations.contains(port)) {
            continue;
        }
        auto* listener = new QTcpServer(this);
        if (!listener->listen(m_options.address, port)) {
            qCWarning(lcServer).noquote() << "session port" << port << "is not available:" << listener->errorString();
            delete listener;
            continue;
        }
        Reservation reservation;
        reservation.port = port;
        reservation.ticket.resize(Protocol::TicketSize);
        if (RAND_bytes(reinterpret_cast<unsigned char*>(reservation.ticket.data()), Protocol::TicketSize) != 1) {
            delete listener;
            return ReserveResult::Failed;
        }
        reservation.clientAddress = socket->peerAddress();
        reservation.socket = socket;
        reservation.listener = listener;
        reservation.expiry = new QTimer(this);
        reservation.expiry->setSingleShot(true);
        connect(reservation.expiry, &QTimer::timeout, this, [this, port] {
            if (m_ticketLog.admit()) {
                qCInfo(lcServer).noquote() << "ticket for session port" << port << "from"
                                           << m_reservations.value(port).clientAddress.toString() << "expired unused";
            }
            dropReservation(port);
        });
        connect(listener, &QTcpServer::newConnection, this, [this, port] { onSessionConnection(port); });
        disconnect(socket, &EncryptedTcpSocket::handshakeCompleted, this, nullptr);
        socket->sendMessage(Protocol::encode(Protocol::makeSession(
            port, reservation.ticket, m_options.sessionPortFirst, m_options.sessionPortLast, m_options.keepaliveMs)));
        socket->detachForRedemption();
        reservation.expiry->start(m_options.ticketTimeoutMs);
        m_reservations.insert(port, reservation);
        m_handoffs.insert(socket,
            { socket->peerKey(), HandshakeSlots::sourceOf(reservation.clientAddress, m_options.handshakeIpv4Prefix) });
        return ReserveResult::Reserved;
    }
    return ReserveResult::NoFreePort;
}

void EncryptedTcpServer::onSessionConnection(quint16 port)
{
    const auto it = m_reservations.find(port);
    if (it == m_reservations.end()) {
        return;
    }
    while (QTcpSocket* connection = it->listener->nextPendingConnection()) {
        const QHostAddress from = EncryptedTcpSocket::plainAddress(connection->peerAddress());
        if (from != it->clientAddress || it->connection) {
            if (m_ticketLog.admit()) {
                qCWarning(lcServer).noquote()
                    << "session port" << port << "connection from" << from.toString() << "refused -"
                    << (it->connection ? QStringLiteral("the port already took the one connection of its ticket")
                                       : QStringLiteral("the ticket belongs to %1").arg(it->clientAddress.toString()));
            }
            connection->abort();
            connection->deleteLater();
            continue;
        }
        // One connection per ticket: the first from the ticket's address. Others wait in no queue.
        it->connection = connection;
        connection->setParent(it->listener);
        connect(connection, &QTcpSocket::readyRead, this, [this, port, connection] { tryRedeem(port, connection); });
        connect(connection, &QTcpSocket::disconnected, this, [this, port, connection] {
            // Closed before it redeemed: the ticket is spent.
            const auto reservation = m_reservations.constFind(port);
            if (reservation != m_reservations.cend() && reservation->connection == connection) {
                dropReservation(port);
            }
        });
    }
    if (it->connection) {
        it->listener->close();
        tryRedeem(port, it->connection);
    }
}

void EncryptedTcpServer::tryRedeem(quint16 port, QTcpSocket* connection)
{
    const auto it = m_reservations.find(port);
    if (it == m_reservations.end() || it->connection != connection
        || connection->bytesAvailable() < Protocol::FrameHeaderSize) {
        return;
    }
    // A length other than the ticket's is refused as soon as the two header bytes are in; a short
    // body waits, until the ticket expires.
    uchar header[Protocol::FrameHeaderSize];
    connection->peek(reinterpret_cast<char*>(header), Protocol::FrameHeaderSize);
    const int length = qFromBigEndian<quint16>(header);
    if (length == Protocol::TicketSize
        && connection->bytesAvailable() < Protocol::FrameHeaderSize + Protocol::TicketSize) {
        return;
    }
    bool match = false;
    if (length == Protocol::TicketSize) {
        connection->skip(Protocol::FrameHeaderSize);
        const QByteArray ticket = connection->read(Protocol::TicketSize);
        match = CRYPTO_memcmp(ticket.constData(), it->ticket.constData(), Protocol::TicketSize) == 0;
    }
    if (!match) {
        if (m_ticketLog.admit()) {
            qCWarning(lcServer).noquote()
                << (length == Protocol::TicketSize ? QStringLiteral("wrong ticket")
                                                   : QStringLiteral("a %1-byte ticket frame").arg(length))
                << "on session port" << port << "from"
                << EncryptedTcpSocket::plainAddress(connection->peerAddress()).toString()
                << "- connection closed, ticket spent";
        }
        dropReservation(port);
        return;
    }
    EncryptedTcpSocket* socket = it->socket;
    connection->disconnect(this);
    connection->disconnect(connection);
    connection->setParent(nullptr);
    it->connection = nullptr;
    releasePort(port); // redeemed: the ticket is spent and the port goes back to the pool
    connect(
        socket, &EncryptedTcpSocket::messageReceived, this,
        [this, socket](const QByteArray& message) {
            disconnect(socket, nullptr, this, nullptr);
            m_handoffs.remove(socket);
            socket->setParent(nullptr);
            emit newSession(socket, message);
        },
        Qt::SingleShotConnection);
    socket->adoptSessionSocket(connection);
}

void EncryptedTcpServer::dropReservation(quint16 port)
{
    const auto it = m_reservations.constFind(port);
    if (it == m_reservations.cend()) {
        return;
    }
    EncryptedTcpSocket* socket = it->socket;
    releasePort(port);
    if (socket) {
        m_handoffs.remove(socket);
        socket->deleteLater();
    }
}

void EncryptedTcpServer::releasePort(quint16 port)
{
    const auto it = m_reservations.find(port);
    if (it == m_reservations.end()) {
        return;
    }
    it->expiry->stop();
    it->expiry->deleteLater();
    if (QTcpSocket* connection = it->connection) {
        // Not redeemed: close it now rather than when the listener it belongs to is deleted.
        connection->disconnect(this);
        connection->abort();
    }
    it->listener->close();
    it->listener->deleteLater();
    m_reservations.erase(it);
}

} // namespace QuietWire
