#include "CipherState.h"

#include "Algorithms.h"
#include "OpenSslError.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace QuietWire::Noise {

namespace {

constexpr std::uint64_t ReservedNonce = std::numeric_limits<std::uint64_t>::max();
constexpr int NonceSize = 12;
// EVP lengths are int; big buffers are fed in slices well below INT_MAX.
constexpr qsizetype MaxChunk = qsizetype(1) << 30;

bool overlaps(const char* data, qsizetype size, const QByteArray& out)
{
    // Growing out may move its buffer, so an input inside it (up to its capacity) would dangle.
    if (size <= 0 || out.capacity() <= 0)
        return false;
    std::less<const char*> before;
    const char* begin = out.constData();
    const char* end = begin + out.capacity();
    return before(data, end) && before(begin, data + size);
}

} // namespace

struct CipherState::Private
{
    explicit Private(Cipher c)
        : cipher(c)
        , ctx(EVP_CIPHER_CTX_new())
    { }
    Private(const Private&) = delete;
    Private& operator=(const Private&) = delete;
    ~Private() { EVP_CIPHER_CTX_free(ctx); } // frees and wipes the expanded key schedule

    bool fail(const QString& message)
    {
        error = message;
        return false;
    }

    /// Loads key into the reused context; per-message calls then only change the nonce.
    bool loadKey()
    {
        ctxReady = false;
        if (key.isEmpty())
            return true;
        if (!ctx)
            return fail(QStringLiteral("CipherState: cannot allocate the cipher context"));
        const EVP_CIPHER* evpCipher = cipher == Cipher::ChaChaPoly ? Detail::chaCha20Poly1305() : Detail::aes256Gcm();
        if (!evpCipher || EVP_CipherInit_ex(ctx, evpCipher, nullptr, key.data(), nullptr, 1) != 1)
            return fail(Detail::openSslError("CipherState: cannot set the key"));
        ctxReady = true;
        return true;
    }

    void makeNonce(std::uint64_t n, unsigned char* iv) const
    {
        // 32 zero bits, then n: little-endian for ChaChaPoly (RFC 8439), big-endian for AESGCM.
        for (int i = 0; i < 4; ++i)
            iv[i] = 0;
        for (int i = 0; i < 8; ++i) {
            const auto byte = static_cast<unsigned char>((n >> (8 * i)) & 0xff);
            iv[cipher == Cipher::ChaChaPoly ? 4 + i : NonceSize - 1 - i] = byte;
        }
    }

    /// Starts one AEAD operation with nonce n and feeds the associated data.
    bool begin(std::uint64_t n, bool encrypt, const QByteArray& ad)
    {
        if (!ctxReady)
            return fail(QStringLiteral("CipherState: the cipher context is not initialised"));
        std::array<unsigned char, NonceSize> iv {};
        makeNonce(n, iv.data());
        if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, iv.data(), encrypt ? 1 : 0) != 1)
            return fail(Detail::openSslError("CipherState: cannot set the nonce"));
        return update(nullptr, reinterpret_cast<const unsigned char*>(ad.constData()), ad.size());
    }

    /// Feeds data (output null: associated data) in int-sized slices.
    bool update(unsigned char* output, const unsigned char* input, qsizetype size)
    {
        while (size > 0) {
            const int chunk = static_cast<int>(qMin(size, MaxChunk));
            int written = 0;
            if (EVP_CipherUpdate(ctx, output, &written, input, chunk) != 1 || (output && written != chunk))
                return fail(Detail::openSslError("CipherState: cipher update failed"));
            input += chunk;
            if (output)
                output += chunk;
            size -= chunk;
        }
        return true;
    }

    bool finishEncrypt(unsigned char* tag)
    {
        std::array<unsigned char, 16> tail {}; // AEAD stream modes emit nothing at final
        int written = 0;
        if (EVP_CipherFinal_ex(ctx, tail.data(), &written) != 1 || written != 0
            || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TagSize, tag) != 1)
            return fail(Detail::openSslError("CipherState: encryption failed"));
        return true;
    }

    bool finishDecrypt(const char* tag)
    {
        std::array<unsigned char, TagSize> expected {};
        std::copy_n(reinterpret_cast<const unsigned char*>(tag), TagSize, expected.begin());
        std::array<unsigned char, 16> tail {};
        int written = 0;
        if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TagSize, expected.data()) != 1)
            return fail(Detail::openSslError("CipherState: cannot set the tag"));
        if (EVP_CipherFinal_ex(ctx, tail.data(), &written) != 1 || written != 0) {
            ERR_clear_error();
            return fail(QStringLiteral("CipherState: authentication failed"));
        }
        return true;
    }

    Cipher cipher;
    SecretKey key;
    std::uint64_t nonce = 0;
    EVP_CIPHER_CTX* ctx = nullptr;
    bool ctxReady = false;
    QString unusableReason; // non-empty: every operation fails (see CipherState::unusable)
    QString error;
};

CipherState::CipherState(Cipher cipher)
    : d(std::make_unique<Private>(cipher))
{ }

CipherState::CipherState(const CipherState& other)
    : d(std::make_unique<Private>(other.cipher()))
{
    *this = other;
}

CipherState& CipherState::operator=(const CipherState& other)
{
    if (this == &other)
        return *this;
    if (!other.d) {
        d.reset();
        return *this;
    }
    if (!d || d->cipher != other.d->cipher)
        d = std::make_unique<Private>(other.d->cipher);
    // A fresh key load instead of EVP_CIPHER_CTX_copy: both sides then own independent contexts.
    d->key = other.d->key;
    d->nonce = other.d->nonce;
    d->unusableReason = other.d->unusableReason;
    d->error = other.d->error;
    (void)d->loadKey();
    return *this;
}

