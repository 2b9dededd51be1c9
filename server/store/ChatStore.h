#pragma once

#include "StoreTypes.h"

#include <QSqlDatabase>
#include <QString>
#include <QVariantList>
#include <functional>
#include <memory>
#include <optional>

class QSqlError;
class QSqlQuery;

namespace QuietWire {

/// The chat's durable state in a database through Qt SQL: conversations (rooms and direct
/// conversations), their members, every message, and each user's read marker per conversation.
/// SQLite (QSQLITE, one file, WAL) is the embedded default; the SQL is written so PostgreSQL
/// runs it too, and what differs between the two (column types, pragmas, the full-text index)
/// sits in one dialect table in ChatStore.cpp, never in this interface.
///
/// Not thread-safe: one ChatStore is used by the one thread that opened it (Qt SQL's rule). Each
/// call is its own transaction; append() takes a whole batch in one, so its caller can group
/// many messages into one durable commit. A call that fails returns false or nullopt and
/// failure() says why, naming the store.
///
/// Usage:
///     StoreFailure failure;
///     auto store = ChatStore::open({ .databaseName = dataDir + "/quietwire.db" }, &failure);
///     if (!store) { fail(failure.message); } // a newer schema, a corrupt or locked file: untouched
///     const auto general = store->room("general");
///     const auto ids = store->append({ { general->id, "alice", fingerprint, "c-17", now, "hello" } });
///     const auto page = store->history(general->id, 0, 100); // newest first
class ChatStore
{
public:
    /// The schema this build writes; open() migrates older stores forward, refuses newer ones.
    static constexpr int SchemaVersion = 5;
    /// The SQLite store's file in the data dir.
    static constexpr char FileName[] = "quietwire.db";
    /// The room every user is in.
    static constexpr char GeneralRoom[] = "general";
    /// Several nodes on one database (PostgreSQL): the channels the store notifies (LISTEN/NOTIFY)
    /// when a transaction stored messages (no payload), and when a conversation or its members
    /// changed (payload "ID ORIGIN": the conversation's id and Options::origin of the store that
    /// changed it). SQLite: one node, no notifications.
    static constexpr char MessagesChannel[] = "quietwire_messages";
    static constexpr char ConversationsChannel[] = "quietwire_conversations";
    /// ... and when the whitelist kept in the store changed (no payload).
    static constexpr char WhitelistChannel[] = "quietwire_whitelist";
    /// True when other nodes may share the store and learn of changes through the channels.
    bool isShared() const;
    /// After a failure that lost the connection to a database server (Unavailable; the server
    /// restarted or cannot be reached), opens it again, at most once per ReconnectIntervalMs: the
    /// calls in between fail at once with Unavailable. True when the connection is usable.
    bool reconnectIfLost();
    static constexpr int ReconnectIntervalMs = 1000;
    /// Longest room name; names are letters, digits and "._-".
    static constexpr int MaxRoomNameLength = 64;
    /// A search word that starts more terms than this is matched as a prefix by the index itself
    /// (slower for common words) instead of as the list of those terms.
    static constexpr int MaxPrefixTerms = 64;

    struct Options
    {
        /// QSQLITE (the embedded default) or QPSQL (PostgreSQL, shared by several nodes).
        QString driver = QStringLiteral("QSQLITE");
        /// SQLite: the file. PostgreSQL: the database.
        QString databaseName;
        /// PostgreSQL only: where the server is and who the store logs in as. An empty password
        /// leaves it to libpq (a ~/.pgpass or PGPASSFILE, or a method that needs none).
        QString host;
        int port = -1;
        QString user;
        QString password;
        /// PostgreSQL only: more libpq connection keywords, "key=value;key=value" (sslmode=require).
        QString connectOptions;
        /// Several nodes on one database: who this store speaks for in the notifications it sends
        /// (ConversationsChannel's payload), so that a node knows its own changes when they come back.
        QString origin;
        /// How long a write waits for another process's lock before the store reports Locked.
        int busyTimeoutMs = 5000;
    };

