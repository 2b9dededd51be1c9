#include "FileClient.h"

#include "Protocol.h"

namespace QuietWire {

FileClient::FileClient(const Identity& identity, const QString& knownServersPath, QObject* parent)
    : QObject(parent)
    , m_connection(new ServiceClient(identity, knownServersPath, this))
{
    connect(m_connection, &ServiceClient::ready, this, [this] {
        m_cwd = QStringLiteral("~");
        emit connected();
    });
    connect(m_connection, &ServiceClient::messageReceived, this, &FileClient::onMessage);
    connect(m_connection, &ServiceClient::errorOccurred, this, &FileClient::errorOccurred);
    connect(m_connection, &ServiceClient::disconnected, this, [this] {
        // Requests still open will never be answered.
        const auto pending = m_pending;
        m_pending.clear();
        m_listings.clear();
        for (auto it = pending.begin(); it != pending.end(); ++it) {
            Reply reply;
            reply.id = it.key();
            reply.request = it.value();
            reply.code = ErrorCode::ConnectionLost;
            reply.message = tr("The connection to the server closed before it answered");
            emit replyReceived(reply);
        }
        emit disconnected();
    });
}

void FileClient::setServer(const QString& host, quint16 port)
{
    m_host = host;
    m_port = port;
}

void FileClient::connectToServer(const QString& host, quint16 port)
{
    setServer(host, port);
    m_connection->connectToService(host, port, QLatin1String(Protocol::ServiceFiles));
}

void FileClient::disconnectFromServer()
{
    m_connection->disconnectFromServer();
}

template <typename Request>
qint64 FileClient::request(Request request)
{
    const qint64 id = m_nextId++;
    request.id = id;
    m_pending.insert(id, Request::Type);
    if (!m_connection->send(request.toCbor())) {
        m_pending.remove(id);
        // Answer asynchronously, like every other reply.
        QMetaObject::invokeMethod(
            this,
            [this, id] {
                Reply reply;
                reply.id = id;
                reply.request = Request::Type;
                reply.code = ErrorCode::ConnectionLost;
                reply.message = tr("Not connected to a file server");
                emit replyReceived(reply);
            },
            Qt::QueuedConnection);
    }
    return id;
}

qint64 FileClient::pwd()
{
    return request(FileProtocol::PwdRequest {});
}

qint64 FileClient::list(const QString& path)
{
    return request(FileProtocol::LsRequest { 0, path, 0 });
}

qint64 FileClient::changeDirectory(const QString& path)
{
    return request(FileProtocol::CdRequest { 0, path });
}

qint64 FileClient::makeDirectory(const QString& path)
{
    return request(FileProtocol::MkdirRequest { 0, path });
}

qint64 FileClient::removeDirectory(const QString& path, bool recursive)
{
    return request(FileProtocol::RmdirRequest { 0, path, recursive });
}

qint64 FileClient::remove(const QString& path)
{
    return request(FileProtocol::RmRequest { 0, path });
}

qint64 FileClient::rename(const QString& from, const QString& to)
{
    return request(FileProtocol::RenameRequest { 0, from, to });
}

qint64 FileClient::stat(const QString& path)
{
    return request(FileProtocol::StatRequest { 0, path });
}

qint64 FileClient::cat(const QString& path, qint64 maxBytes)
{
    return request(FileProtocol::CatRequest { 0, path, maxBytes });
}

void FileClient::onMessage(const QCborMap& message)
{
    const FileProtocol::ReplyKind kind = FileProtocol::replyKind(message);
    if (kind != FileProtocol::ReplyKind::Result && kind != FileProtocol::ReplyKind::Failed) {
        return;
    }
    Reply reply;
    reply.id = FileProtocol::replyId(message);
    if (m_listings.contains(reply.id)
        || (m_pending.contains(reply.id) && m_pending.value(reply.id) == FileProtocol::RequestType::Ls)) {
        if (!takeListingPage(message, &reply)) {
            return; // more pages to come
        }
        m_pending.remove(reply.id);
        emit replyReceived(reply);
        return;
    }
    if (!m_pending.contains(reply.id)) {
        return; // an answer to nothing this client asked
    }
    reply.request = m_pending.take(reply.id);
    if (kind == FileProtocol::ReplyKind::Failed) {
        takeFailure(message, &reply);
    } else {
        takeResult(message, &reply);
    }
    if (reply.ok && !reply.cwd.isEmpty()) {
        m_cwd = reply.cwd;
    }
    emit replyReceived(reply);
}

void FileClient::takeFailure(const QCborMap& message, Reply* reply)
{
    const auto failed = FileProtocol::Failed::decode(message);
    reply->ok = false;
    reply->code = failed.ok() ? failed.value.code : ErrorCode::Unknown;
    reply->message = failed.ok()
        ? failed.value.message
        : tr("The server sent a failure that is not understood: %1").arg(failed.error->message);
}

void FileClient::takeResult(const QCborMap& message, Reply* reply)
{
    // Decodes the result the request gets, and fills reply from it when it is understood.
    const auto take = [reply](const auto& decoded, const auto& fill) {
        if (!decoded.ok()) {
            reply->code = ErrorCode::Unknown;
            reply->message = tr("The server sent an answer that is not understood: %1").arg(decoded.error->message);
            return;
        }
        reply->ok = true;
        fill(decoded.value);
    };
    switch (reply->request) {
    case FileProtocol::RequestType::Pwd:
    case FileProtocol::RequestType::Cd:
        take(FileProtocol::CwdResult::decode(message),
            [reply](const FileProtocol::CwdResult& result) { reply->cwd = result.cwd; });
        return;
    case FileProtocol::RequestType::Stat:
        take(FileProtocol::StatResult::decode(message), [reply](const FileProtocol::StatResult& result) {
            reply->path = result.path;
            reply->entry = result.entry;
        });
        return;
    case FileProtocol::RequestType::Cat:
        take(FileProtocol::CatResult::decode(message), [reply](const FileProtocol::CatResult& result) {
            reply->size = result.size;
            reply->data = result.data;
        });
        return;
    case FileProtocol::RequestType::Ls: // takeListingPage()
    case FileProtocol::RequestType::Mkdir:
    case FileProtocol::RequestType::Rmdir:
    case FileProtocol::RequestType::Rm:
    case FileProtocol::RequestType::Rename:
    case FileProtocol::RequestType::Partial: // transfers ask these on their own sessions
    case FileProtocol::RequestType::Put:
    case FileProtocol::RequestType::Get:
    case FileProtocol::RequestType::End:
        break;
    }
    take(FileProtocol::DoneResult::decode(message), [](const FileProtocol::DoneResult&) {});
}

bool FileClient::takeListingPage(const QCborMap& message, Reply* reply)
{
    const qint64 pageId = reply->id;
    Listing listing = m_listings.take(pageId);
    reply->request = FileProtocol::RequestType::Ls;
    if (FileProtocol::replyKind(message) != FileProtocol::ReplyKind::Result) {
        reply->id = listing.id == 0 ? pageId : listing.id;
        reply->path = listing.path;
        takeFailure(message, reply);
        return true;
    }
    const auto page = FileProtocol::LsResult::decode(message);
    if (listing.id == 0) {
        // The first page: the caller's own request.
        listing.id = pageId;
        listing.path = page.value.path;
    }
    reply->id = listing.id;
    reply->path = listing.path;
    if (!page.ok()) {
        reply->code = ErrorCode::Unknown;
        reply->message
            = tr("The server sent a listing of %1 that is not understood: %2").arg(listing.path, page.error->message);
        return true;
    }
    listing.entries.append(page.value.entries);
    if (!page.value.next) {
        reply->ok = true;
        reply->entries = listing.entries;
        return true;
    }
    if (*page.value.next <= listing.start) {
        reply->code = ErrorCode::Unknown;
        reply->message = tr("The server sent a listing of %1 that does not move forward").arg(listing.path);
        return true;
    }
    // Ask for the next page by the path the server resolved, so a cd meanwhile changes nothing.
    listing.start = *page.value.next;
    const qint64 id = m_nextId++;
    if (!m_connection->send(FileProtocol::LsRequest { id, listing.path, listing.start }.toCbor())) {
        reply->code = ErrorCode::ConnectionLost;
        reply->message = tr("Not connected to a file server");
        return true;
    }
    m_listings.insert(id, listing);
    return false;
}

QString FileClient::remotePathFor(const QString& path) const
{
    if (path == QLatin1String("~") || path.startsWith(QLatin1String("~/")) || path.startsWith(QLatin1Char('/'))) {
        return path; // from the home, or a shared folder ("/rooms/NAME/...", "/direct/NAME/...")
    }
    return m_cwd + QLatin1Char('/') + path;
}

ServiceClient* FileClient::newSession(QObject* parent) const
{
    auto* session = new ServiceClient(m_connection->identity(), m_connection->knownServers().path(), parent);
    session->setTrustPolicy(m_connection->trustPolicy());
    session->setLocalAddress(m_connection->localAddress());
    // A key the user trusted once for browsing is trusted for its transfers too.
    if (!m_connection->serverKey().isEmpty()) {
        session->trustServerKey(m_connection->hostPort(), m_connection->serverKey(), false);
    }
    return session;
}

FileTransfer* FileClient::makeTransfer(FileTransfer::Direction direction, ServiceClient* session,
    FileTransfer::Session use, const QString& local, const QString& remote, bool resume, QObject* parent) const
{
    if (direction == FileTransfer::Direction::Upload) {
        return new UploadTransfer(session, use, local, remotePathFor(remote), resume, parent);
    }
    return new DownloadTransfer(session, use, local, remotePathFor(remote), resume, parent);
}

FileTransfer* FileClient::uploadOn(
    ServiceClient* session, const QString& localPath, const QString& remotePath, bool resume, QObject* parent)
{
    FileTransfer* transfer = makeTransfer(FileTransfer::Direction::Upload, session, FileTransfer::Session::Borrowed,
        localPath, remotePath, resume, parent);
    startBorrowed(transfer);
    return transfer;
}

FileTransfer* FileClient::downloadOn(
    ServiceClient* session, const QString& remotePath, const QString& localPath, bool resume, QObject* parent)
{
    FileTransfer* transfer = makeTransfer(FileTransfer::Direction::Download, session, FileTransfer::Session::Borrowed,
        localPath, remotePath, resume, parent);
    startBorrowed(transfer);
    return transfer;
}

void FileClient::startBorrowed(FileTransfer* transfer)
{
    transfer->setQueued();
    // Start asynchronously, so callers can connect to the transfer's signals first.
    QMetaObject::invokeMethod(
        transfer,
        [this, transfer] {
            if (transfer->state() == FileTransfer::State::Queued) {
                transfer->start(m_host, m_port);
            }
        },
        Qt::QueuedConnection);
}

FileTransfer* FileClient::startTransfer(
    FileTransfer::Direction direction, const QString& local, const QString& remote, bool resume)
{
    FileTransfer* transfer
        = makeTransfer(direction, newSession(), FileTransfer::Session::Own, local, remote, resume, this);
    transfer->setQueued();
    m_queue.append({ transfer, [this, transfer] {
                        if (transfer->state() != FileTransfer::State::Queued) {
                            return false; // cancelled while waiting
                        }
                        connect(
                            transfer, &FileTransfer::ended, this, &FileClient::releaseSlot, Qt::SingleShotConnection);
                        transfer->start(m_host, m_port);
                        return true;
                    } });
    // Start asynchronously, so callers can connect to the transfer's signals first.
    QMetaObject::invokeMethod(this, &FileClient::startQueued, Qt::QueuedConnection);
    return transfer;
}

void FileClient::requestSlot(QObject* owner, std::function<void()> granted)
{
    m_queue.append({ owner, [granted = std::move(granted)] {
                        granted();
                        return true;
                    } });
    QMetaObject::invokeMethod(this, &FileClient::startQueued, Qt::QueuedConnection);
}

void FileClient::releaseSlot()
{
    --m_running;
    startQueued();
}

void FileClient::setMaxParallelTransfers(int count)
{
    m_maxParallel = qMax(1, count);
    startQueued();
}

void FileClient::startQueued()
{
    while (m_running < m_maxParallel && !m_queue.isEmpty()) {
        const Waiting waiting = m_queue.takeFirst();
        if (!waiting.owner) {
            continue; // its owner is gone
        }
        ++m_running;
        if (!waiting.start()) {
            --m_running;
        }
    }
}

FileTransfer* FileClient::upload(const QString& localPath, const QString& remotePath, bool resume)
{
    return startTransfer(FileTransfer::Direction::Upload, localPath, remotePath, resume);
}

FileTransfer* FileClient::download(const QString& remotePath, const QString& localPath, bool resume)
{
    return startTransfer(FileTransfer::Direction::Download, localPath, remotePath, resume);
}

} // namespace QuietWire
