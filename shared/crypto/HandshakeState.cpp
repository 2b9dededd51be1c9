#include "HandshakeState.h"

#include <QList>
#include <openssl/crypto.h>

namespace QuietWire::Noise {

namespace {

// Spec section 3: every Noise message, handshake or transport, is at most 65535 bytes.
constexpr qsizetype MaxMessageSize = 65535;
constexpr qsizetype DhLen = X25519::KeySize;
// Legacy pre-rev-32 PSK mode (test vectors only), see HandshakeState.h.
constexpr qsizetype LegacyPskLen = 32;

QString quoted(const QByteArray& bytes)
{
    // The name comes from configuration, not from the peer, but keep errors short anyway.
    return QStringLiteral("'%1'").arg(QString::fromUtf8(bytes.left(80)));
}

} // namespace

struct HandshakeState::Pattern
{
    const char* name;
    bool initiatorPreStatic; // "-> s" pre-message
    bool responderPreStatic; // "<- s" pre-message
    std::vector<std::vector<Token>> messages;
};

const HandshakeState::Pattern* HandshakeState::findPattern(const QByteArray& name)
{
    using T = Token;
    // Spec rev. 34 sections 7.4 (one-way) and 7.5 (interactive), without PSK or deferred forms.
    static const std::vector<Pattern> patterns = {
        { "N", false, true, { { T::E, T::ES } } },
        { "K", true, true, { { T::E, T::ES, T::SS } } },
        { "X", false, true, { { T::E, T::ES, T::S, T::SS } } },
        { "NN", false, false, { { T::E }, { T::E, T::EE } } },
        { "NK", false, true, { { T::E, T::ES }, { T::E, T::EE } } },
        { "NX", false, false, { { T::E }, { T::E, T::EE, T::S, T::ES } } },
        { "KN", true, false, { { T::E }, { T::E, T::EE, T::SE } } },
        { "KK", true, true, { { T::E, T::ES, T::SS }, { T::E, T::EE, T::SE } } },
        { "KX", true, false, { { T::E }, { T::E, T::EE, T::SE, T::S, T::ES } } },
        { "XN", false, false, { { T::E }, { T::E, T::EE }, { T::S, T::SE } } },
        { "XK", false, true, { { T::E, T::ES }, { T::E, T::EE }, { T::S, T::SE } } },
        { "XX", false, false, { { T::E }, { T::E, T::EE, T::S, T::ES }, { T::S, T::SE } } },
        { "IN", false, false, { { T::E, T::S }, { T::E, T::EE, T::SE } } },
        { "IK", false, true, { { T::E, T::ES, T::S, T::SS }, { T::E, T::EE, T::SE } } },
        { "IX", false, false, { { T::E, T::S }, { T::E, T::EE, T::SE, T::S, T::ES } } },
    };
    for (const Pattern& pattern : patterns) {
        if (name == pattern.name)
            return &pattern;
    }
    return nullptr;
}

HandshakeState::HandshakeState() = default;

bool HandshakeState::fail(const QString& message)
{
    m_error = message;
    return false;
}

bool HandshakeState::abortHandshake(const QString& message)
{
    // The transcript hash already moved on, so retrying or continuing could only go wrong.
    m_failed = true;
    m_e.reset(); // wipes the ephemeral private key
    return fail(message);
}

bool HandshakeState::initialize(const Config& config)
{
    // Reset first: a failed initialize() must not leave an earlier handshake usable.
    m_initialized = false;
    m_failed = false;
    m_error.clear();
    m_role = config.role;
    m_s.reset();
    m_e.reset();
    m_rs.clear();
    m_re.clear();
    m_messagePatterns.clear();
    m_messageIndex = 0;
    m_legacyPsk = false;

    const QList<QByteArray> parts = config.protocolName.split('_');
    if (parts.size() != 5 || (parts.at(0) != "Noise" && parts.at(0) != "NoisePSK")) {
        return fail(QStringLiteral("HandshakeState: unsupported protocol name %1, expected "
                                   "Noise_<PATTERN>_25519_<ChaChaPoly|AESGCM>_SHA256 (or the legacy NoisePSK_ prefix)")
                        .arg(quoted(config.protocolName)));
    }
    // LEGACY: "NoisePSK_" is the PSK scheme of spec revisions <= 31, supported only so the
    // cacophony vectors can be checked. The PSK must be given exactly when the name asks for it:
    // silently ignoring a PSK would give a caller a weaker handshake than it believes it has.
    const bool legacyPsk = parts.at(0) == "NoisePSK";
    if (legacyPsk && config.psk.size() != LegacyPskLen) {
        return fail(QStringLiteral("HandshakeState: %1 needs a %2-byte Config::psk, got %3 bytes")
                        .arg(quoted(config.protocolName))
                        .arg(LegacyPskLen)
                        .arg(config.psk.size()));
    }
    if (!legacyPsk && !config.psk.isEmpty()) {
        return fail(QStringLiteral("HandshakeState: Config::psk is set but %1 has no PSK (only the legacy "
                                   "NoisePSK_ names take one)")
                        .arg(quoted(config.protocolName)));
    }
    const Pattern* pattern = findPattern(parts.at(1));
    if (!pattern) {
        return fail(QStringLiteral("HandshakeState: unsupported handshake pattern %1 in %2 (supported: the 15 "
                                   "fundamental patterns N, K, X, NN ... IX, no psk0..psk3 modifiers)")
                        .arg(quoted(parts.at(1)), quoted(config.protocolName)));
    }
    if (parts.at(2) != "25519")
        return fail(QStringLiteral("HandshakeState: unsupported DH function %1, only 25519").arg(quoted(parts.at(2))));
    CipherState::Cipher cipher = CipherState::Cipher::ChaChaPoly;
    if (parts.at(3) == "AESGCM") {
        cipher = CipherState::Cipher::AesGcm;
    } else if (parts.at(3) != "ChaChaPoly") {
        return fail(QStringLiteral("HandshakeState: unsupported cipher %1, only ChaChaPoly or AESGCM")
                        .arg(quoted(parts.at(3))));
    }
    if (parts.at(4) != "SHA256")
        return fail(QStringLiteral("HandshakeState: unsupported hash %1, only SHA256").arg(quoted(parts.at(4))));

    // Work out from the pattern which keys this side needs, so a missing one is reported now
    // rather than as an obscure failure in the middle of the handshake.
    const bool initiator = config.role == Role::Initiator;
    const bool localPreStatic = initiator ? pattern->initiatorPreStatic : pattern->responderPreStatic;
    const bool remotePreStatic = initiator ? pattern->responderPreStatic : pattern->initiatorPreStatic;
    bool needLocalStatic = localPreStatic;
    bool writesEphemeral = false;
    for (std::size_t i = 0; i < pattern->messages.size(); ++i) {
        const bool ours = (i % 2 == 0) == initiator;
        for (Token token : pattern->messages[i]) {
            if (ours && token == Token::E)
                writesEphemeral = true;
            if ((ours && token == Token::S) || token == Token::SS || (token == Token::ES && !initiator)
                || (token == Token::SE && initiator))
                needLocalStatic = true;
        }
    }
    const QString patternName = QString::fromLatin1(pattern->name);
    if (needLocalStatic && !config.localStatic)
        return fail(
            QStringLiteral("HandshakeState: pattern %1 needs Config::localStatic for this role").arg(patternName));
    if (remotePreStatic && config.remoteStatic.size() != DhLen) {
        return fail(QStringLiteral("HandshakeState: pattern %1 needs the peer's %2-byte static key in "
                                   "Config::remoteStatic, got %3 bytes")
                        .arg(patternName)
                        .arg(DhLen)
                        .arg(config.remoteStatic.size()));
    }
    // Refuse rather than ignore: a caller might believe a key given here is checked.
    if (!remotePreStatic && !config.remoteStatic.isEmpty()) {
        return fail(QStringLiteral("HandshakeState: pattern %1 learns the peer's static key during the "
                                   "handshake; leave Config::remoteStatic empty and check remoteStaticKey()")
                        .arg(patternName));
    }
    if (!config.remoteEphemeral.isEmpty())
        return fail(QStringLiteral("HandshakeState: no supported pattern has an ephemeral pre-message"));

    const auto checkKeyPair = [this](const std::optional<KeyPair>& pair, const char* what) {
        QString error;
        if (!X25519::isConsistent(*pair, &error))
            return fail(QStringLiteral("HandshakeState: %1: %2").arg(QLatin1String(what), error));
        return true;
    };
    // Keep private keys only when this side will use them: fewer copies of secrets.
    if (needLocalStatic) {
        if (!checkKeyPair(config.localStatic, "Config::localStatic"))
            return false;
        m_s = config.localStatic;
    }
    if (writesEphemeral && config.localEphemeral) {
        if (!checkKeyPair(config.localEphemeral, "Config::localEphemeral"))
            return false;
        m_e = config.localEphemeral;
    }
    if (remotePreStatic)
        m_rs = config.remoteStatic;

    m_messagePatterns = pattern->messages;
    m_symmetric = SymmetricState(cipher);
    m_symmetric.initializeSymmetric(config.protocolName);
    m_symmetric.mixHash(config.prologue);
    if (legacyPsk) {
        // LEGACY rev. <= 31 "MixPsk", between the prologue and the pre-messages. The SecretKey
        // is this function's only copy of the PSK and wipes itself when it goes out of scope.
        const SecretKey psk(config.psk);
        m_symmetric.legacyMixPsk(psk);
        m_legacyPsk = true;
    }
    // Pre-message keys: the initiator's first, then the responder's (spec 5.3, Initialize()).
    if (pattern->initiatorPreStatic)
        m_symmetric.mixHash(initiator ? m_s->publicKey : m_rs);
    if (pattern->responderPreStatic)
        m_symmetric.mixHash(initiator ? m_rs : m_s->publicKey);
    if (!m_symmetric.errorString().isEmpty())
        return fail(m_symmetric.errorString());
    m_initialized = true;
    return true;
}

bool HandshakeState::checkCanProcess(bool writing)
{
    // Misuse errors only: they leave the handshake as it was.
    if (!m_initialized)
        return fail(QStringLiteral("HandshakeState: not initialized"));
    if (m_failed)
        return fail(QStringLiteral("HandshakeState: the handshake failed earlier; start a new one"));
    if (m_messageIndex >= m_messagePatterns.size())
        return fail(QStringLiteral("HandshakeState: the handshake is already finished"));
    if (isMyTurn() != writing) {
        return fail(writing ? QStringLiteral("HandshakeState: not our turn to write a message")
                            : QStringLiteral("HandshakeState: not our turn to read a message"));
    }
    return true;
}

bool HandshakeState::mixDh(Token token)
{
    const bool initiator = m_role == Role::Initiator;
    const std::optional<KeyPair>* local = nullptr;
    const QByteArray* remote = nullptr;
    switch (token) {
    case Token::EE:
        local = &m_e;
        remote = &m_re;
        break;
    case Token::ES:
        local = initiator ? &m_e : &m_s;
        remote = initiator ? &m_rs : &m_re;
        break;
    case Token::SE:
        local = initiator ? &m_s : &m_e;
        remote = initiator ? &m_re : &m_rs;
        break;
    case Token::SS:
        local = &m_s;
        remote = &m_rs;
        break;
    case Token::E:
    case Token::S:
        return abortHandshake(QStringLiteral("HandshakeState: internal error: not a DH token"));
    }
    if (!*local || remote->isEmpty())
        return abortHandshake(QStringLiteral("HandshakeState: internal error: a key for a DH token is missing"));
    QString error;
    const std::optional<SecretKey> shared = X25519::dh(**local, *remote, &error);
    if (!shared)
        return abortHandshake(QStringLiteral("HandshakeState: %1").arg(error));
    // MixKey() takes a QByteArray; this one is never shared, so wiping it really wipes the secret.
    QByteArray inputKeyMaterial(reinterpret_cast<const char*>(shared->data()), SecretKey::Size);
    m_symmetric.mixKey(inputKeyMaterial);
    OPENSSL_cleanse(inputKeyMaterial.data(), static_cast<std::size_t>(inputKeyMaterial.size()));
    return true;
}

void HandshakeState::mixEphemeral(const QByteArray& publicKey)
{
    m_symmetric.mixHash(publicKey);
    // LEGACY rev. <= 31 PSK mode: the ephemeral also goes through MixKey, so with a PSK even the
    // first message's payload is encrypted. (Rev. 34's psk modes do this too; what differs is
    // where and how the PSK itself is mixed in, and this class implements only the old way.)
    if (m_legacyPsk)
        m_symmetric.mixKey(publicKey);
}

bool HandshakeState::writeMessage(const QByteArray& payload, QByteArray& out)
{
    if (!checkCanProcess(true))
        return false;
    if (payload.size() > MaxMessageSize)
        return fail(QStringLiteral("HandshakeState: payload of %1 bytes exceeds the Noise message size limit")
                        .arg(payload.size()));

    const qsizetype oldSize = out.size();
    const auto abortWrite = [&](const QString& message) {
        out.resize(oldSize);
        return abortHandshake(message);
    };
    for (Token token : m_messagePatterns[m_messageIndex]) {
        switch (token) {
        case Token::E: {
            if (!m_e) {
                QString error;
                m_e = X25519::generate(&error);
                if (!m_e)
                    return abortWrite(QStringLiteral("HandshakeState: %1").arg(error));
            }
            out.append(m_e->publicKey);
            mixEphemeral(m_e->publicKey);
            break;
        }
        case Token::S:
            if (!m_symmetric.encryptAndHash(m_s->publicKey, out))
                return abortWrite(QStringLiteral("HandshakeState: %1").arg(m_symmetric.errorString()));
            break;
        case Token::EE:
        case Token::ES:
        case Token::SE:
        case Token::SS:
            if (!mixDh(token)) {
                out.resize(oldSize);
                return false;
            }
            break;
        }
    }
    if (!m_symmetric.encryptAndHash(payload, out))
        return abortWrite(QStringLiteral("HandshakeState: %1").arg(m_symmetric.errorString()));
    if (out.size() - oldSize > MaxMessageSize) {
        return abortWrite(QStringLiteral("HandshakeState: handshake message of %1 bytes exceeds the Noise limit")
                              .arg(out.size() - oldSize));
    }
    if (++m_messageIndex >= m_messagePatterns.size())
        m_e.reset(); // the ephemeral private key is not needed any more
    return true;
}

bool HandshakeState::readMessage(const QByteArray& message, QByteArray& payload)
{
    if (!checkCanProcess(false))
        return false;
    if (message.size() > MaxMessageSize) {
        return abortHandshake(QStringLiteral("HandshakeState: handshake message of %1 bytes exceeds the Noise limit")
                                  .arg(message.size()));
    }

    qsizetype position = 0;
    const auto truncated = [&](qsizetype needed, const char* what) {
        return abortHandshake(QStringLiteral("HandshakeState: handshake message truncated: %1 needs %2 bytes at "
                                             "offset %3, the message has %4")
                                  .arg(QLatin1String(what))
                                  .arg(needed)
                                  .arg(position)
                                  .arg(message.size()));
    };
    for (Token token : m_messagePatterns[m_messageIndex]) {
        switch (token) {
        case Token::E:
            if (message.size() - position < DhLen)
                return truncated(DhLen, "the ephemeral key");
            m_re = message.mid(position, DhLen);
            position += DhLen;
            mixEphemeral(m_re);
            break;
        case Token::S: {
            const qsizetype size = DhLen + (m_symmetric.hasKey() ? CipherState::TagSize : 0);
            if (message.size() - position < size)
                return truncated(size, "the static key");
            QByteArray remoteStatic;
            if (!m_symmetric.decryptAndHash(message.mid(position, size), remoteStatic)) {
                return abortHandshake(QStringLiteral("HandshakeState: cannot decrypt the peer's static key: %1")
                                          .arg(m_symmetric.errorString()));
            }
            m_rs = remoteStatic;
            position += size;
            break;
        }
        case Token::EE:
        case Token::ES:
        case Token::SE:
        case Token::SS:
            if (!mixDh(token))
                return false;
            break;
        }
    }
    if (!m_symmetric.decryptAndHash(message.mid(position), payload)) {
        return abortHandshake(
            QStringLiteral("HandshakeState: cannot decrypt the handshake payload: %1").arg(m_symmetric.errorString()));
    }
    if (++m_messageIndex >= m_messagePatterns.size())
        m_e.reset();
    return true;
}

bool HandshakeState::isMyTurn() const
{
    return m_initialized && !m_failed && m_messageIndex < m_messagePatterns.size()
        && (m_messageIndex % 2 == 0) == (m_role == Role::Initiator);
}

bool HandshakeState::isFinished() const
{
    return m_initialized && !m_failed && m_messageIndex >= m_messagePatterns.size();
}

std::pair<CipherState, CipherState> HandshakeState::split() const
{
    if (!isFinished()) {
        // An unkeyed CipherState would pass plaintext through, so hand out states that refuse work.
        const CipherState::Cipher cipher = CipherState::Cipher::ChaChaPoly;
        const QString reason = QStringLiteral("HandshakeState: split() before the handshake finished");
        return { CipherState::unusable(cipher, reason), CipherState::unusable(cipher, reason) };
    }
    return m_symmetric.split();
}

} // namespace QuietWire::Noise
