#include "FileService.h"

#include "EncryptedTcpSocket.h"
#include "FileArea.h"
#include "FileIo.h"
#include "FilePaths.h"
#include "Logging.h"
#include "Protocol.h"
#include "Session.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace QuietWire {

namespace {

/// The error a refused check gives: quota, or unavailable when the shared bookkeeping of several
/// nodes cannot be reached.
ErrorCode quotaCode(FileArea::Refusal refusal)
{
    return refusal == FileArea::Refusal::Unavailable ? ErrorCode::Unavailable : ErrorCode::Quota;
}

/// The refusal of an upload that may not replace a file when its name was taken while it ran.
QString takenMeanwhile(const QString& shown)
{
    return QStringLiteral("%1 appeared while the upload ran and this upload may not replace it; upload it under "
                          "another name")
        .arg(shown);
}

qint64 mtimeMs(const struct stat& st)
{
    return qint64(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

FileProtocol::Entry entryFor(const struct stat& st, const QString& name)
{
    FileProtocol::Entry entry;
    entry.name = name;
    if (S_ISDIR(st.st_mode)) {
        entry.type = FileProtocol::Entry::Type::Directory;
    } else if (S_ISREG(st.st_mode)) {
        entry.type = FileProtocol::Entry::Type::File;
        entry.size = st.st_size;
    } else {
        entry.type = FileProtocol::Entry::Type::Other; // links are never followed
    }
    entry.modified = QDateTime::fromMSecsSinceEpoch(mtimeMs(st), Qt::UTC);
    return entry;
}

QString errnoText()
{
    return QString::fromLocal8Bit(strerror(errno));
}

} // namespace

struct FileService::Upload
{
    qint64 id = 0;
    QStringList path;
    FileArea::UploadLease lease; // the claim on the target and the bytes reserved for what is to come
    FileDescriptor parent;
    QString name;
    FileDescriptor staging;
    QString partName;
    QFile part;
    Sha256 hash;
    qint64 size = 0;
    qint64 received = 0; // including the resumed offset
    qint64 partAccounted = 0; // what the partial file counts in the usage now
    std::optional<qint64> mtime;
    bool replace = true; // false: the name must still be free when the upload ends
    QString home; // the host path of the folder area it goes into
    FilePaths::Location where; // that area, as the client names it
    Conversation conversation; // a shared folder's (id 0 in the home)
};

struct FileService::Download
{
    qint64 id = 0;
    qint64 conversation = 0; // a shared folder's (0 in the home)
    QString shown;
    QFile file;
    Sha256 hash;
    qint64 size = 0;
    qint64 sent = 0;
};

FileService::FileService(Session* session, FileArea* area, const QString& home, FolderAccess access, QObject* parent)
    : QObject(parent)
    , m_session(session)
    , m_area(area)
    , m_access(std::move(access))
    , m_homePath(home)
    , m_homeFolder(home)
    , m_home(home)
{
    if (!m_homeFolder.isOpen()) {
        qCWarning(lcFiles).noquote() << "cannot open the home folder" << home << "-" << errnoText();
    }
    // Measured before this session changes anything (once per home and server run): from then on
    // every change is added to the count as it happens.
    m_area->usage(m_homePath);
    if (EncryptedTcpSocket* socket = session->socket) {
        connect(socket, &EncryptedTcpSocket::bytesWritten, this, &FileService::pumpDownload);
    }
}

FileService::~FileService()
{
    // A cut connection keeps the partial upload, so it can resume.
    abortUpload(false);
}

void FileService::reply(const QCborMap& message)
{
    EncryptedTcpSocket* socket = m_session->socket;
    if (!socket) {
        return;
    }
    const QByteArray encoded = Protocol::encode(message);
    if (socket->sendMessage(encoded)) {
        return;
    }
    // Never silence: a request always gets its one answer, or the log says why it could not.
    const qint64 id = FileProtocol::replyId(message);
    qCWarning(lcFiles).noquote() << Logging::escaped(m_session->name, 60) << m_session->address.toString()
                                 << "could not answer request" << id << "(" << encoded.size()
                                 << "bytes):" << socket->errorString();
    if (encoded.size() > Protocol::MaxPayload) {
        socket->sendMessage(Protocol::encode(FileProtocol::Failed { id, ErrorCode::Io,
            QStringLiteral("The answer was too large to send (%1 bytes); this is a server "
                           "bug, please tell the administrator")
                .arg(encoded.size()) }
                                                 .toCbor()));
    }
}

void FileService::fail(qint64 id, ErrorCode code, const QString& message)
{
    reply(FileProtocol::Failed { id, code, message }.toCbor());
}

std::optional<FilePaths::Location> FileService::resolve(qint64 id, const QString& path)
{
    QString error;
    auto location = FilePaths::resolve(m_cwd, path, &error);
    if (!location) {
        qCInfo(lcFiles).noquote() << Logging::escaped(m_session->name, 60) << m_session->address.toString()
                                  << "refused path" << Logging::escaped(path, 200) << "-"
                                  << Logging::escaped(error, 300);
        fail(id, ErrorCode::BadPath, error);
        return std::nullopt;
    }
    return location;
}

bool FileService::enter(qint64 id, const FilePaths::Location& where, const FolderGrant* grant)
{
    m_where = FilePaths::Location { where.area, where.folder, {} };
    if (!grant) {
        m_home = m_homePath;
        m_folder = &m_homeFolder;
        m_conversation = Conversation();
        if (!m_homeFolder.isOpen()) {
            fail(id, ErrorCode::Io, QStringLiteral("The server cannot open your home folder; tell the administrator"));
            return false;
        }
        return true;
    }
    if (grant->code != ErrorCode::None) {
        qCInfo(lcFiles).noquote() << Logging::escaped(m_session->name, 60) << m_session->address.toString() << "refused"
                                  << Logging::escaped(FilePaths::areaRoot(where), 300) << "-"
                                  << Logging::escaped(grant->message, 300);
        fail(id, grant->code, grant->message);
        return false;
    }
    QString error;
    const QString host = m_area->sharedFolder(grant->conversation.id, &error);
    m_sharedFolder = HomeFolder(host);
    if (host.isEmpty() || !m_sharedFolder.isOpen()) {
        qCWarning(lcFiles).noquote() << "cannot open the shared folder" << host << "-" << error << errnoText();
        fail(id, ErrorCode::Io,
            QStringLiteral("The server cannot open the folder %1; tell the administrator")
                .arg(FilePaths::areaRoot(where)));
        return false;
    }
    m_home = host;
    m_folder = &m_sharedFolder;
    m_conversation = grant->conversation;
    m_area->usage(m_home); // measured once, before the first change
    return true;
}

void FileService::leave()
{
    m_where = FilePaths::Location::inHome();
    m_home = m_homePath;
    m_folder = &m_homeFolder;
    m_conversation = Conversation();
    m_sharedFolder = HomeFolder(); // closes it
}

QString FileService::virtualPath(const QStringList& components) const
{
    return FilePaths::toVirtual(FilePaths::Location { m_where.area, m_where.folder, components });
}

QString FileService::uploadShown() const
{
    return FilePaths::toVirtual(FilePaths::Location { m_upload->where.area, m_upload->where.folder, m_upload->path });
}

void FileService::tellConversation(const Conversation& conversation, const QString& text) const
{
    if (conversation.id != 0 && m_access.notice) {
        m_access.notice(conversation, m_session->name, m_session->fingerprint, text);
    }
}

void FileService::conversationChanged(qint64 id, const QStringList& members, bool deleted)
{
    const bool stillMember = !deleted && members.contains(m_session->name);
    if (stillMember) {
        return;
    }
    const QString why = deleted ? QStringLiteral("the conversation was deleted")
                                : QStringLiteral("you are no longer a member of the conversation");
    if (m_upload && m_upload->conversation.id == id) {
        const qint64 requestId = m_upload->id;
        const QString shown = uploadShown();
        log(QStringLiteral("put stopped"), uploadShown(), why);
        abortUpload(true);
        fail(requestId, ErrorCode::Permission, QStringLiteral("The upload of %1 stopped: %2").arg(shown, why));
    }
    if (m_download && m_download->conversation == id) {
        const qint64 requestId = m_download->id;
        const QString shown = m_download->shown;
        m_download.reset();
        qCInfo(lcFiles).noquote() << Logging::escaped(m_session->name, 60) << m_session->address.toString()
                                  << "get stopped" << Logging::escaped(shown, 300) << "-" << why;
        fail(requestId, ErrorCode::Permission, QStringLiteral("The download of %1 stopped: %2").arg(shown, why));
    }
}

void FileService::failOn(qint64 id, HomeFolder::Error error, const QStringList& path, const QString& action)
{
    const QString shown = virtualPath(path);
    switch (error) {
    case HomeFolder::Error::None:
        return;
    case HomeFolder::Error::NotFound:
    case HomeFolder::Error::NotFolder:
        fail(id, ErrorCode::NotFound, QStringLiteral("%1 does not exist").arg(shown));
        return;
    case HomeFolder::Error::Link:
        qCInfo(lcFiles).noquote() << Logging::escaped(m_session->name, 60) << m_session->address.toString()
                                  << "refused path" << Logging::escaped(shown, 300) << "- crosses a symbolic link";
        fail(id, ErrorCode::BadPath,
            QStringLiteral("%1 goes through a symbolic link; links are not followed").arg(shown));
        return;
    case HomeFolder::Error::Exists:
        fail(id, ErrorCode::Exists, QStringLiteral("%1 already exists").arg(shown));
        return;
    case HomeFolder::Error::NotEmpty:
        fail(id, ErrorCode::NotEmpty,
            QStringLiteral("%1 is not empty; remove its contents first, or ask for a recursive removal").arg(shown));
        return;
    case HomeFolder::Error::Permission:
        fail(id, ErrorCode::Permission,
            QStringLiteral("The server may not %1 %2")
                .arg(action.isEmpty() ? QStringLiteral("access") : action, shown));
        return;
    case HomeFolder::Error::Io:
        break;
    }
    fail(id, ErrorCode::Io,
        QStringLiteral("Cannot %1 %2: %3")
            .arg(action.isEmpty() ? QStringLiteral("access") : action, shown, errnoText()));
}

std::optional<FileService::Located> FileService::locate(qint64 id, const QStringList& path)
{
    Located located;
    located.path = path;
    located.name = path.last();
    HomeFolder::Error error = HomeFolder::Error::None;
    located.parent = m_folder->openFolder(path.mid(0, path.size() - 1), &error);
    if (error != HomeFolder::Error::None) {
        if (error == HomeFolder::Error::NotFound || error == HomeFolder::Error::NotFolder) {
            fail(id, ErrorCode::NotFound,
                QStringLiteral("The folder %1 does not exist").arg(virtualPath(path.mid(0, path.size() - 1))));
        } else {
            failOn(id, error, path.mid(0, path.size() - 1));
        }
        return std::nullopt;
    }
    error = HomeFolder::lookup(located.parent.get(), located.name, &located.st);
    if (error != HomeFolder::Error::None && error != HomeFolder::Error::NotFound) {
        failOn(id, error, path);
        return std::nullopt;
    }
    located.exists = error == HomeFolder::Error::None;
    return located;
}

std::optional<FileService::Located> FileService::locateExisting(qint64 id, const QStringList& path)
{
    auto located = locate(id, path);
    if (!located) {
        return std::nullopt;
    }
    if (!located->exists) {
        fail(id, ErrorCode::NotFound, QStringLiteral("%1 does not exist").arg(virtualPath(path)));
        return std::nullopt;
    }
    if (S_ISLNK(located->st.st_mode)) {
        failOn(id, HomeFolder::Error::Link, path);
        return std::nullopt;
    }
    return located;
}

void FileService::log(const QString& op, const QString& shown, const QString& extra) const
{
    // Paths and names come from the client: escaped, so they cannot forge or break log lines.
    qCInfo(lcFiles).noquote() << Logging::escaped(m_session->name, 60) << m_session->address.toString() << op
                              << Logging::escaped(shown, 300) << Logging::escaped(extra, 400);
}

qint64 FileService::folderBytes(int fd)
{
    struct stat st;
    return ::fstat(fd, &st) == 0 ? qint64(st.st_blocks) * 512 : 0;
}

void FileService::accountFolder(const QString& home, int fd, qint64 before)
{
    const qint64 delta = folderBytes(fd) - before;
    if (delta != 0) {
        m_area->adjust(home, delta, 0);
    }
}

QString FileService::stagingName(const QStringList& path) const
{
    // One partial file per target path; components never contain '/', so the join is unambiguous.
    return QString::fromLatin1(Sha256::hash(path.join(QLatin1Char('/')).toUtf8()).toHex()) + QStringLiteral(".part");
}

FileDescriptor FileService::openStaging(HomeFolder::Error* error)
{
    const QString name = QLatin1String(StagingFolder);
    FileDescriptor fd = HomeFolder::openFile(m_folder->fd(), name, O_RDONLY | O_DIRECTORY, error);
    if (*error != HomeFolder::Error::NotFound) {
        return fd;
    }
    const qint64 before = folderBytes(m_folder->fd());
    if ((*error = HomeFolder::makeFolder(m_folder->fd(), name)) != HomeFolder::Error::None) {
        return {};
    }
    fd = HomeFolder::openFile(m_folder->fd(), name, O_RDONLY | O_DIRECTORY, error);
    struct stat st;
    if (fd.isValid() && ::fstat(fd.get(), &st) == 0) {
        m_area->adjust(m_home, FileArea::cost(st), 1);
    }
    accountFolder(m_home, m_folder->fd(), before);
    return fd;
}

namespace {
// The texts of a request's path fields, in the order the server checks them.
QStringList pathTexts(const FileProtocol::PwdRequest&)
{
    return {};
}

QStringList pathTexts(const FileProtocol::RenameRequest& request)
{
    return { request.from, request.to };
}

template <typename Request>
QStringList pathTexts(const Request& request)
{
    return { request.path };
}
} // namespace

template <typename Request, void (FileService::*Handle)(const Request&, const FileService::Paths&)>
void FileService::run(const QCborMap& message, qint64 id)
{
    // docs/PROTOCOL.md's order: the path fields' types, then the paths, then the other fields,
    // then (in a shared folder) the store's check of membership.
    const Protocol::Decoded<Request> request = Request::decode(message);
    if (!request.ok() && FileProtocol::isPathField(request.error->field)) {
        fail(id, ErrorCode::BadRequest, request.error->message);
        return;
    }
    Paths paths; // pwd names no path: it is served in the home
    const QStringList texts = pathTexts(request.value);
    QList<FilePaths::Location> resolved;
    for (const QString& text : texts) {
        auto location = resolve(id, text);
        if (!location) {
            return;
        }
        resolved.append(std::move(*location));
    }
    if (!resolved.isEmpty()) {
        paths.where = resolved.first();
        paths.path = resolved.first().components;
    }
    if (resolved.size() == 2) {
        const FilePaths::Location& to = resolved.at(1);
        if (to.isVirtual() && !paths.where.isVirtual()) {
            fail(id, ErrorCode::Permission,
                QStringLiteral("%1 is a list of shared folders; nothing can be put there")
                    .arg(FilePaths::toVirtual(to)));
            return;
        }
        if (!to.sameArea(paths.where) && !paths.where.isVirtual()) {
            fail(id, ErrorCode::BadPath,
                QStringLiteral("%1 and %2 are in different folders (%3, %4); rename moves within one, use get and put "
                               "to copy between them")
                    .arg(FilePaths::toVirtual(paths.where), FilePaths::toVirtual(to), FilePaths::areaRoot(paths.where),
                        FilePaths::areaRoot(to)));
            return;
        }
        paths.to = to.components;
    }
    if (!request.ok()) {
        fail(id, ErrorCode::BadRequest, request.error->message);
        return;
    }
    paths.where.components.clear();
    const bool listsShared = paths.where.area == FilePaths::Location::Area::Rooms
        || paths.where.area == FilePaths::Location::Area::Directs;
    if (!paths.where.isShared() && !(listsShared && std::is_same_v<Request, FileProtocol::LsRequest>)) {
        if (paths.where.isVirtual()) {
            serveVirtual(request.value, paths);
        } else if (enter(id, paths.where, nullptr)) {
            (this->*Handle)(request.value, paths);
        }
        return;
    }
    // A shared folder (or the list of them): the store decides, after whatever it was told before.
    // Until it answers, this session's messages wait (handle()), so they are served in order.
    m_checking = true;
    m_access.check(
        m_session->name, paths.where, this, [this, value = request.value, paths, id](const FolderGrant& grant) {
            m_checking = false;
            if (paths.where.isVirtual()) {
                if constexpr (std::is_same_v<Request, FileProtocol::LsRequest>) {
                    listVirtual(id, paths.where, value.start, grant);
                }
            } else if (enter(id, paths.where, &grant)) {
                (this->*Handle)(value, paths);
            }
            leave();
            drain();
        });
}

template <typename Request>
void FileService::serveVirtual(const Request& request, const Paths& paths)
{
    const qint64 id = request.id;
    m_where = paths.where;
    m_conversation = Conversation();
    const QString shown = FilePaths::toVirtual(paths.where);
    if constexpr (std::is_same_v<Request, FileProtocol::CdRequest>) {
        m_cwd = paths.where;
        log(QStringLiteral("cd"), virtualPath({}));
        reply(FileProtocol::CwdResult { id, shown }.toCbor());
    } else if constexpr (std::is_same_v<Request, FileProtocol::LsRequest>) {
        // "/" (the lists of rooms and of direct conversations come from the store: listVirtual).
        listVirtual(id, paths.where, request.start, FolderGrant());
    } else if constexpr (std::is_same_v<Request, FileProtocol::StatRequest>) {
        FileProtocol::Entry entry;
        entry.name = shown;
        entry.type = FileProtocol::Entry::Type::Directory;
        entry.modified = QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
        reply(FileProtocol::StatResult { id, shown, entry }.toCbor());
    } else if constexpr (
        std::is_same_v<Request,
            FileProtocol::
                CatRequest> || std::is_same_v<Request, FileProtocol::GetRequest> || std::is_same_v<Request, FileProtocol::PartialRequest>) {
        fail(id, ErrorCode::BadPath, QStringLiteral("%1 is a folder").arg(shown));
    } else {
        fail(id, ErrorCode::Permission,
            QStringLiteral("%1 is the server's list of shared folders and cannot be changed; work in /rooms/NAME, "
                           "/direct/NAME or ~")
                .arg(shown));
    }
}

void FileService::listVirtual(qint64 id, const FilePaths::Location& where, qint64 start, const FolderGrant& grant)
{
    if (grant.code != ErrorCode::None) {
        fail(id, grant.code, grant.message);
        return;
    }
    QList<std::pair<QString, qint64>> folders = grant.folders;
    if (where.area == FilePaths::Location::Area::Root) {
        folders = { { QStringLiteral("direct"), 0 }, { QStringLiteral("rooms"), 0 } };
    }
    std::sort(folders.begin(), folders.end());
    FileProtocol::LsResult page { id, FilePaths::toVirtual(where), {}, std::nullopt };
    const qint64 budget = page.entriesBudget();
    qint64 used = 0;
    qsizetype index = qMin<qint64>(start, folders.size());
    for (; index < folders.size(); ++index) {
        FileProtocol::Entry entry;
        entry.name = folders.at(index).first;
        entry.type = FileProtocol::Entry::Type::Directory;
        entry.modified = QDateTime::fromMSecsSinceEpoch(folders.at(index).second, Qt::UTC);
        const qint64 size = FileProtocol::LsResult::encodedSize(entry);
        if (used + size > budget) {
            break;
        }
        page.entries.append(std::move(entry));
        used += size;
    }
    if (index < folders.size()) {
        page.next = index;
    }
    reply(page.toCbor());
}

void FileService::drain()
{
    while (!m_checking && !m_waiting.isEmpty()) {
        serve(m_waiting.takeFirst());
    }
}

const FileService::Handler FileService::Handlers[] = {
    { FileProtocol::RequestType::End, &FileService::putEnd },
    { FileProtocol::RequestType::Pwd, &FileService::run<FileProtocol::PwdRequest, &FileService::pwd> },
    { FileProtocol::RequestType::Cd, &FileService::run<FileProtocol::CdRequest, &FileService::cd> },
    { FileProtocol::RequestType::Ls, &FileService::run<FileProtocol::LsRequest, &FileService::ls> },
    { FileProtocol::RequestType::Mkdir, &FileService::run<FileProtocol::MkdirRequest, &FileService::mkdir> },
    { FileProtocol::RequestType::Rmdir, &FileService::run<FileProtocol::RmdirRequest, &FileService::rmdir> },
    { FileProtocol::RequestType::Rm, &FileService::run<FileProtocol::RmRequest, &FileService::rm> },
    { FileProtocol::RequestType::Rename, &FileService::run<FileProtocol::RenameRequest, &FileService::rename> },
    { FileProtocol::RequestType::Stat, &FileService::run<FileProtocol::StatRequest, &FileService::stat> },
    { FileProtocol::RequestType::Cat, &FileService::run<FileProtocol::CatRequest, &FileService::cat> },
    { FileProtocol::RequestType::Partial, &FileService::run<FileProtocol::PartialRequest, &FileService::partial> },
    { FileProtocol::RequestType::Put, &FileService::run<FileProtocol::PutRequest, &FileService::put> },
    { FileProtocol::RequestType::Get, &FileService::run<FileProtocol::GetRequest, &FileService::get> },
};

void FileService::handle(const QByteArray& raw)
{
    if (m_checking) {
        // Behind a shared folder's check: served in order once the store has answered. A client
        // that piles up more than that without waiting for answers gets "busy" for the rest.
        if (m_waiting.size() >= MaxWaiting) {
            fail(FileProtocol::NoId, ErrorCode::Busy,
                QStringLiteral("More than %1 messages arrived while the server checked a shared folder; they were "
                               "not carried out. Wait for answers before sending more")
                    .arg(MaxWaiting));
            return;
        }
        m_waiting.append(raw);
        return;
    }
    serve(raw);
}

void FileService::serve(const QByteArray& raw)
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
        fail(FileProtocol::NoId, ErrorCode::BadRequest, QStringLiteral("Undecodable message: %1").arg(error));
        return;
    }
    const auto header = FileProtocol::RequestHeader::decode(*decoded);
    if (header.ok() && header.value.isData) {
        fail(FileProtocol::NoId, ErrorCode::BadRequest, QStringLiteral("field \"data\" must be a byte string"));
        return;
    }
    if (!header.ok()) {
        // Without a valid id the answer could not name the request: it is not carried out.
        fail(FileProtocol::NoId, ErrorCode::BadRequest,
            QStringLiteral("%1; the request was not carried out").arg(header.error->message));
        return;
    }
    const qint64 id = header.value.id;
    const auto handler = std::find_if(std::begin(Handlers), std::end(Handlers),
        [&header](const Handler& entry) { return header.value.type == entry.type; });
    if (handler == std::end(Handlers)) {
        fail(id, ErrorCode::BadRequest,
            QStringLiteral("Unknown request \"%1\" for the files service").arg(header.value.typeName.left(40)));
        return;
    }
    (this->*handler->run)(*decoded, id);
}

