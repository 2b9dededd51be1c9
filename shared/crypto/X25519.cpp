#include "X25519.h"

#include "OpenSslError.h"

#include <array>
#include <memory>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace QuietWire::Noise::X25519 {

namespace {

struct PkeyDeleter
{
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct PkeyCtxDeleter
{
    void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;

/// Scratch space for a secret that wipes itself on every exit path.
struct SecretBuffer
{
    std::array<unsigned char, KeySize> bytes {};
    SecretBuffer() = default;
    SecretBuffer(const SecretBuffer&) = delete;
    SecretBuffer& operator=(const SecretBuffer&) = delete;
    ~SecretBuffer() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

bool setError(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

std::optional<QByteArray> rawPublicKey(EVP_PKEY* key, QString* error)
{
    QByteArray publicKey(KeySize, Qt::Uninitialized);
    std::size_t length = KeySize;
    if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(publicKey.data()), &length) != 1
        || length != KeySize) {
        setError(error, Detail::openSslError("X25519: cannot read the public key"));
        return std::nullopt;
    }
    return publicKey;
}

} // namespace

std::optional<KeyPair> generate(QString* error)
{
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr));
    EVP_PKEY* rawKey = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &rawKey) != 1) {
        setError(error, Detail::openSslError("X25519: key generation failed"));
        return std::nullopt;
    }
    std::shared_ptr<EVP_PKEY> key(rawKey, PkeyDeleter());

    SecretBuffer privateBytes;
    std::size_t length = privateBytes.bytes.size();
    if (EVP_PKEY_get_raw_private_key(key.get(), privateBytes.bytes.data(), &length) != 1 || length != KeySize) {
        setError(error, Detail::openSslError("X25519: cannot read the generated private key"));
        return std::nullopt;
    }
    auto publicKey = rawPublicKey(key.get(), error);
    if (!publicKey)
        return std::nullopt;
    return KeyPair { SecretKey(privateBytes.bytes.data(), length), *publicKey, std::move(key) };
}

std::optional<KeyPair> fromPrivateKey(const SecretKey& privateKey, QString* error)
{
    if (privateKey.isEmpty()) {
        setError(error, QStringLiteral("X25519: empty private key"));
        return std::nullopt;
    }
    std::shared_ptr<EVP_PKEY> key(
        EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, privateKey.data(), SecretKey::Size), PkeyDeleter());
    if (!key) {
        setError(error, Detail::openSslError("X25519: invalid private key"));
        return std::nullopt;
    }
    auto publicKey = rawPublicKey(key.get(), error);
    if (!publicKey)
        return std::nullopt;
    return KeyPair { privateKey, *publicKey, std::move(key) };
}

namespace {

/// Whether OpenSSL's key object holds exactly this pair. Its public key was derived by OpenSSL
/// from its private key (generate() and fromPrivateKey() make it no other way), so a match
/// means the pair belongs together.
bool evpKeyMatches(const KeyPair& pair)
{
    if (!pair.evpKey || pair.privateKey.isEmpty() || pair.publicKey.size() != KeySize)
        return false;
    SecretBuffer privateBytes;
    std::size_t privateLength = privateBytes.bytes.size();
    std::array<unsigned char, KeySize> publicBytes {};
    std::size_t publicLength = publicBytes.size();
    return EVP_PKEY_get_raw_private_key(pair.evpKey.get(), privateBytes.bytes.data(), &privateLength) == 1
        && privateLength == KeySize
        && EVP_PKEY_get_raw_public_key(pair.evpKey.get(), publicBytes.data(), &publicLength) == 1
        && publicLength == KeySize && CRYPTO_memcmp(privateBytes.bytes.data(), pair.privateKey.data(), KeySize) == 0
        && CRYPTO_memcmp(publicBytes.data(), pair.publicKey.constData(), KeySize) == 0;
}

} // namespace

bool isConsistent(const KeyPair& pair, QString* error)
{
    if (evpKeyMatches(pair))
        return true;
    const auto derived = fromPrivateKey(pair.privateKey, error);
    if (!derived)
        return false;
    if (derived->publicKey != pair.publicKey) {
        setError(error, QStringLiteral("the public key does not belong to the private key"));
        return false;
    }
    return true;
}

namespace {

/// The local key as an EVP_PKEY. Given the public half too, OpenSSL takes it as it is instead of
/// computing it from the private key: one scalar multiplication per DH instead of two.
PkeyPtr loadLocal(const SecretKey& privateKey, const QByteArray* publicKey)
{
    if (!publicKey) {
        return PkeyPtr(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, privateKey.data(), SecretKey::Size));
    }
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr));
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(
            OSSL_PKEY_PARAM_PRIV_KEY, const_cast<unsigned char*>(privateKey.data()), SecretKey::Size),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(publicKey->constData()), KeySize),
        OSSL_PARAM_construct_end(),
    };
    EVP_PKEY* key = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1
        || EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEYPAIR, params) != 1) {
        return nullptr;
    }
    return PkeyPtr(key);
}

std::optional<SecretKey> derive(const SecretKey& privateKey, const QByteArray* ownPublicKey, EVP_PKEY* ownKey,
    const QByteArray& publicKey, QString* error);

} // namespace

std::optional<SecretKey> dh(const KeyPair& local, const QByteArray& publicKey, QString* error)
{
    if (local.publicKey.size() != KeySize) {
        return derive(local.privateKey, nullptr, nullptr, publicKey, error);
    }
    return derive(local.privateKey, &local.publicKey, local.evpKey.get(), publicKey, error);
}

std::optional<SecretKey> dh(const SecretKey& privateKey, const QByteArray& publicKey, QString* error)
{
    return derive(privateKey, nullptr, nullptr, publicKey, error);
}

namespace {

std::optional<SecretKey> derive(const SecretKey& privateKey, const QByteArray* ownPublicKey, EVP_PKEY* ownKey,
    const QByteArray& publicKey, QString* error)
{
    if (privateKey.isEmpty()) {
        setError(error, QStringLiteral("X25519: empty private key"));
        return std::nullopt;
    }
    if (publicKey.size() != KeySize) {
        setError(
            error, QStringLiteral("X25519: public key must be %1 bytes, got %2").arg(KeySize).arg(publicKey.size()));
        return std::nullopt;
    }
    PkeyPtr imported;
    if (!ownKey) {
        imported = loadLocal(privateKey, ownPublicKey);
        ownKey = imported.get();
    }
    PkeyPtr remote(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr,
        reinterpret_cast<const unsigned char*>(publicKey.constData()), static_cast<std::size_t>(publicKey.size())));
    if (!ownKey || !remote) {
        setError(error, Detail::openSslError("X25519: cannot load the keys"));
        return std::nullopt;
    }
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new(ownKey, nullptr));
    SecretBuffer shared;
    std::size_t length = shared.bytes.size();
    // OpenSSL itself refuses an all-zero result (low-order peer point); that also lands here.
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), remote.get()) != 1
        || EVP_PKEY_derive(ctx.get(), shared.bytes.data(), &length) != 1 || length != KeySize) {
        setError(error, Detail::openSslError("X25519: key agreement failed"));
        return std::nullopt;
    }
    // Checked again here so the guarantee does not depend on the OpenSSL version.
    static constexpr std::array<unsigned char, KeySize> zeros {};
    if (CRYPTO_memcmp(shared.bytes.data(), zeros.data(), KeySize) == 0) {
        setError(error, QStringLiteral("X25519: all-zero shared secret (low-order public key)"));
        return std::nullopt;
    }
    return SecretKey(shared.bytes.data(), length);
}

} // namespace

} // namespace QuietWire::Noise::X25519
