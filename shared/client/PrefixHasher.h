#pragma once

#include "Sha256.h"

#include <QObject>
#include <memory>

namespace QuietWire {

/// Hashes the first bytes of a file on a worker thread, so resuming a multi-gigabyte transfer
/// does not stop the event loop (the GUI keeps painting, other sessions keep flowing).
///
/// Usage: start(path, length); finished(ok) comes back on this object's thread, then hash() is
/// the SHA-256 state after those bytes (copy it and keep adding data for the whole file's hash).
/// stop() (and the destructor) abandon a running hash: no finished() for it, and the worker ends
/// at its next block.
class PrefixHasher : public QObject
{
    Q_OBJECT

public:
    explicit PrefixHasher(QObject* parent = nullptr);
    ~PrefixHasher() override;

    void start(const QString& path, qint64 length);
    void stop();
    bool isRunning() const { return m_job != nullptr; }
    /// After finished(true): the state after the prefix.
    const Sha256& hash() const { return m_hash; }
    /// After finished(false): why (the file is shorter, or cannot be read).
    QString errorString() const { return m_errorString; }

signals:
    void finished(bool ok);

private:
    struct Job;
    std::shared_ptr<Job> m_job;
    Sha256 m_hash;
    QString m_errorString;
};

} // namespace QuietWire
