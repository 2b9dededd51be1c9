#include "FileClient.h"

#include "Protocol.h"

#include <QCborArray>

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
            reply.code = QStringLiteral("connection");
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

qint64 FileClient::request(const QString& type, QCborMap arguments)
{
    const qint64 id = m_nextId++;
    arguments.insert(QStringLiteral("type"), type);
    arguments.insert(QStringLiteral("id"), id);
    m_pending.insert(id, type);
    if (!m_connection->send(arguments)) {
        m_pending.remove(id);
        // Answer asynchronously, like every other reply.
        QMetaObject::invokeMethod(
            this,
            [this, id, type] {
                Reply reply;
                reply.id = id;
                reply.request = type;
                reply.code = QStringLiteral("connection");
                reply.message = tr("Not connected to a file server");
                emit replyReceived(reply);
            },
            Qt::QueuedConnection);
    }
    return id;
}

qint64 FileClient::pwd()
{
    return request(QStringLiteral("pwd"), {});
}

qint64 FileClient::list(const QString& path)
{
    return request(QStringLiteral("ls"), QCborMap { { QStringLiteral("path"), path } });
}

qint64 FileClient::changeDirectory(const QString& path)
{
    return request(QStringLiteral("cd"), QCborMap { { QStringLiteral("path"), path } });
}

qint64 FileClient::makeDirectory(const QString& path)
{
    return request(QStringLiteral("mkdir"), QCborMap { { QStringLiteral("path"), path } });
}

qint64 FileClient::removeDirectory(const QString& path, bool recursive)
{
    return request(QStringLiteral("rmdir"),
        QCborMap { { QStringLiteral("path"), path }, { QStringLiteral("recursive"), recursive } });
}

qint64 FileClient::remove(const QString& path)
{
    return request(QStringLiteral("rm"), QCborMap { { QStringLiteral("path"), path } });
}

qint64 FileClient::rename(const QString& from, const QString& to)
{
    return request(
        QStringLiteral("rename"), QCborMap { { QStringLiteral("from"), from }, { QStringLiteral("to"), to } });
}

qint64 FileClient::stat(const QString& path)
{
    return request(QStringLiteral("stat"), QCborMap { { QStringLiteral("path"), path } });
}

qint64 FileClient::cat(const QString& path, qint64 maxBytes)
{
    return request(
        QStringLiteral("cat"), QCborMap { { QStringLiteral("path"), path }, { QStringLiteral("max"), maxBytes } });
}

void FileClient::onMessage(const QCborMap& message)
{
    const QString type = Protocol::typeOf(message);
    if (type != QLatin1String("result") && type != QLatin1String("failed")) {
        return;
    }
    Reply reply;
    reply.id = Protocol::integer(message.value(QLatin1String("id")));
    if (m_listings.contains(reply.id)
        || (m_pending.value(reply.id) == QLatin1String("ls") && message.contains(QLatin1String("next")))) {
        if (!takeListingPage(message, &reply)) {
            return; // more pages to come
        }
        m_pending.remove(reply.id);
        emit replyReceived(reply);
        return;
    }
    reply.request = m_pending.take(reply.id);
    reply.ok = type == QLatin1String("result");
    reply.code = message.value(QLatin1String("code")).toString();
    reply.message = message.value(QLatin1String("message")).toString();
    reply.path = message.value(QLatin1String("path")).toString();
    reply.cwd = message.value(QLatin1String("cwd")).toString();
    for (const QCborValue& value : message.value(QLatin1String("entries")).toArray()) {
        reply.entries.append(FileProtocol::Entry::fromCbor(value.toMap()));
    }
    reply.entry = FileProtocol::Entry::fromCbor(message.value(QLatin1String("entry")).toMap());
    reply.data = message.value(QLatin1String("data")).toByteArray();
    reply.size = Protocol::integer(message.value(QLatin1String("size")));
    if (reply.ok && !reply.cwd.isEmpty()) {
        m_cwd = reply.cwd;
    }
    emit replyReceived(reply);
}