void FileService::pwd(const FileProtocol::PwdRequest& request, const Paths&)
{
    reply(FileProtocol::CwdResult { request.id, FilePaths::toVirtual(m_cwd) }.toCbor());
}

void FileService::cd(const FileProtocol::CdRequest& request, const Paths& paths)
{
    const qint64 id = request.id;
    const QStringList& path = paths.path;
    HomeFolder::Error error;
    m_folder->openFolder(path, &error);
    if (error == HomeFolder::Error::NotFolder && !path.isEmpty()) {
        // The last component is a file (a folder on the way would also give NotFolder: check which).
        const auto located = locate(id, path);
        if (!located) {
            return;
        }
        fail(id, located->exists ? ErrorCode::BadPath : ErrorCode::NotFound,
            QStringLiteral("%1 is not a folder").arg(virtualPath(path)));
        return;
    }
    if (error != HomeFolder::Error::None) {
        failOn(id, error, path);
        return;
    }
    m_cwd = FilePaths::Location { paths.where.area, paths.where.folder, path };
    log(QStringLiteral("cd"), virtualPath(path));
    reply(FileProtocol::CwdResult { id, FilePaths::toVirtual(m_cwd) }.toCbor());
}

void FileService::ls(const FileProtocol::LsRequest& request, const Paths& paths)
{
    const qint64 id = request.id;
    const QStringList& path = paths.path;
    const qint64 start = request.start;
    QList<HomeFolder::Child> children;
    HomeFolder::Error error = HomeFolder::Error::None;
    FileDescriptor dir;
    if (path.isEmpty()) {
        dir = m_folder->openFolder({}, &error);
    } else {
        auto located = locateExisting(id, path);
        if (!located) {
            return;
        }
        if (S_ISDIR(located->st.st_mode)) {
            dir = HomeFolder::openFile(located->parent.get(), located->name, O_RDONLY | O_DIRECTORY, &error);
        } else {
            children.append({ located->name, located->st });
        }
    }
    if (error == HomeFolder::Error::None && dir.isValid()) {
        error = HomeFolder::list(dir.get(), &children);
    }
    if (error != HomeFolder::Error::None) {
        failOn(id, error, path, QStringLiteral("read"));
        return;
    }
    if (path.isEmpty()) {
        children.erase(std::remove_if(children.begin(), children.end(),
                           [](const HomeFolder::Child& child) { return child.name == QLatin1String(StagingFolder); }),
            children.end());
    }
    std::sort(children.begin(), children.end(), [](const HomeFolder::Child& a, const HomeFolder::Child& b) {
        const bool aDir = S_ISDIR(a.st.st_mode);
        const bool bDir = S_ISDIR(b.st.st_mode);
        return aDir != bDir ? aDir : a.name < b.name;
    });

    // One page: as many entries as fit in one transport message, then "next" for the rest.
    FileProtocol::LsResult page { id, virtualPath(path), {}, std::nullopt };
    const qint64 budget = page.entriesBudget();
    qint64 used = 0;
    qsizetype index = qMin<qint64>(start, children.size());
    for (; index < children.size(); ++index) {
        FileProtocol::Entry entry = entryFor(children.at(index).st, children.at(index).name);
        const qint64 size = FileProtocol::LsResult::encodedSize(entry);
        if (used + size > budget) {
            break;
        }
        page.entries.append(std::move(entry));
        used += size;
    }
    if (index < children.size()) {
        page.next = index;
    }
    log(QStringLiteral("ls"), virtualPath(path), start > 0 ? QStringLiteral("from entry %1").arg(start) : QString());
    reply(page.toCbor());
}

