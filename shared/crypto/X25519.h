#pragma once

#include "SecretKey.h"

#include <QByteArray>
#include <QString>
#include <memory>
#include <optional>

struct evp_pkey_st;

namespace QuietWire::Noise {

/// X25519 (RFC 7748) through OpenSSL's EVP_PKEY API.
struct KeyPair
{
    SecretKey privateKey;
    QByteArray publicKey; // 32 bytes
    /// The same pair as OpenSSL's key object, kept by generate() and fromPrivateKey() so that a DH
    /// does not import the private key again (an import costs a scalar multiplication, as much as
    /// the DH itself). Empty for a pair put together by hand; dh() then imports the raw keys.
    /// Shared by the copies of the pair; OpenSSL wipes the private key when the last one goes.
    std::shared_ptr<evp_pkey_st> evpKey {};
};

namespace X25519 {
constexpr int KeySize = 32;
/// A fresh key pair from OpenSSL's CSPRNG.
std::optional<KeyPair> generate(QString* error = nullptr);
/// The key pair that belongs to a 32-byte private key.
std::optional<KeyPair> fromPrivateKey(const SecretKey& privateKey, QString* error = nullptr);
/// DH(private, public): the 32-byte shared secret. Fails (nullopt) for a malformed public key
/// or an all-zero result (a low-order point), as the Noise spec allows.
std::optional<SecretKey> dh(const SecretKey& privateKey, const QByteArray& publicKey, QString* error = nullptr);
/// The same with a whole key pair, which spares OpenSSL recomputing the local public key (and,
/// with KeyPair::evpKey, importing the private key at all).
/// The pair must belong together (HandshakeState checks its pairs once in initialize()).
std::optional<SecretKey> dh(const KeyPair& local, const QByteArray& publicKey, QString* error = nullptr);
/// Whether the pair belongs together: its public key is the one of its private key. Cheap for a
/// pair from generate() or fromPrivateKey() (a comparison with the key OpenSSL derived when the
/// pair was made); otherwise one scalar multiplication.
bool isConsistent(const KeyPair& pair, QString* error = nullptr);
} // namespace X25519

} // namespace QuietWire::Noise
