#pragma once

#include "HandshakeSlots.h"
#include "LogThrottle.h"
#include "Logging.h"
#include "noise/X25519.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
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
/// Limits against floods (docs/PROTOCOL.md section 5): handshakes in progress are counted per
/// source (an IPv4 address or /N, an IPv6 /64; see HandshakeSlots), and when the table is full a
/// silent connection gives up its place to a newcomer. Tickets not yet redeemed are capped per
/// key and per source, and a session port takes one connection from the ticket's address: the
/// first; its listener closes then, and a wrong or malformed ticket on it spends the ticket.
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
        int maxHandshakes = 64; // in progress at once; silent ones make room, else more are closed at once
        int maxHandshakesPerAddress = 8; // from one source (see handshakeIpv4Prefix)
        int handshakeIpv4Prefix = 32; // IPv4 clients in one /N are one source; IPv6: one /64
        int maxTicketsPerKey = 8; // session tickets handed out and not yet redeemed, per client key
        int maxTicketsPerSource = 16; // ... and per source
        quint64 rekeyAfterMessages = 0; // 0: the protocol's default
        quint64 rekeyAfterBytes = 0;
    };

    struct Decision
    {
        bool allowed = false;
        QString code; // for a refusal: "unauthorized", "too_many_sessions", ...
        QString message; // for a refusal: sent to the client
    };
    using Authorizer = std::function<Decision(const QByteArray& key, const QHostAddress& address)>;

    explicit EncryptedTcpServer(const Noise::KeyPair& identity, QObject* parent = nullptr);
    ~EncryptedTcpServer() override;

    void setAuthorizer(Authorizer authorizer) { m_authorizer = std::move(authorizer); }
    bool listen(const Options& options, QString* error = nullptr);
    void close();
    quint16 serverPort() const;
    int handshakesInProgress() const { return m_slots.size(); }
    /// Connections of this key between its handshake and its session: tickets not yet redeemed,
    /// and redeemed ones whose first message has not arrived. They count as sessions of the key.
    int handoffsOfKey(const QByteArray& key) const;
    int handoffsFrom(const QHostAddress& address) const;
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
        QTcpSocket* connection = nullptr; // the one connection the port took
        QTimer* expiry = nullptr;
    };

    struct Handoff
    {
        QByteArray key;
        QHostAddress source;
    };

    enum class ReserveResult {
        Reserved,
        NoFreePort,
        KeyAtLimit, // maxTicketsPerKey tickets of this key are waiting
        SourceAtLimit, // maxTicketsPerSource tickets of this source are waiting
        Failed,
    };

    void onMainConnection();
    void endHandshake(EncryptedTcpSocket* socket);
    void configure(EncryptedTcpSocket* socket) const;
    void onHandshakeCompleted(EncryptedTcpSocket* socket);
    ReserveResult reserve(EncryptedTcpSocket* socket);
    void refuse(EncryptedTcpSocket* socket, const char* code, const QString& message);
    void closeGracefully(EncryptedTcpSocket* socket);
    void onSessionConnection(quint16 port);
    void tryRedeem(quint16 port, QTcpSocket* connection);
    /// The ticket can no longer be redeemed: the port goes back to the pool, the socket is deleted.
    void dropReservation(quint16 port);
    void releasePort(quint16 port);

    Noise::KeyPair m_identity;
    Options m_options;
    Authorizer m_authorizer;
    QTcpServer* m_mainServer = nullptr;
    QHash<quint16, Reservation> m_reservations;
    HandshakeSlots m_slots;
    QHash<EncryptedTcpSocket*, Handoff> m_handoffs;
    // Lines a stranger can cause at will are throttled (LogThrottle), so the log stays bounded.
    LogThrottle m_refusalLog { lcServer(), QStringLiteral("refused-connection") };
    LogThrottle m_evictionLog { lcServer(), QStringLiteral("dropped-silent-handshake") };
    LogThrottle m_failureLog { lcNet(), QStringLiteral("failed-handshake") };
    LogThrottle m_ticketLog { lcServer(), QStringLiteral("session-port") };
    quint16 m_nextPort = 0;
};

} // namespace QuietWire
