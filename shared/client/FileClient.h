#pragma once

#include "DownloadTransfer.h"
#include "ErrorCode.h"
#include "FileProtocol.h"
#include "ServiceClient.h"
#include "UploadTransfer.h"

#include <QObject>
#include <QPointer>
#include <functional>

namespace QuietWire {

/// A client of the "files" service: one session for browsing, and a fresh session for every
/// transfer (so a slow download never blocks browsing, and each transfer has its own keys).
///
/// Usage: connection() to set the trust policy; connectToServer(); once connected(), call the
/// browsing methods: each returns a request id that replyReceived() answers (check ok, code and
/// message; code is the server's, or ErrorCode::ConnectionLost when the session ended first). upload()/download()
/// return a FileTransfer (an UploadTransfer or a DownloadTransfer) that reports stateChanged(), progress(), finished()
/// and failed(); they do not need the browsing session. Relative remote paths are taken from the current folder
/// (pwd/cd); "~/..." names a path from the home folder.
class FileClient : public QObject
{
    Q_OBJECT

public:
    struct Reply
    {
        qint64 id = 0;
        FileProtocol::RequestType request = FileProtocol::RequestType::Pwd;
        bool ok = false;
        /// When !ok: the server's code (NotFound, Exists, Quota, BadPath, Io, ...), ConnectionLost,
        /// or Unknown for an answer this program does not understand.
        ErrorCode code = ErrorCode::None;
        QString message; // when !ok: what went wrong, for a person
        QString path; // ls, stat: the resolved path ("~/a")
        QString cwd; // pwd, cd
        QList<FileProtocol::Entry> entries; // ls
        FileProtocol::Entry entry; // stat
        QByteArray data; // cat
        qint64 size = 0; // cat: the whole file's size

        Failure failure() const { return { code, message }; }
    };

    FileClient(const Identity& identity, const QString& knownServersPath, QObject* parent = nullptr);

    ServiceClient* connection() const { return m_connection; }
    void connectToServer(const QString& host, quint16 port);
    /// Where transfers go, for a client that transfers without a browsing session.
    void setServer(const QString& host, quint16 port);
    void disconnectFromServer();
    bool isConnected() const { return m_connection->isReady(); }
    QString currentDirectory() const { return m_cwd; }

    qint64 pwd();
    /// The whole listing in one reply: a large folder comes from the server in pages ("next"),
    /// which are fetched here and joined before replyReceived().
    qint64 list(const QString& path = QString());
    qint64 changeDirectory(const QString& path);
    qint64 makeDirectory(const QString& path);
    qint64 removeDirectory(const QString& path, bool recursive = false);
    qint64 remove(const QString& path);
    qint64 rename(const QString& from, const QString& to);
    qint64 stat(const QString& path);
    qint64 cat(const QString& path, qint64 maxBytes = FileProtocol::DefaultCatBytes);

    /// Starts an upload on its own session; the FileTransfer is a child of this client.
    FileTransfer* upload(const QString& localPath, const QString& remotePath, bool resume = false);
    FileTransfer* download(const QString& remotePath, const QString& localPath, bool resume = false);
    /// A session of the files service to this client's server, with its identity and trust (a key trusted once
    /// for browsing is trusted here too); not connected yet: connectToService(host(), port(), "files").
    ServiceClient* newSession(QObject* parent = nullptr) const;
    QString host() const { return m_host; }
    quint16 port() const { return m_port; }
    /// A transfer on session, a ready session the caller keeps (FileTransfer::Session::Borrowed): not queued,
    /// started asynchronously, a child of parent. When it has ended the session can carry the next one.
    FileTransfer* uploadOn(
        ServiceClient* session, const QString& localPath, const QString& remotePath, bool resume, QObject* parent);
    FileTransfer* downloadOn(
        ServiceClient* session, const QString& remotePath, const QString& localPath, bool resume, QObject* parent);
    /// At most this many transfers run at once (default 4, like FileZilla's queue); the rest wait
    /// in state Queued. It also keeps one client within the server's per-address handshake limit.
    void setMaxParallelTransfers(int count);
    int maxParallelTransfers() const { return m_maxParallel; }
    /// A place among the maxParallelTransfers() that run at once, for work that runs its own sessions
    /// (TreeTransfer's): granted() is called when one is free, in turn with the queued transfers and
    /// never before the event loop turns; give the place back with releaseSlot(). A request whose
    /// owner is destroyed before its turn is dropped.
    void requestSlot(QObject* owner, std::function<void()> granted);
    void releaseSlot();
    /// The places taken now: running transfers of the queue and granted slots.
    int slotsInUse() const { return m_running; }
    /// The remote path a transfer uses for path: absolute from home ("~/...").
    QString remotePathFor(const QString& path) const;

signals:
    void connected();
    void replyReceived(const QuietWire::FileClient::Reply& reply);
    void errorOccurred(const QString& message);
    void disconnected();

private:
    template <typename Request>
    qint64 request(Request request);
    /// Fills reply from a result of its request; false (reply failed) when it is not understood.
    void takeResult(const QCborMap& message, Reply* reply);
    void onMessage(const QCborMap& message);
    FileTransfer* startTransfer(
        FileTransfer::Direction direction, const QString& local, const QString& remote, bool resume);
    FileTransfer* makeTransfer(FileTransfer::Direction direction, ServiceClient* session, FileTransfer::Session use,
        const QString& local, const QString& remote, bool resume, QObject* parent) const;
    void startBorrowed(FileTransfer* transfer);

    ServiceClient* m_connection;
    QString m_host;
    quint16 m_port = 0;
    QString m_cwd = QStringLiteral("~");
    qint64 m_nextId = 1;
    QHash<qint64, FileProtocol::RequestType> m_pending;
    /// A listing that arrives in pages: the id of the request for its next page -> what came so far.
    struct Listing
    {
        qint64 id = 0; // the caller's request
        QString path;
        qint64 start = 0;
        QList<FileProtocol::Entry> entries;
    };
    QHash<qint64, Listing> m_listings;
    /// Takes one page of a listing; true when the listing is complete (reply filled in) or failed.
    bool takeListingPage(const QCborMap& message, Reply* reply);
    /// Fills reply's code and message from a failed answer.
    static void takeFailure(const QCborMap& message, Reply* reply);
    void startQueued();
    /// One turn in the queue: start() takes the place, or returns false when it is no longer wanted.
    struct Waiting
    {
        QPointer<QObject> owner;
        std::function<bool()> start;
    };
    QList<Waiting> m_queue;
    int m_running = 0;
    int m_maxParallel = 4;
};

} // namespace QuietWire