    /// Opens (creating when there is no store yet) and migrates. Refuses, without writing a byte:
    /// a file that is not a QuietWire store or is damaged (Corrupt), a store of a newer schema
    /// (NewerSchema), one another process holds (Locked).
    static std::unique_ptr<ChatStore> open(const Options& options, StoreFailure* failure);
    ~ChatStore();
    ChatStore(const ChatStore&) = delete;
    ChatStore& operator=(const ChatStore&) = delete;

    StoreFailure failure() const { return m_failure; }
    /// What the store is, for messages: "the chat store /var/lib/quietwired/quietwire.db".
    QString description() const;

    static bool isValidRoomName(const QString& name);

    // Conversations and members.
    std::optional<Conversation> createRoom(
        const QString& name, const QString& topic, bool isPrivate, const QString& owner, qint64 nowMs);
    std::optional<Conversation> room(const QString& name);
    std::optional<Conversation> conversation(qint64 id);
    /// The direct conversation of two names, created (with both as members) the first time.
    std::optional<Conversation> directConversation(const QString& a, const QString& b, qint64 nowMs);
    std::optional<QList<Conversation>> rooms();
    /// How many direct conversations there are (whoever's, revoked names' included).
    std::optional<qint64> directConversationCount();
    bool deleteConversation(qint64 id);
    bool setTopic(qint64 id, const QString& topic);
    /// Adds name, or changes its role when it is a member already.
    bool addMember(qint64 conversation, const QString& name, MemberRole role);
    bool removeMember(qint64 conversation, const QString& name);
    /// The role of name; nullopt both when name is not a member and on failure (failure() tells).
    std::optional<MemberRole> roleOf(qint64 conversation, const QString& name);
    std::optional<QList<std::pair<QString, MemberRole>>> members(qint64 conversation);

    // Messages.
    struct NewMessage
    {
        qint64 conversation = 0;
        QString sender;
        QString fingerprint;
        /// The sender's own id of the message: a second message with the same fingerprint and
        /// client id is the same message (a resend after a reconnect) and is not stored again.
        QString clientId;
        qint64 timeMs = 0;
        QString text;
        bool notice = false;
        /// A file in the conversation's shared folder (checked before: the store keeps what it is given).
        StoredAttachment attachment;
        /// Store it only when sender is a member of conversation at the moment of the commit.
        bool requireMember = false;
    };
    struct Appended
    {
        qint64 id = 0; // 0 when this message could not be stored (error says why)
        bool duplicate = false; // stored before under the same fingerprint and client id
        StoreError error = StoreError::None; // NotFound: its conversation is gone; NotMember
    };
    /// Stores the messages of batch in one transaction, each with the next server-wide id (ids
    /// only grow, and are never given twice, deleted messages' included); when this returns, the
    /// transaction is committed (durable: synchronous=FULL on SQLite). A message that cannot be
    /// stored (its conversation was deleted meanwhile) fails alone; nullopt when the whole batch
    /// failed, and then none of it is stored.
    std::optional<QList<Appended>> append(const QList<NewMessage>& batch);
    /// Up to limit messages of conversation with an id below beforeId (0: the newest), newest first.
    std::optional<QList<StoredMessage>> history(qint64 conversation, qint64 beforeId, int limit);
    /// Messages whose text holds every word (case-insensitive, Unicode; a word also matches the
    /// start of a longer one), in the conversations user is a member of (or only in conversation,
    /// when it is not 0), with an id below beforeId (0: any), newest first.
    std::optional<QList<SearchHit>> search(const QString& user, const QString& words, qint64 conversation,
        qint64 beforeId, int limit, const QString& hitStart, const QString& hitEnd);
    /// The newest message id in the store (0: none yet).
    std::optional<qint64> lastMessageId();
    /// Several nodes (PostgreSQL): the whitelist is kept in the store, as the text of an
    /// authorized_keys file (AuthorizedKeys parses and edits it), one copy for every node.
    /// Unsupported on SQLite, whose server reads <data-dir>/authorized_keys.
    std::optional<QByteArray> whitelistText();
    /// Changes the whitelist in one transaction: edit gets the current text and returns the new
    /// one, or nullopt to change nothing (the store then fails with Refused and edit's own error
    /// is the caller's to report). The other nodes are told (WhitelistChannel) at the commit.
    bool editWhitelist(const std::function<std::optional<QByteArray>(const QByteArray&)>& edit);
    /// Up to limit messages of every conversation with an id above afterId, oldest first: what a
    /// node delivers when MessagesChannel says there is more.
    std::optional<QList<StoredMessage>> messagesAfter(qint64 afterId, int limit);