void FileService::mkdir(const FileProtocol::MkdirRequest& request, const Paths& paths)
{
    const qint64 id = request.id;
    const QStringList& path = paths.path;
    if (path.isEmpty()) {
        fail(id, ErrorCode::Exists, QStringLiteral("%1 already exists").arg(virtualPath({})));
        return;
    }
    // Parents are created as needed, like mkdir -p: first find how much exists.
    HomeFolder::Error error;
    FileDescriptor dir = m_folder->openFolder({}, &error);
    qsizetype existing = 0;
    for (; existing < path.size(); ++existing) {
        const QString& component = path.at(existing);
        FileDescriptor next = HomeFolder::openFile(dir.get(), component, O_RDONLY | O_DIRECTORY, &error);
        if (error == HomeFolder::Error::NotFound) {
            break;
        }
        if (error == HomeFolder::Error::NotFolder) {
            fail(id, ErrorCode::Exists,
                existing + 1 == path.size()
                    ? QStringLiteral("%1 already exists").arg(virtualPath(path))
                    : QStringLiteral("%1 is a file, not a folder").arg(virtualPath(path.mid(0, existing + 1))));
            return;
        }
        if (error != HomeFolder::Error::None) {
            failOn(id, error, path.mid(0, existing + 1));
            return;
        }
        dir = std::move(next);
    }
    if (existing == path.size()) {
        fail(id, ErrorCode::Exists, QStringLiteral("%1 already exists").arg(virtualPath(path)));
        return;
    }
    const qint64 missing = path.size() - existing;
    qint64 available = 0;
    const auto refusal = m_area->check(m_home, missing * FileArea::FolderCost, missing, int(path.size()), &available);
    if (refusal != FileArea::Refusal::None) {
        fail(id, quotaCode(refusal),
            m_area->explain(m_home, refusal, virtualPath(path), missing * FileArea::FolderCost, available));
        return;
    }
    for (qsizetype i = existing; i < path.size(); ++i) {
        const qint64 before = folderBytes(dir.get());
        error = HomeFolder::makeFolder(dir.get(), path.at(i));
        FileDescriptor next = error == HomeFolder::Error::None
            ? HomeFolder::openFile(dir.get(), path.at(i), O_RDONLY | O_DIRECTORY, &error)
            : FileDescriptor();
        struct stat st;
        if (next.isValid() && ::fstat(next.get(), &st) == 0) {
            m_area->adjust(m_home, FileArea::cost(st), 1);
        }
        accountFolder(m_home, dir.get(), before);
        if (error != HomeFolder::Error::None) {
            failOn(id, error, path.mid(0, i + 1), QStringLiteral("create"));
            return;
        }
        dir = std::move(next);
    }
    m_area->noteDepth(m_home, int(path.size()));
    log(QStringLiteral("mkdir"), virtualPath(path));
    tellConversation(
        m_conversation, QStringLiteral("%1 created the folder %2").arg(m_session->name, virtualPath(path)));
    reply(FileProtocol::DoneResult { id }.toCbor());
}

