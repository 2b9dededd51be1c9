#pragma once

#include "HandshakeState.h"
#include "NoiseTransport.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>
#include <memory>

namespace QuietWire {

/// QuietWire's Noise_XX handshake (protocol name, prologue, empty payloads; docs/PROTOCOL.md
/// section 3) for one side, as frames in and frames out. The client is the initiator, the server
/// the responder; the same three messages run either way, and finish() turns the result into the
/// NoiseTransport of that side. It never sees a socket.
///
/// Usage:
///     NoiseHandshake handshake;
///     if (!handshake.start(NoiseHandshake::Role::Initiator, identity)) { ... errorString() }
///     QByteArray frame;
///     if (handshake.isMyTurn() && handshake.writeFrame(&frame)) { send frame }
///     if (!handshake.readFrame(bodyFromPeer)) { ... close }
///     ... remoteStaticKey() is known after the peer's static key arrived (initiator: after message 2)
///     if (handshake.isFinished()) { NoiseTransport transport = handshake.finish(); }
class NoiseHandshake
{
    Q_DECLARE_TR_FUNCTIONS(QuietWire::NoiseHandshake)

public:
    using Role = Noise::HandshakeState::Role;

    NoiseHandshake();
    ~NoiseHandshake();
    Q_DISABLE_COPY_MOVE(NoiseHandshake)

    Q_REQUIRED_RESULT bool start(Role role, const Noise::KeyPair& identity);
    /// Replaces *frame with our next handshake message, length header included.
    Q_REQUIRED_RESULT bool writeFrame(QByteArray* frame);
    /// Reads one handshake message of the peer (a frame body); refuses one out of turn.
    Q_REQUIRED_RESULT bool readFrame(const QByteArray& body);

    bool isStarted() const { return m_state != nullptr; }
    bool isMyTurn() const;
    bool isFinished() const;
    /// The peer's static key once a handshake message brought it, else empty.
    QByteArray remoteStaticKey() const;
    /// The handshake hash h: the same on both ends, unique per session (channel binding).
    QByteArray handshakeHash() const;
    /// Only once isFinished(): this side's transport. Wipes the ephemeral and chaining keys.
    NoiseTransport finish();

    /// A sentence for the person reading the error (translated).
    QString errorString() const { return m_errorString; }

private:
    bool fail(const QString& message);

    std::unique_ptr<Noise::HandshakeState> m_state;
    QByteArray m_remoteStaticKey;
    QByteArray m_handshakeHash;
    QString m_errorString;
};

} // namespace QuietWire
