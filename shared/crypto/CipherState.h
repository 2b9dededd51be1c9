#pragma once

#include "SecretKey.h"

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <memory>

namespace QuietWire::Noise {

/// The Noise CipherState (spec rev. 34, section 5.1): a key k and a 64-bit nonce n.
/// Cipher functions: ChaChaPoly (ChaCha20-Poly1305, RFC 8439 nonce layout) or AESGCM
/// (AES-256-GCM, big-endian nonce), both through OpenSSL EVP. The EVP context is kept and
/// reused between calls. Nonce 2^64-1 is reserved: encrypt/decrypt fail once n reaches it.
class CipherState
{
public:
    enum class Cipher { ChaChaPoly, AesGcm };
    static constexpr int TagSize = 16;

    explicit CipherState(Cipher cipher = Cipher::ChaChaPoly);
    CipherState(const CipherState& other);
    CipherState& operator=(const CipherState& other);
    CipherState(CipherState&& other) noexcept;
    CipherState& operator=(CipherState&& other) noexcept;
    ~CipherState();

    void initializeKey(const SecretKey& key); // empty key = no key
    bool hasKey() const;
    void setNonce(std::uint64_t nonce);
    std::uint64_t nonce() const;
    Cipher cipher() const;

    /// EncryptWithAd: appends ciphertext+tag to out (no key: appends plaintext unchanged).
    /// Increments n on success.
    Q_REQUIRED_RESULT bool encryptWithAd(const QByteArray& ad, const char* plaintext, qsizetype size, QByteArray& out);
    /// DecryptWithAd: appends plaintext to out; on authentication failure returns false,
    /// leaves out as it was and does not increment n.
    Q_REQUIRED_RESULT bool decryptWithAd(const QByteArray& ad, const char* ciphertext, qsizetype size, QByteArray& out);
    Q_REQUIRED_RESULT bool encryptWithAd(const QByteArray& ad, const QByteArray& plaintext, QByteArray& out)
    {
        return encryptWithAd(ad, plaintext.constData(), plaintext.size(), out);
    }
    Q_REQUIRED_RESULT bool decryptWithAd(const QByteArray& ad, const QByteArray& ciphertext, QByteArray& out)
    {
        return decryptWithAd(ad, ciphertext.constData(), ciphertext.size(), out);
    }
    /// Rekey(): k = first 32 bytes of ENCRYPT(k, maxnonce, zerolen, zeros) (spec 4.2 / 11.3).
    Q_REQUIRED_RESULT bool rekey();

    QString errorString() const;

private:
    // SymmetricState::split() and HandshakeState::split() return unusable states when
    // splitting is not possible, because their signatures have no room for an error.
    friend class SymmetricState;
    friend class HandshakeState;
    /// A state on which every encrypt/decrypt/rekey fails with reason. Unlike a state without
    /// a key, which passes plaintext through per spec, it can never leak plaintext.
    static CipherState unusable(Cipher cipher, const QString& reason);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace QuietWire::Noise
