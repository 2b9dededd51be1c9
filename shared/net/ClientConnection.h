#pragma once

#include "EncryptedTcpSocket.h"
#include "NoiseHandshake.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QTcpSocket;

namespace QuietWire {

/// The client's way into a session (docs/PROTOCOL.md section 5): TCP connect to the main port, the
/// Noise handshake as initiator (the server's key is checked before message 3 reveals ours), the
/// server's one message there (session hand-off or error), then a new connection to the session
/// port from the same address, and the ticket. EncryptedTcpSocket::connectToHost() runs one and
/// adopts what it established; nothing else needs it.
///
/// Usage:
///     auto* connection = new ClientConnection(settings, this);
///     connect(connection, &ClientConnection::established, ...); // takeEstablished()
///     connect(connection, &ClientConnection::failed, ...);      // remoteErrorCode() for RemoteError
///     connection->start(host, port);
class ClientConnection : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Idle,
        Connecting, // TCP connect to the main port
        Handshaking,
        AwaitingSession, // handshake done, waiting for the server's session message
        SwitchingPort, // connecting to the session port
        Established, // ticket sent: takeEstablished()
        Failed, // failed() told why, or abort()
    };
    Q_ENUM(State)

    struct Settings
    {
        Noise::KeyPair identity;
        QHostAddress localAddress; // bind to it when set
        EncryptedTcpSocket::PeerKeyCheck peerKeyCheck;
        int timeoutMs = Protocol::HandshakeTimeoutMs; // for the whole set-up
        quint64 rekeyAfterMessages = Protocol::RekeyAfterMessages;
        quint64 rekeyAfterBytes = Protocol::RekeyAfterBytes;
    };

    explicit ClientConnection(const Settings& settings, QObject* parent = nullptr);
    ~ClientConnection() override;

    void start(const QString& host, quint16 port);
    /// Closes whatever is open, without a signal.
    void abort();
    /// Once established(): the session connection and its transport, for the EncryptedTcpSocket.
    EncryptedTcpSocket::Established takeEstablished();

    State state() const { return m_state; }
    /// The server's static key, once handshake message 2 brought it (also after a failure).
    QByteArray peerKey() const { return m_peerKey; }
    QByteArray handshakeHash() const { return m_handshakeHash; }
    /// The session port the server named, once its session message arrived.
    quint16 sessionPort() const { return m_sessionPort; }
    /// The code of the server's fatal error answer, after failed(RemoteError); None before.
    ErrorCode remoteErrorCode() const { return m_remoteErrorCode; }

signals:
    void established();
    void failed(QuietWire::EncryptedTcpSocket::Error error, const QString& message);

private:
    using Error = EncryptedTcpSocket::Error;

    QTcpSocket* newSocket();
    void onMainConnected();
    void readFrames();
    bool onHandshakeFrame(const QByteArray& frame);
    bool writeHandshakeFrame();
    bool onSessionFrame(const QByteArray& frame);
    bool takeSessionMessage(const QByteArray& plaintext);
    void switchToSessionPort();
    void onSessionPortConnected();
    void onDeadline();
    void onPeerClosed();
    void onSocketError();
    void fail(Error error, const QString& message);
    void closeSocket();

    Settings m_settings;
    State m_state = State::Idle;
    QString m_host;
    quint16 m_mainPort = 0;
    QPointer<QTcpSocket> m_socket;
    QTimer m_deadline;
    NoiseHandshake m_handshake;
    NoiseTransport m_transport;
    QByteArray m_peerKey;
    QByteArray m_handshakeHash;
    quint16 m_sessionPort = 0;
    quint16 m_sessionPortFirst = 0;
    quint16 m_sessionPortLast = 0;
    QByteArray m_ticket;
    int m_serverKeepaliveMs = 0;
    ErrorCode m_remoteErrorCode = ErrorCode::None;
};

} // namespace QuietWire
