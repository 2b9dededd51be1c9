#pragma once

#include "noise/CipherState.h"
#include "noise/HandshakeState.h"
#include "noise/X25519.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>

class QTcpSocket;

namespace QuietWire {

/// A TCP connection secured with Noise_XX_25519_ChaChaPoly_SHA256, carrying whole messages.
///
/// Client usage:
///     auto* socket = new EncryptedTcpSocket(identity.keyPair(), this);
///     socket->setPeerKeyCheck([](const QByteArray& serverKey) { return isTrusted(serverKey); });
///     connect(socket, &EncryptedTcpSocket::ready, ...);          // session port reached, send away
///     connect(socket, &EncryptedTcpSocket::messageReceived, ...);
///     connect(socket, &EncryptedTcpSocket::errorOccurred, ...);  // then disconnected()
///     socket->connectToHost("chat.example.org", 7400);
///
/// The socket does the handshake on the main port, checks the server's static key through
/// the peer-key check before revealing its own, reads the server's first transport message
/// and, when it names a session port, moves to that port with the ticket and carries on with
/// the same cipher states. A {"type":"error"} answer instead ends in errorOccurred(RemoteError)
/// with remoteErrorCode() set. Server-side sockets come ready from EncryptedTcpServer.
///
/// Each sendMessage() is one Noise transport message (at most Protocol::MaxPayload bytes);
/// callers that move more data split it themselves and watch bytesToWrite() for back-pressure.
/// Empty transport messages are keepalives and never reach messageReceived(). Each direction
/// rekeys (Noise Rekey()) after Protocol::RekeyAfterMessages messages or RekeyAfterBytes bytes.
class EncryptedTcpSocket : public QObject
{
    Q_OBJECT

public:
    enum class Error {
        None,
        ConnectionFailed,       // TCP connect to the main port failed
        Timeout,                // handshake or hand-off took too long
        HandshakeFailed,        // a handshake message was malformed or did not authenticate
        PeerKeyRejected,        // the peer-key check said no
        ProtocolError,          // a well-encrypted message that breaks the protocol
        DecryptFailed,          // a transport message failed authentication: tampering or a broken peer
        FrameTooLarge,          // a frame length outside what the current state allows
        MessageTooLarge,        // sendMessage() with more than Protocol::MaxPayload bytes
        SessionPortUnreachable, // the session port from the server could not be reached
        RemoteError,            // the server answered {"type":"error"}; see remoteErrorCode()
        RemoteClosed,           // the peer closed the connection before the session was set up
        NonceExhausted,         // 2^64-1 messages in one direction; reconnect
        NetworkError,           // the connection broke after it was set up
    };
    Q_ENUM(Error)

    enum class State {
        Unconnected,
        Connecting,
        Handshaking,
        AwaitingSession,      // client: handshake done, waiting for the server's first message
        SwitchingPort,        // client: connecting to the session port
        AwaitingRedemption,   // server: session message sent, waiting for the ticket
        AwaitingFirstMessage, // server: ticket accepted, waiting for the client's first message
        Established,
        Closing,
    };
    Q_ENUM(State)

    /// Returns true when the peer's static key is acceptable.
    using PeerKeyCheck = std::function<bool(const QByteArray& peerKey)>;

    explicit EncryptedTcpSocket(const Noise::KeyPair& identity, QObject* parent = nullptr);
    ~EncryptedTcpSocket() override;

    void setLocalAddress(const QHostAddress& address) { m_localAddress = address; }
    void setPeerKeyCheck(PeerKeyCheck check) { m_peerKeyCheck = std::move(check); }
    void setHandshakeTimeout(int milliseconds) { m_handshakeTimeoutMs = milliseconds; }
    /// Sends an empty transport message (ignored by the peer) after this long without sending; 0 = never.
    void setKeepaliveInterval(int milliseconds);
    /// Closes the session after this long without receiving anything; 0 = never.
    void setIdleTimeout(int milliseconds);
    /// Noise Rekey() of each direction after so many messages or plaintext bytes. Both ends must use
    /// the same limits; the protocol's are Protocol::RekeyAfterMessages / RekeyAfterBytes.
    void setRekeyLimits(quint64 messages, quint64 bytes);
    /// How many rekeys each direction has done (for tests and statistics).
    quint64 sendRekeys() const { return m_sendRekeys; }
    quint64 receiveRekeys() const { return m_receiveRekeys; }
    void connectToHost(const QString& host, quint16 port);

