#pragma once

#include <QLockFile>
#include <QString>

namespace QuietWire {

/// Whether a quietwired is running on a data dir: the running server holds <data-dir>/quietwired.lock
/// (a QLockFile with the server's pid; one left by a crashed server is taken over). A second server
/// on the same data dir, and `quietwired restore`, which must not replace the chat store under a
/// running server, are refused while it is held.
///
/// Usage:
///     DataDirLock lock(dataDir);
///     QString error;
///     if (!lock.acquire(&error)) { fail(error); } // "quietwired (pid 1234) is running on ..."
///     // lock.heldByServer(): the server's console can do it instead (`quietwired room ...`)
class DataDirLock
{
public:
    static constexpr char FileName[] = "quietwired.lock";

    explicit DataDirLock(const QString& dataDir);
    /// Takes the lock at once or says who holds it.
    bool acquire(QString* error);
    /// After acquire() failed: whether it failed because a quietwired holds the lock (rather
    /// than, say, the data dir's permissions).
    bool heldByServer() const { return m_heldByServer; }

private:
    QString m_dataDir;
    QLockFile m_lock;
    bool m_heldByServer = false;
};

} // namespace QuietWire
