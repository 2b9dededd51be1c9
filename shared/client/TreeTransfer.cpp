#include "TreeTransfer.h"

#include "FileIo.h"
#include "Protocol.h"
#include "Sha256.h"

#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QTimer>
#include <algorithm>

namespace QuietWire {

namespace {

/// The request id of the copy check on a lane's session (a transfer there uses FileTransfer's own id, 1).
constexpr qint64 CheckId = 2;
constexpr int MaxConnectAttempts = 6;

bool isFinal(TreeTransfer::State state)
{
    return state == TreeTransfer::State::Transferred || state == TreeTransfer::State::UpToDate
        || state == TreeTransfer::State::Skipped || state == TreeTransfer::State::Failed;
}

QString join(const QString& folder, const QString& name)
{
    return folder.isEmpty() ? name : folder + QLatin1Char('/') + name;
}

QString parentOf(const QString& relative)
{
    const qsizetype slash = relative.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? QString() : relative.left(slash);
}

bool isBelow(const QString& path, const QString& folder)
{
    return folder.isEmpty() || path == folder || path.startsWith(folder + QLatin1Char('/'));
}

} // namespace

/// One session of the tree's own, carrying one file after another.
struct TreeTransfer::Lane
{
    ServiceClient* session = nullptr;
    QPointer<FileTransfer> transfer;
    int index = -1; // the file it carries; -1 when idle
    bool connecting = false;
    bool checking = false; // a copy check (get from the end) is waiting for its answer
    bool dead = false; // could not connect: takes no more files
    bool holdsSlot = true; // its place in the client's queue, until it has no more files to carry
    int attempts = 0;
};

TreeTransfer::TreeTransfer(FileClient* client, QObject* parent)
    : QObject(parent)
    , m_client(client)
{
    connect(m_client, &FileClient::replyReceived, this, &TreeTransfer::onReply);
}

TreeTransfer::~TreeTransfer()
{
    dropLanes();
}

void TreeTransfer::dropLanes()
{
    // The transfers borrow the lanes' sessions: they go first.
    for (const auto& lane : m_lanes) {
        delete lane->transfer;
        disconnect(lane->session, nullptr, this, nullptr);
        lane->session->deleteLater();
        releaseLane(lane.get());
    }
    m_lanes.clear();
    ++m_generation; // places asked for before are given back when they come
    m_slotsAsked = 0;
}

void TreeTransfer::upload(const QString& localDir, const QString& remoteDir)
{
    begin(FileTransfer::Direction::Upload, localDir, remoteDir);
}

void TreeTransfer::download(const QString& remoteDir, const QString& localDir)
{
    begin(FileTransfer::Direction::Download, localDir, remoteDir);
}

void TreeTransfer::begin(FileTransfer::Direction direction, const QString& localDir, const QString& remoteDir)
{
    dropLanes();
    m_direction = direction;
    m_localRoot = QDir(localDir).absolutePath();
    m_remoteRoot = remoteDir;
    m_running = true;
    m_cancelled = false;
    m_announced = false;
    m_files.clear();
    m_folders.clear();
    m_remote.clear();
    m_remoteFolders.clear();
    m_localFolders.clear();
    m_refusedFolders.clear();
    m_next = 0;
    m_ended = 0;
    m_bytesDone = 0;
    m_bytesTotal = 0;
    if (direction == FileTransfer::Direction::Upload) {
        const QFileInfo root(m_localRoot);
        if (!root.isDir()) {
            // Asynchronously, like every other outcome: the caller may not be waiting yet.
            QMetaObject::invokeMethod(
                this, [this] { failTree(tr("%1 is not a folder").arg(m_localRoot)); }, Qt::QueuedConnection);
            return;
        }
        walkLocal(QString());
        m_localFolders = QSet<QString>(m_folders.cbegin(), m_folders.cend());
    }
    listRemote(QString());
}

void TreeTransfer::walkLocal(const QString& relative)
{
    m_folders.append(relative);
    const QDir dir(localPath(relative));
    if (!dir.isReadable()) {
        addFile(relative, Kind::Folder, 0, State::Failed, tr("Cannot read the folder %1").arg(dir.path()));
        return;
    }
    const QFileInfoList entries
        = dir.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Unsorted);
    for (const QFileInfo& entry : entries) {
        const QString path = join(relative, entry.fileName());
        if (entry.isSymLink()) {
            addFile(path, Kind::Other, 0, State::Skipped,
                tr("a symbolic link (to %1): links are not followed or stored").arg(entry.symLinkTarget()));
        } else if (entry.isDir()) {
            walkLocal(path);
        } else if (entry.isFile()) {
            addFile(path, Kind::File, entry.size());
        } else {
            addFile(
                path, Kind::Other, 0, State::Skipped, tr("a device, fifo or socket: only files and folders are sent"));
        }
    }
}

