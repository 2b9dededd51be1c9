#include "EncryptedTcpServer.h"

#include "EncryptedTcpSocket.h"
#include "Identity.h"
#include "Logging.h"
#include "Protocol.h"
#include "ProxyHeaderReader.h"
#include "ServerHandshake.h"
#include "SessionTicket.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
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
    // Tickets not redeemed yet give their ports back now; their sockets go with them.
    const auto tickets = m_ports.values();
    for (SessionTicket* ticket : tickets) {
        m_handoffs.remove(ticket);
        delete ticket;
    }
    m_ports.clear();
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

bool EncryptedTcpServer::isTrustedProxy(const QHostAddress& address) const
{
    for (const auto& [network, prefix] : m_options.trustedProxies) {
        if (address.isInSubnet(network, prefix)) {
            return true;
        }
    }
    return false;
}

void EncryptedTcpServer::onMainConnection()
{
    while (QTcpSocket* connection = m_mainServer->nextPendingConnection()) {
        const QHostAddress peer = EncryptedTcpSocket::plainAddress(connection->peerAddress());
        if (peer.isNull()) {
            // Reset before it was accepted, so that the kernel no longer knows its peer: HAProxy ends
            // its health checks that way (a PROXY header saying LOCAL, then a reset). Nothing to serve.
            connection->abort();
            connection->deleteLater();
            continue;
        }
        if (!isTrustedProxy(peer)) {
            admit(connection, peer);
            continue;
        }
        // The proxy says first whom it carries; the handshake, the limits and the ticket then
        // see that client.
        auto* reader = new ProxyHeaderReader(connection, m_options.handshakeTimeoutMs, this);
        connect(reader, &ProxyHeaderReader::ready, this,
            [this](QTcpSocket* proxied, const QHostAddress& client, bool local) {
                if (local) {
                    // The proxy's health check: it connects, says LOCAL and closes. Nothing to log.
                    connect(proxied, &QTcpSocket::disconnected, proxied, &QObject::deleteLater);
                    QTimer::singleShot(m_options.handshakeTimeoutMs, proxied, &QTcpSocket::abort);
                    return;
                }
                admit(proxied, client);
            });
        connect(reader, &ProxyHeaderReader::failed, this, [this, peer](QTcpSocket* failed, const QString& reason) {
            logFailure(peer, reason);
            if (failed) {
                failed->abort();
                failed->deleteLater();
            }
        });
        reader->start();
    }
}

void EncryptedTcpServer::admit(QTcpSocket* connection, const QHostAddress& address)
{
    ServerHandshake::Settings settings;
    settings.identity = m_identity;
    settings.timeoutMs = m_options.handshakeTimeoutMs;
    settings.rekeyAfterMessages = m_options.rekeyAfterMessages;
    settings.rekeyAfterBytes = m_options.rekeyAfterBytes;
    auto* handshake = new ServerHandshake(connection, settings, address, this);
    // Refused at once and cheaply, before any key exchange, when its source is at its limit or
    // the table is full of connections that are not silent.
    const HandshakeSlots::Admission admission = m_slots.admit(handshake, address);
    if (admission.result != HandshakeSlots::Result::Admitted) {
        delete handshake; // and its connection, aborted
        if (m_refusalLog.admit()) {
            qCWarning(lcServer).noquote()
                << "refused a connection from" << address.toString() << "- too many handshakes in progress ("
                << m_slots.size() << "in all," << m_slots.countFrom(address) << "from"
                << HandshakeSlots::describeSource(address, m_options.handshakeIpv4Prefix) << ")";
        }
        return;
    }
    if (admission.evicted) {
        // Out of the table already; its connection goes with it.
        auto* evicted = static_cast<ServerHandshake*>(admission.evicted);
        if (m_evictionLog.admit()) {
            qCInfo(lcServer).noquote() << "handshake table full: closed a silent connection from"
                                       << evicted->peerAddress().toString() << "to make room for" << address.toString();
        }
        evicted->abort();
    }
    // Out of the table once it is over, whichever way.
    connect(handshake, &QObject::destroyed, this, [this, handshake] { m_slots.remove(handshake); });
    // A connection that sent something is no longer silent: it keeps its place in a full table.
    connect(connection, &QTcpSocket::readyRead, handshake, [this, handshake] { m_slots.heard(handshake); });
    if (connection->bytesAvailable() > 0) {
        m_slots.heard(handshake);
    }
    connect(handshake, &ServerHandshake::completed, this, [this, handshake] {
        m_slots.remove(handshake);
        onHandshakeCompleted(handshake);
    });
    connect(handshake, &ServerHandshake::failed, this,
        [this, address](const QString& reason) { logFailure(address, reason); });
    connect(handshake, &ServerHandshake::finished, this, [this, handshake] {
        m_slots.remove(handshake);
        handshake->deleteLater();
    });
    handshake->start();
}