void FileService::rmdir(const FileProtocol::RmdirRequest& request, const Paths& paths)
{
    const qint64 id = request.id;
    const QStringList& path = paths.path;
    const bool recursive = request.recursive;
    if (path.isEmpty()) {
        fail(id, ErrorCode::Permission, QStringLiteral("%1 itself cannot be removed").arg(virtualPath({})));
        return;
    }
    const auto located = locateExisting(id, path);
    if (!located) {
        return;
    }
    const QString shown = virtualPath(path);
    if (!S_ISDIR(located->st.st_mode)) {
        fail(id, ErrorCode::BadPath, QStringLiteral("%1 is a file: use rm").arg(shown));
        return;
    }
    const qint64 before = folderBytes(located->parent.get());
    HomeFolder::Error error;
    if (recursive) {
        qint64 bytes = 0;
        qint64 entries = 0;
        error = HomeFolder::removeTree(located->parent.get(), located->name, [&](const struct stat& st) {
            bytes += FileArea::cost(st);
            ++entries;
        });
        m_area->adjust(m_home, -bytes, -entries); // what was removed, even when something failed
    } else {
        error = HomeFolder::removeFolder(located->parent.get(), located->name);
        if (error == HomeFolder::Error::Exists) {
            error = HomeFolder::Error::NotEmpty; // some file systems say EEXIST
        }
        if (error == HomeFolder::Error::None) {
            m_area->adjust(m_home, -FileArea::cost(located->st), -1);
        }
    }
    accountFolder(m_home, located->parent.get(), before);
    if (error != HomeFolder::Error::None) {
        failOn(id, error, path, QStringLiteral("remove"));
        return;
    }
    log(recursive ? QStringLiteral("rmdir -r") : QStringLiteral("rmdir"), virtualPath(path));
    tellConversation(m_conversation,
        QStringLiteral("%1 removed the folder %2%3")
            .arg(m_session->name, shown, recursive ? QStringLiteral(" and everything in it") : QString()));
    reply(FileProtocol::DoneResult { id }.toCbor());
}