void TreeTransfer::addFile(
    const QString& path, Kind kind, qint64 size, State state, const QString& message, ErrorCode code)
{
    File file;
    file.path = path;
    file.kind = kind;
    file.size = size;
    file.state = state;
    file.message = message;
    file.code = code;
    if (isFinal(state)) {
        ++m_ended;
    }
    m_files.append(std::move(file));
}

void TreeTransfer::listRemote(const QString& relative)
{
    m_listings.insert(m_client->list(remotePath(relative)), relative);
}

void TreeTransfer::onReply(const FileClient::Reply& reply)
{
    if (const auto listing = m_listings.find(reply.id); listing != m_listings.end()) {
        const QString relative = listing.value();
        m_listings.erase(listing);
        onListed(relative, reply);
        if (m_listings.isEmpty() && m_running && !m_cancelled) {
            walked();
        }
    } else if (const auto mkdir = m_mkdirs.find(reply.id); mkdir != m_mkdirs.end()) {
        const QString relative = mkdir.value();
        m_mkdirs.erase(mkdir);
        onFolderMade(relative, reply);
        if (m_mkdirs.isEmpty() && m_running && !m_cancelled) {
            startFiles();
        }
    }
}

void TreeTransfer::onListed(const QString& relative, const FileClient::Reply& reply)
{
    if (!m_running || m_cancelled) {
        return;
    }
    const bool upload = m_direction == FileTransfer::Direction::Upload;
    if (!reply.ok) {
        if (upload && relative.isEmpty() && reply.code == ErrorCode::NotFound) {
            return; // nothing there yet: the target is made
        }
        if (relative.isEmpty()) {
            m_listings.clear();
            failTree(tr("Cannot list %1 on the server: %2").arg(m_remoteRoot, reply.message));
            return;
        }
        if (!upload) {
            addFile(relative, Kind::Folder, 0, State::Failed, reply.message, reply.code);
        }
        return; // upload: an unreadable target folder; the transfers into it report what is wrong
    }
    m_remoteFolders.insert(relative);
    if (!upload) {
        m_folders.append(relative);
    }
    for (const FileProtocol::Entry& entry : reply.entries) {
        const QString path = join(relative, entry.name);
        if (upload) {
            m_remote.insert(path, { entry.type, entry.size });
            if (entry.type == FileProtocol::Entry::Type::Directory && m_localFolders.contains(path)) {
                listRemote(path);
            }
            continue;
        }
        switch (entry.type) {
        case FileProtocol::Entry::Type::Directory:
            listRemote(path);
            break;
        case FileProtocol::Entry::Type::File:
            addFile(path, Kind::File, entry.size);
            break;
        case FileProtocol::Entry::Type::Other:
            addFile(path, Kind::Other, 0, State::Skipped,
                tr("neither a file nor a folder on the server (a symbolic link?): not fetched"));
            break;
        }
    }
}

void TreeTransfer::walked()
{
    std::sort(m_files.begin(), m_files.end(), [](const File& a, const File& b) { return a.path < b.path; });
    std::sort(m_folders.begin(), m_folders.end());
    makeFolders();
}

