#pragma once

#include "ChatStore.h"

#include <QString>
#include <optional>

namespace QuietWire {

/// Several nodes on one --files-root (shared storage) and one PostgreSQL store: the file area's
/// bookkeeping that must be common to them, in the store's tables. FileArea uses it when it is
/// given one (FileArea::shareThrough):
/// - the usage of each folder (bytes, entries, depth), measured by the first node that needs it
///   and then changed by every node's requests (file_usage);
/// - the bytes reserved by running uploads (file_reservations): a row per upload, owned by the
///   database connection of the node that made it, so the rows of a node that died stop counting
///   the moment its connection is gone;
/// - the claim of an upload on its target (one upload per name across all nodes): a session-level
///   advisory lock on this connection, let go when the upload ends or the node's connection dies.
/// Check-and-reserve is one transaction under a lock of the folder, so parallel uploads through
/// several nodes cannot pass the quota together.
///
/// Keys name folders relative to the roots ("home/alice", "room/17"): the nodes may mount the
/// shared storage at different paths. Each call is one or two short statements on this object's
/// own connection in the calling thread (the server's event loop); a database that does not
/// answer fails them within the statement timeout, and the file service answers `unavailable`.
class SharedFileLedger
{
public:
    struct Usage
    {
        qint64 bytes = 0;
        qint64 entries = 0;
        int height = 0;
    };

    SharedFileLedger();
    ~SharedFileLedger();
    SharedFileLedger(const SharedFileLedger&) = delete;
    SharedFileLedger& operator=(const SharedFileLedger&) = delete;

    /// Connects; false (error set) when the store cannot be reached.
    bool open(const ChatStore::Options& options, QString* error);

    /// The folder's usage, nullopt when the store has none for it yet (measure, then set()) or
    /// cannot be read (failed() then says so).
    std::optional<Usage> usage(const QString& key);
    /// Sets the folder's measured usage when no node has set it yet (else keeps the other's).
    bool set(const QString& key, const Usage& usage);
    /// Replaces it (after a change could not be counted while the store was away).
    bool replace(const QString& key, const Usage& usage);
    bool adjust(const QString& key, qint64 bytes, qint64 entries);
    bool noteDepth(const QString& key, int depth);

    enum class Fit { Fits, TooBig, Unavailable };
    /// In one transaction under the folder's lock: whether bytes more fit within quota beside the
    /// usage and every live reservation; if so (and reservation is given) reserves them, writing
    /// the reservation's id there. available: the bytes still free.
    Fit reserveIfFits(const QString& key, qint64 bytes, qint64 quota, qint64* available, qint64* reservation);
    /// The bytes live reservations of other uploads hold in the folder (-1: unreadable).
    qint64 reserved(const QString& key);
    bool resize(qint64 reservation, qint64 bytes);
    void drop(qint64 reservation);

    /// One upload per target across the nodes: false when another node's upload holds it (or the
    /// store cannot be asked).
    bool claim(const QString& targetKey);
    void unclaim(const QString& targetKey);

    /// The last call failed because the store could not be reached.
    bool failed() const { return m_failed; }

private:
    bool run(class QSqlQuery& query);

    QString m_connection;
    bool m_failed = false;
};

} // namespace QuietWire
