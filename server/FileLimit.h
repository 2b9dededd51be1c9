#pragma once

#include <QString>

namespace QuietWire {

/// The server's open-files limit (RLIMIT_NOFILE) and what it means for sessions: every session
/// holds one socket, and a files session one more descriptor while a file is open.
///
/// Usage:
///     const FileLimit limit = FileLimit::raise();       // soft limit up to the hard limit, before listening
///     ...                                               // start the server
///     const int sessions = limit.sessionCapacity(reserved); // what is left after the descriptors in use
struct FileLimit
{
    qint64 soft = -1; // -1: unlimited (RLIM_INFINITY) or unknown
    qint64 hard = -1;
    qint64 before = -1; // the soft limit the process was started with
    QString error; // why the soft limit could not be raised (empty when it was, or did not need to be)

    /// Raises this process's soft limit to its hard limit where allowed; the outcome either way.
    static FileLimit raise();
    /// Descriptors this process has open now (/proc/self/fd); -1 when that cannot be read.
    static int openNow();
    /// Sessions that fit under the soft limit once the descriptors open now and reserved more (the
    /// handshakes and session tickets the options allow at once) are set aside; -1 when unlimited.
    qint64 sessionCapacity(qint64 reserved) const;
};

} // namespace QuietWire
