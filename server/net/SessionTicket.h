#pragma once

#include "ServerHandshake.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <functional>

class QTcpServer;
class QTcpSocket;

namespace QuietWire {

class EncryptedTcpSocket;
class LogThrottle;

/// One session ticket on the server, from the session message to the hello (docs/PROTOCOL.md
/// section 5, "The session port"): its port takes one connection, the first from the ticket's
/// address, and stops listening; that connection must send the 16 ticket bytes (any other frame
/// length is refused as soon as its header is in), and then its first transport message must
/// decrypt within the set-up time. Whatever breaks these rules spends the ticket. The lines a
/// stranger can cause go through the server's throttled ticket log.
///
/// Usage (EncryptedTcpServer):
///     auto* ticket = new SessionTicket(listener, ticketBytes, std::move(handOff), timeouts, &log, this);
///     connect(ticket, &SessionTicket::portReleased, ...); // the port may go to the next client
///     connect(ticket, &SessionTicket::redeemed, ...);     // a session with its hello; the socket has no parent
///     connect(ticket, &SessionTicket::failed, ...);       // after the ticket matched; for the log
///     connect(ticket, &SessionTicket::finished, ticket, &QObject::deleteLater);
class SessionTicket : public QObject
{
    Q_OBJECT

public:
    enum class State {
        AwaitingConnection, // listening on the port
        AwaitingTicket, // the port took its one connection; waiting for the ticket frame
        AwaitingFirstMessage, // ticket matched, port released; waiting for the hello
        Redeemed,
        Spent, // expired, refused or closed: no session
    };
    Q_ENUM(State)

    struct Timeouts
    {
        int ticketMs = Protocol::TicketTimeoutMs; // until the ticket is in
        int firstMessageMs = Protocol::HandshakeTimeoutMs; // from the ticket to the hello
    };

    /// listener listens on the session port already; the ticket takes it over.
    SessionTicket(QTcpServer* listener, const QByteArray& ticket, ServerHandshake::HandOff handOff,
        const Timeouts& timeouts, LogThrottle* log, QObject* parent = nullptr);
    ~SessionTicket() override;

    /// Connections from peers for which isTrustedProxy is true start with a PROXY protocol header
    /// (ProxyHeaderReader): the address the ticket is checked against is then the header's client.
    void setProxyCheck(std::function<bool(const QHostAddress&)> isTrustedProxy)
    {
        m_isTrustedProxy = std::move(isTrustedProxy);
    }
    State state() const { return m_state; }
    quint16 port() const { return m_port; }
    QHostAddress clientAddress() const { return m_handOff.address; }
    QByteArray peerKey() const { return m_handOff.peerKey; }

signals:
    /// The port is free again: redeemed, spent or expired.
    void portReleased(quint16 port);
    /// The client is in; socket (no parent: take it) is established, firstMessage is its hello.
    void redeemed(QuietWire::EncryptedTcpSocket* socket, const QByteArray& firstMessage);
    /// The ticket matched but no hello came; reason is for the log.
    void failed(const QString& reason);
    /// Nothing is left to do: delete it.
    void finished();

private:
    void onConnection();
    void readTicket();
    /// A connection on the port from from (the client's, when a trusted proxy said so).
    void accept(QTcpSocket* connection, const QHostAddress& from);
    void onFirstMessage(const QByteArray& message);
    void onDeadline();
    void spend();
    void failSession(const QString& reason);
    void releasePort();

    State m_state = State::AwaitingConnection;
    QPointer<QTcpServer> m_listener;
    quint16 m_port = 0;
    QByteArray m_ticket;
    ServerHandshake::HandOff m_handOff;
    Timeouts m_timeouts;
    LogThrottle* m_log;
    QPointer<QTcpSocket> m_connection; // the one connection the port took
    std::function<bool(const QHostAddress&)> m_isTrustedProxy;
    QPointer<EncryptedTcpSocket> m_socket; // after the ticket, until the hello
    QTimer m_deadline;
};

} // namespace QuietWire
