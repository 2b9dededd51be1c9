#pragma once

#include "HandshakeSlots.h"
#include "LogThrottle.h"
#include "Logging.h"
#include "Protocol.h"
#include "X25519.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <functional>

class QTcpServer;
class QTcpSocket;

namespace QuietWire {

class EncryptedTcpSocket;
class ServerHandshake;
class SessionTicket;

/// Accepts QuietWire connections: runs the Noise XX handshake on the main port (a ServerHandshake
/// per connection), asks the authorizer about the client's static key, and hands the client over
/// to a session port from the pool with a one-time ticket (a SessionTicket). Only a client that
/// redeems its ticket (same IP, within the ticket timeout, once) and whose first transport message
/// there decrypts becomes a session.
///
/// Limits against floods (docs/PROTOCOL.md section 5): handshakes in progress are counted per
/// source (an IPv4 address or /N, an IPv6 /64; see HandshakeSlots), and when the table is full a
/// silent connection gives up its place to a newcomer. Tickets not yet redeemed are capped per
/// key and per source, and a session port takes one connection from the ticket's address: the
/// first; its listener closes then, and a wrong or malformed ticket on it spends the ticket.
///
/// Usage:
///     EncryptedTcpServer server(identity.keyPair());
///     server.setAuthorizer([](const QByteArray& key, const QHostAddress& address) {
///         return EncryptedTcpServer::Decision {true, {}, {}}; // or {false, code, message for the client}
///     });
///     connect(&server, &EncryptedTcpServer::newSession, ...); // socket is yours, firstMessage is its hello
///     if (!server.listen(options, &error)) ...
class EncryptedTcpServer : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QHostAddress address = QHostAddress::Any;
        quint16 port = Protocol::DefaultPort;
        quint16 sessionPortFirst = Protocol::DefaultSessionPortFirst;
        quint16 sessionPortLast = Protocol::DefaultSessionPortLast;
        int handshakeTimeoutMs = Protocol::HandshakeTimeoutMs;
        int ticketTimeoutMs = Protocol::TicketTimeoutMs;
        int idleTimeoutMs = Protocol::IdleTimeoutMs;
        int keepaliveMs = Protocol::KeepaliveMs; // also recommended to clients in the session message
        // Handshakes in progress at once; silent ones make room, else more are closed at once.
        int maxHandshakes = HandshakeSlots::Limits {}.total;
        // ... from one source: an IPv4 address, or its /handshakeIpv4Prefix network; an IPv6 /64.
        int maxHandshakesPerAddress = HandshakeSlots::Limits {}.perSource;
        int handshakeIpv4Prefix = HandshakeSlots::Limits {}.ipv4PrefixLength;
        int maxTicketsPerKey = 8; // session tickets handed out and not yet redeemed, per client key
        int maxTicketsPerSource = 16; // ... and per source
        quint64 rekeyAfterMessages = Protocol::RekeyAfterMessages;
        quint64 rekeyAfterBytes = Protocol::RekeyAfterBytes;
        /// Load balancers (addresses or networks) whose connections start with a PROXY protocol
        /// version 2 header naming the client: on the main port and the session ports, the
        /// client's address is then the header's. Nobody else may send one.
        QList<std::pair<QHostAddress, int>> trustedProxies;
    };

    struct Decision
    {
        bool allowed = false;
        ErrorCode code = ErrorCode::None; // for a refusal: Unauthorized (also for None), TooManySessions, ...
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
    int sessionPortsInUse() const { return static_cast<int>(m_ports.size()); }
    int sessionPortCount() const { return m_options.sessionPortLast - m_options.sessionPortFirst + 1; }

signals:
    /// A client finished the hand-off. The server gives up ownership: reparent or delete it.
    void newSession(QuietWire::EncryptedTcpSocket* socket, const QByteArray& firstMessage);
    /// For logs: a connection that did not become a session, and why.
    void connectionFailed(const QHostAddress& address, const QString& reason);

private:
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
    /// A connection on the main port from address (the client's, when a trusted proxy said so).
    void admit(QTcpSocket* connection, const QHostAddress& address);
    bool isTrustedProxy(const QHostAddress& address) const;
    void onHandshakeCompleted(ServerHandshake* handshake);
    ReserveResult reserve(ServerHandshake* handshake);
    void onRedeemed(EncryptedTcpSocket* socket, const QByteArray& firstMessage);
    void logFailure(const QHostAddress& address, const QString& reason);

    Noise::KeyPair m_identity;
    Options m_options;
    Authorizer m_authorizer;
    QTcpServer* m_mainServer = nullptr;
    HandshakeSlots m_slots;
    QHash<quint16, SessionTicket*> m_ports; // session ports whose ticket is not redeemed yet
    QHash<SessionTicket*, Handoff> m_handoffs; // every ticket until its hello or its end
    // Lines a stranger can cause at will are throttled (LogThrottle), so the log stays bounded.
    LogThrottle m_refusalLog { lcServer(), QStringLiteral("refused-connection") };
    LogThrottle m_evictionLog { lcServer(), QStringLiteral("dropped-silent-handshake") };
    LogThrottle m_failureLog { lcNet(), QStringLiteral("failed-handshake") };
    LogThrottle m_ticketLog { lcServer(), QStringLiteral("session-port") };
    quint16 m_nextPort = 0;
};

} // namespace QuietWire
