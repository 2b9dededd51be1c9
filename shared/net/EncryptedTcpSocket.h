#pragma once

#include "ErrorCode.h"
#include "FrameReader.h"
#include "NoiseTransport.h"
#include "X25519.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <functional>

class QTcpSocket;

namespace QuietWire {

class ClientConnection;

/// An encrypted QuietWire session (Noise_XX_25519_ChaChaPoly_SHA256 over TCP) carrying whole messages.
///
/// Client usage:
///     auto* socket = new EncryptedTcpSocket(identity.keyPair(), this);
///     socket->setPeerKeyCheck([](const QByteArray& serverKey) { return isTrusted(serverKey); });
///     connect(socket, &EncryptedTcpSocket::ready, ...);          // session port reached, send away
///     connect(socket, &EncryptedTcpSocket::messageReceived, ...);
///     connect(socket, &EncryptedTcpSocket::errorOccurred, ...);  // then disconnected()
///     socket->connectToHost("chat.example.org", 7400);
///
/// connectToHost() runs a ClientConnection: the handshake on the main port, the peer-key check
/// before the client's own key is revealed, and the move to the session port with the server's
/// ticket. A {"type":"error"} answer instead ends in errorOccurred(RemoteError) with
/// remoteErrorCode() set. The server's sessions come established from EncryptedTcpServer.
///
/// Once established the socket is the same on both ends: each sendMessage() is one Noise transport
/// message (at most Protocol::MaxPayload bytes; callers that move more data split it themselves and
/// watch bytesToWrite() for back-pressure); empty transport messages are keepalives, sent after the
/// keepalive interval without sending and never passed to messageReceived(); a session from which
/// nothing arrives for the idle timeout is closed. NoiseTransport seals, opens and rekeys.
class EncryptedTcpSocket : public QObject
{
    Q_OBJECT

public:
    enum class Error {
        None,
        ConnectionFailed, // TCP connect to the main port failed
        Timeout, // handshake or hand-off took too long, or nothing arrived for the idle timeout
        HandshakeFailed, // a handshake message was malformed or did not authenticate
        PeerKeyRejected, // the peer-key check said no
        ProtocolError, // a well-encrypted message that breaks the protocol
        DecryptFailed, // a transport message failed authentication: tampering or a broken peer
        FrameTooLarge, // a frame length outside what the current state allows
        MessageTooLarge, // sendMessage() with more than Protocol::MaxPayload bytes
        SessionPortUnreachable, // the session port from the server could not be reached
        RemoteError, // the server answered {"type":"error"}; see remoteErrorCode()
        RemoteClosed, // the peer closed the connection before the session was set up
        NonceExhausted, // 2^64-1 messages in one direction; reconnect
        NetworkError, // the connection broke after it was set up
    };
    Q_ENUM(Error)
    /// The error a refused frame (FrameReader's TooLarge or TooSmall) ends a connection with.
    static Error frameError(FrameReader::Result refused);

    enum class State {
        Unconnected,
        Connecting, // a ClientConnection is setting the session up
        Established,
        Closing, // disconnectFromHost(): flushing what is queued
    };
    Q_ENUM(State)

    /// Returns true when the peer's static key is acceptable.
    using PeerKeyCheck = std::function<bool(const QByteArray& peerKey)>;

    /// A connection whose handshake and hand-off are done: what a set-up hands to the socket.
    struct Established
    {
        QTcpSocket* connection = nullptr; // connected; the socket takes it over
        NoiseTransport transport;
        QByteArray peerKey;
        QByteArray handshakeHash;
        QString peerName; // for messages: the host the client dialled, the client's address on the server
        /// The client's address when a trusted proxy named it (the server); null: the connection's.
        QHostAddress peerAddress;
        quint16 sessionPort = 0;
        int peerKeepaliveMs = 0; // the keepalive interval the peer asks for (the session message); 0: none
    };

    /// A client socket: set it up, then connectToHost().
    explicit EncryptedTcpSocket(const Noise::KeyPair& identity, QObject* parent = nullptr);
    /// A socket established at once (EncryptedTcpServer's sessions); no ready() follows. What the
    /// connection holds already is read once control returns to the event loop.
    explicit EncryptedTcpSocket(Established session, QObject* parent = nullptr);
    ~EncryptedTcpSocket() override;