void TreeTransfer::makeFolders()
{
    if (m_direction == FileTransfer::Direction::Download) {
        for (const QString& folder : std::as_const(m_folders)) {
            if (!QDir().mkpath(localPath(folder))) {
                markSubtree(folder, State::Failed, tr("Cannot create the folder %1 here").arg(localPath(folder)));
            }
        }
        startFiles();
        return;
    }
    for (const QString& folder : std::as_const(m_folders)) {
        if (m_remoteFolders.contains(folder)) {
            continue;
        }
        if (const auto there = m_remote.constFind(folder); there != m_remote.cend()) {
            markSubtree(folder, State::Failed,
                tr("%1 exists on the server and is not a folder").arg(remotePath(folder)), ErrorCode::Exists);
            continue;
        }
        m_mkdirs.insert(m_client->makeDirectory(remotePath(folder)), folder);
    }
    if (m_mkdirs.isEmpty()) {
        startFiles();
    }
}

void TreeTransfer::onFolderMade(const QString& relative, const FileClient::Reply& reply)
{
    if (reply.ok || reply.code == ErrorCode::Exists) {
        return; // an existing file of that name shows in the transfers into it
    }
    for (const QString& refused : std::as_const(m_refusedFolders)) {
        if (isBelow(relative, refused)) {
            return; // its parent's refusal names it already
        }
    }
    if (reply.code == ErrorCode::BadPath) {
        markSubtree(relative, State::Skipped, tr("the server refuses this name: %1").arg(reply.message), reply.code);
    } else {
        markSubtree(relative, State::Failed, reply.message, reply.code);
    }
}

void TreeTransfer::markSubtree(const QString& relative, State state, const QString& message, ErrorCode code)
{
    m_refusedFolders.insert(relative);
    addFile(relative, Kind::Folder, 0, state, message, code);
    for (int i = 0; i < m_files.size(); ++i) {
        if (m_files.at(i).state == State::Waiting && isBelow(m_files.at(i).path, relative)) {
            setState(i, state, tr("in %1: %2").arg(relative.isEmpty() ? m_remoteRoot : relative, message), code);
        }
    }
}

void TreeTransfer::startFiles()
{
    m_announced = true;
    for (const File& file : std::as_const(m_files)) {
        m_bytesTotal += file.state == State::Skipped ? 0 : file.size;
    }
    emit listed();
    emitProgress();
    const int waiting = int(
        std::count_if(m_files.cbegin(), m_files.cend(), [](const File& file) { return file.state == State::Waiting; }));
    const int lanes = qMin(m_client->maxParallelTransfers(), waiting);
    const int generation = m_generation;
    for (int i = 0; i < lanes; ++i) {
        ++m_slotsAsked;
        m_client->requestSlot(this, [this, generation] { openLane(generation); });
    }
    finishIfDone();
}

void TreeTransfer::openLane(int generation)
{
    if (generation != m_generation) {
        m_client->releaseSlot(); // asked for by an earlier run
        return;
    }
    --m_slotsAsked;
    const bool needed = m_running && !m_cancelled && m_next < m_files.size();
    if (!needed) {
        m_client->releaseSlot();
        finishIfDone();
        return;
    }
    auto lane = std::make_unique<Lane>();
    Lane* raw = lane.get();
    lane->session = m_client->newSession(this);
    connect(lane->session, &ServiceClient::ready, this, [this, raw] { onLaneReady(raw); });
    connect(lane->session, &ServiceClient::errorOccurred, this, [this, raw] { onLaneError(raw); });
    connect(lane->session, &ServiceClient::disconnected, this, [this, raw] { onLaneClosed(raw); });
    connect(lane->session, &ServiceClient::messageReceived, this,
        [this, raw](const QCborMap& message) { onLaneMessage(raw, message); });
    m_lanes.push_back(std::move(lane));
    nextFile(raw);
}