CipherState::CipherState(CipherState&& other) noexcept = default;
CipherState& CipherState::operator=(CipherState&& other) noexcept = default;
CipherState::~CipherState() = default;

CipherState CipherState::unusable(Cipher cipher, const QString& reason)
{
    CipherState state(cipher);
    state.d->unusableReason = reason;
    state.d->error = reason;
    return state;
}

void CipherState::initializeKey(const SecretKey& key)
{
    if (!d)
        d = std::make_unique<Private>(Cipher::ChaChaPoly);
    d->key = key;
    d->nonce = 0;
    d->unusableReason.clear();
    d->error.clear();
    (void)d->loadKey(); // a failure leaves ctxReady false, so every later encrypt/decrypt fails
}

bool CipherState::hasKey() const
{
    return d && !d->key.isEmpty();
}

void CipherState::setNonce(std::uint64_t nonce)
{
    if (d)
        d->nonce = nonce;
}

std::uint64_t CipherState::nonce() const
{
    return d ? d->nonce : ReservedNonce;
}

CipherState::Cipher CipherState::cipher() const
{
    return d ? d->cipher : Cipher::ChaChaPoly;
}

bool CipherState::encryptWithAd(const QByteArray& ad, const char* plaintext, qsizetype size, QByteArray& out)
{
    if (!d)
        return false;
    if (!d->unusableReason.isEmpty())
        return d->fail(d->unusableReason);
    if (size < 0 || (size > 0 && !plaintext))
        return d->fail(QStringLiteral("CipherState: invalid plaintext"));
    if (overlaps(plaintext, size, out))
        return d->fail(QStringLiteral("CipherState: the plaintext must not live in the output buffer"));
    if (d->key.isEmpty()) {
        out.append(plaintext, size); // spec 5.1: no key, no encryption
        return true;
    }
    if (d->nonce == ReservedNonce)
        return d->fail(QStringLiteral("CipherState: nonce exhausted, rekey or start a new session"));
    const qsizetype oldSize = out.size();
    if (size > std::numeric_limits<qsizetype>::max() / 2 - oldSize - TagSize)
        return d->fail(QStringLiteral("CipherState: message too large"));

    // The associated data goes in before out grows, so ad may even be out itself.
    if (!d->begin(d->nonce, true, ad))
        return false;
    out.resize(oldSize + size + TagSize);
    auto* target = reinterpret_cast<unsigned char*>(out.data()) + oldSize;
    if (!d->update(target, reinterpret_cast<const unsigned char*>(plaintext), size)
        || !d->finishEncrypt(target + size)) {
        out.resize(oldSize);
        return false;
    }
    ++d->nonce;
    return true;
}

bool CipherState::decryptWithAd(const QByteArray& ad, const char* ciphertext, qsizetype size, QByteArray& out)
{
    if (!d)
        return false;
    if (!d->unusableReason.isEmpty())
        return d->fail(d->unusableReason);
    if (size < 0 || (size > 0 && !ciphertext))
        return d->fail(QStringLiteral("CipherState: invalid ciphertext"));
    if (overlaps(ciphertext, size, out))
        return d->fail(QStringLiteral("CipherState: the ciphertext must not live in the output buffer"));
    if (d->key.isEmpty()) {
        out.append(ciphertext, size);
        return true;
    }
    if (d->nonce == ReservedNonce)
        return d->fail(QStringLiteral("CipherState: nonce exhausted, rekey or start a new session"));
    if (size < TagSize)
        return d->fail(QStringLiteral("CipherState: ciphertext of %1 bytes is shorter than the tag").arg(size));

    const qsizetype oldSize = out.size();
    const qsizetype plainSize = size - TagSize;
    if (!d->begin(d->nonce, false, ad))
        return false;
    out.resize(oldSize + plainSize);
    auto* target = reinterpret_cast<unsigned char*>(out.data()) + oldSize;
    if (!d->update(target, reinterpret_cast<const unsigned char*>(ciphertext), plainSize)
        || !d->finishDecrypt(ciphertext + plainSize)) {
        // Unauthenticated plaintext must not survive in the spare capacity of out.
        OPENSSL_cleanse(target, static_cast<std::size_t>(plainSize));
        out.resize(oldSize);
        return false;
    }
    ++d->nonce;
    return true;
}

bool CipherState::rekey()
{
    if (!d)
        return false;
    if (!d->unusableReason.isEmpty())
        return d->fail(d->unusableReason);
    if (d->key.isEmpty())
        return d->fail(QStringLiteral("CipherState: rekey without a key"));

    // REKEY(k) = first 32 bytes of ENCRYPT(k, 2^64-1, zerolen, 32 zero bytes); n is kept.
    std::array<unsigned char, SecretKey::Size> zeros {};
    std::array<unsigned char, SecretKey::Size + TagSize> block {};
    const bool ok = d->begin(ReservedNonce, true, QByteArray()) && d->update(block.data(), zeros.data(), zeros.size())
        && d->finishEncrypt(block.data() + SecretKey::Size);
    if (ok)
        d->key = SecretKey(block.data(), SecretKey::Size);
    OPENSSL_cleanse(block.data(), block.size());
    return ok && d->loadKey();
}

QString CipherState::errorString() const
{
    return d ? d->error : QStringLiteral("CipherState: moved-from object");
}

} // namespace QuietWire::Noise
