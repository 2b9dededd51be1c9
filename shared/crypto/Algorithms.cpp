#include "Algorithms.h"

#include <openssl/evp.h>

namespace QuietWire::Noise::Detail {

// Function-local statics: initialised once, thread-safe (C++11), never freed (an EVP_*_free at
// exit could run after OpenSSL's own cleanup).

const EVP_MD* sha256()
{
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

const EVP_CIPHER* chaCha20Poly1305()
{
    static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
    return cipher;
}

const EVP_CIPHER* aes256Gcm()
{
    static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return cipher;
}

EVP_MAC* hmac()
{
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
}

} // namespace QuietWire::Noise::Detail
