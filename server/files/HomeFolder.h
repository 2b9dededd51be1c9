#pragma once

#include "FileDescriptor.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <functional>
#include <sys/stat.h>

namespace QuietWire {

/// A user's home folder, opened once as a directory descriptor; every path below it is opened
/// one component at a time with openat(O_NOFOLLOW | O_DIRECTORY), and every object is then used
/// through the *at() calls on its parent's descriptor. So a symbolic link anywhere on a path is
/// refused by the very call that uses the path (no check-then-open race: a folder swapped for a
/// link between two requests, or during one, is never followed), and depth is not limited by
/// PATH_MAX.
///
/// Usage:
///     HomeFolder home(hostPath);                       // isOpen() or give up
///     HomeFolder::Error error;
///     FileDescriptor dir = home.openFolder({"docs"}, &error);
///     struct stat st; HomeFolder::lookup(dir.get(), "a.txt", &st);
///     FileDescriptor file = HomeFolder::openFile(dir.get(), "a.txt", O_RDONLY, &error);
class HomeFolder
{
public:
    enum class Error {
        None,
        NotFound, // a component or the object does not exist
        NotFolder, // a component on the way is not a folder
        Link, // a component or the object is a symbolic link (never followed)
        Exists, // the name is taken
        NotEmpty, // rmdir of a folder with contents
        Permission, // the server may not read or write it
        Io, // anything else (disk full, too many open files, ...)
    };

    struct Child
    {
        QString name;
        struct stat st;
    };

    /// Not open (isOpen() false), without asking the system.
    HomeFolder() = default;
    explicit HomeFolder(const QString& hostPath);

    bool isOpen() const { return m_fd.isValid(); }
    int fd() const { return m_fd.get(); }

    /// Opens components, each a folder, beneath the home folder ({} opens the home itself).
    FileDescriptor openFolder(const QStringList& components, Error* error) const;

    /// lstat of name in the folder dirFd: None, NotFound, Permission or Io.
    static Error lookup(int dirFd, const QString& name, struct stat* st);
    /// Opens name in dirFd with flags | O_NOFOLLOW | O_CLOEXEC (mode for O_CREAT).
    static FileDescriptor openFile(int dirFd, const QString& name, int flags, Error* error, mode_t mode = 0600);
    /// The folder's entries ("." and ".." left out), each with its lstat.
    static Error list(int dirFd, QList<Child>* children);
    static Error makeFolder(int dirFd, const QString& name);
    static Error removeFile(int dirFd, const QString& name);
    static Error removeFolder(int dirFd, const QString& name);
    /// Removes the folder name and everything below it (links themselves, never their targets);
    /// removed is told about each object as it goes.
    static Error removeTree(int dirFd, const QString& name, const std::function<void(const struct stat&)>& removed);
    /// Renames without ever replacing an existing target (renameat2 RENAME_NOREPLACE).
    static Error rename(int fromDirFd, const QString& fromName, int toDirFd, const QString& toName);
    /// Visits every object below dirFd (depth 1 for its direct entries), without following links.
    static Error walk(int dirFd, const std::function<void(const struct stat&, int depth)>& visit, int depth = 1);

    /// errno of a failed call on name in dirFd as an Error (ENOTDIR/ELOOP on a link is Link).
    static Error fromErrno(int error, int dirFd = -1, const QString& name = QString());
    static QString describe(Error error);

private:
    FileDescriptor m_fd;
};

} // namespace QuietWire
