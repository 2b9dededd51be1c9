#pragma once

#include "BenchOptions.h"

#include <QList>
#include <QRandomGenerator>
#include <QStringList>
#include <memory>

namespace QuietWire {
class ChatStore;
}

namespace QuietWire::Bench {

/// The chat store alone (server/store/ChatStore, no network): fills a store with --stored
/// messages in --conversations conversations through the same batched append the server's group
/// commit uses, then times history pages and searches against it. Records: store_fill (messages/s,
/// file size), store_history and store_search (p50, p99, max in ms).
///
/// fill (store-fill): the store of a server's data dir (--dir DATADIR, quietwire.db, before
/// the server starts), filled the same way for chat-query to read through the server: general and
/// --conversations - 1 public rooms, the bench's --members names (b0000 ...) members of each,
/// messages from them. Record: store_fill.
class StoreBench
{
public:
    explicit StoreBench(const BenchOptions& options);
    int run();
    int fill();
    /// store-query: the history pages and searches of run(), on the store of --dir as it is
    /// (after store-fill and a server's run; the server stopped), as the user b0000.
    int query();

    /// The words of search query number i over a store of stored messages made by this bench: a
    /// rare word, a common one, or both.
    static QString searchWords(int i, QRandomGenerator& random, qint64 stored);

private:
    /// The store at path, opened; nullptr (and a note saying why) when it cannot be.
    std::unique_ptr<ChatStore> openStore(const QString& path);
    /// Appends --stored generated messages to the conversations, in durable batches of 1000, from
    /// senders (picked at random); prints store_fill. False when the store failed (said).
    bool fillMessages(ChatStore& store, const QList<qint64>& conversations, const QStringList& senders,
        QRandomGenerator& random, const QString& path);

    /// Times --queries history pages of 100 and searches of 50 hits as user over conversations
    /// ids; prints store_history and store_search.
    bool queries(ChatStore& store, const QList<qint64>& ids, const QString& user);

    /// Makes names members of conversations, in one transaction.
    static bool addMembers(const QString& path, const QList<qint64>& conversations, const QStringList& names);

    BenchOptions m_options;
};

} // namespace QuietWire::Bench