    // Read markers.
    /// Moves user's marker in conversation forward to lastRead (never back).
    bool markRead(const QString& user, qint64 conversation, qint64 lastRead);
    /// Every conversation user is a member of, with its unread count and newest message.
    std::optional<QList<ConversationSummary>> conversationsOf(const QString& user);
    /// user's read marker in conversation (0: none yet).
    std::optional<qint64> lastRead(const QString& user, qint64 conversation);
    /// How many messages of conversation are newer than user's read marker.
    std::optional<qint64> unreadCount(const QString& user, qint64 conversation);

    // Upkeep.
    /// Deletes up to batch messages older than cutoffMs (oldest first); the number deleted, 0 when
    /// none are left.
    std::optional<int> deleteOlderThan(qint64 cutoffMs, int batch);
    struct Pruned
    {
        QString last; // the last term looked at: the next call goes on after it; empty at the end
        int removed = 0;
    };
    /// Removes from the search vocabulary the terms no message has any more (after deletions),
    /// looking at up to batch terms after the term after (empty: from the start).
    std::optional<Pruned> pruneTerms(const QString& after, int batch);
    /// Writes a consistent copy of the store to path (a new file), while others keep writing.
    bool backup(const QString& path);
    /// Replaces the SQLite store at storePath with a copy of the backup at backupPath, after
    /// checking the backup (a QuietWire store of this schema or an older one, integrity_check
    /// ok) without changing it. The store it replaces is kept beside it, renamed to *keptAside
    /// (nothing is deleted). The server must not be running: the caller checks that.
    static bool restore(const QString& backupPath, const QString& storePath, QString* keptAside, StoreFailure* failure);

    /// What differs between the databases (ChatStore.cpp).
    struct Dialect;

private:
    ChatStore(const Options& options, const Dialect& dialect);
    bool openDatabase();
    bool checkAndMigrate();
    bool checkAndMigrateHoldingLock();
    bool migrateFrom(int version);
    bool exec(QSqlQuery& query);
    bool exec(const QString& sql);
    bool fail(StoreError error, const QString& message);
    bool failQuery(const QSqlQuery& query);
    bool failWith(const QSqlError& error, const QString& what);
    bool transaction();
    bool conversationExists(qint64 id);
    /// Tells the other nodes (ConversationsChannel) that conversation id changed; true with nothing to tell.
    void announceConversation(qint64 id);
    bool commit();
    std::optional<Conversation> conversationWhere(const QString& condition, const QVariantList& values);
    std::optional<Conversation> insertConversation(Conversation conversation, const QStringList& members);
    StoredMessage messageFrom(const QSqlQuery& query, int firstColumn = 0) const;
    /// The full-text query of search()'s words; empty when a word starts no term at all.
    std::optional<QString> matchExpression(const QStringList& words);

    Options m_options;
    bool m_connectionLost = false;
    qint64 m_lastReconnectMs = 0;
    const Dialect& m_dialect;
    QString m_connectionName;
    QSqlDatabase m_db;
    StoreFailure m_failure;
};

} // namespace QuietWire
