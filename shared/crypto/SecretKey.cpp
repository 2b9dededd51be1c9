#include "SecretKey.h"

#include <algorithm>
#include <openssl/crypto.h>

namespace QuietWire::Noise {

SecretKey::SecretKey(const QByteArray& bytes)
    : SecretKey(reinterpret_cast<const unsigned char*>(bytes.constData()), static_cast<std::size_t>(bytes.size()))
{ }

SecretKey::SecretKey(const unsigned char* bytes, std::size_t size)
{
    // A wrong-sized key is a caller bug; staying empty makes every later use fail loudly
    // (no key) instead of silently using a truncated or zero-padded secret.
    if (bytes && size == Size) {
        std::copy_n(bytes, Size, m_bytes.begin());
        m_set = true;
    }
}

SecretKey::SecretKey(const SecretKey& other)
    : m_bytes(other.m_bytes)
    , m_set(other.m_set)
{ }

SecretKey& SecretKey::operator=(const SecretKey& other)
{
    if (this != &other) {
        m_bytes = other.m_bytes;
        m_set = other.m_set;
    }
    return *this;
}

SecretKey::~SecretKey()
{
    clear();
}

void SecretKey::clear()
{
    // OPENSSL_cleanse cannot be optimised away, unlike a plain fill of a dying object.
    OPENSSL_cleanse(m_bytes.data(), m_bytes.size());
    m_set = false;
}

QByteArray SecretKey::toByteArray() const
{
    if (!m_set)
        return {};
    return QByteArray(reinterpret_cast<const char*>(m_bytes.data()), static_cast<qsizetype>(Size));
}

bool SecretKey::operator==(const SecretKey& other) const
{
    // Always compare all bytes so the time taken does not reveal where two keys differ.
    const bool sameBytes = CRYPTO_memcmp(m_bytes.data(), other.m_bytes.data(), Size) == 0;
    return sameBytes && m_set == other.m_set;
}

} // namespace QuietWire::Noise
