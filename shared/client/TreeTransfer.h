#pragma once

#include "FileClient.h"
#include "FileTransfer.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <memory>

namespace QuietWire {

/// Moves a whole folder tree: upload() sends a local folder and everything in it into a remote folder, download()
/// fetches a remote folder (walked with ls) into a local one; the target folder is created when missing and receives
/// the source's contents. Folders are created first; then the files travel over a few sessions of the tree's own
/// (FileClient::maxParallelTransfers(), 4 by default), each session carrying one file after another with the usual
/// transfers (FileClient::uploadOn()/downloadOn(): partial data, resume and the SHA-256 check as for one file). Each
/// session takes a place in the FileClient's queue (FileClient::requestSlot()), in turn with its single transfers and
/// other trees: however many run, no more than maxParallelTransfers() sessions move files at once.
///
/// Run again after an interruption (cancel(), a lost connection, a killed program), it continues where it stopped:
/// a file whose copy on the other side has the same size and SHA-256 is left alone (UpToDate; the server compares,
/// answering a "get" from the end of the file with the whole file's hash as its prefix), and a partial one resumes.
/// What cannot be stored is skipped, named, and the rest goes on: a symbolic link, a device, fifo or socket, an entry
/// on the server that is neither file nor folder, a name the server refuses (bad_path) and all a refused folder holds.
///
/// Usage: the FileClient must be connected (the tree lists and creates folders on its browsing session). Connect
/// fileChanged(index) (file(index) tells the state), progress() and finished(); then upload(localDir, remoteDir) or
/// download(remoteDir, localDir). cancel() stops it all, keeping partial data for the next run; finished() comes
/// then too. summary() counts the outcome. Files start in the order of file(): sorted by path (UTF-16 code units).
class TreeTransfer : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Waiting, // not started yet
        Checking, // the server compares an existing copy's SHA-256
        Running, // its transfer runs
        Transferred,
        UpToDate, // the copy was already identical: nothing sent
        Skipped, // cannot be stored (a link, a device, a refused name): see message
        Failed, // see message
    };
    Q_ENUM(State)
    enum class Kind { File, Folder, Other };

    struct File
    {
        QString path; // relative to both roots, "/" between names
        Kind kind = Kind::File; // folders are listed only when they could not be created
        qint64 size = 0; // of the source
        State state = State::Waiting;
        QString message; // Skipped, Failed: why, for a person
        ErrorCode code = ErrorCode::None; // Skipped, Failed: the server's code when it refused
        qint64 done = 0; // bytes on the other side
        qint64 resumedFrom = 0; // a resumed transfer: where this run started
    };
    struct Summary
    {
        int files = 0; // every entry listed (files, and what was skipped)
        int transferred = 0;
        int upToDate = 0;
        int skipped = 0;
        int failed = 0;
        qint64 bytes = 0; // of the regular files, without the skipped ones
        qint64 bytesDone = 0;
        bool cancelled = false;
    };

    explicit TreeTransfer(FileClient* client, QObject* parent = nullptr);
    ~TreeTransfer() override;

    FileTransfer::Direction direction() const { return m_direction; }
    QString localRoot() const { return m_localRoot; }
    QString remoteRoot() const { return m_remoteRoot; }

    void upload(const QString& localDir, const QString& remoteDir);
    void download(const QString& remoteDir, const QString& localDir);
    /// Stops every transfer now; partial data stays for the next run. finished() follows.
    void cancel();

    bool isRunning() const { return m_running; }
    int fileCount() const { return int(m_files.size()); }
    const File& file(int index) const { return m_files.at(index); }
    Summary summary() const;

signals:
    /// The list of file() is complete (after the walk): fileCount() entries, all Waiting or Skipped.
    void listed();
    void fileChanged(int index);
    /// Files ended (in any state) of all, bytes done of all (regular files but the skipped ones; an up-to-date one
    /// counts whole).
    void progress(int filesDone, int files, qint64 bytesDone, qint64 bytes);
    /// Everything has ended, or cancel(), or the tree could not start (error set, every file Failed).
    void finished();
    /// Why the whole tree could not be moved (the roots: not found, not a folder, refused); finished() follows.
    void failed(const QString& message);

private:
    struct Lane;
    struct RemoteEntry
    {
        FileProtocol::Entry::Type type = FileProtocol::Entry::Type::Other;
        qint64 size = 0;
    };

    void begin(FileTransfer::Direction direction, const QString& localDir, const QString& remoteDir);
    void walkLocal(const QString& relative);
    void listRemote(const QString& relative);
    void onReply(const FileClient::Reply& reply);
    void onListed(const QString& relative, const FileClient::Reply& reply);
    void walked();
    void makeFolders();
    void onFolderMade(const QString& relative, const FileClient::Reply& reply);
    void startFiles();
    /// A place in the client's queue came (for the run generation): a new lane takes it, or gives it back.
    void openLane(int generation);
    /// The lane gives its place in the client's queue back (once).
    void releaseLane(Lane* lane);
    void addFile(const QString& path, Kind kind, qint64 size, State state = State::Waiting,
        const QString& message = QString(), ErrorCode code = ErrorCode::None);
    void setState(int index, State state, const QString& message = QString(), ErrorCode code = ErrorCode::None);
    /// The folder relative is refused or failed: every file below it takes its state.
    void markSubtree(const QString& relative, State state, const QString& message, ErrorCode code = ErrorCode::None);
    void nextFile(Lane* lane);
    void connectLane(Lane* lane);
    void onLaneReady(Lane* lane);
    void onLaneError(Lane* lane);
    void onLaneClosed(Lane* lane);
    void runFile(Lane* lane);
    bool resumeFor(const File& file) const;
    void fileEnded(Lane* lane);
    void checkCopy(Lane* lane);
    void onLaneMessage(Lane* lane, const QCborMap& message);
    void transferFile(Lane* lane, bool resume);
    void onTransferEnded(Lane* lane);
    void finishIfDone();
    void failTree(const QString& message);
    void emitProgress();
    void dropLanes();
    QString remotePath(const QString& relative) const;
    QString localPath(const QString& relative) const;

    QPointer<FileClient> m_client; // null once it is being destroyed (a tree may be its child)
    FileTransfer::Direction m_direction = FileTransfer::Direction::Upload;
    QString m_localRoot;
    QString m_remoteRoot;
    bool m_running = false;
    int m_generation = 0; // which run a place in the client's queue was asked for
    int m_slotsAsked = 0; // places asked for in this run and not granted yet
    bool m_cancelled = false;
    bool m_announced = false; // listed() has come: fileChanged() reports every change from then on
    QList<File> m_files;
    QStringList m_folders; // relative folders of the source ("" is the root)
    /// Upload: what the target holds already (relative path -> entry); the folders that exist there.
    QHash<QString, RemoteEntry> m_remote;
    QSet<QString> m_remoteFolders;
    QSet<QString> m_localFolders;
    QSet<QString> m_refusedFolders; // folders that could not be made: their subtrees are marked
    /// Requests on the browsing session: id -> the relative folder they are about.
    QHash<qint64, QString> m_listings;
    QHash<qint64, QString> m_mkdirs;
    std::vector<std::unique_ptr<Lane>> m_lanes;
    int m_next = 0; // the next file to start
    int m_ended = 0;
    qint64 m_bytesDone = 0;
    qint64 m_bytesTotal = 0; // of the regular files, known once listed()
};

} // namespace QuietWire
