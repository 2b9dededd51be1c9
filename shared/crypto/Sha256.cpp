#include "Sha256.h"

#include "Algorithms.h"

#include <QFile>
#include <openssl/evp.h>

namespace QuietWire {

struct Sha256::Context
{
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256()
    : d(std::make_unique<Context>())
{
    reset();
}

Sha256::Sha256(const Sha256& other)
    : d(std::make_unique<Context>())
{
    EVP_MD_CTX_copy_ex(d->ctx, other.d->ctx);
}

Sha256& Sha256::operator=(const Sha256& other)
{
    if (this != &other) {
        EVP_MD_CTX_copy_ex(d->ctx, other.d->ctx);
    }
    return *this;
}

Sha256::~Sha256() = default;

void Sha256::reset()
{
    EVP_DigestInit_ex(d->ctx, Noise::Detail::sha256(), nullptr);
}

void Sha256::addData(const char* data, qsizetype size)
{
    EVP_DigestUpdate(d->ctx, data, static_cast<size_t>(size));
}

QByteArray Sha256::result() const
{
    // Finalising consumes a context, so finalise a copy and keep this one going.
    Context copy;
    QByteArray digest(Size, Qt::Uninitialized);
    unsigned int length = 0;
    if (EVP_MD_CTX_copy_ex(copy.ctx, d->ctx) != 1
        || EVP_DigestFinal_ex(copy.ctx, reinterpret_cast<unsigned char*>(digest.data()), &length) != 1
        || length != Size) {
        return {};
    }
    return digest;
}

QByteArray Sha256::hash(const QByteArray& data)
{
    Sha256 hasher;
    hasher.addData(data);
    return hasher.result();
}

QByteArray Sha256::hashFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    Sha256 hash;
    while (!file.atEnd()) {
        const QByteArray chunk = file.read(1 << 20);
        if (chunk.isEmpty() && file.error() != QFileDevice::NoError) {
            return {};
        }
        hash.addData(chunk);
    }
    return hash.result();
}

} // namespace QuietWire
