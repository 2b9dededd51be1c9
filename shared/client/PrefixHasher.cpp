#include "PrefixHasher.h"

#include "FileIo.h"

#include <QFile>
#include <QThread>
#include <atomic>

namespace QuietWire {

/// Shared by the worker and this object: the worker only touches it, never the PrefixHasher,
/// which may be gone before it ends.
struct PrefixHasher::Job
{
    QString path;
    qint64 length = 0;
    std::atomic<bool> stop { false };
    Sha256 hash;
    bool ok = false;
    QString error;
};

PrefixHasher::PrefixHasher(QObject* parent)
    : QObject(parent)
{ }

PrefixHasher::~PrefixHasher()
{
    stop();
}

void PrefixHasher::start(const QString& path, qint64 length)
{
    stop();
    auto job = std::make_shared<Job>();
    job->path = path;
    job->length = length;
    m_job = job;
    QThread* thread = QThread::create([job] {
        QFile file(job->path);
        if (!file.open(QIODevice::ReadOnly)) {
            job->error = file.errorString();
            return;
        }
        job->ok = FileIo::hashPrefix(file, job->length, job->hash, &job->stop);
        if (!job->ok) {
            job->error = file.error() != QFileDevice::NoError ? file.errorString() : tr("the file is shorter");
        }
    });
    // The thread object has no parent: it outlives this hasher when stopped, and deletes itself.
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    connect(thread, &QThread::finished, this, [this, job] {
        if (m_job != job) {
            return; // stopped, or another hash started since
        }
        m_job.reset();
        m_hash = job->hash;
        m_errorString = job->error;
        emit finished(job->ok);
    });
    thread->start();
}

void PrefixHasher::stop()
{
    if (m_job) {
        m_job->stop = true;
        m_job.reset();
    }
}

} // namespace QuietWire
