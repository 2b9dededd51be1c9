#pragma once

#include "FileDescriptor.h"
#include "FileProtocol.h"
#include "HomeFolder.h"
#include "Sha256.h"

#include <QCborMap>
#include <QFile>
#include <QObject>
#include <QStringList>
#include <memory>
#include <optional>
#include <sys/stat.h>

namespace QuietWire {

class FileArea;
struct Session;

/// The "files" service for one session: browsing requests with ids, and at most one
/// streaming transfer (put or get) at a time. Every path is checked with FilePaths, then opened
/// beneath the user's home folder through HomeFolder (directory descriptors, links never
/// followed); nothing outside it is ever read or written. Every change to the tree is reported
/// to FileArea, which keeps the user's usage without walking the tree.
class FileService : public QObject
{
    Q_OBJECT

public:
    FileService(Session* session, FileArea* area, const QString& home, QObject* parent = nullptr);
    ~FileService() override;

    /// One message of the session, as it came off the wire.
    void handle(const QByteArray& raw);

    /// The folder in each home that holds partial uploads. Its name has a backslash, which no
    /// path may contain, so no user path can reach it (or collide with an upload's partial data).
    static constexpr char StagingFolder[] = ".partial\\uploads";

private:
    struct Upload;
    struct Download;
    /// A path's parent folder, opened, and the last component's lstat.
    struct Located
    {
        QStringList path;
        FileDescriptor parent;
        QString name;
        bool exists = false;
        struct stat st;
    };

    void reply(const QCborMap& message);
    void fail(qint64 id, ErrorCode code, const QString& message);
    /// Checks a request path (run() does, for every path a request names); on failure answers
    /// the request and returns nullopt.
    std::optional<QStringList> resolve(qint64 id, const QString& path);
    /// Opens the parent of path (which must not be the home folder) and looks up its last
    /// component; on failure answers the request and returns nullopt.
    std::optional<Located> locate(qint64 id, const QStringList& path);
    /// locate() for a path that must exist and not be a symbolic link (answered not_found and
    /// bad_path otherwise).
    std::optional<Located> locateExisting(qint64 id, const QStringList& path);
    /// Opens path, a regular file, for reading beneath the home (cat, get), and fills info from
    /// the open file; false once the request is answered.
    bool openForReading(qint64 id, const QStringList& path, QFile& file, struct stat* info);
    /// Answers a HomeFolder error on path with the matching code.
    void failOn(qint64 id, HomeFolder::Error error, const QStringList& path, const QString& action = QString());
    void log(const QString& op, const QStringList& path, const QString& extra = QString()) const;
    /// Adds what the folder fd grew or shrank since before (in allocated bytes) to the usage.
    void accountFolder(int fd, qint64 before);
    static qint64 folderBytes(int fd);
    QString stagingName(const QStringList& path) const;
    FileDescriptor openStaging(HomeFolder::Error* error);

    /// A request's paths, checked (FilePaths) before its handler runs: path, or rename's from and to.
    struct Paths
    {
        QStringList path;
        QStringList to;
    };
    /// One entry of the dispatch table: run() for most requests, putEnd() for end.
    struct Handler
    {
        FileProtocol::RequestType type;
        void (FileService::*run)(const QCborMap& message, qint64 id);
    };
    static const Handler Handlers[];

    /// Decodes Request (FileProtocol), checks its paths in the documented order, answers a
    /// decode failure or a bad path, and otherwise calls Handle.
    template <typename Request, void (FileService::*Handle)(const Request&, const Paths&)>
    void run(const QCborMap& message, qint64 id);

    void pwd(const FileProtocol::PwdRequest& request, const Paths& paths);
    void cd(const FileProtocol::CdRequest& request, const Paths& paths);
    void ls(const FileProtocol::LsRequest& request, const Paths& paths);
    void mkdir(const FileProtocol::MkdirRequest& request, const Paths& paths);
    void rmdir(const FileProtocol::RmdirRequest& request, const Paths& paths);
    void rm(const FileProtocol::RmRequest& request, const Paths& paths);
    void rename(const FileProtocol::RenameRequest& request, const Paths& paths);
    void stat(const FileProtocol::StatRequest& request, const Paths& paths);
    void cat(const FileProtocol::CatRequest& request, const Paths& paths);
    void partial(const FileProtocol::PartialRequest& request, const Paths& paths);
    void put(const FileProtocol::PutRequest& request, const Paths& paths);
    void putData(const QByteArray& data);
    void putEnd(const QCborMap& message, qint64 id);
    void get(const FileProtocol::GetRequest& request, const Paths& paths);
    void pumpDownload();
    void abortUpload(bool removePart);

    Session* m_session;
    FileArea* m_area;
    QString m_home;
    HomeFolder m_folder;
    QStringList m_cwd;
    std::unique_ptr<Upload> m_upload;
    std::unique_ptr<Download> m_download;
};

} // namespace QuietWire
