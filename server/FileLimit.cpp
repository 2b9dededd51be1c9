#include "FileLimit.h"

#include <QDir>
#include <cerrno>
#include <cstring>
#include <sys/resource.h>

namespace QuietWire {

namespace {

qint64 fromRlim(rlim_t value)
{
    return value == RLIM_INFINITY ? -1 : static_cast<qint64>(value);
}

} // namespace

FileLimit FileLimit::raise()
{
    FileLimit limit;
    rlimit current {};
    if (::getrlimit(RLIMIT_NOFILE, &current) != 0) {
        limit.error = QString::fromLocal8Bit(std::strerror(errno));
        return limit;
    }
    limit.before = fromRlim(current.rlim_cur);
    limit.soft = limit.before;
    limit.hard = fromRlim(current.rlim_max);
    if (current.rlim_cur == current.rlim_max) {
        return limit;
    }
    rlimit raised = current;
    raised.rlim_cur = current.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
        limit.error = QString::fromLocal8Bit(std::strerror(errno));
        return limit;
    }
    limit.soft = limit.hard;
    return limit;
}

int FileLimit::openNow()
{
    const QDir fds(QStringLiteral("/proc/self/fd"));
    if (!fds.exists()) {
        return -1;
    }
    // The directory listing itself holds one descriptor while it is read: not counted.
    return qMax(0, static_cast<int>(fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size()) - 1);
}

qint64 FileLimit::sessionCapacity(qint64 reserved) const
{
    if (soft < 0) {
        return -1;
    }
    const int open = openNow();
    return qMax<qint64>(0, soft - qMax(0, open) - reserved);
}

} // namespace QuietWire