bool FileClient::takeListingPage(const QCborMap& message, Reply* reply)
{
    const qint64 pageId = reply->id;
    Listing listing = m_listings.take(pageId);
    if (listing.id == 0) {
        // The first page: the caller's own request.
        listing.id = pageId;
        listing.path = message.value(QLatin1String("path")).toString();
    }
    reply->id = listing.id;
    reply->request = QStringLiteral("ls");
    reply->path = listing.path;
    if (Protocol::typeOf(message) != QLatin1String("result")) {
        reply->code = message.value(QLatin1String("code")).toString();
        reply->message = message.value(QLatin1String("message")).toString();
        return true;
    }
    for (const QCborValue& value : message.value(QLatin1String("entries")).toArray()) {
        listing.entries.append(FileProtocol::Entry::fromCbor(value.toMap()));
    }
    const QCborValue next = message.value(QLatin1String("next"));
    if (next.isUndefined()) {
        reply->ok = true;
        reply->entries = listing.entries;
        return true;
    }
    if (!next.isInteger() || next.toInteger() <= listing.start) {
        reply->code = QStringLiteral("protocol");
        reply->message = tr("The server sent a listing of %1 that does not move forward").arg(listing.path);
        return true;
    }
    // Ask for the next page by the path the server resolved, so a cd meanwhile changes nothing.
    listing.start = next.toInteger();
    const qint64 id = m_nextId++;
    QCborMap request = FileProtocol::makeRequest(QStringLiteral("ls"), id);
    request.insert(QStringLiteral("path"), listing.path);
    request.insert(QStringLiteral("start"), listing.start);
    if (!m_connection->send(request)) {
        reply->code = QStringLiteral("connection");
        reply->message = tr("Not connected to a file server");
        return true;
    }
    m_listings.insert(id, listing);
    return false;
}

QString FileClient::remotePathFor(const QString& path) const
{
    if (path == QLatin1String("~") || path.startsWith(QLatin1String("~/")) || path.startsWith(QLatin1Char('/'))) {
        return path; // the server refuses "/..." with a clear error
    }
    return m_cwd + QLatin1Char('/') + path;
}

FileTransfer* FileClient::startTransfer(
    FileTransfer::Direction direction, const QString& local, const QString& remote, bool resume)
{
    auto* session = new ServiceClient(m_connection->identity(), m_connection->knownServers().path());
    session->setTrustPolicy(m_connection->trustPolicy());
    session->setLocalAddress(m_connection->localAddress());
    // A key the user trusted once for browsing is trusted for its transfers too.
    if (!m_connection->serverKey().isEmpty()) {
        session->trustServerKey(m_connection->hostPort(), m_connection->serverKey(), false);
    }
    FileTransfer* transfer = direction == FileTransfer::Direction::Upload
        ? static_cast<FileTransfer*>(new UploadTransfer(session, local, remotePathFor(remote), resume, this))
        : new DownloadTransfer(session, local, remotePathFor(remote), resume, this);
    transfer->setQueued();
    m_queue.append(transfer);
    // Start asynchronously, so callers can connect to the transfer's signals first.
    QMetaObject::invokeMethod(this, &FileClient::startQueued, Qt::QueuedConnection);
    return transfer;
}

void FileClient::setMaxParallelTransfers(int count)
{
    m_maxParallel = qMax(1, count);
    startQueued();
}

void FileClient::startQueued()
{
    while (m_running < m_maxParallel && !m_queue.isEmpty()) {
        FileTransfer* transfer = m_queue.takeFirst();
        if (!transfer || transfer->state() != FileTransfer::State::Queued) {
            continue; // cancelled while waiting
        }
        ++m_running;
        connect(
            transfer, &FileTransfer::ended, this,
            [this] {
                --m_running;
                startQueued();
            },
            Qt::SingleShotConnection);
        transfer->start(m_host, m_port);
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
