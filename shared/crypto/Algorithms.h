#pragma once

// Internal to the crypto sources: not part of the public API.

#include <openssl/types.h>

namespace QuietWire::Noise::Detail {

/// OpenSSL 3's algorithms, fetched once per process. Giving EVP_DigestInit_ex or EVP_CipherInit_ex
/// the legacy EVP_sha256() or EVP_chacha20_poly1305() makes OpenSSL fetch the provider's
/// implementation again on every call (a lookup by name under a lock), and EVP_MAC_init with a
/// digest name fetches that digest; a handshake does dozens of each. The fetched objects are
/// read-only and may be shared by every thread; they live until the process ends.
/// nullptr when the default provider lacks the algorithm (callers report it as they report any
/// failing EVP call).
const EVP_MD* sha256();
const EVP_CIPHER* chaCha20Poly1305();
const EVP_CIPHER* aes256Gcm();
EVP_MAC* hmac();

} // namespace QuietWire::Noise::Detail
