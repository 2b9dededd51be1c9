#include "AttachmentFile.h"

#include "HomeFolder.h"
#include "Sha256.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace QuietWire {

namespace {

/// The regular file at components below folder, opened for reading (invalid when there is none).
FileDescriptor openRegular(const QString& folder, const QStringList& components, struct stat* st, bool* ioError)
{
    *ioError = false;
    if (components.isEmpty()) {
        return {};
    }
    HomeFolder home(folder);
    if (!home.isOpen()) {
        return {}; // no folder yet: nothing was ever uploaded there
    }
    HomeFolder::Error error = HomeFolder::Error::None;
    const FileDescriptor dir = home.openFolder(components.mid(0, components.size() - 1), &error);
    if (!dir.isValid()) {
        *ioError = error == HomeFolder::Error::Io || error == HomeFolder::Error::Permission;
        return {};
    }
    FileDescriptor file = HomeFolder::openFile(dir.get(), components.last(), O_RDONLY | O_NONBLOCK, &error);
    if (!file.isValid()) {
        *ioError = error == HomeFolder::Error::Io || error == HomeFolder::Error::Permission;
        return {};
    }
    if (::fstat(file.get(), st) != 0 || !S_ISREG(st->st_mode)) {
        return {};
    }
    return file;
}

} // namespace

AttachmentFile::Verdict AttachmentFile::verify(const QString& folder, const QStringList& components, qint64 size,
    const QByteArray& sha256, const QString& virtualPath)
{
    struct stat st
    {
    };
    bool ioError = false;
    const FileDescriptor file = openRegular(folder, components, &st, &ioError);
    if (!file.isValid()) {
        if (ioError) {
            return { Result::Io, QStringLiteral("The server could not read %1").arg(virtualPath) };
        }
        return { Result::NotFound,
            QStringLiteral("There is no file %1 (upload it there first; a folder or a link is not a file)")
                .arg(virtualPath) };
    }
    if (st.st_size != size) {
        return { Result::Mismatch,
            QStringLiteral("%1 has %2 bytes, not %3 as the message says").arg(virtualPath).arg(st.st_size).arg(size) };
    }
    Sha256 hash;
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    qint64 total = 0;
    for (;;) {
        const ssize_t got = ::read(file.get(), buffer.data(), static_cast<size_t>(buffer.size()));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            return { Result::Io, QStringLiteral("The server could not read %1").arg(virtualPath) };
        }
        if (got == 0) {
            break;
        }
        hash.addData(buffer.constData(), got);
        total += got;
    }
    if (total != size || hash.result() != sha256) {
        return { Result::Mismatch,
            QStringLiteral("%1 is not the file the message says (its SHA-256 differs); upload it again")
                .arg(virtualPath) };
    }
    return {};
}

bool AttachmentFile::present(const QString& folder, const QStringList& components, qint64 size)
{
    struct stat st
    {
    };
    bool ioError = false;
    const FileDescriptor file = openRegular(folder, components, &st, &ioError);
    return file.isValid() && st.st_size == size;
}

} // namespace QuietWire
