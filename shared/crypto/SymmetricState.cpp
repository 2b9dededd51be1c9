#include "SymmetricState.h"

#include "Algorithms.h"
#include "OpenSslError.h"

#include <array>
#include <initializer_list>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace QuietWire::Noise {

namespace {

constexpr std::size_t HashSize = SymmetricState::HashLen;
static_assert(HashSize == SecretKey::Size, "HASHLEN must equal the cipher key size (no truncation step)");

/// A HASHLEN-sized scratch buffer for key material that wipes itself on every exit path.
struct HashBuffer
{
    std::array<unsigned char, HashSize> bytes {};
    HashBuffer() = default;
    HashBuffer(const HashBuffer&) = delete;
    HashBuffer& operator=(const HashBuffer&) = delete;
    ~HashBuffer() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
    unsigned char* data() { return bytes.data(); }
};

struct Span
{
    const unsigned char* data;
    std::size_t size;
};

Span span(const QByteArray& bytes)
{
    return { reinterpret_cast<const unsigned char*>(bytes.constData()), static_cast<std::size_t>(bytes.size()) };
}

/// HMAC-SHA256 through EVP_MAC; one context, its digest set once, serves all HMACs of one HKDF.
class HmacSha256
{
public:
    HmacSha256()
        : m_ctx(Detail::hmac() ? EVP_MAC_CTX_new(Detail::hmac()) : nullptr)
    {
        char digest[] = "SHA256";
        const OSSL_PARAM params[]
            = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end() };
        if (m_ctx && EVP_MAC_CTX_set_params(m_ctx, params) != 1) {
            EVP_MAC_CTX_free(m_ctx);
            m_ctx = nullptr;
        }
    }
    HmacSha256(const HmacSha256&) = delete;
    HmacSha256& operator=(const HmacSha256&) = delete;
    ~HmacSha256() { EVP_MAC_CTX_free(m_ctx); }

    /// out = HMAC(key, concatenation of parts); out may not alias key or a part.
    bool compute(Span key, std::initializer_list<Span> parts, unsigned char* out)
    {
        if (!m_ctx)
            return false;
        // HMAC with an empty key is well defined; OpenSSL just wants a non-null pointer for it.
        static const unsigned char emptyKey = 0;
        if (EVP_MAC_init(m_ctx, key.size ? key.data : &emptyKey, key.size, nullptr) != 1)
            return false;
        for (const Span& part : parts) {
            if (part.size && EVP_MAC_update(m_ctx, part.data, part.size) != 1)
                return false;
        }
        std::size_t length = 0;
        return EVP_MAC_final(m_ctx, out, &length, HashSize) == 1 && length == HashSize;
    }

private:
    EVP_MAC_CTX* m_ctx;
};

/// HKDF(chaining_key, input_key_material, num_outputs) exactly as Noise spec section 4.3
/// defines it (not RFC 5869's general form): outputs 2 or 3 blocks of HASHLEN bytes.
bool hkdf(const SecretKey& chainingKey, Span inputKeyMaterial, unsigned char* output1, unsigned char* output2,
    unsigned char* output3 = nullptr)
{
    HmacSha256 hmac;
    HashBuffer tempKey;
    const unsigned char one = 0x01;
    const unsigned char two = 0x02;
    const unsigned char three = 0x03;
    const Span temp { tempKey.data(), HashSize };
    bool ok = hmac.compute({ chainingKey.data(), SecretKey::Size }, { inputKeyMaterial }, tempKey.data())
        && hmac.compute(temp, { { &one, 1 } }, output1)
        && hmac.compute(temp, { { output1, HashSize }, { &two, 1 } }, output2);
    if (ok && output3)
        ok = hmac.compute(temp, { { output2, HashSize }, { &three, 1 } }, output3);
    return ok;
}

} // namespace

SymmetricState::SymmetricState(CipherState::Cipher cipher)
    : m_cipherState(cipher)
{ }

void SymmetricState::setFailed(const QString& message)
{
    m_failed = true;
    m_error = message;
}

void SymmetricState::initializeSymmetric(const QByteArray& protocolName)
{
    m_failed = false;
    m_error.clear();
    if (protocolName.size() <= HashLen) {
        m_h = protocolName;
        m_h.append(HashLen - protocolName.size(), '\0');
    } else {
        m_h = hash(protocolName);
        if (m_h.size() != HashLen)
            setFailed(QStringLiteral("SymmetricState: cannot hash the protocol name"));
    }
    m_chainingKey = SecretKey(m_h);
    m_cipherState.initializeKey(SecretKey());
}

void SymmetricState::mixKey(const QByteArray& inputKeyMaterial)
{
    HashBuffer chainingKey;
    HashBuffer tempKey;
    if (m_failed || !hkdf(m_chainingKey, span(inputKeyMaterial), chainingKey.data(), tempKey.data())) {
        setFailed(Detail::openSslError("SymmetricState: HKDF failed in MixKey"));
        return;
    }
    m_chainingKey = SecretKey(chainingKey.data(), HashSize);
    m_cipherState.initializeKey(SecretKey(tempKey.data(), HashSize));
}

