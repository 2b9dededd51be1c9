#pragma once

#include "CipherState.h"
#include "SecretKey.h"

#include <QByteArray>
#include <QString>
#include <utility>

namespace QuietWire::Noise {

/// The Noise SymmetricState (spec rev. 34, section 5.2) with SHA-256 as HASH, HMAC-SHA256
/// and the spec's HKDF built on it (OpenSSL EVP_MAC / EVP_Digest).
class SymmetricState
{
public:
    static constexpr int HashLen = 32;

    explicit SymmetricState(CipherState::Cipher cipher = CipherState::Cipher::ChaChaPoly);

    void initializeSymmetric(const QByteArray& protocolName);
    void mixKey(const QByteArray& inputKeyMaterial);
    void mixHash(const QByteArray& data);
    void mixKeyAndHash(const QByteArray& inputKeyMaterial); // unused without PSK, kept per spec
    /// LEGACY, spec revisions <= 31 only (the old "MixPsk"): ck, temp = HKDF(ck, psk); MixHash(temp).
    /// Used solely by HandshakeState's legacy "NoisePSK_" mode, which exists so the cacophony
    /// test vectors can be checked; QuietWire's own protocol never uses it.
    void legacyMixPsk(const SecretKey& psk);
    QByteArray handshakeHash() const; // h
    bool hasKey() const;
    Q_REQUIRED_RESULT bool encryptAndHash(const QByteArray& plaintext, QByteArray& out); // appends to out
    Q_REQUIRED_RESULT bool decryptAndHash(const QByteArray& ciphertext, QByteArray& out); // appends to out
    /// Split(): the pair (c1, c2); c1 carries initiator -> responder traffic.
    std::pair<CipherState, CipherState> split() const;
    QString errorString() const;

    static QByteArray hash(const QByteArray& data);
    static QByteArray hmac(const QByteArray& key, const QByteArray& data);

private:
    void setFailed(const QString& message);

    CipherState m_cipherState;
    SecretKey m_chainingKey;
    QByteArray m_h;
    QString m_error;
    // An OpenSSL failure inside a void mix*() call; later encrypt/decrypt/split then fail.
    bool m_failed = false;
};

} // namespace QuietWire::Noise
