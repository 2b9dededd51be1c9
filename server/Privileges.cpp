#include "Privileges.h"

#include <QFile>
#include <cerrno>
#include <cstring>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace QuietWire::Privileges {

bool becomeOwnerOf(const QString& dataDir, QString* error)
{
    struct stat info = {};
    if (::geteuid() != 0 || ::stat(QFile::encodeName(dataDir).constData(), &info) != 0 || info.st_uid == 0) {
        return true;
    }
    const passwd* owner = ::getpwuid(info.st_uid);
    if (!owner) {
        *error = QStringLiteral("%1 belongs to user id %2, which has no entry in the user database (/etc/passwd): "
                                "quietwired cannot tell which groups to run with. Give the directory to a real user "
                                "(chown -R quietwired: %1) or run the command as its owner.")
                     .arg(dataDir)
                     .arg(info.st_uid);
        return false;
    }
    const QByteArray userName(owner->pw_name);
    const uid_t uid = owner->pw_uid;
    const gid_t gid = owner->pw_gid;
    const QString name = QString::fromLocal8Bit(userName);
    // initgroups() before setgid()/setuid(): only root may set the supplementary groups.
    if (::initgroups(userName.constData(), gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0 || ::setuid(0) == 0
        || ::setgid(0) == 0 || ::getegid() != gid) {
        *error = QStringLiteral("cannot switch to %1, the owner of %2: %3 (run the command as %1: sudo -u %1 ...)")
                     .arg(name, dataDir, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    return true;
}

} // namespace QuietWire::Privileges