void FileService::rm(const FileProtocol::RmRequest& request, const Paths& paths)
{
    const qint64 id = request.id;
    const QStringList& path = paths.path;
    if (path.isEmpty()) {
        fail(id, ErrorCode::BadPath, QStringLiteral("%1 is a folder: use rmdir").arg(virtualPath({})));
        return;
    }
    const auto located = locateExisting(id, path);
    if (!located) {
        return;
    }
    const QString shown = virtualPath(path);
    if (S_ISDIR(located->st.st_mode)) {
        fail(id, ErrorCode::BadPath, QStringLiteral("%1 is a folder: use rmdir").arg(shown));
        return;
    }
    const qint64 before = folderBytes(located->parent.get());
    const HomeFolder::Error error = HomeFolder::removeFile(located->parent.get(), located->name);
    if (error == HomeFolder::Error::None) {
        m_area->adjust(m_home, -FileArea::cost(located->st), -1);
    }
    accountFolder(m_home, located->parent.get(), before);
    if (error != HomeFolder::Error::None) {
        failOn(id, error, path, QStringLiteral("remove"));
        return;
    }
    log(QStringLiteral("rm"), virtualPath(path));
    tellConversation(m_conversation, QStringLiteral("%1 removed %2").arg(m_session->name, shown));
    reply(FileProtocol::DoneResult { id }.toCbor());
}

void FileService::rename(const FileProtocol::RenameRequest& request, const Paths& paths)
{
    const qint64 id = request.id;
    const QStringList& from = paths.path;
    const QStringList& to = paths.to;
    if (from.isEmpty()) {
        fail(id, ErrorCode::Permission, QStringLiteral("%1 itself cannot be moved").arg(virtualPath({})));
        return;
    }
    const auto source = locateExisting(id, from);
    if (!source) {
        return;
    }
    // Into an existing folder (like mv), else to the name given.
    QStringList target = to;
    bool intoFolder = to.isEmpty();
    if (!intoFolder) {
        const auto destination = locate(id, to);
        if (!destination) {
            return;
        }
        intoFolder = destination->exists && S_ISDIR(destination->st.st_mode);
    }
    if (intoFolder) {
        target.append(from.last());
    }
    if (target.mid(0, from.size()) == from) {
        fail(id, ErrorCode::BadPath, QStringLiteral("%1 cannot be moved into itself").arg(virtualPath(from)));
        return;
    }
    const auto destination = locate(id, target);
    if (!destination) {
        return;
    }
    if (destination->exists) {
        fail(id, ErrorCode::Exists, QStringLiteral("%1 already exists").arg(virtualPath(target)));
        return;
    }
    // The depth of what moves: its deepest object can be no deeper than the deepest in the home;
    // only when that bound says "too deep" is the moved folder itself measured.
    int height = 0;
    if (S_ISDIR(source->st.st_mode)) {
        height = qMax<int>(0, m_area->usage(m_home).height - int(from.size()));
        if (target.size() + height > m_area->limits().maxDepth) {
            HomeFolder::Error error;
            FileDescriptor moved
                = HomeFolder::openFile(source->parent.get(), source->name, O_RDONLY | O_DIRECTORY, &error);
            height = 0;
            if (moved.isValid()) {
                HomeFolder::walk(
                    moved.get(), [&height](const struct stat&, int depth) { height = qMax(height, depth); });
            }
        }
    }
    qint64 available = 0;
    const auto refusal = m_area->check(m_home, 0, 0, int(target.size()) + height, &available);
    if (refusal != FileArea::Refusal::None) {
        fail(id, quotaCode(refusal), m_area->explain(m_home, refusal, virtualPath(target), 0, available));
        return;
    }
    struct stat sourceFolder;
    struct stat targetFolder;
    ::fstat(source->parent.get(), &sourceFolder);
    ::fstat(destination->parent.get(), &targetFolder);
    const bool sameFolder = sourceFolder.st_dev == targetFolder.st_dev && sourceFolder.st_ino == targetFolder.st_ino;
    const HomeFolder::Error error
        = HomeFolder::rename(source->parent.get(), source->name, destination->parent.get(), destination->name);
    accountFolder(m_home, source->parent.get(), qint64(sourceFolder.st_blocks) * 512);
    if (!sameFolder) {
        accountFolder(m_home, destination->parent.get(), qint64(targetFolder.st_blocks) * 512);
    }
    if (error != HomeFolder::Error::None) {
        failOn(id, error, error == HomeFolder::Error::Exists ? target : from, QStringLiteral("move"));
        return;
    }
    m_area->noteDepth(m_home, int(target.size()) + height);
    log(QStringLiteral("rename"), virtualPath(from), QStringLiteral("-> %1").arg(virtualPath(target)));
    tellConversation(m_conversation,
        QStringLiteral("%1 moved %2 to %3").arg(m_session->name, virtualPath(from), virtualPath(target)));
    reply(FileProtocol::DoneResult { id }.toCbor());
}