void EncryptedTcpServer::logFailure(const QHostAddress& address, const QString& reason)
{
    // Anyone can make a connection fail, so its line is throttled.
    if (m_failureLog.admit()) {
        qCInfo(lcNet).noquote() << "connection from" << address.toString() << "closed:" << reason;
    }
    emit connectionFailed(address, reason);
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

void EncryptedTcpServer::onHandshakeCompleted(ServerHandshake* handshake)
{
    const Decision decision
        = m_authorizer ? m_authorizer(handshake->peerKey(), handshake->peerAddress()) : Decision { true, {}, {} };
    if (!decision.allowed) {
        handshake->refuse(decision.code == ErrorCode::None ? ErrorCode::Unauthorized : decision.code, decision.message);
        return;
    }
    switch (reserve(handshake)) {
    case ReserveResult::Reserved:
        return;
    case ReserveResult::KeyAtLimit:
        if (m_ticketLog.admit()) {
            qCInfo(lcServer).noquote() << "refused a session ticket for" << Identity::fingerprint(handshake->peerKey())
                                       << "from" << handshake->peerAddress().toString() << "- already"
                                       << m_options.maxTicketsPerKey << "waiting to be redeemed";
        }
        handshake->refuse(ErrorCode::TooManySessions,
            QStringLiteral("Your key already has %1 connections being set up, the most this server allows; wait "
                           "until they are set up (at most %2 seconds) and try again")
                .arg(m_options.maxTicketsPerKey)
                .arg(m_options.ticketTimeoutMs / 1000.0));
        return;
    case ReserveResult::SourceAtLimit:
        if (m_ticketLog.admit()) {
            qCInfo(lcServer).noquote() << "refused a session ticket for" << handshake->peerAddress().toString() << "-"
                                       << m_options.maxTicketsPerSource << "from"
                                       << HandshakeSlots::describeSource(
                                              handshake->peerAddress(), m_options.handshakeIpv4Prefix)
                                       << "waiting to be redeemed";
        }
        handshake->refuse(ErrorCode::Busy,
            QStringLiteral("Your address already has %1 connections being set up, the most this server allows; "
                           "try again in a few seconds")
                .arg(m_options.maxTicketsPerSource));
        return;
    case ReserveResult::NoFreePort:
    case ReserveResult::Failed:
        if (m_ticketLog.admit()) {
            qCWarning(lcServer).noquote() << "no free session port in" << m_options.sessionPortFirst << "-"
                                          << m_options.sessionPortLast << "for" << handshake->peerAddress().toString();
        }
        handshake->refuse(ErrorCode::Busy,
            QStringLiteral("The server has no free session port right now (all %1 are in use); try again in a few "
                           "seconds")
                .arg(sessionPortCount()));
        return;
    }
}

EncryptedTcpServer::ReserveResult EncryptedTcpServer::reserve(ServerHandshake* handshake)
{
    if (handoffsOfKey(handshake->peerKey()) >= m_options.maxTicketsPerKey) {
        return ReserveResult::KeyAtLimit;
    }
    if (handoffsFrom(handshake->peerAddress()) >= m_options.maxTicketsPerSource) {
        return ReserveResult::SourceAtLimit;
    }
    const int count = sessionPortCount();
    for (int i = 0; i < count; ++i) {
        const quint16 port = m_nextPort;
        m_nextPort = port >= m_options.sessionPortLast ? m_options.sessionPortFirst : static_cast<quint16>(port + 1);
        if (m_ports.contains(port)) {
            continue;
        }
        auto* listener = new QTcpServer(this);
        if (!listener->listen(m_options.address, port)) {
            qCWarning(lcServer).noquote() << "session port" << port << "is not available:" << listener->errorString();
            delete listener;
            continue;
        }
        QByteArray ticketBytes(Protocol::TicketSize, Qt::Uninitialized);
        if (RAND_bytes(reinterpret_cast<unsigned char*>(ticketBytes.data()), Protocol::TicketSize) != 1) {
            delete listener;
            return ReserveResult::Failed;
        }
        auto handOff = handshake->handOff(Protocol::encode(Protocol::SessionHandoff {
            port, ticketBytes, m_options.sessionPortFirst, m_options.sessionPortLast, m_options.keepaliveMs }
                                                               .toCbor()));
        if (!handOff) {
            delete listener;
            return ReserveResult::Failed;
        }
        const Handoff handoff { handOff->peerKey,
            HandshakeSlots::sourceOf(handOff->address, m_options.handshakeIpv4Prefix) };
        auto* ticket = new SessionTicket(listener, ticketBytes, std::move(*handOff),
            { m_options.ticketTimeoutMs, m_options.handshakeTimeoutMs }, &m_ticketLog, this);
        if (!m_options.trustedProxies.isEmpty()) {
            ticket->setProxyCheck([this](const QHostAddress& peer) { return isTrustedProxy(peer); });
        }
        m_ports.insert(port, ticket);
        m_handoffs.insert(ticket, handoff);
        connect(ticket, &SessionTicket::portReleased, this, [this](quint16 released) { m_ports.remove(released); });
        connect(ticket, &SessionTicket::redeemed, this,
            [this, ticket](EncryptedTcpSocket* socket, const QByteArray& firstMessage) {
                m_handoffs.remove(ticket);
                onRedeemed(socket, firstMessage);
            });
        connect(ticket, &SessionTicket::failed, this,
            [this, ticket](const QString& reason) { logFailure(ticket->clientAddress(), reason); });
        connect(ticket, &SessionTicket::finished, this, [this, ticket] {
            m_handoffs.remove(ticket);
            if (m_ports.value(ticket->port()) == ticket) {
                m_ports.remove(ticket->port());
            }
            ticket->deleteLater();
        });
        return ReserveResult::Reserved;
    }
    return ReserveResult::NoFreePort;
}

void EncryptedTcpServer::onRedeemed(EncryptedTcpSocket* socket, const QByteArray& firstMessage)
{
    // The session starts now: from here the peer must keep it alive, and so must we.
    socket->setKeepaliveInterval(m_options.keepaliveMs);
    socket->setIdleTimeout(m_options.idleTimeoutMs);
    const QHostAddress address = socket->peerAddress();
    connect(socket, &EncryptedTcpSocket::errorOccurred, socket,
        [address](EncryptedTcpSocket::Error, const QString& message) {
            qCInfo(lcNet).noquote() << "connection from" << address.toString() << "closed:" << message;
        });
    emit newSession(socket, firstMessage);
}

} // namespace QuietWire
