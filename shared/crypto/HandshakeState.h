#pragma once

#include "CipherState.h"
#include "SymmetricState.h"
#include "X25519.h"

#include <QByteArray>
#include <QString>
#include <optional>
#include <utility>
#include <vector>

namespace QuietWire::Noise {

/// The Noise HandshakeState (spec rev. 34, section 5.3) for the one-way and interactive
/// fundamental patterns (N, K, X, NN, NK, NX, KN, KK, KX, XN, XK, XX, IN, IK, IX) with
/// DH 25519, cipher ChaChaPoly or AESGCM, hash SHA256. No rev. 34 PSK modes (psk0..psk3).
///
/// LEGACY TEST-ONLY MODE: protocol names starting with "NoisePSK_" select the PSK scheme of
/// spec revisions <= 31 (section 9 there), which later revisions dropped. It exists only so
/// every cacophony test vector can be checked; QuietWire's own protocol never uses it.
///
/// Usage: initialize() with the protocol name and keys, then alternate writeMessage() /
/// readMessage() as isMyTurn() says until isFinished(); then split() gives the transport
/// cipher states (first = initiator -> responder). Every failing call leaves errorString().
class HandshakeState
{
public:
    enum class Role { Initiator, Responder };

    struct Config
    {
        QByteArray protocolName; // e.g. "Noise_XX_25519_ChaChaPoly_SHA256"
        Role role = Role::Initiator;
        QByteArray prologue;
        std::optional<KeyPair> localStatic; // s
        std::optional<KeyPair> localEphemeral; // e: only for test vectors; normally generated
        QByteArray remoteStatic; // rs, for patterns with a pre-message
        QByteArray remoteEphemeral; // re, pre-message (unused by the fundamental patterns)
        /// Legacy pre-rev-32 PSK (test vectors only): exactly 32 bytes when protocolName starts
        /// with "NoisePSK_", empty otherwise; anything else is refused. HandshakeState keeps no
        /// copy of it beyond initialize() (an internal SecretKey, wiped); wiping this QByteArray
        /// is the caller's job.
        QByteArray psk;
    };

    HandshakeState();
    Q_REQUIRED_RESULT bool initialize(const Config& config);

    /// Appends the handshake message carrying payload to out.
    Q_REQUIRED_RESULT bool writeMessage(const QByteArray& payload, QByteArray& out);
    /// Reads one handshake message; the decrypted payload is appended to payload.
    Q_REQUIRED_RESULT bool readMessage(const QByteArray& message, QByteArray& payload);

    bool isMyTurn() const;
    bool isFinished() const;
    Role role() const { return m_role; }
    QByteArray remoteStaticKey() const { return m_rs; }
    QByteArray handshakeHash() const { return m_symmetric.handshakeHash(); }
    /// Only valid once isFinished(): (initiator -> responder, responder -> initiator).
    /// Before that both states are unusable: every encrypt/decrypt on them fails.
    std::pair<CipherState, CipherState> split() const;
    QString errorString() const { return m_error; }

private:
    enum class Token { E, S, EE, ES, SE, SS };
    struct Pattern;
    static const Pattern* findPattern(const QByteArray& name);
    Q_REQUIRED_RESULT bool fail(const QString& message);
    /// fail() after the transcript was touched: the handshake cannot continue.
    Q_REQUIRED_RESULT bool abortHandshake(const QString& message);
    Q_REQUIRED_RESULT bool checkCanProcess(bool writing);
    Q_REQUIRED_RESULT bool mixDh(Token token);
    void mixEphemeral(const QByteArray& publicKey);

    SymmetricState m_symmetric;
    Role m_role = Role::Initiator;
    std::optional<KeyPair> m_s;
    std::optional<KeyPair> m_e;
    QByteArray m_rs;
    QByteArray m_re;
    std::vector<std::vector<Token>> m_messagePatterns;
    std::size_t m_messageIndex = 0;
    bool m_legacyPsk = false; // "NoisePSK_" (spec rev. <= 31) mode: every "e" also goes through MixKey
    bool m_initialized = false;
    bool m_failed = false;
    QString m_error;
};

} // namespace QuietWire::Noise
