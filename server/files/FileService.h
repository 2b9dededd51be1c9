#pragma once

#include "FileDescriptor.h"
#include "FilePaths.h"
#include "FileProtocol.h"
#include "HomeFolder.h"
#include "Sha256.h"
#include "SharedFolderAccess.h"

#include <QCborMap>
#include <QFile>
#include <QList>
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
/// beneath the user's home folder, or beneath a room's or direct conversation's shared folder,
/// through HomeFolder (directory descriptors, links never followed); nothing outside them is ever
/// read or written. Every change to a tree is reported to FileArea, which keeps each folder's
/// usage without walking the tree.
///
/// A request in a shared folder is first checked by the store (FolderAccess::check, answered
/// through the event loop); the messages that arrive meanwhile wait in order behind it, so the
/// session's requests are served in the order they came. Every finished change in a shared folder
/// is posted into its conversation as a notice (FolderAccess::notice).
class FileService : public QObject
{
    Q_OBJECT

public:
    FileService(Session* session, FileArea* area, const QString& home, FolderAccess access, QObject* parent = nullptr);
    ~FileService() override;

    /// One message of the session, as it came off the wire.
    void handle(const QByteArray& raw);
    /// The members of conversation id are now members (or it was deleted): a transfer in its folder
    /// by a user who is no longer a member stops, answered with "permission".
    void conversationChanged(qint64 id, const QStringList& members, bool deleted);

    /// The folder in each home that holds partial uploads. Its name has a backslash, which no
    /// path may contain, so no user path can reach it (or collide with an upload's partial data).
    static constexpr char StagingFolder[] = ".partial\\uploads";
    /// Most messages that wait behind a shared folder's check (each at most one transport message).
    static constexpr int MaxWaiting = 64;

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
    std::optional<FilePaths::Location> resolve(qint64 id, const QString& path);
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
    void log(const QString& op, const QString& shown, const QString& extra = QString()) const;
    /// Adds what the folder fd grew or shrank since before (in allocated bytes) to home's usage.
    void accountFolder(const QString& home, int fd, qint64 before);
    static qint64 folderBytes(int fd);
    QString stagingName(const QStringList& path) const;
    FileDescriptor openStaging(HomeFolder::Error* error);

    /// A request's paths, checked (FilePaths) before its handler runs: path, or rename's from and
    /// to, as components below the root of their area (both in the same one).
    struct Paths
    {
        FilePaths::Location where; // the area (its components are path's)
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
    /// A request on "/", "/rooms" or "/direct": ls, cd and stat are answered, changes refused.
    template <typename Request>
    void serveVirtual(const Request& request, const Paths& paths);
    void listVirtual(qint64 id, const FilePaths::Location& where, qint64 start, const FolderGrant& grant);
    /// Makes the area of where (the home, or the shared folder grant admitted) the one the
    /// handlers work in; false once the request is answered (refused, or the folder cannot be opened).
    bool enter(qint64 id, const FilePaths::Location& where, const FolderGrant* grant);
    /// Back to the home as the current area, the shared folder closed.
    void leave();
    /// The current area's path of components, as the client writes it ("~/a", "/rooms/general/a").
    QString virtualPath(const QStringList& components) const;
    QString uploadShown() const;
    /// Posts text into conversation as a notice from this user (nothing for the home: id 0).
    void tellConversation(const Conversation& conversation, const QString& text) const;
    /// Serves the messages that waited for a check, until the next check.
    void drain();
    void serve(const QByteArray& raw);

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
    FolderAccess m_access;
    QString m_homePath; // the user's home folder
    HomeFolder m_homeFolder;
    HomeFolder m_sharedFolder; // the shared folder of the request being served
    // The area the request being served works in: the home or a shared folder.
    QString m_home; // its host path
    HomeFolder* m_folder = &m_homeFolder;
    FilePaths::Location m_where; // its area (components unused)
    Conversation m_conversation; // a shared folder's conversation (id 0 in the home)
    FilePaths::Location m_cwd;
    bool m_checking = false; // a shared folder's check is on its way: messages wait in m_waiting
    QList<QByteArray> m_waiting;
    std::unique_ptr<Upload> m_upload;
    std::unique_ptr<Download> m_download;
};

} // namespace QuietWire