    void setLocalAddress(const QHostAddress& address) { m_localAddress = address; }
    void setPeerKeyCheck(PeerKeyCheck check) { m_peerKeyCheck = std::move(check); }
    /// How long connectToHost() may take: TCP connect, handshake and hand-off.
    void setHandshakeTimeout(int milliseconds) { m_handshakeTimeoutMs = milliseconds; }
    /// Sends an empty transport message (ignored by the peer) after this long without sending; 0 = never.
    void setKeepaliveInterval(int milliseconds);
    /// Closes the session after this long without receiving anything; 0 = never.
    void setIdleTimeout(int milliseconds);
    /// Noise Rekey() of each direction after so many messages or plaintext bytes. Both ends must use
    /// the same limits; the protocol's are Protocol::RekeyAfterMessages / RekeyAfterBytes.
    void setRekeyLimits(quint64 messages, quint64 bytes);
    /// How many rekeys each direction has done (for tests and statistics).
    quint64 sendRekeys() const { return m_transport.sendRekeys(); }
    quint64 receiveRekeys() const { return m_transport.receiveRekeys(); }
    void connectToHost(const QString& host, quint16 port);

    /// Encrypts and queues one message. False (and errorString(), or errorOccurred) when it cannot be sent.
    bool sendMessage(const QByteArray& message);
    /// For a broadcast: encrypts message like sendMessage() but keeps the frame here until flushQueued(), which
    /// the caller must arrange (once for all the sockets of the broadcast, e.g. from the event loop). Meanwhile
    /// sendMessage() queues behind it, so nothing overtakes; bytesToWrite() counts it.
    bool queueMessage(const QByteArray& message);
    /// Writes what queueMessage() kept: straight to the kernel when nothing waits in QTcpSocket's buffer (no
    /// write notifier and poll round per socket), the rest through QTcpSocket. Several messages kept for one
    /// socket go out in one write.
    void flushQueued();
    /// Whether queueMessage() kept frames that flushQueued() has not written yet.
    bool hasQueued() const { return !m_queued.isEmpty(); }
    /// Flushes what is queued, then closes.
    void disconnectFromHost();
    /// Closes at once, dropping what is queued. Emits disconnected() if it was connected.
    void abort();

    State state() const { return m_state; }
    bool isReady() const { return m_state == State::Established; }
    Error error() const { return m_error; }
    QString errorString() const { return m_errorString; }
    ErrorCode remoteErrorCode() const { return m_remoteErrorCode; }
    QByteArray peerKey() const { return m_peerKey; }
    /// The Noise handshake hash h: unique per session, the same on both ends (channel binding).
    QByteArray handshakeHash() const { return m_handshakeHash; }
    QHostAddress peerAddress() const;
    quint16 peerPort() const;
    QString peerName() const { return m_peerName; }
    quint16 sessionPort() const { return m_sessionPort; }
    qint64 bytesToWrite() const;
    static QString protocolName();
    /// a.b.c.d for an IPv4-mapped IPv6 address, the address itself otherwise.
    static QHostAddress plainAddress(const QHostAddress& address);

signals:
    void ready();
    void messageReceived(const QByteArray& message);
    void bytesWritten(qint64 bytes);
    void errorOccurred(QuietWire::EncryptedTcpSocket::Error error, const QString& message);
    void disconnected();

private:
    enum class Teardown {
        Abort, // drop what is queued
        PeerClosed, // the peer closed: nothing left to send
    };

    void setUpTimers();
    void adopt(Established session);
    void readFrames();
    bool writeFrame(const QByteArray& message);
    /// Why message cannot be sent (errorString set), or true.
    bool checkSendable(const QByteArray& message);
    bool seal(const QByteArray& message, QByteArray* frame);
    void startSessionTimers();
    void touchKeepalive();
    void touchIdle();
    void onKeepaliveTimer();
    void onIdleTimer();
    void onPeerClosed();
    void onSocketError();
    void fail(Error error, const QString& message);
    /// The one way out of a session or a set-up: stops the timers, lets go of the connection, and
    /// tells errorOccurred() (when error is not None) and disconnected() (when it was not unconnected).
    void tearDown(Teardown how, Error error = Error::None, const QString& message = {});

    // Set-up (connectToHost)
    Noise::KeyPair m_identity;
    PeerKeyCheck m_peerKeyCheck;
    QHostAddress m_localAddress;
    int m_handshakeTimeoutMs = Protocol::HandshakeTimeoutMs;
    QPointer<ClientConnection> m_connecting;

    // The session
    QPointer<QTcpSocket> m_socket;
    NoiseTransport m_transport;
    QByteArray m_queued; // frames of queueMessage() and a keepalive, until flushQueued()
    quint64 m_rekeyAfterMessages = Protocol::RekeyAfterMessages;
    quint64 m_rekeyAfterBytes = Protocol::RekeyAfterBytes;
    QByteArray m_peerKey;
    QByteArray m_handshakeHash;
    QString m_peerName;
    QHostAddress m_peerAddress; // set when a proxy named the client: peerAddress() returns it
    quint16 m_sessionPort = 0;
    State m_state = State::Unconnected;
    Error m_error = Error::None;
    QString m_errorString;
    ErrorCode m_remoteErrorCode = ErrorCode::None;

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
};

} // namespace QuietWire