void TreeTransfer::releaseLane(Lane* lane)
{
    if (lane->holdsSlot) {
        lane->holdsSlot = false;
        if (m_client) {
            m_client->releaseSlot();
        }
    }
}

void TreeTransfer::nextFile(Lane* lane)
{
    lane->index = -1;
    while (!m_cancelled && !lane->dead && m_next < m_files.size()) {
        const int index = m_next++;
        if (m_files.at(index).state == State::Waiting) {
            lane->index = index;
            break;
        }
    }
    if (lane->index < 0) {
        if (!lane->connecting) {
            lane->session->disconnectFromServer();
        }
        releaseLane(lane); // nothing left for it: the place goes to whatever waits
        finishIfDone();
        return;
    }
    if (!lane->session->isReady()) {
        connectLane(lane);
        return;
    }
    runFile(lane);
}

void TreeTransfer::connectLane(Lane* lane)
{
    lane->connecting = true;
    lane->session->connectToService(m_client->host(), m_client->port(), QLatin1String(Protocol::ServiceFiles));
}

void TreeTransfer::onLaneReady(Lane* lane)
{
    lane->connecting = false;
    lane->attempts = 0;
    if (m_cancelled || lane->index < 0) {
        lane->session->disconnectFromServer();
        return;
    }
    runFile(lane);
}

void TreeTransfer::onLaneError(Lane* lane)
{
    if (!lane->connecting) {
        return; // a running transfer or check reports its own end
    }
    if (!m_cancelled && FileTransfer::worthRetrying(*lane->session) && lane->attempts < MaxConnectAttempts) {
        const int delay = 100 << lane->attempts; // 100 ms, 200 ms, ... 3.2 s, as FileTransfer does
        ++lane->attempts;
        QTimer::singleShot(delay, this, [this, lane] {
            if (!m_cancelled) {
                connectLane(lane);
            }
        });
        return;
    }
    lane->connecting = false;
    lane->dead = true;
    releaseLane(lane);
    const Failure failure = lane->session->lastFailure();
    if (lane->index >= 0) {
        setState(lane->index, State::Failed, failure.message, failure.code);
        lane->index = -1;
    }
    // Without a session left nothing more can move: the rest fails with the same reason.
    if (m_slotsAsked == 0
        && std::all_of(m_lanes.cbegin(), m_lanes.cend(), [](const auto& each) { return each->dead; })) {
        for (int i = 0; i < m_files.size(); ++i) {
            if (m_files.at(i).state == State::Waiting) {
                setState(i, State::Failed, failure.message, failure.code);
            }
        }
    }
    finishIfDone();
}

void TreeTransfer::onLaneClosed(Lane* lane)
{
    if (!lane->checking) {
        return;
    }
    lane->checking = false;
    setState(lane->index, State::Failed,
        tr("The connection closed while the server compared the copies; run it again to continue"),
        ErrorCode::ConnectionLost);
    QMetaObject::invokeMethod(
        this, [this, lane] { nextFile(lane); }, Qt::QueuedConnection);
}

bool TreeTransfer::resumeFor(const File& file) const
{
    if (m_direction == FileTransfer::Direction::Upload) {
        // Partial data can be on the server only where the folder was there before this run.
        return m_remoteFolders.contains(parentOf(file.path));
    }
    return QFileInfo::exists(localPath(file.path) + QStringLiteral(".part"));
}

void TreeTransfer::runFile(Lane* lane)
{
    const File& file = m_files.at(lane->index);
    bool sameSize = false;
    if (m_direction == FileTransfer::Direction::Upload) {
        const auto there = m_remote.constFind(file.path);
        sameSize
            = there != m_remote.cend() && there->type == FileProtocol::Entry::Type::File && there->size == file.size;
    } else {
        const QFileInfo here(localPath(file.path));
        sameSize = here.isFile() && !here.isSymLink() && here.size() == file.size;
    }
    if (!sameSize) {
        transferFile(lane, resumeFor(file));
    } else if (file.size == 0) {
        setState(lane->index, State::UpToDate); // two empty files are the same
        nextFile(lane);
    } else {
        checkCopy(lane);
    }
}

