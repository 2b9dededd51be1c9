#include "DataDirLock.h"

#include <QDir>

namespace QuietWire {

DataDirLock::DataDirLock(const QString& dataDir)
    : m_dataDir(dataDir)
    , m_lock(QDir(dataDir).filePath(QLatin1String(FileName)))
{
    // Held for as long as the server runs: never stale by age, only when its process is gone.
    m_lock.setStaleLockTime(0);
}

bool DataDirLock::acquire(QString* error)
{
    if (m_lock.tryLock(0)) {
        return true;
    }
    qint64 pid = 0;
    QString host;
    QString application;
    m_heldByServer = m_lock.error() == QLockFile::LockFailedError && m_lock.getLockInfo(&pid, &host, &application);
    if (m_heldByServer) {
        *error = QStringLiteral("quietwired (pid %1) is running on %2: stop it first (systemctl stop quietwired), "
                                "or use another --data-dir")
                     .arg(pid)
                     .arg(m_dataDir);
    } else {
        *error = QStringLiteral("cannot take the lock %1 (%2): check the data dir's permissions")
                     .arg(QDir(m_dataDir).filePath(QLatin1String(FileName)),
                         m_lock.error() == QLockFile::PermissionError ? QStringLiteral("permission denied")
                                                                      : QStringLiteral("unknown error"));
    }
    return false;
}

} // namespace QuietWire
