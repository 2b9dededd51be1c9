#pragma once

#include "noise/SecretKey.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace QuietWire::Noise {

/// X25519 (RFC 7748) through OpenSSL's EVP_PKEY API.
struct KeyPair
{
    SecretKey privateKey;
    QByteArray publicKey; // 32 bytes
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
/// The same with a whole key pair, which spares OpenSSL recomputing the local public key.
/// The pair must belong together (HandshakeState checks its static pair once in initialize()).
std::optional<SecretKey> dh(const KeyPair& local, const QByteArray& publicKey, QString* error = nullptr);
} // namespace X25519

} // namespace QuietWire::Noise
