#pragma once

#include "CipherState.h"
#include "Protocol.h"

#include <QByteArray>
#include <QString>

namespace QuietWire {

/// The transport phase of a QuietWire session as bytes in, bytes out: seals each message into one
/// frame (2-byte big-endian length, then the ChaChaPoly ciphertext and tag) and opens frame bodies
/// from the peer, counting the messages and plaintext bytes of each direction and doing Noise
/// Rekey() after Protocol::RekeyAfterMessages messages or RekeyAfterBytes bytes (docs/PROTOCOL.md,
/// section 3). It never sees a socket; NoiseHandshake makes one when a handshake finishes.
///
/// Usage:
///     NoiseTransport transport(std::move(sendCipher), std::move(receiveCipher));
///     QByteArray frame;
///     if (!transport.seal(message, &frame)) { ... transport.error(), errorString() }
///     socket.write(frame);
///     ...
///     QByteArray message;                        // body: a frame without its length header
///     if (!transport.open(body, &message)) { ... close the connection }
///     if (message.isEmpty()) { ... a keepalive }
///
/// A frame that fails to open leaves the transport as it was, but a session must not go on after
/// one: there is no way to skip a message. Both ends must use the same rekey limits.
class NoiseTransport
{
public:
    enum class Error {
        None,
        NoKey, // made without keyed cipher states: it never passes plaintext through
        MessageTooLarge, // seal() with more than Protocol::MaxPayload bytes
        NonceExhausted, // seal() at nonce 2^64-1: start a new session
        DecryptFailed, // open(): tampered with, replayed, dropped, reordered, from another session, or nonce 2^64-1
        RekeyFailed,
    };

    /// Refuses every seal() and open() (NoKey) until assigned a keyed transport.
    NoiseTransport() = default;
    NoiseTransport(Noise::CipherState send, Noise::CipherState receive);

    /// Rekey each direction after so many messages (keepalives included) or plaintext bytes; at least 1.
    void setRekeyLimits(quint64 messages, quint64 bytes);
    quint64 rekeyAfterMessages() const { return m_rekeyAfterMessages; }
    quint64 rekeyAfterBytes() const { return m_rekeyAfterBytes; }

    /// Replaces *frame with the frame carrying message; an empty message makes a keepalive.
    Q_REQUIRED_RESULT bool seal(const QByteArray& message, QByteArray* frame);
    /// Replaces *message with the plaintext of one frame body; empty means the peer sent a keepalive.
    Q_REQUIRED_RESULT bool open(const QByteArray& body, QByteArray* message);

    Error error() const { return m_error; }
    /// What went wrong, in the cipher's words (not translated).
    QString errorString() const { return m_errorString; }

    /// How many rekeys each direction has done.
    quint64 sendRekeys() const { return m_send.rekeys; }
    quint64 receiveRekeys() const { return m_receive.rekeys; }
    /// Messages and plaintext bytes since the last rekey of each direction.
    quint64 sentMessages() const { return m_send.messages; }
    quint64 sentBytes() const { return m_send.bytes; }
    quint64 receivedMessages() const { return m_receive.messages; }
    quint64 receivedBytes() const { return m_receive.bytes; }

private:
    struct Direction
    {
        Noise::CipherState cipher;
        quint64 messages = 0;
        quint64 bytes = 0;
        quint64 rekeys = 0;
    };

    /// Counts one message of size bytes in direction and rekeys it at the limit.
    bool count(Direction& direction, qsizetype size);
    bool fail(Error error, const QString& message);

    Direction m_send;
    Direction m_receive;
    quint64 m_rekeyAfterMessages = Protocol::RekeyAfterMessages;
    quint64 m_rekeyAfterBytes = Protocol::RekeyAfterBytes;
    Error m_error = Error::None;
    QString m_errorString;
};

} // namespace QuietWire