void TreeTransfer::checkCopy(Lane* lane)
{
    const File& file = m_files.at(lane->index);
    QFile local(localPath(file.path));
    Sha256 hash;
    if (!local.open(QIODevice::ReadOnly) || !FileIo::hashPrefix(local, file.size, hash)) {
        transferFile(lane, false); // the transfer says what is wrong with the file
        return;
    }
    // A get from the end of the file with the whole file's hash as the prefix: the server answers mismatch when its
    // copy differs, else the go-ahead and at once the end, with no data in between.
    setState(lane->index, State::Checking);
    lane->checking = true;
    lane->session->send(
        FileProtocol::GetRequest { CheckId, m_client->remotePathFor(remotePath(file.path)), file.size, hash.result() }
            .toCbor());
}

void TreeTransfer::onLaneMessage(Lane* lane, const QCborMap& message)
{
    if (!lane->checking || FileProtocol::replyId(message) != CheckId) {
        return;
    }
    const FileProtocol::ReplyKind kind = FileProtocol::replyKind(message);
    if (kind == FileProtocol::ReplyKind::End) {
        lane->checking = false;
        File& file = m_files[lane->index];
        m_bytesDone += file.size - file.done;
        file.done = file.size;
        setState(lane->index, State::UpToDate);
        nextFile(lane);
    } else if (kind == FileProtocol::ReplyKind::Failed) {
        // Mismatch: the copies differ. Anything else (gone meanwhile, not readable): the transfer reports it.
        lane->checking = false;
        transferFile(lane, resumeFor(m_files.at(lane->index)));
    }
}

void TreeTransfer::transferFile(Lane* lane, bool resume)
{
    const QString path = m_files.at(lane->index).path;
    FileTransfer* transfer = m_direction == FileTransfer::Direction::Upload
        ? m_client->uploadOn(lane->session, localPath(path), remotePath(path), resume, this)
        : m_client->downloadOn(lane->session, remotePath(path), localPath(path), resume, this);
    lane->transfer = transfer;
    setState(lane->index, State::Running);
    connect(transfer, &FileTransfer::progress, this, [this, lane, transfer](qint64 done, qint64) {
        File& file = m_files[lane->index];
        m_bytesDone += done - file.done;
        file.done = done;
        file.resumedFrom = transfer->resumedFrom();
        emitProgress();
    });
    connect(transfer, &FileTransfer::ended, this, [this, lane] { fileEnded(lane); });
}

void TreeTransfer::fileEnded(Lane* lane)
{
    FileTransfer* transfer = lane->transfer;
    lane->transfer = nullptr;
    if (!transfer) {
        return;
    }
    transfer->deleteLater();
    File& file = m_files[lane->index];
    file.resumedFrom = transfer->resumedFrom();
    switch (transfer->state()) {
    case FileTransfer::State::Finished:
        m_bytesDone += file.size - file.done;
        file.done = file.size;
        setState(lane->index, State::Transferred);
        break;
    case FileTransfer::State::Failed:
        if (transfer->errorCode() == ErrorCode::BadPath) {
            setState(lane->index, State::Skipped, tr("the server refuses this name: %1").arg(transfer->errorString()),
                ErrorCode::BadPath);
        } else {
            setState(lane->index, State::Failed, transfer->errorString(), transfer->errorCode());
        }
        break;
    default:
        if (m_cancelled) { // the whole tree stopped: the file waits for the next run
            setState(lane->index, State::Waiting);
            lane->index = -1;
            finishIfDone();
            return;
        }
        setState(lane->index, State::Failed, tr("Cancelled; run the folder again to continue it"));
        break;
    }
    // The next file on the next turn of the event loop: the session may be in the middle of closing.
    QMetaObject::invokeMethod(
        this, [this, lane] { nextFile(lane); }, Qt::QueuedConnection);
}