void SymmetricState::mixHash(const QByteArray& data)
{
    if (m_failed)
        return;
    // h = HASH(h || data), streamed so the concatenation is never copied.
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::array<unsigned char, HashSize> digest {};
    unsigned int length = 0;
    const bool ok = ctx && EVP_DigestInit_ex(ctx, Detail::sha256(), nullptr) == 1
        && EVP_DigestUpdate(ctx, m_h.constData(), static_cast<std::size_t>(m_h.size())) == 1
        && EVP_DigestUpdate(ctx, data.constData(), static_cast<std::size_t>(data.size())) == 1
        && EVP_DigestFinal_ex(ctx, digest.data(), &length) == 1 && length == HashSize;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        setFailed(Detail::openSslError("SymmetricState: SHA-256 failed in MixHash"));
        return;
    }
    m_h = QByteArray(reinterpret_cast<const char*>(digest.data()), HashLen);
}

void SymmetricState::mixKeyAndHash(const QByteArray& inputKeyMaterial)
{
    HashBuffer chainingKey;
    HashBuffer tempHash;
    HashBuffer tempKey;
    if (m_failed || !hkdf(m_chainingKey, span(inputKeyMaterial), chainingKey.data(), tempHash.data(), tempKey.data())) {
        setFailed(Detail::openSslError("SymmetricState: HKDF failed in MixKeyAndHash"));
        return;
    }
    m_chainingKey = SecretKey(chainingKey.data(), HashSize);
    mixHash(QByteArray(reinterpret_cast<const char*>(tempHash.data()), HashLen));
    m_cipherState.initializeKey(SecretKey(tempKey.data(), HashSize));
}

void SymmetricState::legacyMixPsk(const SecretKey& psk)
{
    // Noise spec rev. 31, section 9: unlike rev. 34's MixKeyAndHash() this takes only two HKDF
    // outputs and leaves the cipher key alone (the first "e" token's MixKey() sets it).
    if (m_failed)
        return; // keep the first error
    if (psk.isEmpty()) {
        setFailed(QStringLiteral("SymmetricState: empty PSK in the legacy MixPsk"));
        return;
    }
    HashBuffer chainingKey;
    HashBuffer temp;
    if (!hkdf(m_chainingKey, { psk.data(), SecretKey::Size }, chainingKey.data(), temp.data())) {
        setFailed(Detail::openSslError("SymmetricState: HKDF failed in the legacy MixPsk"));
        return;
    }
    m_chainingKey = SecretKey(chainingKey.data(), HashSize);
    // temp is a public transcript value once hashed in, like the output of MixHash itself.
    mixHash(QByteArray(reinterpret_cast<const char*>(temp.data()), HashLen));
}

QByteArray SymmetricState::handshakeHash() const
{
    return m_h;
}

bool SymmetricState::hasKey() const
{
    return m_cipherState.hasKey();
}

bool SymmetricState::encryptAndHash(const QByteArray& plaintext, QByteArray& out)
{
    if (m_failed)
        return false;
    const qsizetype oldSize = out.size();
    if (!m_cipherState.encryptWithAd(m_h, plaintext, out)) {
        m_error = m_cipherState.errorString();
        return false;
    }
    mixHash(QByteArray::fromRawData(out.constData() + oldSize, out.size() - oldSize));
    return !m_failed;
}

bool SymmetricState::decryptAndHash(const QByteArray& ciphertext, QByteArray& out)
{
    if (m_failed)
        return false;
    if (!m_cipherState.decryptWithAd(m_h, ciphertext, out)) {
        m_error = m_cipherState.errorString();
        return false;
    }
    mixHash(ciphertext);
    return !m_failed;
}

std::pair<CipherState, CipherState> SymmetricState::split() const
{
    const CipherState::Cipher cipher = m_cipherState.cipher();
    HashBuffer key1;
    HashBuffer key2;
    if (m_failed || !hkdf(m_chainingKey, { nullptr, 0 }, key1.data(), key2.data())) {
        const QString reason = m_failed ? m_error : Detail::openSslError("SymmetricState: HKDF failed in Split");
        return { CipherState::unusable(cipher, reason), CipherState::unusable(cipher, reason) };
    }
    std::pair<CipherState, CipherState> result { CipherState(cipher), CipherState(cipher) };
    result.first.initializeKey(SecretKey(key1.data(), HashSize));
    result.second.initializeKey(SecretKey(key2.data(), HashSize));
    return result;
}

QString SymmetricState::errorString() const
{
    return m_error;
}

QByteArray SymmetricState::hash(const QByteArray& data)
{
    QByteArray digest(HashLen, Qt::Uninitialized);
    unsigned int length = 0;
    if (EVP_Digest(data.constData(), static_cast<std::size_t>(data.size()),
            reinterpret_cast<unsigned char*>(digest.data()), &length, Detail::sha256(), nullptr)
            != 1
        || length != HashSize)
        return {};
    return digest;
}

QByteArray SymmetricState::hmac(const QByteArray& key, const QByteArray& data)
{
    QByteArray mac(HashLen, Qt::Uninitialized);
    HmacSha256 hmacSha256;
    if (!hmacSha256.compute(span(key), { span(data) }, reinterpret_cast<unsigned char*>(mac.data())))
        return {};
    return mac;
}

} // namespace QuietWire::Noise
