#pragma once

#include <QByteArray>
#include <array>
#include <cstddef>

namespace QuietWire::Noise {

/// Fixed-size secret (a private key, a chaining key, a cipher key) that wipes itself
/// with OPENSSL_cleanse() when destroyed or reassigned. QByteArray is implicitly shared,
/// so a copy of a secret in one can never be reliably wiped; keep secrets in this instead.
class SecretKey
{
public:
    static constexpr std::size_t Size = 32;

    SecretKey() = default;
    explicit SecretKey(const QByteArray& bytes); // must be Size bytes, else the key stays empty
    SecretKey(const unsigned char* bytes, std::size_t size);
    SecretKey(const SecretKey& other);
    SecretKey& operator=(const SecretKey& other);
    ~SecretKey();

    bool isEmpty() const { return !m_set; }
    void clear();
    const unsigned char* data() const { return m_bytes.data(); }
    unsigned char* data() { return m_bytes.data(); }
    /// A copy for tests and for writing the key file; the caller wipes it.
    QByteArray toByteArray() const;
    /// Constant-time comparison.
    bool operator==(const SecretKey& other) const;

private:
    std::array<unsigned char, Size> m_bytes {};
    bool m_set = false;
};

} // namespace QuietWire::Noise
