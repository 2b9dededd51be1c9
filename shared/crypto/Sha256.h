#pragma once

#include <QByteArray>
#include <QString>
#include <memory>

namespace QuietWire {

/// Incremental SHA-256 over OpenSSL EVP, for file checksums. Copyable: a copy carries on from
/// the same state, so "hash of the first K bytes" and "hash of the whole file" need one pass.
class Sha256
{
public:
    static constexpr int Size = 32;

    Sha256();
    Sha256(const Sha256& other);
    Sha256& operator=(const Sha256& other);
    ~Sha256();

    void addData(const char* data, qsizetype size);
    void addData(const QByteArray& data) { addData(data.constData(), data.size()); }
    /// The digest of everything added so far; the state is left as it was.
    QByteArray result() const;
    void reset();

    static QByteArray hash(const QByteArray& data);
    /// The digest of the file at path, read in 1 MiB chunks; empty when it cannot be read. It
    /// reads the whole file: call it off the GUI thread for large files.
    static QByteArray hashFile(const QString& path);

private:
    struct Context;
    std::unique_ptr<Context> d;
};

} // namespace QuietWire
