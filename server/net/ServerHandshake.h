#pragma once

#include "ErrorCode.h"
#include "NoiseHandshake.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <optional>

class QTcpSocket;

namespace QuietWire {

/// One connection on the server's main port (docs/PROTOCOL.md section 5, steps 1-3): the Noise
/// handshake as responder, then the server's one answer there: a refusal, or the session message
/// that hands the client over to a session port. EncryptedTcpServer makes one per accepted
/// connection, decides what to answer when completed() arrives, and deletes it on finished().
///
/// Usage:
///     auto* handshake = new ServerHandshake(connection, identity, settings, this);
///     connect(handshake, &ServerHandshake::completed, ...);  // peerKey(): refuse() or handOff()
///     connect(handshake, &ServerHandshake::failed, ...);     // for the log
///     connect(handshake, &ServerHandshake::finished, handshake, &QObject::deleteLater);
///     handshake->start();
class ServerHandshake : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Idle,
        Handshaking,
        Completed, // waiting for refuse() or handOff()
        Refusing, // the error is on its way, then the connection closes
        HandedOff, // the session message is on its way; the transport went with handOff()
        Closed,
    };
    Q_ENUM(State)

    struct Settings
    {
        Noise::KeyPair identity;
        int timeoutMs = Protocol::HandshakeTimeoutMs; // for the handshake, and for the refusal to be read
        quint64 rekeyAfterMessages = Protocol::RekeyAfterMessages;
        quint64 rekeyAfterBytes = Protocol::RekeyAfterBytes;
    };

    /// What goes on to the session port: the transport, and who the client is.
    struct HandOff
    {
        NoiseTransport transport;
        QByteArray peerKey;
        QByteArray handshakeHash;
        QHostAddress address;
        QTcpSocket* closingConnection = nullptr; // the main connection, flushing the session message: own it
    };

    /// Takes over connection, just accepted.
    ServerHandshake(QTcpSocket* connection, const Settings& settings, QObject* parent = nullptr);
    ~ServerHandshake() override;

    void start();
    /// Sends {"type":"error"} and closes once it is written (at the latest after the timeout).
    void refuse(ErrorCode code, const QString& message);
    /// Sends the session message; the main connection closes once it is written.
    std::optional<HandOff> handOff(const QByteArray& sessionMessage);
    /// Closes at once, without a word (a silent connection that gives up its place).
    void abort();

    State state() const { return m_state; }
    /// The client's address (a.b.c.d for an IPv4-mapped one).
    QHostAddress peerAddress() const { return m_address; }
    QByteArray peerKey() const { return m_peerKey; }

signals:
    /// The handshake is done and peerKey() known: answer with refuse() or handOff().
    void completed();
    /// The connection failed before a session message went out; reason is for the log.
    void failed(const QString& reason);
    /// Nothing is left to do: delete it.
    void finished();

private:
    void readFrames();
    bool writeMessage(const QByteArray& message);
    void onPeerClosed();
    void onSocketError();
    void fail(const QString& reason);
    void close();
    /// The one way out: closes the connection at once. False when it was over already.
    bool shutDown();

    Settings m_settings;
    State m_state = State::Idle;
    QPointer<QTcpSocket> m_connection;
    QHostAddress m_address;
    QTimer m_deadline;
    NoiseHandshake m_handshake;
    NoiseTransport m_transport;
    QByteArray m_peerKey;
    QByteArray m_handshakeHash;
};

} // namespace QuietWire
