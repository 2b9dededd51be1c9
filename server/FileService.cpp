#include "FileService.h"

#include "EncryptedTcpSocket.h"
#include "FileArea.h"
#include "FilePaths.h"
#include "Logging.h"
#include "Protocol.h"
#include "Session.h"

#include <QCborArray>
#include <QDir>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace QuietWire {

namespace {

// Keep about this much queued on the socket while streaming; more only costs memory.
constexpr qint64 SendHighWater = 1024 * 1024;
constexpr qint64 HashBlock = 1024 * 1024;

QString ioCode(const QFileDevice& file)
{
    return file.error() == QFileDevice::PermissionsError ? QLatin1String(FileProtocol::Permission)
                                                         : QLatin1String(FileProtocol::Io);
}

FileProtocol::Entry entryFor(const QFileInfo& info, const QString& name)
{
    FileProtocol::Entry entry;
    entry.name = name;
    if (info.isSymLink()) {
        entry.type = FileProtocol::Entry::Type::Other; // links are never followed
    } else if (info.isDir()) {
        entry.type = FileProtocol::Entry::Type::Directory;
    } else if (info.isFile()) {
        entry.type = FileProtocol::Entry::Type::File;
        entry.size = info.size();
    }
    entry.modified = info.lastModified().toUTC();
    return entry;
}

/// Hashes the first length bytes of file into hasher; false if the file is shorter or unreadable.
bool hashPrefix(QFile& file, qint64 length, Sha256& hasher)
{
    if (!file.seek(0)) {
        return false;
    }
    QByteArray buffer(HashBlock, Qt::Uninitialized);
    qint64 left = length;
    while (left > 0) {
        const qint64 n = file.read(buffer.data(), qMin(left, HashBlock));
        if (n <= 0) {
            return false;
        }
        hasher.addData(buffer.constData(), n);
        left -= n;
    }
    return true;
}

bool syncAndRename(QFile& part, const QString& target, QString* error)
{
    // Durable before visible: the data reaches the disk before the name points at it.
    if (!part.flush() || ::fsync(part.handle()) != 0) {
        *error = QStringLiteral("cannot write the file to disk: %1").arg(part.errorString());
        return false;
    }
    const QString partPath = part.fileName();
    part.close();
    if (::rename(QFile::encodeName(partPath).constData(), QFile::encodeName(target).constData()) != 0) {
        *error = QStringLiteral("cannot move the upload into place: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    const QString dir = QFileInfo(target).absolutePath();
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
    return true;
}

} // namespace

struct FileService::Upload
{
    qint64 id = 0;
    QStringList path;
    QString target;
    QFile part;
    Sha256 hash;
    qint64 size = 0;
    qint64 received = 0; // including the resumed offset
    qint64 reserved = 0;
    qint64 mtime = -1;
};

struct FileService::Download
{
    qint64 id = 0;
    QFile file;
    Sha256 hash;
    qint64 size = 0;
    qint64 sent = 0;
};

FileService::FileService(Session* session, FileArea* area, const QString& home, QObject* parent)
    : QObject(parent)
    , m_session(session)
    , m_area(area)
    , m_home(home)
{
    if (EncryptedTcpSocket* socket = session->socket) {
        connect(socket, &EncryptedTcpSocket::bytesWritten, this, &FileService::pumpDownload);
    }
}

FileService::~FileService()
{
    // A cut connection keeps the .part, so the upload can resume.
    abortUpload(false);
}

void FileService::reply(const QCborMap& message)
{
    if (EncryptedTcpSocket* socket = m_session->socket) {
        socket->sendMessage(Protocol::encode(message));
    }
}

void FileService::fail(qint64 id, const QString& code, const QString& message)
{
    reply(FileProtocol::makeFailure(id, code, message));
}

std::optional<QStringList> FileService::resolve(qint64 id, const QString& path)
{
    QString error;
    auto components = FilePaths::resolve(m_cwd, path, &error);
    if (!components) {
        qCInfo(lcFiles).noquote() << Logging::escaped(m_session->name, 60) << m_session->address.toString()
                                  << "refused path" << Logging::escaped(path, 200) << "-"
                                  << Logging::escaped(error, 300);
        fail(id, QLatin1String(FileProtocol::BadPath), error);
        return std::nullopt;
    }
    if (FilePaths::crossesSymlink(m_home, *components)) {
        qCInfo(lcFiles).noquote() << Logging::escaped(m_session->name, 60) << m_session->address.toString()
                                  << "refused path" << Logging::escaped(FilePaths::toVirtual(*components), 300)
                                  << "- crosses a symbolic link";
        fail(id, QLatin1String(FileProtocol::BadPath),
             QStringLiteral("%1 goes through a symbolic link; links are not followed").arg(FilePaths::toVirtual(*components)));
        return std::nullopt;
    }
    return components;
}

QString FileService::host(const QStringList& components) const
{
    return FilePaths::toHost(m_home, components);
}

void FileService::log(const QString& op, const QStringList& path, const QString& extra) const
{
    // Paths and names come from the client: escaped, so they cannot forge or break log lines.
    qCInfo(lcFiles).noquote() << Logging::escaped(m_session->name, 60) << m_session->address.toString() << op
                              << Logging::escaped(FilePaths::toVirtual(path), 300) << Logging::escaped(extra, 400);
}

void FileService::handle(const QByteArray& raw)
{
    // File data is most of the traffic: take it without building a CBOR map.
    const QByteArray data = FileProtocol::decodeData(raw);
    if (!data.isNull()) {
        putData(data);
        return;
    }
    QString error;
    const auto decoded = Protocol::decode(raw, &error);
    if (!decoded) {
        fail(-1, QLatin1String(FileProtocol::BadRequest), QStringLiteral("Undecodable message: %1").arg(error));
        return;
    }
    const QCborMap& message = *decoded;
    const QString type = Protocol::typeOf(message);
    const qint64 id = Protocol::integer(message.value(QLatin1String("id")), -1);
    if (type == QLatin1String("end")) {
        putEnd(message);
    } else if (type == QLatin1String("pwd")) {
        pwd(id);
    } else if (type == QLatin1String("cd")) {
        cd(id, message);
    } else if (type == QLatin1String("ls")) {
        ls(id, message);
    } else if (type == QLatin1String("mkdir")) {
        mkdir(id, message);
    } else if (type == QLatin1String("rmdir")) {
        rmdir(id, message);
    } else if (type == QLatin1String("rm")) {
        rm(id, message);
    } else if (type == QLatin1String("rename")) {
        rename(id, message);
    } else if (type == QLatin1String("stat")) {
        stat(id, message);
    } else if (type == QLatin1String("cat")) {
        cat(id, message);
    } else if (type == QLatin1String("put")) {
        put(id, message);
    } else if (type == QLatin1String("get")) {
        get(id, message);
    } else {
        fail(id, QLatin1String(FileProtocol::BadRequest),
             QStringLiteral("Unknown request \"%1\" for the files service").arg(type.left(40)));
    }
}

void FileService::pwd(qint64 id)
{
    QCborMap result = FileProtocol::makeResult(id);
    result.insert(QStringLiteral("cwd"), FilePaths::toVirtual(m_cwd));
    reply(result);
}

void FileService::cd(qint64 id, const QCborMap& request)
{
    const auto path = resolve(id, request.value(QLatin1String("path")).toString());
    if (!path) {
        return;
    }
    const QFileInfo info(host(*path));
    if (!info.isDir()) {
        fail(id, QLatin1String(info.exists() ? FileProtocol::BadPath : FileProtocol::NotFound),
             QStringLiteral("%1 is not a folder").arg(FilePaths::toVirtual(*path)));
        return;
    }
    m_cwd = *path;
    log(QStringLiteral("cd"), *path);
    pwd(id);
}

void FileService::ls(qint64 id, const QCborMap& request)
{
    const auto path = resolve(id, request.value(QLatin1String("path")).toString());
    if (!path) {
        return;
    }
    const QFileInfo info(host(*path));
    QCborArray entries;
    if (info.isDir()) {
        QDir dir(info.filePath());
        const auto list = dir.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                                            QDir::DirsFirst | QDir::Name);
        if (!dir.isReadable()) {
            fail(id, QLatin1String(FileProtocol::Permission),
                 QStringLiteral("%1 cannot be read").arg(FilePaths::toVirtual(*path)));
            return;
        }
        for (const QFileInfo& child : list) {
            entries.append(entryFor(child, child.fileName()).toCbor());
        }
    } else if (info.exists()) {
        entries.append(entryFor(info, info.fileName()).toCbor());
    } else {
        fail(id, QLatin1String(FileProtocol::NotFound), QStringLiteral("%1 does not exist").arg(FilePaths::toVirtual(*path)));
        return;
    }
    log(QStringLiteral("ls"), *path);
    QCborMap result = FileProtocol::makeResult(id);
    result.insert(QStringLiteral("path"), FilePaths::toVirtual(*path));
    result.insert(QStringLiteral("entries"), entries);
    reply(result);
}

void FileService::mkdir(qint64 id, const QCborMap& request)
{
    const auto path = resolve(id, request.value(QLatin1String("path")).toString());
    if (!path) {
        return;
    }
    const QString target = host(*path);
    if (QFileInfo(target).exists() || QFileInfo(target).isSymLink()) {
        fail(id, QLatin1String(FileProtocol::Exists), QStringLiteral("%1 already exists").arg(FilePaths::toVirtual(*path)));
        return;
    }
    // Parents are created as needed, like mkdir -p; none of them can be a link (checked above).
    QString parent = m_home;
    for (const QString& component : *path) {
        parent += QLatin1Char('/') + component;
        const QFileInfo info(parent);
        if (info.exists() && !info.isDir()) {
            fail(id, QLatin1String(FileProtocol::Exists),
                 QStringLiteral("%1 is a file, not a folder").arg(component));
            return;
        }
    }
    if (!QDir().mkpath(target)) {
        fail(id, QLatin1String(FileProtocol::Io), QStringLiteral("Cannot create %1").arg(FilePaths::toVirtual(*path)));
        return;
    }
    log(QStringLiteral("mkdir"), *path);
    reply(FileProtocol::makeResult(id));
}

void FileService::rmdir(qint64 id, const QCborMap& request)
{
    const auto path = resolve(id, request.value(QLatin1String("path")).toString());
    if (!path) {
        return;
    }
    if (path->isEmpty()) {
        fail(id, QLatin1String(FileProtocol::Permission), QStringLiteral("Your home folder itself cannot be removed"));
        return;
    }
    QDir dir(host(*path));
    const QFileInfo info(dir.path());
    if (!info.isDir()) {
        fail(id, QLatin1String(info.exists() ? FileProtocol::BadPath : FileProtocol::NotFound),
             info.exists() ? QStringLiteral("%1 is a file: use rm").arg(FilePaths::toVirtual(*path))
                           : QStringLiteral("%1 does not exist").arg(FilePaths::toVirtual(*path)));
        return;
    }
    const bool recursive = request.value(QLatin1String("recursive")).toBool();
    const bool empty = dir.isEmpty(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    if (!empty && !recursive) {
        fail(id, QLatin1String(FileProtocol::NotEmpty),
             QStringLiteral("%1 is not empty; remove its contents first, or ask for a recursive removal")
                 .arg(FilePaths::toVirtual(*path)));
        return;
    }
    // removeRecursively() deletes links themselves, never what they point to.
    const bool ok = recursive ? dir.removeRecursively() : QDir().rmdir(dir.path());
    if (!ok) {
        fail(id, QLatin1String(FileProtocol::Io), QStringLiteral("Cannot remove %1").arg(FilePaths::toVirtual(*path)));
        return;
    }
    log(recursive ? QStringLiteral("rmdir -r") : QStringLiteral("rmdir"), *path);
    reply(FileProtocol::makeResult(id));
}

void FileService::rm(qint64 id, const QCborMap& request)
{
    const auto path = resolve(id, request.value(QLatin1String("path")).toString());
    if (!path) {
        return;
    }
    const QFileInfo info(host(*path));
    if (info.isDir()) {
        fail(id, QLatin1String(FileProtocol::BadPath), QStringLiteral("%1 is a folder: use rmdir").arg(FilePaths::toVirtual(*path)));
        return;
    }
    if (!info.exists()) {
        fail(id, QLatin1String(FileProtocol::NotFound), QStringLiteral("%1 does not exist").arg(FilePaths::toVirtual(*path)));
        return;
    }
    QFile file(info.filePath());
    if (!file.remove()) {
        fail(id, ioCode(file), QStringLiteral("Cannot remove %1: %2").arg(FilePaths::toVirtual(*path), file.errorString()));
        return;
    }
    log(QStringLiteral("rm"), *path);
    reply(FileProtocol::makeResult(id));
}

void FileService::rename(qint64 id, const QCborMap& request)
{
    const auto from = resolve(id, request.value(QLatin1String("from")).toString());
    if (!from) {
        return;
    }
    auto to = resolve(id, request.value(QLatin1String("to")).toString());
    if (!to) {
        return;
    }
    if (from->isEmpty()) {
        fail(id, QLatin1String(FileProtocol::Permission), QStringLiteral("Your home folder itself cannot be moved"));
        return;
    }
    if (!QFileInfo::exists(host(*from))) {
        fail(id, QLatin1String(FileProtocol::NotFound), QStringLiteral("%1 does not exist").arg(FilePaths::toVirtual(*from)));
        return;
    }
    // Into an existing folder, like mv.
    if (QFileInfo(host(*to)).isDir()) {
        to->append(from->last());
        if (FilePaths::crossesSymlink(m_home, *to)) {
            fail(id, QLatin1String(FileProtocol::BadPath), QStringLiteral("The target goes through a symbolic link"));
            return;
        }
    }
    if (to->mid(0, from->size()) == *from) {
        fail(id, QLatin1String(FileProtocol::BadPath),
             QStringLiteral("%1 cannot be moved into itself").arg(FilePaths::toVirtual(*from)));
        return;
    }
    if (QFileInfo::exists(host(*to)) || QFileInfo(host(*to)).isSymLink()) {
        fail(id, QLatin1String(FileProtocol::Exists), QStringLiteral("%1 already exists").arg(FilePaths::toVirtual(*to)));
        return;
    }
    if (!QFileInfo(host(to->mid(0, to->size() - 1))).isDir()) {
        fail(id, QLatin1String(FileProtocol::NotFound),
             QStringLiteral("The folder %1 does not exist").arg(FilePaths::toVirtual(to->mid(0, to->size() - 1))));
        return;
    }
    if (::rename(QFile::encodeName(host(*from)).constData(), QFile::encodeName(host(*to)).constData()) != 0) {
        fail(id, errno == EACCES ? QLatin1String(FileProtocol::Permission) : QLatin1String(FileProtocol::Io),
             QStringLiteral("Cannot move %1: %2").arg(FilePaths::toVirtual(*from), QString::fromLocal8Bit(strerror(errno))));
        return;
    }
    log(QStringLiteral("rename"), *from, QStringLiteral("-> %1").arg(FilePaths::toVirtual(*to)));
    reply(FileProtocol::makeResult(id));
}

void FileService::stat(qint64 id, const QCborMap& request)
{
    const auto path = resolve(id, request.value(QLatin1String("path")).toString());
    if (!path) {
        return;
    }
    const QFileInfo info(host(*path));
    if (!info.exists()) {
        fail(id, QLatin1String(FileProtocol::NotFound), QStringLiteral("%1 does not exist").arg(FilePaths::toVirtual(*path)));
        return;
    }
    log(QStringLiteral("stat"), *path);
    QCborMap result = FileProtocol::makeResult(id);
    result.insert(QStringLiteral("path"), FilePaths::toVirtual(*path));
    result.insert(QStringLiteral("entry"), entryFor(info, path->isEmpty() ? QStringLiteral("~") : path->last()).toCbor());
    reply(result);
}

void FileService::cat(qint64 id, const QCborMap& request)
{
    const auto path = resolve(id, request.value(QLatin1String("path")).toString());
    if (!path) {
        return;
    }
    const qint64 max = qBound<qint64>(0, Protocol::integer(request.value(QLatin1String("max")), FileProtocol::DefaultCatBytes),
                                      FileProtocol::MaxCatBytes);
    QFile file(host(*path));
    if (QFileInfo(file.fileName()).isDir()) {
        fail(id, QLatin1String(FileProtocol::BadPath), QStringLiteral("%1 is a folder").arg(FilePaths::toVirtual(*path)));
        return;
    }
    if (!file.exists()) {
        fail(id, QLatin1String(FileProtocol::NotFound), QStringLiteral("%1 does not exist").arg(FilePaths::toVirtual(*path)));
        return;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        fail(id, ioCode(file), QStringLiteral("Cannot read %1: %2").arg(FilePaths::toVirtual(*path), file.errorString()));
        return;
    }
    log(QStringLiteral("cat"), *path);
    QCborMap result = FileProtocol::makeResult(id);
    result.insert(QStringLiteral("size"), file.size());
    result.insert(QStringLiteral("data"), file.read(max));
    reply(result);
}

void FileService::put(qint64 id, const QCborMap& request)
{
    if (m_upload || m_download) {
        fail(id, QLatin1String(FileProtocol::BadRequest), QStringLiteral("A transfer is already running on this session"));
        return;
    }
    const auto path = resolve(id, request.value(QLatin1String("path")).toString());
    if (!path) {
        return;
    }
    const qint64 size = Protocol::integer(request.value(QLatin1String("size")), -1);
    const qint64 offset = Protocol::integer(request.value(QLatin1String("offset")), 0);
    if (path->isEmpty() || size < 0 || offset < 0 || offset > size) {
        fail(id, QLatin1String(FileProtocol::BadRequest), QStringLiteral("put needs a file path, a size and an offset "
                                                                         "between 0 and the size"));
        return;
    }
    const QString target = host(*path);
    const QString virtualPath = FilePaths::toVirtual(*path);
    if (QFileInfo(target).isDir()) {
        fail(id, QLatin1String(FileProtocol::Exists), QStringLiteral("%1 is a folder").arg(virtualPath));
        return;
    }
    if (!QFileInfo(host(path->mid(0, path->size() - 1))).isDir()) {
        fail(id, QLatin1String(FileProtocol::NotFound),
             QStringLiteral("The folder %1 does not exist").arg(FilePaths::toVirtual(path->mid(0, path->size() - 1))));
        return;
    }
    const QString partPath = target + QStringLiteral(".part");
    if (QFileInfo(partPath).isSymLink() || QFileInfo(partPath).isDir()) {
        fail(id, QLatin1String(FileProtocol::BadPath), QStringLiteral("%1.part is not a regular file").arg(virtualPath));
        return;
    }
    if (!m_area->beginUpload(target)) {
        fail(id, QLatin1String(FileProtocol::Busy),
             QStringLiteral("Another upload to %1 is in progress; try again when it has finished").arg(virtualPath));
        return;
    }
    auto upload = std::make_unique<Upload>();
    upload->id = id;
    upload->path = *path;
    upload->target = target;
    upload->size = size;
    upload->mtime = Protocol::integer(request.value(QLatin1String("mtime")), -1);
    upload->part.setFileName(partPath);
    const auto openMode = offset > 0 ? QIODevice::ReadWrite : QIODevice::ReadWrite | QIODevice::Truncate;
    if (offset > 0 && (!upload->part.exists() || QFileInfo(partPath).size() < offset)) {
        m_area->endUpload(target);
        fail(id, QLatin1String(FileProtocol::Mismatch),
             QStringLiteral("There is no partial upload of %1 bytes of %2 to resume").arg(offset).arg(virtualPath));
        return;
    }
    if (!upload->part.open(openMode)) {
        m_area->endUpload(target);
        fail(id, ioCode(upload->part), QStringLiteral("Cannot write %1: %2").arg(virtualPath, upload->part.errorString()));
        return;
    }
    if (offset > 0) {
        Sha256 prefix;
        if (!hashPrefix(upload->part, offset, prefix)
            || prefix.result() != request.value(QLatin1String("prefix_sha256")).toByteArray()) {
            upload->part.close();
            m_area->endUpload(target);
            fail(id, QLatin1String(FileProtocol::Mismatch),
                 QStringLiteral("The partial upload of %1 on the server differs from your file; upload it again from "
                                "the start")
                     .arg(virtualPath));
            return;
        }
        upload->hash = prefix;
        upload->part.resize(offset);
        upload->part.seek(offset);
    }
    // The .part already holds offset bytes of this upload, and only the rest needs quota.
    qint64 available = 0;
    if (!m_area->reserve(m_home, size - offset, &available)) {
        upload->part.close();
        if (offset == 0) {
            upload->part.remove();
        }
        m_area->endUpload(target);
        fail(id, QLatin1String(FileProtocol::Quota),
             QStringLiteral("%1 needs %2 more bytes, but only %3 bytes of your quota of %4 bytes are free; remove "
                            "some files first")
                 .arg(virtualPath)
                 .arg(size - offset)
                 .arg(available)
                 .arg(m_area->quota()));
        return;
    }
    upload->reserved = size - offset;
    upload->received = offset;
    m_upload = std::move(upload);
    log(QStringLiteral("put"), *path, QStringLiteral("%1 bytes from offset %2").arg(size).arg(offset));
    QCborMap result = FileProtocol::makeResult(id);
    result.insert(QStringLiteral("offset"), offset);
    reply(result);
}

void FileService::putData(const QByteArray& data)
{
    if (!m_upload) {
        fail(-1, QLatin1String(FileProtocol::BadRequest), QStringLiteral("File data without a put"));
        return;
    }
    if (data.isNull() || m_upload->received + data.size() > m_upload->size) {
        const qint64 id = m_upload->id;
        abortUpload(true);
        fail(id, QLatin1String(FileProtocol::BadRequest), QStringLiteral("More data than the size given in put"));
        return;
    }
    if (m_upload->part.write(data) != data.size()) {
        const qint64 id = m_upload->id;
        const QString error = m_upload->part.errorString();
        const QString code = ioCode(m_upload->part);
        log(QStringLiteral("put failed"), m_upload->path, error);
        abortUpload(true); // e.g. disk full: nothing half-written stays behind
        fail(id, code, QStringLiteral("The server could not store the file: %1").arg(error));
        return;
    }
    m_upload->hash.addData(data);
    m_upload->received += data.size();
}

void FileService::putEnd(const QCborMap& request)
{
    if (!m_upload) {
        fail(-1, QLatin1String(FileProtocol::BadRequest), QStringLiteral("end without a put"));
        return;
    }
    const qint64 id = m_upload->id;
    const QString virtualPath = FilePaths::toVirtual(m_upload->path);
    if (m_upload->received != m_upload->size) {
        const QString message = QStringLiteral("The upload of %1 ended after %2 of %3 bytes")
                                    .arg(virtualPath)
                                    .arg(m_upload->received)
                                    .arg(m_upload->size);
        abortUpload(false);
        fail(id, QLatin1String(FileProtocol::BadRequest), message);
        return;
    }
    const QByteArray digest = m_upload->hash.result();
    if (digest != request.value(QLatin1String("sha256")).toByteArray()) {
        log(QStringLiteral("put failed"), m_upload->path, QStringLiteral("checksum mismatch"));
        abortUpload(true);
        fail(id, QLatin1String(FileProtocol::Io),
             QStringLiteral("The SHA-256 of what arrived differs from yours; %1 was not stored. Upload it again.")
                 .arg(virtualPath));
        return;
    }
    if (QFileInfo(m_upload->target).isDir()) {
        abortUpload(true);
        fail(id, QLatin1String(FileProtocol::Exists), QStringLiteral("%1 became a folder meanwhile").arg(virtualPath));
        return;
    }
    QString error;
    if (!syncAndRename(m_upload->part, m_upload->target, &error)) {
        abortUpload(true);
        fail(id, QLatin1String(FileProtocol::Io), QStringLiteral("%1: %2").arg(virtualPath, error));
        return;
    }
    if (m_upload->mtime >= 0) {
        QFile file(m_upload->target);
        if (file.open(QIODevice::ReadWrite)) {
            file.setFileTime(QDateTime::fromMSecsSinceEpoch(m_upload->mtime, Qt::UTC), QFileDevice::FileModificationTime);
        }
    }
    log(QStringLiteral("put done"), m_upload->path, QStringLiteral("%1 bytes").arg(m_upload->size));
    QCborMap result = FileProtocol::makeResult(id);
    result.insert(QStringLiteral("path"), virtualPath);
    result.insert(QStringLiteral("size"), m_upload->size);
    result.insert(QStringLiteral("sha256"), digest);
    m_area->release(m_home, m_upload->reserved);
    m_area->endUpload(m_upload->target);
    m_upload.reset();
    reply(result);
}

void FileService::abortUpload(bool removePart)
{
    if (!m_upload) {
        return;
    }
    m_upload->part.close();
    if (removePart) {
        m_upload->part.remove();
    }
    m_area->release(m_home, m_upload->reserved);
    m_area->endUpload(m_upload->target);
    m_upload.reset();
}

void FileService::get(qint64 id, const QCborMap& request)
{
    if (m_upload || m_download) {
        fail(id, QLatin1String(FileProtocol::BadRequest), QStringLiteral("A transfer is already running on this session"));
        return;
    }
    const auto path = resolve(id, request.value(QLatin1String("path")).toString());
    if (!path) {
        return;
    }
    const QString virtualPath = FilePaths::toVirtual(*path);
    const QFileInfo info(host(*path));
    if (info.isDir()) {
        fail(id, QLatin1String(FileProtocol::BadPath), QStringLiteral("%1 is a folder").arg(virtualPath));
        return;
    }
    auto download = std::make_unique<Download>();
    download->id = id;
    download->file.setFileName(info.filePath());
    if (!info.exists()) {
        fail(id, QLatin1String(FileProtocol::NotFound), QStringLiteral("%1 does not exist").arg(virtualPath));
        return;
    }
    if (!download->file.open(QIODevice::ReadOnly)) {
        fail(id, ioCode(download->file), QStringLiteral("Cannot read %1: %2").arg(virtualPath, download->file.errorString()));
        return;
    }
    download->size = download->file.size();
    const qint64 offset = Protocol::integer(request.value(QLatin1String("offset")), 0);
    if (offset < 0 || offset > download->size) {
        fail(id, QLatin1String(FileProtocol::Mismatch),
             QStringLiteral("%1 has %2 bytes; cannot resume at %3").arg(virtualPath).arg(download->size).arg(offset));
        return;
    }
    if (offset > 0) {
        Sha256 prefix;
        if (!hashPrefix(download->file, offset, prefix)
            || prefix.result() != request.value(QLatin1String("prefix_sha256")).toByteArray()) {
            fail(id, QLatin1String(FileProtocol::Mismatch),
                 QStringLiteral("Your partial copy of %1 differs from the file on the server; download it again from "
                                "the start")
                     .arg(virtualPath));
            return;
        }
        download->hash = prefix;
    }
    download->file.seek(offset);
    download->sent = offset;
    log(QStringLiteral("get"), *path, QStringLiteral("%1 bytes from offset %2").arg(download->size).arg(offset));
    QCborMap result = FileProtocol::makeResult(id);
    result.insert(QStringLiteral("size"), download->size);
    result.insert(QStringLiteral("offset"), offset);
    result.insert(QStringLiteral("mtime"), info.lastModified().toMSecsSinceEpoch());
    reply(result);
    m_download = std::move(download);
    pumpDownload();
}

void FileService::pumpDownload()
{
    EncryptedTcpSocket* socket = m_session->socket;
    if (!m_download || !socket) {
        return;
    }
    QByteArray buffer(FileProtocol::ChunkSize, Qt::Uninitialized);
    while (socket->isReady() && socket->bytesToWrite() < SendHighWater) {
        const qint64 n = m_download->file.read(buffer.data(), FileProtocol::ChunkSize);
        if (n < 0) {
            const qint64 id = m_download->id;
            const QString error = m_download->file.errorString();
            m_download.reset();
            fail(id, QLatin1String(FileProtocol::Io), QStringLiteral("Reading the file failed: %1").arg(error));
            return;
        }
        if (n == 0) {
            // The hash covers what was sent, so a file that changed meanwhile fails the client's check.
            QCborMap end {{QStringLiteral("type"), QStringLiteral("end")},
                          {QStringLiteral("id"), m_download->id},
                          {QStringLiteral("size"), m_download->sent},
                          {QStringLiteral("sha256"), m_download->hash.result()}};
            m_download.reset();
            reply(end);
            return;
        }
        m_download->hash.addData(buffer.constData(), n);
        m_download->sent += n;
        socket->sendMessage(FileProtocol::encodeData(buffer.constData(), n));
    }
}

} // namespace QuietWire
