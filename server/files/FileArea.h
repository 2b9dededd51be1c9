#pragma once

#include <QHash>
#include <QSet>
#include <QString>
#include <memory>
#include <sys/stat.h>

namespace QuietWire {

class SharedFileLedger;

/// The server's file storage: one home folder per user under the files root, one folder per room
/// or direct conversation under the rooms root (named by conversation id, so a room deleted and
/// created again starts empty), the limits (bytes, entries, depth; a room folder has its own
/// byte quota), and the bookkeeping shared by all file sessions (uploads in progress, and the
/// bytes they have reserved). Below, "home" is the host path of either kind of folder.
///
/// Usage is what the disk really spends: the blocks of every file and folder plus EntryCost per
/// object, so folders and empty files are not free. It is measured once per home, the first time
/// it is needed (a walk through directory descriptors, so no depth hides anything), and from then
/// on kept up to date by adjust() from each request that changes the tree: no request walks the
/// tree to check the quota.
class FileArea
{
public:
    struct Limits
    {
        qint64 quotaBytes = qint64(1) << 30;
        int maxDepth = 64; // folders below the home folder, the home itself being 0
        qint64 maxEntries = 100000; // files, folders and other objects in one home
        qint64 roomQuotaBytes = qint64(1) << 30; // one room's (or direct conversation's) folder
    };
    struct Usage
    {
        qint64 bytes = 0;
        qint64 entries = 0;
        int height = 0; // the depth of the deepest object (an upper bound once things moved)
    };
    enum class Refusal {
        None,
        Bytes,
        Entries,
        Depth,
        Unavailable, // several nodes: the shared bookkeeping (the chat store) cannot be reached
    };

    /// What an object costs beyond its data blocks: its inode and its name in a folder.
    static constexpr qint64 EntryCost = 512;
    /// What a new, empty folder costs on common file systems (one 4 KiB block and its entry).
    static constexpr qint64 FolderCost = 4096 + EntryCost;

    /// root holds the homes, roomsRoot the shared folders (a place no home name reaches).
    FileArea(QString root, QString roomsRoot, Limits limits);
    ~FileArea();

    /// Several nodes on one shared --files-root: usage, reservations and upload claims are kept in
    /// the shared store through ledger from now on (SharedFileLedger), not in this node's memory.
    void shareThrough(std::unique_ptr<SharedFileLedger> ledger);

    QString root() const { return m_root; }
    QString roomsRoot() const { return m_roomsRoot; }
    qint64 quota() const { return m_limits.quotaBytes; }
    /// The byte quota of home: the room quota for a shared folder, the home quota otherwise.
    qint64 quotaOf(const QString& home) const;
    const Limits& limits() const { return m_limits; }
    /// The user's home folder, created (mode 0700) on first use; empty on failure.
    QString home(const QString& folderName, QString* error = nullptr);
    /// The shared folder of conversation id (rooms root + "/" + id), created (mode 0700, and the
    /// rooms root too) on first use; empty on failure.
    QString sharedFolder(qint64 conversationId, QString* error = nullptr);
    /// The host path sharedFolder() gives, without creating anything.
    QString sharedFolderPath(qint64 conversationId) const { return sharedFolderPath(m_roomsRoot, conversationId); }
    /// The same, for the rooms root roomsRoot (the chat's attachment checks).
    static QString sharedFolderPath(const QString& roomsRoot, qint64 conversationId);
    /// Keeps the folder of a deleted conversation aside: renamed into <roomsRoot>/deleted/ as
    /// "<id>-<UTC time>", never deleted. Returns the new path (empty when there was no folder or
    /// it could not be moved: error then says why).
    static QString keepAside(const QString& roomsRoot, qint64 conversationId, QString* error = nullptr);
    /// Forgets what is counted for home (after its folder was kept aside).
    void forget(const QString& home);

    /// The disk cost of one object: its allocated blocks plus EntryCost.
    static qint64 cost(const struct stat& st);
    /// Walks the tree below dirFd; complete is false when part of it could not be read.
    static Usage measure(int dirFd, bool* complete = nullptr);

    /// The home's usage: measured the first time, then kept up to date by adjust(). Call it
    /// before the first change to a home (FileService does when a session starts).
    Usage usage(const QString& home);
    /// How many trees usage() has walked: once per home, never per request.
    qint64 walks() const { return m_walks; }
    void adjust(const QString& home, qint64 bytes, qint64 entries);
    /// Something now exists depth levels below home.
    void noteDepth(const QString& home, int depth);

    class UploadLease;
    /// Whether bytes and entries more, the deepest at depth, fit within the limits (counting
    /// what running uploads have reserved); available tells the bytes still free. With hold, the
    /// bytes are reserved for that upload in the same step when they fit (across all nodes when
    /// the area is shared, so two nodes cannot both take the last free bytes).
    Refusal check(const QString& home, qint64 bytes, qint64 entries, int depth, qint64* available = nullptr,
        UploadLease* hold = nullptr);
    /// A message naming the limit of home, for a "quota" failure.
    QString explain(const QString& home, Refusal refusal, const QString& what, qint64 bytes, qint64 available) const;

    /// Claims target (a home folder's path to a file) for one upload: one upload per target at a
    /// time, so two uploads cannot interleave into one file. An invalid lease when another upload
    /// holds it.
    UploadLease claimUpload(const QString& home, const QString& target);

    /// Parses "1G", "500M", "64KiB", "1048576": bytes, or -1.
    static qint64 parseSize(const QString& text);

private:
    void reserve(const QString& home, qint64 bytes);
    void release(const QString& home, qint64 bytes);
    /// The measured usage of home, walking its tree.
    Usage measureHome(const QString& home);
    /// A folder's name in the shared ledger: relative to its root ("home/NAME", "room/ID").
    QString ledgerKey(const QString& path) const;

    QString m_root;
    QString m_roomsRoot;
    Limits m_limits;
    QHash<QString, Usage> m_usage;
    QHash<QString, qint64> m_reserved;
    QSet<QString> m_uploads;
    qint64 m_walks = 0;
    std::unique_ptr<SharedFileLedger> m_shared;
    QSet<QString> m_dirty; // shared: homes whose change could not be counted (measured again)
};

/// What one upload holds in FileArea: its claim on the target name, and the bytes reserved for
/// what is still to come (check() counts them against the quota). Both end with the lease, however
/// the upload ends: finished, refused, failed or cut off.
///
/// Usage:
///     FileArea::UploadLease lease = area.claimUpload(home, target);
///     if (!lease.isValid()) { busy(); return; }
///     lease.reserve(size - offset); // until the lease ends or release() is called
class FileArea::UploadLease
{
public:
    UploadLease() = default;
    UploadLease(UploadLease&& other) noexcept;
    UploadLease& operator=(UploadLease&& other) noexcept;
    UploadLease(const UploadLease&) = delete;
    UploadLease& operator=(const UploadLease&) = delete;
    ~UploadLease() { release(); }

    bool isValid() const { return m_area != nullptr; }
    /// Reserves bytes (in place of what was reserved before).
    void reserve(qint64 bytes);
    qint64 reserved() const { return m_reserved; }
    /// Gives the reservation and the claim back now; the lease is then invalid.
    void release();

private:
    friend class FileArea;
    UploadLease(FileArea* area, QString home, QString target);

    FileArea* m_area = nullptr;
    QString m_home;
    QString m_target;
    qint64 m_reserved = 0;
    qint64 m_reservation = 0; // shared: its row in the ledger
};

} // namespace QuietWire