void FileService::stat(const FileProtocol::StatRequest& request, const Paths& paths)
{
    const qint64 id = request.id;
    const QStringList& path = paths.path;
    struct stat st;
    if (path.isEmpty()) {
        if (::fstat(m_folder->fd(), &st) != 0) {
            failOn(id, HomeFolder::fromErrno(errno), path);
            return;
        }
    } else {
        const auto located = locateExisting(id, path);
        if (!located) {
            return;
        }
        st = located->st;
    }
    log(QStringLiteral("stat"), virtualPath(path));
    reply(
        FileProtocol::StatResult { id, virtualPath(path), entryFor(st, path.isEmpty() ? virtualPath({}) : path.last()) }
            .toCbor());
}

bool FileService::openForReading(qint64 id, const QStringList& path, QFile& file, struct stat* info)
{
    const QString shown = virtualPath(path);
    if (path.isEmpty()) {
        fail(id, ErrorCode::BadPath, QStringLiteral("%1 is a folder").arg(virtualPath({})));
        return false;
    }
    const auto located = locate(id, path);
    if (!located) {
        return false;
    }
    HomeFolder::Error error;
    // O_NONBLOCK: a FIFO someone placed in the folder must not stall the server.
    FileDescriptor fd = HomeFolder::openFile(located->parent.get(), located->name, O_RDONLY | O_NONBLOCK, &error);
    struct stat& st = *info;
    if (error != HomeFolder::Error::None || ::fstat(fd.get(), &st) != 0) {
        failOn(
            id, error == HomeFolder::Error::None ? HomeFolder::fromErrno(errno) : error, path, QStringLiteral("read"));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        fail(id, ErrorCode::BadPath,
            S_ISDIR(st.st_mode) ? QStringLiteral("%1 is a folder").arg(shown)
                                : QStringLiteral("%1 is not a regular file").arg(shown));
        return false;
    }
    if (!file.open(fd.release(), QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        fail(id, ErrorCode::Io, QStringLiteral("Cannot read %1: %2").arg(shown, file.errorString()));
        return false;
    }
    return true;
}

void FileService::cat(const FileProtocol::CatRequest& request, const Paths& paths)
{
    const qint64 id = request.id;
    const QStringList& path = paths.path;
    const qint64 max = request.max;
    if (max > FileProtocol::MaxCatBytes) {
        fail(id, ErrorCode::BadRequest,
            QStringLiteral("field \"max\" must be at most %1 bytes; use get for more").arg(FileProtocol::MaxCatBytes));
        return;
    }
    QFile file;
    struct stat st
    {
    };
    if (!openForReading(id, path, file, &st)) {
        return;
    }
    const QByteArray data = file.read(max);
    log(QStringLiteral("cat"), virtualPath(path));
    reply(FileProtocol::CatResult { id, qint64(st.st_size), data }.toCbor());
}

void FileService::partial(const FileProtocol::PartialRequest& request, const Paths& paths)
{
    const qint64 id = request.id;
    const QStringList& path = paths.path;
    if (path.isEmpty()) {
        fail(id, ErrorCode::BadPath, QStringLiteral("%1 is a folder").arg(virtualPath({})));
        return;
    }
    qint64 offset = 0;
    HomeFolder::Error error;
    const FileDescriptor staging
        = HomeFolder::openFile(m_folder->fd(), QLatin1String(StagingFolder), O_RDONLY | O_DIRECTORY, &error);
    struct stat st;
    if (staging.isValid() && HomeFolder::lookup(staging.get(), stagingName(path), &st) == HomeFolder::Error::None
        && S_ISREG(st.st_mode)) {
        offset = st.st_size;
    }
    reply(FileProtocol::PartialResult { id, virtualPath(path), offset }.toCbor());
}

void FileService::put(const FileProtocol::PutRequest& request, const Paths& paths)
{
    const qint64 id = request.id;
    const QStringList& path = paths.path;
    const qint64 size = request.size;
    const qint64 offset = request.offset;
    const QByteArray& prefixHash = request.prefixSha256;
    if (m_upload || m_download) {
        fail(id, ErrorCode::BadRequest,
            QStringLiteral("A transfer is already running on this session; open a new session for another one"));
        return;
    }
    if (offset > size) {
        fail(id, ErrorCode::BadRequest,
            QStringLiteral("field \"offset\" (%1) is past the size (%2)").arg(offset).arg(size));
        return;
    }
    if (offset > 0 && prefixHash.size() != FileProtocol::DigestSize) {
        fail(id, ErrorCode::BadRequest,
            QStringLiteral("field \"prefix_sha256\" must be the 32-byte SHA-256 of the first offset bytes, as a byte "
                           "string"));
        return;
    }
    if (path.isEmpty()) {
        fail(id, ErrorCode::Exists, QStringLiteral("%1 is a folder").arg(virtualPath({})));
        return;
    }
    auto located = locate(id, path);
    if (!located) {
        return;
    }
    const QString shown = virtualPath(path);
    if (located->exists && S_ISDIR(located->st.st_mode)) {
        fail(id, ErrorCode::Exists, QStringLiteral("%1 is a folder").arg(shown));
        return;
    }
    if (located->exists && S_ISLNK(located->st.st_mode)) {
        failOn(id, HomeFolder::Error::Link, path);
        return;
    }
    if (located->exists && !S_ISREG(located->st.st_mode)) {
        fail(id, ErrorCode::BadPath, QStringLiteral("%1 is not a regular file").arg(shown));
        return;
    }
    if (located->exists && !request.replace) {
        fail(id, ErrorCode::Exists,
            QStringLiteral("%1 exists and this upload may not replace it; upload it under another name").arg(shown));
        return;
    }
    auto upload = std::make_unique<Upload>();
    upload->lease = m_area->claimUpload(m_home, m_home + QLatin1Char('/') + path.join(QLatin1Char('/')));
    if (!upload->lease.isValid()) {
        fail(id, ErrorCode::Busy,
            QStringLiteral("Another upload to %1 is in progress; try again when it has finished").arg(shown));
        return;
    }
    // From here every way out drops upload, and with it its lease: the claim on the name ends.
    HomeFolder::Error error;
    // The staging folder is made only for an upload that fits: a refused put leaves nothing.
    upload->staging
        = HomeFolder::openFile(m_folder->fd(), QLatin1String(StagingFolder), O_RDONLY | O_DIRECTORY, &error);
    const bool stagingExists = upload->staging.isValid();
    if (!stagingExists && error != HomeFolder::Error::NotFound) {
        fail(id, ErrorCode::Io,
            QStringLiteral("Cannot prepare the upload of %1: %2").arg(shown, HomeFolder::describe(error)));
        return;
    }
    upload->partName = stagingName(path);
    struct stat partBefore;
    const bool partExists = stagingExists
        && HomeFolder::lookup(upload->staging.get(), upload->partName, &partBefore) == HomeFolder::Error::None
        && S_ISREG(partBefore.st_mode);
    if (offset > 0 && (!partExists || partBefore.st_size < offset)) {
        fail(id, ErrorCode::Mismatch,
            QStringLiteral("There is no partial upload of %1 bytes of %2 to resume").arg(offset).arg(shown));
        return;
    }
    // A new partial file costs its entry too (and a new staging folder its own), so even empty
    // files are not free; starting over frees what the old partial file held.
    const qint64 freed = partExists && offset == 0 ? FileArea::cost(partBefore) - FileArea::EntryCost : 0;
    const qint64 needed
        = size - offset + (partExists ? 0 : FileArea::EntryCost) + (stagingExists ? 0 : FileArea::FolderCost);
    const qint64 newEntries = (partExists ? 0 : 1) + (stagingExists ? 0 : 1);
    qint64 available = 0;
    // The bytes are reserved for this upload as they are checked (across every node of a cluster).
    const auto refusal
        = m_area->check(m_home, needed - freed, newEntries, int(path.size()), &available, &upload->lease);
    if (refusal != FileArea::Refusal::None) {
        fail(id, quotaCode(refusal), m_area->explain(m_home, refusal, shown, needed, available));
        return;
    }
    if (!stagingExists) {
        upload->staging = openStaging(&error);
        if (error != HomeFolder::Error::None) {
            fail(id, ErrorCode::Io,
                QStringLiteral("Cannot prepare the upload of %1: %2").arg(shown, HomeFolder::describe(error)));
            return;
        }
    }
    const qint64 stagingBefore = folderBytes(upload->staging.get());
    FileDescriptor fd = HomeFolder::openFile(
        upload->staging.get(), upload->partName, O_RDWR | O_CREAT | (offset == 0 ? O_TRUNC : 0), &error);
    if (!fd.isValid() || !upload->part.open(fd.release(), QIODevice::ReadWrite, QFileDevice::AutoCloseHandle)) {
        accountFolder(m_home, upload->staging.get(), stagingBefore);
        fail(id, ErrorCode::Io, QStringLiteral("Cannot write %1: %2").arg(shown, HomeFolder::describe(error)));
        return;
    }
    if (offset > 0) {
        Sha256 prefix;
        if (!FileIo::hashPrefix(upload->part, offset, prefix) || prefix.result() != prefixHash) {
            fail(id, ErrorCode::Mismatch,
                QStringLiteral("The partial upload of %1 on the server differs from your file; upload it again from "
                               "the start")
                    .arg(shown));
            return;
        }
        upload->hash = prefix;
        upload->part.resize(offset);
        upload->part.seek(offset);
    }
    // The partial file counts as it is now; what is still to come is reserved.
    struct stat partNow;
    ::fstat(upload->part.handle(), &partNow);
    upload->partAccounted = FileArea::cost(partNow);
    m_area->adjust(m_home, upload->partAccounted - (partExists ? FileArea::cost(partBefore) : 0), partExists ? 0 : 1);
    accountFolder(m_home, upload->staging.get(), stagingBefore);
    upload->lease.reserve(size - offset);
    upload->id = id;
    upload->path = path;
    upload->parent = std::move(located->parent);
    upload->name = located->name;
    upload->size = size;
    upload->received = offset;
    upload->mtime = request.mtime;
    upload->replace = request.replace;
    upload->home = m_home;
    upload->where = m_where;
    upload->conversation = m_conversation;
    m_upload = std::move(upload);
    log(QStringLiteral("put"), virtualPath(path), QStringLiteral("%1 bytes from offset %2").arg(size).arg(offset));
    reply(FileProtocol::PutResult { id, offset }.toCbor());
}

void FileService::putData(const QByteArray& data)
{
    if (!m_upload) {
        fail(FileProtocol::NoId, ErrorCode::BadRequest, QStringLiteral("File data without a put"));
        return;
    }
    if (m_upload->received + data.size() > m_upload->size) {
        const qint64 id = m_upload->id;
        abortUpload(true);
        fail(id, ErrorCode::BadRequest,
            QStringLiteral("More data than the size given in put; the upload was abandoned"));
        return;
    }
    if (m_upload->part.write(data) != data.size()) {
        const qint64 id = m_upload->id;
        const QString error = m_upload->part.errorString();
        const ErrorCode failCode
            = m_upload->part.error() == QFileDevice::PermissionsError ? ErrorCode::Permission : ErrorCode::Io;
        log(QStringLiteral("put failed"), uploadShown(), error);
        abortUpload(true); // e.g. disk full: nothing half-written stays behind
        fail(id, failCode, QStringLiteral("The server could not store the file: %1").arg(error));
        return;
    }
    m_upload->hash.addData(data);
    m_upload->received += data.size();
}

void FileService::putEnd(const QCborMap& message, qint64 id)
{
    // Not through run(): an end is checked against the running upload before its fields, and a
    // bad field abandons that upload.
    if (!m_upload) {
        fail(id, ErrorCode::BadRequest, QStringLiteral("end without a put"));
        return;
    }
    const Protocol::Decoded<FileProtocol::EndRequest> end = FileProtocol::EndRequest::decode(message);
    const QByteArray& sha256 = end.value.sha256;
    const QString shown = uploadShown();
    QString problem;
    if (id != m_upload->id) {
        problem
            = QStringLiteral("end has id %1, but the upload of %2 is request %3").arg(id).arg(shown).arg(m_upload->id);
    } else if (!end.ok()) {
        problem = end.error->message;
    } else if (sha256.size() != FileProtocol::DigestSize) {
        problem = QStringLiteral("field \"sha256\" must be the 32-byte SHA-256 of the file, as a byte string");
    } else if (m_upload->received != m_upload->size) {
        problem = QStringLiteral("The upload of %1 ended after %2 of %3 bytes")
                      .arg(shown)
                      .arg(m_upload->received)
                      .arg(m_upload->size);
    }
    if (!problem.isEmpty()) {
        // What arrived stays for a resume.
        abortUpload(false);
        fail(id, ErrorCode::BadRequest, problem);
        return;
    }
    const QByteArray digest = m_upload->hash.result();
    if (digest != sha256) {
        log(QStringLiteral("put failed"), uploadShown(), QStringLiteral("checksum mismatch"));
        abortUpload(true);
        fail(id, ErrorCode::Io,
            QStringLiteral("The SHA-256 of what arrived differs from yours; %1 was not stored. Upload it again.")
                .arg(shown));
        return;
    }
    Upload& upload = *m_upload;
    struct stat old;
    const bool replaces = HomeFolder::lookup(upload.parent.get(), upload.name, &old) == HomeFolder::Error::None;
    if (replaces && !S_ISREG(old.st_mode)) {
        abortUpload(true);
        fail(id, ErrorCode::Exists, QStringLiteral("%1 became a folder or another object meanwhile").arg(shown));
        return;
    }
    if (replaces && !upload.replace) {
        abortUpload(true);
        fail(id, ErrorCode::Exists, takenMeanwhile(shown));
        return;
    }
    // Durable before visible: the data reaches the disk before the name points at it.
    if (!FileIo::syncFile(upload.part)) {
        const QString error = errnoText();
        abortUpload(true);
        fail(id, ErrorCode::Io, QStringLiteral("%1: cannot write the file to disk: %2").arg(shown, error));
        return;
    }
    if (upload.mtime) {
        const struct timespec times[2] = { { 0, UTIME_OMIT },
            { static_cast<time_t>(*upload.mtime / 1000), static_cast<long>(*upload.mtime % 1000) * 1000000 } };
        ::futimens(upload.part.handle(), times);
    }
    struct stat stored;
    ::fstat(upload.part.handle(), &stored);
    const qint64 parentBefore = folderBytes(upload.parent.get());
    const qint64 stagingBefore = folderBytes(upload.staging.get());
    if (!upload.replace) {
        // The name was free at the put; it must still be when the file takes it.
        const HomeFolder::Error error
            = HomeFolder::rename(upload.staging.get(), upload.partName, upload.parent.get(), upload.name);
        if (error != HomeFolder::Error::None) {
            abortUpload(true);
            if (error == HomeFolder::Error::Exists) { // taken between the look above and now
                fail(id, ErrorCode::Exists, takenMeanwhile(shown));
            } else {
                fail(id, ErrorCode::Io,
                    QStringLiteral("%1: cannot move the upload into place: %2")
                        .arg(shown, HomeFolder::describe(error)));
            }
            return;
        }
        ::fsync(upload.parent.get());
    } else if (!FileIo::durableRename(upload.staging.get(), upload.partName, upload.parent.get(), upload.name)) {
        const QString error = errnoText();
        abortUpload(true);
        fail(id, ErrorCode::Io, QStringLiteral("%1: cannot move the upload into place: %2").arg(shown, error));
        return;
    }
    m_area->adjust(upload.home, FileArea::cost(stored) - upload.partAccounted - (replaces ? FileArea::cost(old) : 0),
        replaces ? -1 : 0);
    accountFolder(upload.home, upload.parent.get(), parentBefore);
    accountFolder(upload.home, upload.staging.get(), stagingBefore);
    m_area->noteDepth(upload.home, int(upload.path.size()));
    log(QStringLiteral("put done"), uploadShown(), QStringLiteral("%1 bytes").arg(upload.size));
    tellConversation(
        upload.conversation, QStringLiteral("%1 uploaded %2 (%3 bytes)").arg(m_session->name, shown).arg(upload.size));
    const FileProtocol::StoredResult result { id, shown, upload.size, digest };
    upload.part.close();
    m_upload.reset();
    reply(result.toCbor());
}

void FileService::abortUpload(bool removePart)
{
    if (!m_upload) {
        return;
    }
    Upload& upload = *m_upload;
    struct stat st;
    const qint64 now
        = upload.part.isOpen() && ::fstat(upload.part.handle(), &st) == 0 ? FileArea::cost(st) : upload.partAccounted;
    upload.part.close();
    if (removePart) {
        const qint64 before = folderBytes(upload.staging.get());
        if (HomeFolder::removeFile(upload.staging.get(), upload.partName) == HomeFolder::Error::None) {
            m_area->adjust(upload.home, -upload.partAccounted, -1);
        } else {
            m_area->adjust(upload.home, now - upload.partAccounted, 0);
        }
        accountFolder(upload.home, upload.staging.get(), before);
    } else {
        m_area->adjust(upload.home, now - upload.partAccounted, 0); // kept for a resume: it counts
    }
    m_upload.reset(); // ends the lease
}

void FileService::get(const FileProtocol::GetRequest& request, const Paths& paths)
{
    const qint64 id = request.id;
    const QStringList& path = paths.path;
    const qint64 offset = request.offset;
    const QByteArray& prefixHash = request.prefixSha256;
    if (m_upload || m_download) {
        fail(id, ErrorCode::BadRequest,
            QStringLiteral("A transfer is already running on this session; open a new session for another one"));
        return;
    }
    if (offset > 0 && prefixHash.size() != FileProtocol::DigestSize) {
        fail(id, ErrorCode::BadRequest,
            QStringLiteral("field \"prefix_sha256\" must be the 32-byte SHA-256 of the first offset bytes, as a byte "
                           "string"));
        return;
    }
    const QString shown = virtualPath(path);
    auto download = std::make_unique<Download>();
    download->id = id;
    download->conversation = m_conversation.id;
    download->shown = shown;
    struct stat st
    {
    };
    if (!openForReading(id, path, download->file, &st)) {
        return;
    }
    download->size = st.st_size;
    if (offset > download->size) {
        fail(id, ErrorCode::Mismatch,
            QStringLiteral("%1 has %2 bytes; cannot resume at %3").arg(shown).arg(download->size).arg(offset));
        return;
    }
    if (offset > 0) {
        Sha256 prefix;
        if (!FileIo::hashPrefix(download->file, offset, prefix) || prefix.result() != prefixHash) {
            fail(id, ErrorCode::Mismatch,
                QStringLiteral("Your partial copy of %1 differs from the file on the server; download it again from "
                               "the start")
                    .arg(shown));
            return;
        }
        download->hash = prefix;
    }
    download->file.seek(offset);
    download->sent = offset;
    log(QStringLiteral("get"), virtualPath(path),
        QStringLiteral("%1 bytes from offset %2").arg(download->size).arg(offset));
    reply(FileProtocol::GetResult { id, download->size, offset, mtimeMs(st) }.toCbor());
    m_download = std::move(download);
    pumpDownload();
}

void FileService::pumpDownload()
{
    EncryptedTcpSocket* socket = m_session->socket;
    if (!m_download || !socket) {
        return;
    }
    const auto result = FileIo::sendChunks(
        *socket, m_download->file, std::numeric_limits<qint64>::max(), m_download->hash, &m_download->sent);
    if (result == FileIo::SendResult::ReadError) {
        const qint64 id = m_download->id;
        const QString error = m_download->file.errorString();
        m_download.reset();
        fail(id, ErrorCode::Io, QStringLiteral("Reading the file failed: %1").arg(error));
        return;
    }
    if (result == FileIo::SendResult::Finished) {
        // The hash covers what was sent, so a file that changed meanwhile fails the client's check.
        const FileProtocol::DownloadEnd end { m_download->id, m_download->sent, m_download->hash.result() };
        m_download.reset();
        reply(end.toCbor());
    }
}

} // namespace QuietWire
