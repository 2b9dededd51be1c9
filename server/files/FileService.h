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
class MessageFields;
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
    void fail(qint64 id, const QString& code, const QString& message);
    /// Answers a field of the wrong type (or a missing one) with bad_request; false when so.
    bool checkFields(qint64 id, const MessageFields& fields);
    /// Checks a request path (handle() does, for every path a request names); on failure answers
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

    /// One request as the dispatch table hands it to its handler: the id, the fields still to
    /// read, and the paths it names, already checked (path, or rename's from and to).
    struct Request
    {
        qint64 id;
        MessageFields& fields;
        QStringList path;
        QStringList to;
    };
    /// Which path fields a request has: handle() reads and resolves them before the handler runs.
    enum class PathField { None, Required, Optional, FromTo };
    struct Handler
    {
        const char* type;
        PathField path;
        void (FileService::*handle)(Request& request);
    };
    static const Handler Handlers[];

    void pwd(Request& request);
    void cd(Request& request);
    void ls(Request& request);
    void mkdir(Request& request);
    void rmdir(Request& request);
    void rm(Request& request);
    void rename(Request& request);
    void stat(Request& request);
    void cat(Request& request);
    void partial(Request& request);
    void put(Request& request);
    void putData(const QByteArray& data);
    void putEnd(Request& request);
    void get(Request& request);
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