    /// Encrypts and queues one message. False (and errorOccurred) when it cannot be sent.
    bool sendMessage(const QByteArray& message);
    /// Flushes what is queued, then closes.
    void disconnectFromHost();
    /// Closes at once, dropping what is queued. Emits disconnected() if it was connected.
    void abort();

    State state() const { return m_state; }
    bool isReady() const { return m_state == State::Established; }
    Error error() const { return m_error; }
    QString errorString() const { return m_errorString; }
    QString remoteErrorCode() const { return m_remoteErrorCode; }
    QByteArray peerKey() const { return m_peerKey; }
    /// The Noise handshake hash h: unique per session, the same on both ends (channel binding).
    QByteArray handshakeHash() const { return m_handshakeHash; }
    QHostAddress peerAddress() const;
    quint16 peerPort() const;
    QString peerName() const { return m_host; }
    quint16 mainPort() const { return m_mainPort; }
    quint16 sessionPort() const { return m_sessionPort; }
    QPair<quint16, quint16> sessionPortRange() const { return m_sessionPortRange; }
    qint64 bytesToWrite() const;
    static QString protocolName();
    /// a.b.c.d for an IPv4-mapped IPv6 address, the address itself otherwise.
    static QHostAddress plainAddress(const QHostAddress& address);

signals:
    void handshakeCompleted(const QByteArray& peerKey);
    void ready();
    void messageReceived(const QByteArray& message);
    void bytesWritten(qint64 bytes);
    void errorOccurred(QuietWire::EncryptedTcpSocket::Error error, const QString& message);
    void disconnected();

private:
    friend class EncryptedTcpServer;

    // Server side, driven by EncryptedTcpServer.
    void startServerHandshake(QTcpSocket* socket);
    void detachForRedemption();
    void adoptSessionSocket(QTcpSocket* socket);

    void attach(QTcpSocket* socket);
    bool beginHandshake(Noise::HandshakeState::Role role);
    void onReadyRead();
    void readFrames();
    bool processFrame(const QByteArray& frame);
    bool processHandshakeFrame(const QByteArray& frame);
    bool processSessionMessage(const QByteArray& plaintext);
    void switchToSessionPort();
    bool writeTransport(const QByteArray& message);
    void startSessionTimers();
    bool writeHandshakeMessage();
    void finishHandshake();
    int maxFrameForState() const;
    void setState(State state);
    void fail(Error error, const QString& message);
    void onTransportDisconnected();
    void onTransportError();

    Noise::KeyPair m_identity;
    std::unique_ptr<Noise::HandshakeState> m_handshake;
    Noise::CipherState m_sendCipher;
    Noise::CipherState m_receiveCipher;
    QPointer<QTcpSocket> m_socket;
    QTimer m_deadline;
    // The keepalive and idle timers are not restarted for every message: with hundreds of sessions,
    // each QTimer::start() is a sorted insertion into the thread's list of all timers, which made
    // re-arming cost more than encrypting a chat message to each member. A message only records
    // its time; when a timer fires early for that reason, it is armed again for the time left.
    QTimer m_keepalive;
    QTimer m_idle;
    int m_keepaliveMs = 0;
    int m_idleMs = 0;
    qint64 m_lastSendMs = 0;
    qint64 m_lastReceiveMs = 0;
    void touchKeepalive();
    void touchIdle();
    quint64 m_rekeyAfterMessages;
    quint64 m_rekeyAfterBytes;
    quint64 m_sentMessages = 0;
    quint64 m_sentBytes = 0;
    quint64 m_receivedMessages = 0;
    quint64 m_receivedBytes = 0;
    quint64 m_sendRekeys = 0;
    quint64 m_receiveRekeys = 0;
    PeerKeyCheck m_peerKeyCheck;
    QHostAddress m_localAddress;
    QString m_host;
    quint16 m_mainPort = 0;
    quint16 m_sessionPort = 0;
    QPair<quint16, quint16> m_sessionPortRange {0, 0};
    QByteArray m_ticket;
    QByteArray m_peerKey;
    QByteArray m_handshakeHash;
    QString m_remoteErrorCode;
    State m_state = State::Unconnected;
    Error m_error = Error::None;
    QString m_errorString;
    int m_handshakeTimeoutMs = 10000;
    bool m_isServer = false;
};

} // namespace QuietWire
