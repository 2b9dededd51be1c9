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
{
}

EncryptedTcpServer::~EncryptedTcpServer()
{
    close();
}

bool EncryptedTcpServer::listen(const Options& options, QString* error)
{
    m_options = options;
    if (options.sessionPortFirst == 0 || options.sessionPortLast < options.sessionPortFirst) {
        if (error) {
            *error = QStringLiteral("Invalid session port range %1-%2").arg(options.sessionPortFirst).arg(
                options.sessionPortLast);
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
        Reservation reservation = m_reservations.value(port);
        releasePort(port);
        if (reservation.socket) {
            reservation.socket->deleteLater();
        }
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
        socket->setRekeyLimits(m_options.rekeyAfterMessages > 0 ? m_options.rekeyAfterMessages : Protocol::RekeyAfterMessages,
                               m_options.rekeyAfterBytes > 0 ? m_options.rekeyAfterBytes : Protocol::RekeyAfterBytes);
    }
}

void EncryptedTcpServer::onMainConnection()
{
    while (QTcpSocket* connection = m_mainServer->nextPendingConnection()) {
        const QHostAddress address = EncryptedTcpSocket::plainAddress(connection->peerAddress());
        // Refuse at once and cheaply, before any key exchange, when too many are in progress.
        if (m_handshaking.size() >= m_options.maxHandshakes
            || m_handshakesPerAddress.value(address) >= m_options.maxHandshakesPerAddress) {
            connection->abort();
            connection->deleteLater();
            ++m_refusedSinceLog;
            if (!m_refusalLog.isValid() || m_refusalLog.elapsed() > 1000) {
                qCWarning(lcServer).noquote() << "refused" << m_refusedSinceLog << "connection(s), the latest from"
                                              << address.toString() << "- too many handshakes in progress ("
                                              << m_handshaking.size() << "in all," << m_handshakesPerAddress.value(address)
                                              << "from that address)";
                m_refusedSinceLog = 0;
                m_refusalLog.start();
            }
            continue;
        }
        auto* socket = new EncryptedTcpSocket(m_identity, this);
        configure(socket);
        m_handshaking.insert(socket, address);
        ++m_handshakesPerAddress[address];
        connect(socket, &QObject::destroyed, this, [this, socket] { endHandshake(socket); });
        connect(socket, &EncryptedTcpSocket::handshakeCompleted, this, [this, socket] {
            endHandshake(socket);
            onHandshakeCompleted(socket);
        });
        connect(socket, &EncryptedTcpSocket::errorOccurred, this,
                [this, socket, address](EncryptedTcpSocket::Error, const QString& message) {
                    endHandshake(socket);
                    emit connectionFailed(address, message);
                    // A socket still owned by the server is ours to delete.
                    if (socket->parent() == this) {
                        socket->deleteLater();
                    }
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
    const auto it = m_handshaking.find(socket);
    if (it == m_handshaking.end()) {
        return;
    }
    const QHostAddress address = it.value();
    m_handshaking.erase(it);
    if (--m_handshakesPerAddress[address] <= 0) {
        m_handshakesPerAddress.remove(address);
    }
}

void EncryptedTcpServer::onHandshakeCompleted(EncryptedTcpSocket* socket)
{
    const Decision decision = m_authorizer ? m_authorizer(socket->peerKey(), socket->peerAddress()) : Decision {true, {}, {}};
    if (!decision.allowed) {
        socket->sendMessage(Protocol::encode(Protocol::makeError(
            decision.code.isEmpty() ? QLatin1String(Protocol::ErrorUnauthorized) : decision.code, decision.message)));
        closeGracefully(socket);
        return;
    }
    if (!reserve(socket)) {
        qCWarning(lcServer).noquote() << "no free session port in" << m_options.sessionPortFirst << "-"
                                      << m_options.sessionPortLast << "for" << socket->peerAddress().toString();
        socket->sendMessage(Protocol::encode(Protocol::makeError(
            QLatin1String(Protocol::ErrorBusy),
            QStringLiteral("The server has no free session port right now (all %1 are in use); try again in a few "
                           "seconds")
                .arg(sessionPortCount()))));
        closeGracefully(socket);
    }
}

void EncryptedTcpServer::closeGracefully(EncryptedTcpSocket* socket)
{
    socket->disconnectFromHost();
    // A client that never reads must not keep the socket forever.
    QTimer::singleShot(m_options.handshakeTimeoutMs, socket, [socket] { socket->abort(); });
}

bool EncryptedTcpServer::reserve(EncryptedTcpSocket* socket)
{
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
            return false;
        }
        reservation.clientAddress = socket->peerAddress();
        reservation.socket = socket;
        reservation.listener = listener;
        reservation.expiry = new QTimer(this);
        reservation.expiry->setSingleShot(true);
        connect(reservation.expiry, &QTimer::timeout, this, [this, port] {
            const Reservation expired = m_reservations.value(port);
            qCInfo(lcServer).noquote() << "ticket for session port" << port << "from"
                                       << expired.clientAddress.toString() << "expired unused";
            releasePort(port);
            if (expired.socket) {
                expired.socket->deleteLater();
            }
        });
        connect(listener, &QTcpServer::newConnection, this, [this, port] { onSessionConnection(port); });
        disconnect(socket, &EncryptedTcpSocket::handshakeCompleted, this, nullptr);
        socket->sendMessage(Protocol::encode(Protocol::makeSession(port, reservation.ticket,
                                                                   m_options.sessionPortFirst,
                                                                   m_options.sessionPortLast, m_options.keepaliveMs)));
        socket->detachForRedemption();
        reservation.expiry->start(m_options.ticketTimeoutMs);
        m_reservations.insert(port, reservation);
        return true;
    }
    return false;
}

void EncryptedTcpServer::onSessionConnection(quint16 port)
{
    auto it = m_reservations.find(port);
    if (it == m_reservations.end()) {
        return;
    }
    while (QTcpSocket* connection = it->listener->nextPendingConnection()) {
        const QHostAddress from = EncryptedTcpSocket::plainAddress(connection->peerAddress());
        if (from != it->clientAddress) {
            qCWarning(lcServer).noquote() << "session port" << port << "connection from" << from.toString() << "but the ticket belongs to"
                                          << it->clientAddress.toString() << "- refused";
            connection->abort();
            connection->deleteLater();
            continue;
        }
        connection->setParent(it->listener);
        connect(connection, &QTcpSocket::readyRead, this, [this, port, connection] { tryRedeem(port, connection); });
        connect(connection, &QTcpSocket::disconnected, connection, &QObject::deleteLater);
        tryRedeem(port, connection);
        it = m_reservations.find(port);
        if (it == m_reservations.end()) {
            return;
        }
    }
}

void EncryptedTcpServer::tryRedeem(quint16 port, QTcpSocket* connection)
{
    const auto it = m_reservations.find(port);
    if (it == m_reservations.end() || connection->bytesAvailable() < Protocol::FrameHeaderSize + Protocol::TicketSize) {
        return;
    }
    uchar header[Protocol::FrameHeaderSize];
    connection->read(reinterpret_cast<char*>(header), Protocol::FrameHeaderSize);
    const QByteArray ticket = connection->read(Protocol::TicketSize);
    const bool match = qFromBigEndian<quint16>(header) == Protocol::TicketSize
        && CRYPTO_memcmp(ticket.constData(), it->ticket.constData(), Protocol::TicketSize) == 0;
    if (!match) {
        qCWarning(lcServer).noquote() << "wrong ticket on session port" << port << "from"
                                      << EncryptedTcpSocket::plainAddress(connection->peerAddress()).toString() << "- connection closed";
        connection->disconnect(this);
        connection->abort();
        connection->deleteLater();
        return;
    }
    EncryptedTcpSocket* socket = it->socket;
    connection->disconnect(this);
    connection->disconnect(connection);
    connection->setParent(nullptr);
    releasePort(port); // redeemed: the ticket is spent and the port goes back to the pool
    connect(socket, &EncryptedTcpSocket::messageReceived, this,
            [this, socket](const QByteArray& message) {
                disconnect(socket, nullptr, this, nullptr);
                socket->setParent(nullptr);
                emit newSession(socket, message);
            },
            Qt::SingleShotConnection);
    socket->adoptSessionSocket(connection);
}

void EncryptedTcpServer::releasePort(quint16 port)
{
    const auto it = m_reservations.find(port);
    if (it == m_reservations.end()) {
        return;
    }
    it->expiry->stop();
    it->expiry->deleteLater();
    it->listener->close();
    it->listener->deleteLater();
    m_reservations.erase(it);
}

} // namespace QuietWire
