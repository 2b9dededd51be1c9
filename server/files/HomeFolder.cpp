#include "HomeFolder.h"

#include <QFile>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>

namespace QuietWire {

namespace {

constexpr int FolderFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

QByteArray encode(const QString& name)
{
    return QFile::encodeName(name);
}

} // namespace

HomeFolder::HomeFolder(const QString& hostPath)
    // The home folder's own path comes from the administrator's configuration, not from a user.
    : m_fd(::open(QFile::encodeName(hostPath).constData(), FolderFlags))
{ }

HomeFolder::Error HomeFolder::fromErrno(int error, int dirFd, const QString& name)
{
    switch (error) {
    case 0:
        return Error::None;
    case ENOENT:
        return Error::NotFound;
    case ELOOP:
    case ENOTDIR: {
        // O_NOFOLLOW refuses a link with ELOOP, or ENOTDIR together with O_DIRECTORY: say which.
        struct stat st;
        if (dirFd >= 0 && ::fstatat(dirFd, encode(name).constData(), &st, AT_SYMLINK_NOFOLLOW) == 0
            && S_ISLNK(st.st_mode)) {
            return Error::Link;
        }
        return error == ELOOP ? Error::Link : Error::NotFolder;
    }
    case EEXIST:
        return Error::Exists;
    case ENOTEMPTY:
        return Error::NotEmpty;
    case EACCES:
    case EPERM:
        return Error::Permission;
    default:
        return Error::Io;
    }
}

QString HomeFolder::describe(Error error)
{
    switch (error) {
    case Error::None:
        return QStringLiteral("no error");
    case Error::NotFound:
        return QStringLiteral("does not exist");
    case Error::NotFolder:
        return QStringLiteral("is not a folder");
    case Error::Link:
        return QStringLiteral("goes through a symbolic link; links are not followed");
    case Error::Exists:
        return QStringLiteral("already exists");
    case Error::NotEmpty:
        return QStringLiteral("is not empty");
    case Error::Permission:
        return QStringLiteral("may not be accessed by the server");
    case Error::Io:
        break;
    }
    return QStringLiteral("could not be accessed");
}

FileDescriptor HomeFolder::openFolder(const QStringList& components, Error* error) const
{
    FileDescriptor current(::fcntl(m_fd.get(), F_DUPFD_CLOEXEC, 0));
    if (!current.isValid()) {
        *error = fromErrno(errno);
        return {};
    }
    for (const QString& component : components) {
        FileDescriptor next(::openat(current.get(), encode(component).constData(), FolderFlags));
        if (!next.isValid()) {
            *error = fromErrno(errno, current.get(), component);
            return {};
        }
        current = std::move(next);
    }
    *error = Error::None;
    return current;
}

HomeFolder::Error HomeFolder::lookup(int dirFd, const QString& name, struct stat* st)
{
    if (::fstatat(dirFd, encode(name).constData(), st, AT_SYMLINK_NOFOLLOW) != 0) {
        return fromErrno(errno);
    }
    return Error::None;
}

FileDescriptor HomeFolder::openFile(int dirFd, const QString& name, int flags, Error* error, mode_t mode)
{
    FileDescriptor fd(::openat(dirFd, encode(name).constData(), flags | O_NOFOLLOW | O_CLOEXEC, mode));
    *error = fd.isValid() ? Error::None : fromErrno(errno, dirFd, name);
    return fd;
}

HomeFolder::Error HomeFolder::list(int dirFd, QList<Child>* children)
{
    const int copy = ::openat(dirFd, ".", FolderFlags);
    if (copy < 0) {
        return fromErrno(errno);
    }
    DIR* dir = ::fdopendir(copy);
    if (!dir) {
        const int saved = errno;
        ::close(copy);
        return fromErrno(saved);
    }
    Error result = Error::None;
    errno = 0;
    while (const dirent* entry = ::readdir(dir)) {
        if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) {
            continue;
        }
        Child child;
        child.name = QFile::decodeName(entry->d_name);
        if (::fstatat(copy, entry->d_name, &child.st, AT_SYMLINK_NOFOLLOW) != 0) {
            continue; // removed meanwhile
        }
        children->append(child);
        errno = 0;
    }
    if (errno != 0) {
        result = fromErrno(errno);
    }
    ::closedir(dir);
    return result;
}

HomeFolder::Error HomeFolder::makeFolder(int dirFd, const QString& name)
{
    return ::mkdirat(dirFd, encode(name).constData(), 0700) == 0 ? Error::None : fromErrno(errno, dirFd, name);
}

HomeFolder::Error HomeFolder::removeFile(int dirFd, const QString& name)
{
    return ::unlinkat(dirFd, encode(name).constData(), 0) == 0 ? Error::None : fromErrno(errno, dirFd, name);
}

HomeFolder::Error HomeFolder::removeFolder(int dirFd, const QString& name)
{
    return ::unlinkat(dirFd, encode(name).constData(), AT_REMOVEDIR) == 0 ? Error::None : fromErrno(errno, dirFd, name);
}

HomeFolder::Error HomeFolder::removeTree(
    int dirFd, const QString& name, const std::function<void(const struct stat&)>& removed)
{
    struct stat self;
    Error error = lookup(dirFd, name, &self);
    if (error != Error::None) {
        return error;
    }
    FileDescriptor dir(::openat(dirFd, encode(name).constData(), FolderFlags));
    if (!dir.isValid()) {
        return fromErrno(errno, dirFd, name);
    }
    QList<Child> children;
    if ((error = list(dir.get(), &children)) != Error::None) {
        return error;
    }
    for (const Child& child : children) {
        // A folder is entered through its descriptor; a link is removed itself, never followed.
        error = S_ISDIR(child.st.st_mode) ? removeTree(dir.get(), child.name, removed)
                                          : removeFile(dir.get(), child.name);
        if (error != Error::None) {
            return error;
        }
        if (!S_ISDIR(child.st.st_mode)) {
            removed(child.st);
        }
    }
    if ((error = removeFolder(dirFd, name)) != Error::None) {
        return error;
    }
    removed(self);
    return Error::None;
}

HomeFolder::Error HomeFolder::rename(int fromDirFd, const QString& fromName, int toDirFd, const QString& toName)
{
    if (::renameat2(fromDirFd, encode(fromName).constData(), toDirFd, encode(toName).constData(), RENAME_NOREPLACE)
        == 0) {
        return Error::None;
    }
    if (errno != EINVAL) {
        return fromErrno(errno, fromDirFd, fromName);
    }
    // A file system without RENAME_NOREPLACE: check, then rename (the check can race only with
    // the user's own sessions, never lead outside the home folder).
    struct stat st;
    if (lookup(toDirFd, toName, &st) != Error::NotFound) {
        return Error::Exists;
    }
    return ::renameat(fromDirFd, encode(fromName).constData(), toDirFd, encode(toName).constData()) == 0
        ? Error::None
        : fromErrno(errno, fromDirFd, fromName);
}

HomeFolder::Error HomeFolder::walk(
    int dirFd, const std::function<void(const struct stat&, int depth)>& visit, int depth)
{
    QList<Child> children;
    Error error = list(dirFd, &children);
    for (const Child& child : children) {
        visit(child.st, depth);
        if (!S_ISDIR(child.st.st_mode)) {
            continue;
        }
        FileDescriptor sub(::openat(dirFd, encode(child.name).constData(), FolderFlags));
        const Error subError = sub.isValid() ? walk(sub.get(), visit, depth + 1) : fromErrno(errno);
        if (error == Error::None) {
            error = subError; // keep counting the rest, and report the first problem
        }
    }
    return error;
}

} // namespace QuietWire