void TreeTransfer::setState(int index, State state, const QString& message, ErrorCode code)
{
    File& file = m_files[index];
    const bool wasFinal = isFinal(file.state);
    if (m_announced && state == State::Skipped && file.state != State::Skipped) {
        // What cannot be stored leaves the total: a tree with a refused name still ends at 100 %.
        m_bytesTotal -= file.size;
        m_bytesDone -= file.done;
        file.done = 0;
    }
    file.state = state;
    file.message = message;
    file.code = code;
    if (!m_announced) {
        if (!wasFinal && isFinal(state)) {
            ++m_ended;
        }
        return;
    }
    if (!wasFinal && isFinal(state)) {
        ++m_ended;
        emit fileChanged(index);
        emitProgress();
        return;
    }
    emit fileChanged(index);
}

void TreeTransfer::emitProgress()
{
    emit progress(m_ended, int(m_files.size()), m_bytesDone, m_bytesTotal);
}

void TreeTransfer::finishIfDone()
{
    if (!m_running || !m_announced) {
        return;
    }
    const bool busy = std::any_of(m_lanes.cbegin(), m_lanes.cend(),
        [](const auto& lane) { return lane->index >= 0 || lane->transfer || lane->checking; });
    const bool waiting = !m_cancelled
        && std::any_of(m_files.cbegin(), m_files.cend(), [](const File& file) { return file.state == State::Waiting; });
    if (busy || waiting) {
        return;
    }
    m_running = false;
    for (const auto& lane : m_lanes) {
        lane->session->disconnectFromServer();
    }
    emitProgress();
    emit finished();
}

void TreeTransfer::failTree(const QString& message)
{
    if (!m_running) {
        return;
    }
    for (int i = 0; i < m_files.size(); ++i) {
        if (!isFinal(m_files.at(i).state)) {
            setState(i, State::Failed, message);
        }
    }
    m_running = false;
    emit failed(message);
    emit finished();
}

void TreeTransfer::cancel()
{
    if (!m_running || m_cancelled) {
        return;
    }
    m_cancelled = true;
    m_listings.clear();
    m_mkdirs.clear();
    for (const auto& lane : m_lanes) {
        if (lane->checking) {
            lane->checking = false;
            setState(lane->index, State::Waiting);
            lane->index = -1;
        }
        if (lane->transfer) {
            lane->transfer->cancel(); // fileEnded() puts its file back to Waiting
        }
        lane->index = -1;
        lane->connecting = false;
        if (EncryptedTcpSocket* socket = lane->session->socket()) {
            socket->abort();
        }
    }
    if (!m_announced) {
        m_announced = true; // nothing started: the walk itself stops
    }
    finishIfDone();
}

TreeTransfer::Summary TreeTransfer::summary() const
{
    Summary summary;
    summary.files = int(m_files.size());
    summary.bytesDone = m_bytesDone;
    summary.cancelled = m_cancelled;
    for (const File& file : m_files) {
        summary.bytes += file.state == State::Skipped ? 0 : file.size;
        switch (file.state) {
        case State::Transferred:
            ++summary.transferred;
            break;
        case State::UpToDate:
            ++summary.upToDate;
            break;
        case State::Skipped:
            ++summary.skipped;
            break;
        case State::Failed:
            ++summary.failed;
            break;
        case State::Waiting:
        case State::Checking:
        case State::Running:
            break;
        }
    }
    return summary;
}

QString TreeTransfer::remotePath(const QString& relative) const
{
    if (relative.isEmpty()) {
        return m_remoteRoot;
    }
    return m_remoteRoot.isEmpty() ? relative : m_remoteRoot + QLatin1Char('/') + relative;
}

QString TreeTransfer::localPath(const QString& relative) const
{
    return relative.isEmpty() ? m_localRoot : m_localRoot + QLatin1Char('/') + relative;
}

} // namespace QuietWire
