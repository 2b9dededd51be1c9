#include "ChatStore.h"

#include "FileIo.h"
#include "StoreUrl.h"

#include <QAtomicInteger>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <fcntl.h>
#include <limits>
#include <unistd.h>

namespace QuietWire {

/// What differs between the databases the store runs on. Everything else is SQL both take.
struct ChatStore::Dialect
{
    QString driver;
    /// The Debian package with Qt's driver.
    QString package;
    /// The primary key of tables whose ids the database assigns, growing and never reused.
    QString generatedId;
    /// The names of the tables in the database.
    QString listTables;
    /// Run after the checks, before any other statement (outside a transaction): settings, and the
    /// connection's own temporary tables.
    QStringList settings;
    /// Takes the write lock and gives it back at once: does another process hold it?
    QStringList lockProbe;
    /// Sets how long a statement waits for another process's lock (%1: milliseconds); empty when a
    /// connection option does it.
    QString busyTimeout;
    /// Held while the schema is checked and migrated, so that of several nodes starting at once on
    /// one database the first migrates and the others wait and find it done. Empty: nothing to hold
    /// (SQLite: one quietwired per store, DataDirLock).
    QString migrationLock;
    QString migrationUnlock;
    /// Begins a transaction that writes: it takes the write lock at once, waiting for another
    /// process's lock as long as the busy timeout allows, so no statement in it fails halfway for
    /// a lock. Writers take turns, so message ids are committed in the order they are given (a
    /// node that reads "every id after the last it saw" never skips one committed late).
    QStringList beginWrite;
    /// What kind of failure a database error is.
    StoreError (*classify)(const QSqlError& error);
    /// The full-text index over messages.body and messages.attachment_name. New messages are added
    /// to it by indexAppended, once per transaction; deleted ones leave it through the database
    /// itself (a trigger).
    QStringList searchSchema;
    /// One statement of indexAppended: bindsFirstId when it takes the first new id as its value.
    struct Step
    {
        QString sql;
        bool bindsFirstId = false;
    };
    /// Adds the messages with an id from the first new one on (those of the running transaction,
    /// which holds the write lock) to the full-text index, and their terms to the vocabulary.
    QList<Step> indexAppended;
    /// From schema 1 to 2: the full-text index stops being filled row by row (a trigger) and is
    /// filled by indexAppended; the vocabulary is made from the index.
    QStringList searchToSchema2;
    /// From schema 3 to 4 (after attachment_name is filled): the index is made again over both
    /// columns, and the file names' terms join the vocabulary.
    QStringList searchToSchema4;
    /// From schema 4 to 5: search ignores diacritics on every store (SQLite's index did already).
    QStringList searchToSchema5;
    /// The terms (as the full-text index has them) of the text bound as the one value, word by
    /// word: columns word number (from 1), term; the text is numbered words, one per row, inserted
    /// by splitting with wordRows. Empty: the database has no vocabulary (no prefix expansion).
    QString insertQueryWord;
    QString queryWordTerms;
    QString clearQueryWords;
    /// Terms of the vocabulary from the first bound value on, below the second, in order, up to the
    /// third: the terms a prefix search of the first would match.
    QString termsFrom;
    /// Up to the second bound value of the vocabulary's terms after the first, in order.
    QString termsAfter;
    /// A row when the index has the term bound (quoted as a phrase).
    QString termUsed;
    QString deleteTerm;
    /// The match expression of words that have no vocabulary terms: each word or a longer one.
    QString (*prefixQuery)(const QStringList& words);
    /// A search's condition that hits are older than the id bound.
    QString searchBefore;
    /// %1: extra conditions. Binds: hit start, hit end, match expression, user, then the extras'
    /// values, then the limit. Newest first, streaming: a common word does not sort every hit. Columns: the message's
    /// (as messageFrom() reads them), the snippet.
    QString searchQuery;
    /// Writes a consistent copy to the file bound as the one value; empty when the database's own
    /// tools do it (PostgreSQL: pg_dump).
    QString backupInto;
    /// Tells the other nodes a conversation changed (binds the payload); empty: one node only.
    QString notifyConversation;
    /// Tables only a store shared by several nodes has (made with the rest of a new store):
    /// the whitelist, and how the other nodes are told it changed.
    QStringList sharedSchema;
    QString notifyWhitelist;
};

namespace {

QAtomicInteger<int> g_connections;

// SQLite error codes (sqlite3.h) as QSqlError::nativeErrorCode() gives them.
StoreError classifySqlite(const QSqlError& error)
{
    const QString code = error.nativeErrorCode();
    if (code == QLatin1String("11") || code == QLatin1String("26")) { // SQLITE_CORRUPT, SQLITE_NOTADB
        return StoreError::Corrupt;
    }
    if (code == QLatin1String("5") || code == QLatin1String("6")) { // SQLITE_BUSY, SQLITE_LOCKED
        return StoreError::Locked;
    }
    return StoreError::Io;
}

// PostgreSQL's SQLSTATE codes (Appendix A of its manual) as QPSQL gives them. A connection that
// failed or was lost has none.
StoreError classifyPostgres(const QSqlError& error)
{
    const QString code = error.nativeErrorCode();
    if (code.isEmpty() || code.startsWith(QLatin1String("08")) || code.startsWith(QLatin1String("57P"))
        || code == QLatin1String("53300")) { // connection exceptions, shutdown, too many connections
        return StoreError::Unavailable;
    }
    if (code == QLatin1String("55P03") || code == QLatin1String("40P01") || code == QLatin1String("40001")) {
        return StoreError::Locked; // lock not available, deadlock, serialization failure
    }
    if (code == QLatin1String("XX001") || code == QLatin1String("XX002")) {
        return StoreError::Corrupt; // data corrupted, index corrupted
    }
    return StoreError::Io;
}

/// FTS5: each word quoted (nothing in it is query syntax), as a prefix.
QString sqlitePrefixQuery(const QStringList& words)
{
    QStringList clauses;
    for (QString word : words) {
        word.replace(QLatin1Char('"'), QLatin1String("\"\""));
        clauses << QLatin1Char('"') + word + QLatin1String("\"*");
    }
    return clauses.join(QLatin1String(" AND "));
}

/// to_tsquery: each word a quoted lexeme (quote and backslash escaped), as a prefix, all of them.
QString postgresPrefixQuery(const QStringList& words)
{
    QStringList clauses;
    for (QString word : words) {
        word.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
        word.replace(QLatin1Char('\''), QLatin1String("''"));
        clauses << QLatin1Char('\'') + word + QLatin1String("':*");
    }
    return clauses.join(QLatin1String(" & "));
}

/// A text value for a NOT NULL column: Qt binds a null QString as SQL NULL.
QVariant text(const QString& value)
{
    return value.isNull() ? QVariant(QString(QLatin1String(""))) : QVariant(value);
}

const QString MessageColumns = QStringLiteral("m.id, m.conversation_id, m.sender, m.fingerprint, m.client_id, "
                                              "m.time_ms, m.body, m.notice, m.attachment_path, "
                                              "m.attachment_size, m.attachment_sha256");
/// How many columns MessageColumns names (messageFrom() reads them): what a query selects after
/// them starts at this column.
constexpr int MessageColumnCount = 11;

} // namespace

namespace {
const ChatStore::Dialect* dialectFor(const QString& driver)
{
    static const QString sqliteSearchIndex
        = QStringLiteral("CREATE VIRTUAL TABLE messages_search USING fts5(body, attachment_name, content = "
                         "'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2')");
    static const QString sqliteSearchDelete
        = QStringLiteral("CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN "
                         "INSERT INTO messages_search (messages_search, rowid, body, attachment_name) "
                         "VALUES ('delete', old.id, old.body, old.attachment_name); END");
    static const QStringList sqliteVocabularyFromIndex {
        QStringLiteral("CREATE VIRTUAL TABLE temp.all_terms USING fts5vocab(main, messages_search, row)"),
        QStringLiteral("INSERT OR IGNORE INTO search_terms (term) SELECT term FROM temp.all_terms"),
        QStringLiteral("DROP TABLE temp.all_terms"),
    };
    static const ChatStore::Dialect sqlite {
        .driver = QStringLiteral("QSQLITE"),
        .package = QStringLiteral("libqt6sql6-sqlite"),
        .generatedId = QStringLiteral("INTEGER PRIMARY KEY AUTOINCREMENT"),
        .listTables = QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'"),
        .settings = { QStringLiteral("PRAGMA journal_mode = WAL"), QStringLiteral("PRAGMA synchronous = FULL"),
            QStringLiteral("PRAGMA foreign_keys = ON"), QStringLiteral("PRAGMA temp_store = MEMORY"),
            // The terms of a transaction's new messages and of a search's words, through the same
            // tokenizer as the index: what a prefix of a word stands for is then exactly what the
            // index holds.
            QStringLiteral("CREATE VIRTUAL TABLE temp.new_text USING fts5(body, attachment_name, content = '', "
                           "detail = none, columnsize = 0, tokenize = 'unicode61 remove_diacritics 2')"),
            QStringLiteral("CREATE VIRTUAL TABLE temp.new_terms USING fts5vocab(temp, new_text, row)"),
            QStringLiteral("CREATE VIRTUAL TABLE temp.query_text USING fts5(body, content = '', "
                           "tokenize = 'unicode61 remove_diacritics 2')"),
            QStringLiteral("CREATE VIRTUAL TABLE temp.query_terms USING fts5vocab(temp, query_text, instance)") },
        .lockProbe = { QStringLiteral("BEGIN IMMEDIATE"), QStringLiteral("ROLLBACK") },
        .busyTimeout = QString(), // QSQLITE_BUSY_TIMEOUT
        .migrationLock = QString(),
        .migrationUnlock = QString(),
        .beginWrite = { QStringLiteral("BEGIN IMMEDIATE") },
        .classify = classifySqlite,
        .searchSchema = { sqliteSearchIndex, sqliteSearchDelete,
            QStringLiteral("CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID") },
        .indexAppended = { { QStringLiteral("INSERT INTO messages_search (rowid, body, attachment_name) SELECT id, "
                                            "body, attachment_name FROM messages WHERE id >= ?"),
                               true },
            { QStringLiteral("INSERT INTO temp.new_text (rowid, body, attachment_name) SELECT id, body, "
                             "attachment_name FROM messages WHERE id >= ?"),
                true },
            { QStringLiteral("INSERT OR IGNORE INTO search_terms (term) SELECT term FROM temp.new_terms"), false },
            { QStringLiteral("INSERT INTO temp.new_text (new_text) VALUES ('delete-all')"), false } },
        .searchToSchema2 = QStringList { QStringLiteral("DROP TRIGGER messages_search_insert"),
                               QStringLiteral("CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID") }
            + sqliteVocabularyFromIndex,
        .searchToSchema4 = QStringList { QStringLiteral("DROP TRIGGER messages_search_delete"),
                               QStringLiteral("DROP TABLE messages_search"), sqliteSearchIndex, sqliteSearchDelete,
                               QStringLiteral("INSERT INTO messages_search (messages_search) VALUES ('rebuild')") }
            + sqliteVocabularyFromIndex,
        .searchToSchema5 = {},
        .insertQueryWord = QStringLiteral("INSERT INTO temp.query_text (rowid, body) VALUES (?, ?)"),
        .queryWordTerms = QStringLiteral("SELECT doc, term FROM temp.query_terms ORDER BY doc, \"offset\""),
        .clearQueryWords = QStringLiteral("INSERT INTO temp.query_text (query_text) VALUES ('delete-all')"),
        .termsFrom = QStringLiteral("SELECT term FROM search_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?"),
        .termsAfter = QStringLiteral("SELECT term FROM search_terms WHERE term > ? ORDER BY term LIMIT ?"),
        .termUsed = QStringLiteral("SELECT 1 FROM messages_search WHERE messages_search MATCH ? LIMIT 1"),
        .deleteTerm = QStringLiteral("DELETE FROM search_terms WHERE term = ?"),
        .prefixQuery = sqlitePrefixQuery,
        .searchBefore = QStringLiteral("messages_search.rowid < ?"),
        .searchQuery = QStringLiteral("SELECT ") + MessageColumns
            + QStringLiteral(", snippet(messages_search, -1, ?, ?, '…', 12) "
                             "FROM messages_search JOIN messages m ON m.id = messages_search.rowid "
                             "WHERE messages_search MATCH ? "
                             "AND m.conversation_id IN (SELECT conversation_id FROM members WHERE name = ?) %1 "
                             "ORDER BY messages_search.rowid DESC LIMIT ?"),
        .backupInto = QStringLiteral("VACUUM INTO ?"),
        .notifyConversation = QString(),
        .sharedSchema = {},
        .notifyWhitelist = QString(),
    };
    // PostgreSQL's own full-text search: a generated tsvector column with a GIN index over the text
    // and the file name, the configuration quietwire_search (PostgreSQL's 'simple' with the unaccent
    // dictionary before it: every word kept, lower case, diacritics removed, no stemming and no stop
    // words, as SQLite's unicode61 with remove_diacritics), prefixes with to_tsquery's ":*" (no
    // vocabulary table), snippets by ts_headline.
    // unaccent is one of PostgreSQL's own extensions (Debian: in postgresql-NN), trusted: the owner of
    // the database may create it. Its dictionary takes the diacritics off a word, simple then keeps it in
    // lower case, for every kind of word that may carry them.
    static const QStringList postgresSearchConfiguration {
        QStringLiteral("CREATE EXTENSION IF NOT EXISTS unaccent"),
        QStringLiteral("DROP TEXT SEARCH CONFIGURATION IF EXISTS quietwire_search"),
        QStringLiteral("CREATE TEXT SEARCH CONFIGURATION quietwire_search (COPY = pg_catalog.simple)"),
        QStringLiteral("ALTER TEXT SEARCH CONFIGURATION quietwire_search ALTER MAPPING FOR word, hword, hword_part, "
                       "numword, numhword, hword_numpart WITH unaccent, simple"),
    };
    static const QStringList postgresSearchIndex {
        QStringLiteral("ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS "
                       "(to_tsvector('quietwire_search', body || ' ' || COALESCE(attachment_name, ''))) STORED"),
        QStringLiteral("CREATE INDEX messages_search ON messages USING gin (search)"),
    };
    static const ChatStore::Dialect postgres {
        .driver = QStringLiteral("QPSQL"),
        .package = QStringLiteral("libqt6sql6-psql"),
        .generatedId = QStringLiteral("BIGSERIAL PRIMARY KEY"),
        .listTables = QStringLiteral("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"),
        .settings = { QStringLiteral("SET client_min_messages = warning") },
        .lockProbe = {},
        .busyTimeout = QStringLiteral("SET lock_timeout = %1"),
        // Keys of PostgreSQL's advisory locks, any two numbers no other program on the database uses.
        .migrationLock = QStringLiteral("SELECT pg_advisory_lock(1364656129)"),
        .migrationUnlock = QStringLiteral("SELECT pg_advisory_unlock(1364656129)"),
        .beginWrite = { QStringLiteral("BEGIN"), QStringLiteral("SELECT pg_advisory_xact_lock(1364656130)") },
        .classify = classifyPostgres,
        .searchSchema = postgresSearchConfiguration + postgresSearchIndex,
        // Nodes learn of new messages at the commit (a NOTIFY in a transaction is sent when it commits).
        .indexAppended = { { QStringLiteral("SELECT pg_notify('") + QLatin1String(ChatStore::MessagesChannel)
                + QStringLiteral("', '')"),
            false } },
        .searchToSchema2 = {},
        .searchToSchema4 = {},
        // The index is made again with quietwire_search (the column's expression cannot be altered).
        .searchToSchema5 = postgresSearchConfiguration
            + QStringList { QStringLiteral("DROP INDEX messages_search"),
                QStringLiteral("ALTER TABLE messages DROP COLUMN search") }
            + postgresSearchIndex,
        .insertQueryWord = QString(),
        .queryWordTerms = QString(),
        .clearQueryWords = QString(),
        .termsFrom = QString(),
        .termsAfter = QString(),
        .termUsed = QString(),
        .deleteTerm = QString(),
        .prefixQuery = postgresPrefixQuery,
        .searchBefore = QStringLiteral("m.id < ?"),
        // The snippet of the text when the words are in it, else of the file name.
        .searchQuery = QStringLiteral("SELECT ") + MessageColumns
            + QStringLiteral(", ts_headline('quietwire_search', CASE WHEN to_tsvector('quietwire_search', m.body) "
                             "@@ q.query OR "
                             "m.attachment_name IS NULL THEN m.body ELSE m.attachment_name END, q.query, "
                             "concat('StartSel=\"', ?::text, '\", StopSel=\"', ?::text, '\", MaxWords=12, "
                             "MinWords=4, ShortWord=0, HighlightAll=false')) "
                             "FROM messages m, to_tsquery('quietwire_search', ?) q(query) WHERE m.search @@ q.query "
                             "AND m.conversation_id IN (SELECT conversation_id FROM members WHERE name = ?) %1 "
                             "ORDER BY m.id DESC LIMIT ?"),
        .backupInto = QString(),
        .notifyConversation = QStringLiteral("SELECT pg_notify('") + QLatin1String(ChatStore::ConversationsChannel)
            + QStringLiteral("', ?)"),
        // The whitelist of every node: one row, the text of an authorized_keys file.
        .sharedSchema = { QStringLiteral("CREATE TABLE whitelist (id SMALLINT PRIMARY KEY CHECK (id = 1), "
                                         "text TEXT NOT NULL)"),
            QStringLiteral("INSERT INTO whitelist (id, text) VALUES (1, '')"),
            // The file area of nodes on one shared --files-root (SharedFileLedger).
            QStringLiteral("CREATE TABLE file_usage (home TEXT PRIMARY KEY, bytes BIGINT NOT NULL, entries BIGINT NOT "
                           "NULL, height INTEGER NOT NULL)"),
            QStringLiteral("CREATE TABLE file_reservations (id BIGSERIAL PRIMARY KEY, backend INTEGER NOT NULL, home "
                           "TEXT NOT NULL, bytes BIGINT NOT NULL)"),
            QStringLiteral("CREATE INDEX file_reservations_by_home ON file_reservations (home)") },
        .notifyWhitelist
        = QStringLiteral("SELECT pg_notify('") + QLatin1String(ChatStore::WhitelistChannel) + QStringLiteral("', '')"),
    };
    if (driver == postgres.driver) {
        return &postgres;
    }
    if (driver == sqlite.driver) {
        return &sqlite;
    }
    return nullptr;
}
/// Creates path as a new, empty file only its owner may read (0600): the chat's history must not
/// be readable by others wherever it is written (a backup in /tmp). False when path exists.
bool createPrivateFile(const QString& path, QString* error)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = qt_error_string(errno);
        return false;
    }
    ::close(fd);
    return true;
}
} // namespace

std::unique_ptr<ChatStore> ChatStore::open(const Options& options, StoreFailure* failure)
{
    const Dialect* dialect = dialectFor(options.driver);
    if (!dialect) {
        *failure = { StoreError::Unsupported,
            QStringLiteral("The chat store cannot use the database driver %1 (this build knows QSQLITE and QPSQL)")
                .arg(options.driver) };
        return nullptr;
    }
    // A new SQLite store is made private before SQLite writes to it (its WAL and shared-memory
    // files take the same permissions).
    if (options.driver == QLatin1String("QSQLITE") && !QFileInfo::exists(options.databaseName)) {
        QString error;
        if (!createPrivateFile(options.databaseName, &error) && !QFileInfo::exists(options.databaseName)) {
            *failure = { StoreError::Unavailable,
                QStringLiteral("Cannot create the chat store %1: %2").arg(options.databaseName, error) };
            return nullptr;
        }
    }
    std::unique_ptr<ChatStore> store(new ChatStore(options, *dialect));
    if (!store->openDatabase() || !store->checkAndMigrate()) {
        *failure = store->m_failure;
        return nullptr;
    }
    return store;
}

ChatStore::ChatStore(const Options& options, const Dialect& dialect)
    : m_options(options)
    , m_dialect(dialect)
    , m_connectionName(QStringLiteral("quietwire-store-%1").arg(g_connections.fetchAndAddRelaxed(1)))
{ }

ChatStore::~ChatStore()
{
    if (m_db.isOpen()) {
        m_db.close();
    }
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

QString ChatStore::description() const
{
    return QStringLiteral("the chat store %1")
        .arg(m_options.driver == QLatin1String("QPSQL") ? storeUrlForDisplay(m_options) : m_options.databaseName);
}

bool ChatStore::fail(StoreError error, const QString& message)
{
    m_failure = { error, message };
    return false;
}

bool ChatStore::failQuery(const QSqlQuery& query)
{
    return failWith(query.lastError(), QStringLiteral("%1 failed").arg(query.lastQuery()));
}

bool ChatStore::failWith(const QSqlError& error, const QString& what)
{
    switch (m_dialect.classify(error)) {
    case StoreError::Corrupt:
        return fail(StoreError::Corrupt,
            QStringLiteral("%1 is damaged or not a database (%2): restore it from a backup "
                           "(quietwired restore FILE)")
                .arg(description(), error.databaseText()));
    case StoreError::Locked:
        return fail(StoreError::Locked,
            QStringLiteral("%1 is locked by another program (%2): close the program that holds it, then try again")
                .arg(description(), error.databaseText()));
    case StoreError::Unavailable:
        m_connectionLost = !m_dialect.busyTimeout.isEmpty(); // a server's connection, which may come back
        return fail(StoreError::Unavailable,
            QStringLiteral("%1 cannot be reached (%2): check that the database server runs and takes connections")
                .arg(description(), error.text()));
    default:
        return fail(StoreError::Io, QStringLiteral("%1: %2: %3").arg(description(), what, error.text()));
    }
}

bool ChatStore::exec(QSqlQuery& query)
{
    return query.exec() || failQuery(query);
}

bool ChatStore::exec(const QString& sql)
{
    QSqlQuery query(m_db);
    return query.exec(sql) || failQuery(query);
}

bool ChatStore::transaction()
{
    // Not QSqlDatabase::transaction(): SQLite's plain BEGIN takes the write lock only at the first
    // write, and a lock held by another program then fails that statement at once (the busy
    // timeout does not apply to a read lock turning into a write lock).
    for (const QString& statement : m_dialect.beginWrite) {
        QSqlQuery begin(m_db);
        if (!begin.exec(statement)) {
            const QSqlError error = begin.lastError();
            if (statement != m_dialect.beginWrite.first()) {
                m_db.rollback();
            }
            return failWith(error, QStringLiteral("cannot begin a transaction"));
        }
    }
    return true;
}

bool ChatStore::commit()
{
    if (m_db.commit()) {
        return true;
    }
    const QSqlError error = m_db.lastError();
    m_db.rollback();
    return failWith(error, QStringLiteral("the commit failed, nothing of it was stored"));
}

bool ChatStore::openDatabase()
{
    if (!QSqlDatabase::isDriverAvailable(m_dialect.driver)) {
        return fail(StoreError::Unavailable,
            QStringLiteral("Qt's %1 database driver is not installed (Debian: %2)")
                .arg(m_dialect.driver, m_dialect.package));
    }
    m_db = QSqlDatabase::addDatabase(m_dialect.driver, m_connectionName);
    m_db.setDatabaseName(m_options.databaseName);
    if (m_dialect.busyTimeout.isEmpty()) {
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(m_options.busyTimeoutMs));
    } else {
        setUpConnection(m_db, m_options);
    }
    if (!m_db.open()) {
        return fail(
            StoreError::Unavailable, QStringLiteral("Cannot open %1: %2").arg(description(), m_db.lastError().text()));
    }
    return m_dialect.busyTimeout.isEmpty() || exec(m_dialect.busyTimeout.arg(m_options.busyTimeoutMs));
}

bool ChatStore::checkAndMigrate()
{
    if (m_dialect.migrationLock.isEmpty()) {
        return checkAndMigrateHoldingLock();
    }
    if (!exec(m_dialect.migrationLock)) {
        return false;
    }
    const bool done = checkAndMigrateHoldingLock();
    QSqlQuery unlock(m_db);
    unlock.exec(m_dialect.migrationUnlock); // also given back when the connection closes
    return done;
}

bool ChatStore::checkAndMigrateHoldingLock()
{
    // Read first, write nothing until the store is known to be ours and not newer.
    QSqlQuery tables(m_db);
    if (!tables.exec(m_dialect.listTables)) {
        return failQuery(tables);
    }
    QStringList names;
    while (tables.next()) {
        names << tables.value(0).toString();
    }
    int version = 0;
    if (!names.isEmpty()) {
        if (!names.contains(QLatin1String("quietwire_schema"))) {
            return fail(StoreError::Corrupt,
                QStringLiteral("%1 is a database, but not a QuietWire chat store (it has other tables): move it "
                               "away, or restore the store from a backup")
                    .arg(description()));
        }
        QSqlQuery read(m_db);
        if (!read.exec(QStringLiteral("SELECT version FROM quietwire_schema"))) {
            return failQuery(read);
        }
        const bool one = read.next();
        bool ok = false;
        version = one ? read.value(0).toInt(&ok) : 0;
        if (!one || !ok || version < 1 || read.next()) {
            return fail(StoreError::Corrupt,
                QStringLiteral("%1 has no valid schema version: restore it from a backup").arg(description()));
        }
        if (version > SchemaVersion) {
            return fail(StoreError::NewerSchema,
                QStringLiteral("%1 was written by a newer quietwired (schema %2; this one knows up to %3): upgrade "
                               "quietwired, or restore a backup this version made")
                    .arg(description())
                    .arg(version)
                    .arg(SchemaVersion));
        }
    }
    for (const QString& setting : m_dialect.settings) {
        if (!exec(setting)) {
            return false;
        }
    }
    // Another process holding the write lock: say so now, not at the first message.
    for (const QString& statement : m_dialect.lockProbe) {
        if (!exec(statement)) {
            return false;
        }
    }
    if (version < SchemaVersion && !migrateFrom(version)) {
        return false;
    }
    // The room everybody is in.
    return room(QLatin1String(GeneralRoom)).has_value()
        || (m_failure.error == StoreError::NotFound
            && createRoom(QLatin1String(GeneralRoom), QString(), false, QString(), 0).has_value());
}

bool ChatStore::migrateFrom(int version)
{
    // A new store gets the current schema at once; an older one is migrated forward a version at
    // a time, each step in its own transaction with its new version number: a crash between two
    // leaves a store of the earlier version, which the next start migrates on.
    while (version < SchemaVersion) {
        QStringList statements;
        int reached = version + 1;
        switch (version) {
        case 0:
            statements = {
                QStringLiteral("CREATE TABLE quietwire_schema (version INTEGER NOT NULL)"),
                QStringLiteral("CREATE TABLE conversations (id %1, kind SMALLINT NOT NULL, name TEXT NOT NULL, "
                               "topic TEXT NOT NULL DEFAULT '', is_private SMALLINT NOT NULL DEFAULT 0, "
                               "created_ms BIGINT NOT NULL, UNIQUE (kind, name))")
                    .arg(m_dialect.generatedId),
                QStringLiteral("CREATE TABLE members (conversation_id BIGINT NOT NULL REFERENCES conversations (id) "
                               "ON DELETE CASCADE, name TEXT NOT NULL, role SMALLINT NOT NULL, "
                               "PRIMARY KEY (conversation_id, name))"),
                QStringLiteral("CREATE INDEX members_by_name ON members (name)"),
                QStringLiteral("CREATE TABLE messages (id %1, conversation_id BIGINT NOT NULL REFERENCES "
                               "conversations (id) ON DELETE CASCADE, sender TEXT NOT NULL, fingerprint TEXT NOT "
                               "NULL, client_id TEXT, time_ms BIGINT NOT NULL, body TEXT NOT NULL, notice SMALLINT "
                               "NOT NULL DEFAULT 0, attachment_path TEXT, attachment_size BIGINT, "
                               "attachment_sha256 TEXT, attachment_name TEXT)")
                    .arg(m_dialect.generatedId),
                QStringLiteral("CREATE INDEX messages_by_conversation ON messages (conversation_id, id)"),
                QStringLiteral("CREATE INDEX messages_by_time ON messages (time_ms)"),
                QStringLiteral("CREATE UNIQUE INDEX messages_by_client_id ON messages (fingerprint, client_id)"),
                QStringLiteral("CREATE TABLE read_markers (name TEXT NOT NULL, conversation_id BIGINT NOT NULL "
                               "REFERENCES conversations (id) ON DELETE CASCADE, last_read BIGINT NOT NULL, "
                               "PRIMARY KEY (name, conversation_id))"),
            };
            statements += m_dialect.searchSchema;
            statements += m_dialect.sharedSchema;
            statements += QStringLiteral("INSERT INTO quietwire_schema (version) VALUES (%1)").arg(SchemaVersion);
            reached = SchemaVersion;
            break;
        case 1:
            // Schema 2: the full-text index is filled once per transaction (append()), not by a
            // trigger per row; the index and its content are the same.
            statements = m_dialect.searchToSchema2;
            break;
        case 2:
            // Schema 3: a message may refer to a file in its conversation's shared folder (its path,
            // size and SHA-256 in hex: text, which every database takes alike). Older messages have none.
            statements = {
                QStringLiteral("ALTER TABLE messages ADD COLUMN attachment_path TEXT"),
                QStringLiteral("ALTER TABLE messages ADD COLUMN attachment_size BIGINT"),
                QStringLiteral("ALTER TABLE messages ADD COLUMN attachment_sha256 TEXT"),
            };
            break;
        case 3:
            // Schema 4: an attachment's file name is searched too (an attachment may come without a
            // word of text). The name is the path's last component: what is left of the path when
            // rtrim() has taken every character but '/' off its end.
            statements = QStringList {
                QStringLiteral("ALTER TABLE messages ADD COLUMN attachment_name TEXT"),
                QStringLiteral("UPDATE messages SET attachment_name = replace(attachment_path, rtrim(attachment_path, "
                               "replace(attachment_path, '/', '')), '') WHERE attachment_path IS NOT NULL"),
            } + m_dialect.searchToSchema4;
            break;
        case 4:
            // Schema 5: PostgreSQL's search ignores diacritics, as SQLite's did ("cafe" finds "café");
            // a SQLite store changes nothing but its number.
            statements = m_dialect.searchToSchema5;
            break;
        default:
            return fail(
                StoreError::Corrupt, QStringLiteral("%1: no migration from schema %2").arg(description()).arg(version));
        }
        if (!transaction()) {
            return false;
        }
        for (const QString& statement : statements) {
            if (!exec(statement)) {
                const StoreFailure failure = m_failure;
                m_db.rollback();
                m_failure = failure;
                return false;
            }
        }
        if (version > 0) {
            QSqlQuery update(m_db);
            update.prepare(QStringLiteral("UPDATE quietwire_schema SET version = ?"));
            update.addBindValue(reached);
            if (!exec(update)) {
                m_db.rollback();
                return false;
            }
        }
        if (!commit()) {
            return false;
        }
        version = reached;
    }
    return true;
}

bool ChatStore::isValidRoomName(const QString& name)
{
    if (name.isEmpty() || name.size() > MaxRoomNameLength) {
        return false;
    }
    for (const QChar c : name) {
        if (!(c.isLetterOrNumber() || c == QLatin1Char('.') || c == QLatin1Char('_') || c == QLatin1Char('-'))) {
            return false;
        }
    }
    return true;
}

std::optional<Conversation> ChatStore::insertConversation(Conversation conversation, const QStringList& members)
{
    if (!transaction()) {
        return std::nullopt;
    }
    QSqlQuery existing(m_db);
    existing.prepare(QStringLiteral("SELECT 1 FROM conversations WHERE kind = ? AND name = ?"));
    existing.addBindValue(int(conversation.kind));
    existing.addBindValue(text(conversation.name));
    if (!exec(existing)) {
        m_db.rollback();
        return std::nullopt;
    }
    const bool taken = existing.next();
    existing.finish();
    if (taken) {
        m_db.rollback();
        fail(StoreError::Exists, QStringLiteral("A room named %1 exists already").arg(conversation.name));
        return std::nullopt;
    }
    QSqlQuery insert(m_db);
    insert.prepare(QStringLiteral("INSERT INTO conversations (kind, name, topic, is_private, created_ms) "
                                  "VALUES (?, ?, ?, ?, ?) RETURNING id"));
    insert.addBindValue(int(conversation.kind));
    insert.addBindValue(text(conversation.name));
    insert.addBindValue(text(conversation.topic));
    insert.addBindValue(conversation.isPrivate ? 1 : 0);
    insert.addBindValue(conversation.createdMs);
    if (!insert.exec() || !insert.next()) {
        failQuery(insert);
        const StoreFailure failure = m_failure;
        m_db.rollback();
        m_failure = failure;
        return std::nullopt;
    }
    conversation.id = insert.value(0).toLongLong();
    insert.finish();
    for (qsizetype i = 0; i < members.size(); ++i) {
        QSqlQuery member(m_db);
        member.prepare(QStringLiteral("INSERT INTO members (conversation_id, name, role) VALUES (?, ?, ?)"));
        member.addBindValue(conversation.id);
        member.addBindValue(text(members[i]));
        // A room's first member is its owner; both of a direct conversation are members.
        member.addBindValue(
            int(conversation.kind == Conversation::Kind::Room && i == 0 ? MemberRole::Owner : MemberRole::Member));
        if (!exec(member)) {
            m_db.rollback();
            return std::nullopt;
        }
    }
    if (!commit()) {
        return std::nullopt;
    }
    return conversation;
}

std::optional<Conversation> ChatStore::createRoom(
    const QString& name, const QString& topic, bool isPrivate, const QString& owner, qint64 nowMs)
{
    if (!isValidRoomName(name)) {
        fail(StoreError::NotFound,
            QStringLiteral("\"%1\" is not a room name: up to %2 letters, digits, '.', '_' and '-'")
                .arg(name)
                .arg(MaxRoomNameLength));
        return std::nullopt;
    }
    Conversation room;
    room.kind = Conversation::Kind::Room;
    room.name = name;
    room.topic = topic;
    room.isPrivate = isPrivate;
    room.createdMs = nowMs;
    auto made = insertConversation(room, owner.isEmpty() ? QStringList() : QStringList { owner });
    if (made) {
        announceConversation(made->id);
    }
    return made;
}

std::optional<Conversation> ChatStore::conversationWhere(const QString& condition, const QVariantList& values)
{
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("SELECT id, kind, name, topic, is_private, created_ms FROM conversations WHERE ") + condition);
    for (const QVariant& value : values) {
        query.addBindValue(value);
    }
    if (!exec(query)) {
        return std::nullopt;
    }
    if (!query.next()) {
        fail(StoreError::NotFound, QStringLiteral("No such conversation"));
        return std::nullopt;
    }
    Conversation conversation;
    conversation.id = query.value(0).toLongLong();
    conversation.kind = Conversation::Kind(query.value(1).toInt());
    conversation.name = query.value(2).toString();
    conversation.topic = query.value(3).toString();
    conversation.isPrivate = query.value(4).toInt() != 0;
    conversation.createdMs = query.value(5).toLongLong();
    return conversation;
}

std::optional<Conversation> ChatStore::room(const QString& name)
{
    auto found = conversationWhere(QStringLiteral("kind = ? AND name = ?"), { int(Conversation::Kind::Room), name });
    if (!found && m_failure.error == StoreError::NotFound) {
        m_failure.message = QStringLiteral("There is no room named %1").arg(name);
    }
    return found;
}

std::optional<Conversation> ChatStore::conversation(qint64 id)
{
    return conversationWhere(QStringLiteral("id = ?"), { id });
}

std::optional<Conversation> ChatStore::directConversation(const QString& a, const QString& b, qint64 nowMs)
{
    QStringList names { a, b };
    names.sort();
    const QString key = names.join(QLatin1Char(' '));
    if (auto found
        = conversationWhere(QStringLiteral("kind = ? AND name = ?"), { int(Conversation::Kind::Direct), key })) {
        return found;
    }
    if (m_failure.error != StoreError::NotFound) {
        return std::nullopt;
    }
    Conversation direct;
    direct.kind = Conversation::Kind::Direct;
    direct.name = key;
    direct.isPrivate = true;
    direct.createdMs = nowMs;
    if (names[0] == names[1]) {
        names.removeLast(); // notes to oneself
    }
    return insertConversation(direct, names);
}

std::optional<QList<Conversation>> ChatStore::rooms()
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "SELECT id, kind, name, topic, is_private, created_ms FROM conversations WHERE kind = ? ORDER BY name"));
    query.addBindValue(int(Conversation::Kind::Room));
    if (!exec(query)) {
        return std::nullopt;
    }
    QList<Conversation> rooms;
    while (query.next()) {
        Conversation room;
        room.id = query.value(0).toLongLong();
        room.kind = Conversation::Kind(query.value(1).toInt());
        room.name = query.value(2).toString();
        room.topic = query.value(3).toString();
        room.isPrivate = query.value(4).toInt() != 0;
        room.createdMs = query.value(5).toLongLong();
        rooms << room;
    }
    return rooms;
}

std::optional<qint64> ChatStore::directConversationCount()
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT count(*) FROM conversations WHERE kind = ?"));
    query.addBindValue(int(Conversation::Kind::Direct));
    if (!exec(query) || !query.next()) {
        failQuery(query);
        return std::nullopt;
    }
    return query.value(0).toLongLong();
}

bool ChatStore::deleteConversation(qint64 id)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("DELETE FROM conversations WHERE id = ?"));
    query.addBindValue(id);
    if (!exec(query)) {
        return false;
    }
    if (query.numRowsAffected() == 0) {
        return fail(StoreError::NotFound, QStringLiteral("No such conversation"));
    }
    announceConversation(id);
    return true;
}

bool ChatStore::setTopic(qint64 id, const QString& topic)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE conversations SET topic = ? WHERE id = ?"));
    query.addBindValue(text(topic));
    query.addBindValue(id);
    if (!exec(query)) {
        return false;
    }
    if (query.numRowsAffected() == 0) {
        return fail(StoreError::NotFound, QStringLiteral("No such conversation"));
    }
    announceConversation(id);
    return true;
}

bool ChatStore::conversationExists(qint64 id)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT 1 FROM conversations WHERE id = ?"));
    query.addBindValue(id);
    if (!exec(query)) {
        return false;
    }
    return query.next() || fail(StoreError::NotFound, QStringLiteral("No such conversation"));
}

bool ChatStore::addMember(qint64 conversation, const QString& name, MemberRole role)
{
    if (!conversationExists(conversation)) {
        return false;
    }
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT INTO members (conversation_id, name, role) VALUES (?, ?, ?) "
                                 "ON CONFLICT (conversation_id, name) DO UPDATE SET role = excluded.role"));
    query.addBindValue(conversation);
    query.addBindValue(text(name));
    query.addBindValue(int(role));
    if (!exec(query)) {
        return false;
    }
    announceConversation(conversation);
    return true;
}

bool ChatStore::removeMember(qint64 conversation, const QString& name)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("DELETE FROM members WHERE conversation_id = ? AND name = ?"));
    query.addBindValue(conversation);
    query.addBindValue(text(name));
    if (!exec(query)) {
        return false;
    }
    if (query.numRowsAffected() == 0) {
        return fail(StoreError::NotFound, QStringLiteral("%1 is not a member of that conversation").arg(name));
    }
    announceConversation(conversation);
    return true;
}

std::optional<MemberRole> ChatStore::roleOf(qint64 conversation, const QString& name)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT role FROM members WHERE conversation_id = ? AND name = ?"));
    query.addBindValue(conversation);
    query.addBindValue(text(name));
    if (!exec(query)) {
        return std::nullopt;
    }
    if (!query.next()) {
        fail(StoreError::NotFound, QStringLiteral("%1 is not a member of that conversation").arg(name));
        return std::nullopt;
    }
    return MemberRole(query.value(0).toInt());
}

std::optional<QList<std::pair<QString, MemberRole>>> ChatStore::members(qint64 conversation)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT name, role FROM members WHERE conversation_id = ? ORDER BY name"));
    query.addBindValue(conversation);
    if (!exec(query)) {
        return std::nullopt;
    }
    QList<std::pair<QString, MemberRole>> members;
    while (query.next()) {
        members.append({ query.value(0).toString(), MemberRole(query.value(1).toInt()) });
    }
    return members;
}

StoredMessage ChatStore::messageFrom(const QSqlQuery& query, int firstColumn) const
{
    StoredMessage message;
    message.id = query.value(firstColumn).toLongLong();
    message.conversation = query.value(firstColumn + 1).toLongLong();
    message.sender = query.value(firstColumn + 2).toString();
    message.fingerprint = query.value(firstColumn + 3).toString();
    message.clientId = query.value(firstColumn + 4).toString();
    message.timeMs = query.value(firstColumn + 5).toLongLong();
    message.text = query.value(firstColumn + 6).toString();
    message.notice = query.value(firstColumn + 7).toInt() != 0;
    if (!query.isNull(firstColumn + 8)) {
        message.attachment.path = query.value(firstColumn + 8).toString();
        message.attachment.size = query.value(firstColumn + 9).toLongLong();
        message.attachment.sha256 = QByteArray::fromHex(query.value(firstColumn + 10).toString().toLatin1());
    }
    return message;
}

std::optional<QList<ChatStore::Appended>> ChatStore::append(const QList<NewMessage>& batch)
{
    if (!transaction()) {
        return std::nullopt;
    }
    QList<Appended> results;
    results.reserve(batch.size());
    QSqlQuery find(m_db);
    find.prepare(QStringLiteral("SELECT id FROM messages WHERE fingerprint = ? AND client_id = ?"));
    QSqlQuery insert(m_db);
    insert.prepare(QStringLiteral("INSERT INTO messages (conversation_id, sender, fingerprint, client_id, time_ms, "
                                  "body, notice, attachment_path, attachment_size, attachment_sha256, "
                                  "attachment_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
    const auto abandon = [this](QSqlQuery& query) {
        failQuery(query);
        const StoreFailure failure = m_failure;
        m_db.rollback();
        m_failure = failure;
        return std::nullopt;
    };
    QHash<qint64, bool> exists;
    qint64 firstId = 0;
    QSqlQuery member(m_db);
    member.prepare(QStringLiteral("SELECT 1 FROM members WHERE conversation_id = ? AND name = ?"));
    for (const NewMessage& message : batch) {
        Appended result;
        if (!message.clientId.isEmpty()) {
            find.addBindValue(text(message.fingerprint));
            find.addBindValue(message.clientId);
            if (!find.exec()) {
                return abandon(find);
            }
            if (find.next()) {
                result.id = find.value(0).toLongLong();
                result.duplicate = true;
                results << result;
                find.finish();
                continue;
            }
            find.finish();
        }
        // Checked in the same transaction, which holds the write lock: a message whose
        // conversation was deleted meanwhile fails alone.
        auto known = exists.find(message.conversation);
        if (known == exists.end()) {
            exists.insert(message.conversation, conversationExists(message.conversation));
            if (!exists.value(message.conversation) && m_failure.error != StoreError::NotFound) {
                const StoreFailure failure = m_failure;
                m_db.rollback();
                m_failure = failure;
                return std::nullopt;
            }
            known = exists.find(message.conversation);
        }
        if (!known.value()) {
            result.error = StoreError::NotFound;
            results << result;
            continue;
        }
        if (message.requireMember) {
            member.addBindValue(message.conversation);
            member.addBindValue(text(message.sender));
            if (!member.exec()) {
                return abandon(member);
            }
            const bool isMember = member.next();
            member.finish();
            if (!isMember) {
                result.error = StoreError::NotMember;
                results << result;
                continue;
            }
        }
        insert.addBindValue(message.conversation);
        insert.addBindValue(text(message.sender));
        insert.addBindValue(text(message.fingerprint));
        insert.addBindValue(message.clientId.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : message.clientId);
        insert.addBindValue(message.timeMs);
        insert.addBindValue(text(message.text));
        insert.addBindValue(message.notice ? 1 : 0);
        const StoredAttachment& attachment = message.attachment;
        insert.addBindValue(attachment.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : attachment.path);
        insert.addBindValue(attachment.isEmpty() ? QVariant(QMetaType(QMetaType::LongLong)) : attachment.size);
        insert.addBindValue(attachment.isEmpty() ? QVariant(QMetaType(QMetaType::QString))
                                                 : QString::fromLatin1(attachment.sha256.toHex()));
        insert.addBindValue(attachment.isEmpty() ? QVariant(QMetaType(QMetaType::QString))
                                                 : attachment.path.section(QLatin1Char('/'), -1));
        if (!insert.exec() || !insert.next()) {
            return abandon(insert);
        }
        result.id = insert.value(0).toLongLong();
        insert.finish();
        firstId = firstId ? firstId : result.id;
        results << result;
    }
    // The full-text index takes the transaction's messages in one statement (much cheaper than a
    // row at a time), the vocabulary their new terms. This transaction holds the write lock since
    // it began, so every id from the first it stored on is one of its own.
    for (const Dialect::Step& step : m_dialect.indexAppended) {
        if (!firstId) {
            break;
        }
        QSqlQuery index(m_db);
        index.prepare(step.sql);
        if (step.bindsFirstId) {
            index.addBindValue(firstId);
        }
        if (!index.exec()) {
            return abandon(index);
        }
    }
    if (!commit()) {
        return std::nullopt;
    }
    return results;
}

std::optional<QList<StoredMessage>> ChatStore::history(qint64 conversation, qint64 beforeId, int limit)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT ") + MessageColumns
        + QStringLiteral(" FROM messages m WHERE m.conversation_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?"));
    query.addBindValue(conversation);
    query.addBindValue(beforeId > 0 ? beforeId : std::numeric_limits<qint64>::max());
    query.addBindValue(limit);
    if (!exec(query)) {
        return std::nullopt;
    }
    QList<StoredMessage> messages;
    while (query.next()) {
        messages << messageFrom(query);
    }
    return messages;
}

std::optional<QString> ChatStore::matchExpression(const QStringList& words)
{
    // Quoted, nothing in a word is query syntax.
    const auto quoted = [](QString text) {
        text.replace(QLatin1Char('"'), QLatin1String("\"\""));
        return QLatin1Char('"') + text + QLatin1Char('"');
    };
    if (m_dialect.queryWordTerms.isEmpty()) {
        return m_dialect.prefixQuery(words); // no vocabulary: the index answers prefixes itself
    }
    // The terms of each word, as the index's tokenizer makes them.
    QList<QStringList> termsOf(words.size());
    {
        const auto clear = qScopeGuard([this] {
            QSqlQuery query(m_db);
            query.exec(m_dialect.clearQueryWords);
        });
        for (qsizetype i = 0; i < words.size(); ++i) {
            QSqlQuery insert(m_db);
            insert.prepare(m_dialect.insertQueryWord);
            insert.addBindValue(i + 1);
            insert.addBindValue(words[i]);
            if (!exec(insert)) {
                return std::nullopt;
            }
        }
        QSqlQuery terms(m_db);
        if (!terms.exec(m_dialect.queryWordTerms)) {
            failQuery(terms);
            return std::nullopt;
        }
        while (terms.next()) {
            const qint64 word = terms.value(0).toLongLong();
            if (word >= 1 && word <= words.size()) {
                termsOf[word - 1] << terms.value(1).toString();
            }
        }
    }
    // Every word must occur or start a longer one. A word of one term becomes the OR of the
    // vocabulary's terms it starts: exact terms are read newest first and stop at the limit, while
    // FTS5 answers "word"* by merging the whole row list of every term it starts before the first
    // hit (a common word: tens of milliseconds). Too many such terms, or a word of several terms
    // ("e-mail"), stays a prefix query.
    static const QString Last = QString::fromUcs4(U"\U0010FFFF");
    QStringList clauses;
    for (qsizetype i = 0; i < words.size(); ++i) {
        if (termsOf[i].size() == 1) {
            const QString& term = termsOf[i].first();
            QSqlQuery expand(m_db);
            expand.prepare(m_dialect.termsFrom);
            expand.addBindValue(term);
            expand.addBindValue(term + Last);
            expand.addBindValue(MaxPrefixTerms + 1);
            if (!exec(expand)) {
                return std::nullopt;
            }
            QStringList expansion;
            while (expand.next()) {
                expansion << quoted(expand.value(0).toString());
            }
            if (expansion.isEmpty()) {
                return QString(); // no message has a word it starts
            }
            if (expansion.size() <= MaxPrefixTerms) {
                clauses << QLatin1Char('(') + expansion.join(QLatin1String(" OR ")) + QLatin1Char(')');
                continue;
            }
        }
        clauses << m_dialect.prefixQuery({ words[i] });
    }
    return clauses.join(QLatin1String(" AND ")); // FTS5 has no implicit AND before a parenthesis
}

std::optional<QList<SearchHit>> ChatStore::search(const QString& user, const QString& words, qint64 conversation,
    qint64 beforeId, int limit, const QString& hitStart, const QString& hitEnd)
{
    const QStringList split = words.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    if (split.isEmpty()) {
        return QList<SearchHit>();
    }
    const auto expression = matchExpression(split);
    if (!expression) {
        return std::nullopt;
    }
    if (expression->isEmpty()) {
        return QList<SearchHit>(); // a word that starts no term anywhere: nothing can match
    }
    QString extra;
    QVariantList extraValues;
    if (conversation > 0) {
        extra += QStringLiteral(" AND m.conversation_id = ?");
        extraValues << conversation;
    }
    if (beforeId > 0) {
        extra += QStringLiteral(" AND ") + m_dialect.searchBefore;
        extraValues << beforeId;
    }
    QSqlQuery query(m_db);
    query.prepare(m_dialect.searchQuery.arg(extra));
    query.addBindValue(hitStart);
    query.addBindValue(hitEnd);
    query.addBindValue(*expression);
    query.addBindValue(text(user));
    for (const QVariant& value : extraValues) {
        query.addBindValue(value);
    }
    query.addBindValue(limit);
    if (!exec(query)) {
        return std::nullopt;
    }
    QList<SearchHit> hits;
    while (query.next()) {
        hits << SearchHit { messageFrom(query), query.value(MessageColumnCount).toString() };
    }
    return hits;
}

bool ChatStore::reconnectIfLost()
{
    if (!m_connectionLost) {
        return true;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now - m_lastReconnectMs < ReconnectIntervalMs) {
        return false;
    }
    m_lastReconnectMs = now;
    m_db.close();
    if (!m_db.open()) {
        fail(StoreError::Unavailable,
            QStringLiteral("%1 cannot be reached (%2): check that the database server runs and takes connections")
                .arg(description(), m_db.lastError().text()));
        return false;
    }
    m_connectionLost = false;
    for (const QString& setting : m_dialect.settings) {
        if (!exec(setting)) {
            return false;
        }
    }
    if (!exec(m_dialect.busyTimeout.arg(m_options.busyTimeoutMs))) {
        return false;
    }
    qInfo("%s: connected again", qPrintable(description()));
    return true;
}

bool ChatStore::isShared() const
{
    return !m_dialect.notifyConversation.isEmpty();
}

void ChatStore::announceConversation(qint64 id)
{
    if (m_dialect.notifyConversation.isEmpty()) {
        return;
    }
    // After the change committed: a failure here loses only the news, which a node that
    // reconnects to the database makes up for by reading everything again.
    QSqlQuery notify(m_db);
    notify.prepare(m_dialect.notifyConversation);
    notify.addBindValue(QStringLiteral("%1 %2").arg(id).arg(m_options.origin));
    if (!notify.exec()) {
        qWarning("%s: cannot tell the other nodes that conversation %lld changed: %s", qPrintable(description()), id,
            qPrintable(notify.lastError().text()));
    }
}

std::optional<QByteArray> ChatStore::whitelistText()
{
    if (m_dialect.sharedSchema.isEmpty()) {
        fail(StoreError::Unsupported,
            QStringLiteral("%1 keeps no whitelist: the server reads authorized_keys in its data directory")
                .arg(description()));
        return std::nullopt;
    }
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT text FROM whitelist WHERE id = 1")) || !query.next()) {
        failQuery(query);
        return std::nullopt;
    }
    return query.value(0).toString().toUtf8();
}

bool ChatStore::editWhitelist(const std::function<std::optional<QByteArray>(const QByteArray&)>& edit)
{
    if (m_dialect.sharedSchema.isEmpty()) {
        return !whitelistText().has_value();
    }
    if (!transaction()) {
        return false;
    }
    const auto abandon = [this](const StoreFailure& failure) {
        m_db.rollback();
        m_failure = failure;
        return false;
    };
    QSqlQuery read(m_db);
    if (!read.exec(QStringLiteral("SELECT text FROM whitelist WHERE id = 1 FOR UPDATE")) || !read.next()) {
        failQuery(read);
        return abandon(m_failure);
    }
    const QByteArray before = read.value(0).toString().toUtf8();
    read.finish();
    const auto after = edit(before);
    if (!after) {
        return abandon({ StoreError::Refused, QString() });
    }
    QSqlQuery write(m_db);
    write.prepare(QStringLiteral("UPDATE whitelist SET text = ? WHERE id = 1"));
    write.addBindValue(QString::fromUtf8(*after));
    QSqlQuery notify(m_db);
    if (!exec(write) || !notify.exec(m_dialect.notifyWhitelist)) {
        if (notify.lastError().isValid()) {
            failQuery(notify);
        }
        return abandon(m_failure);
    }
    return commit();
}

std::optional<QList<StoredMessage>> ChatStore::messagesAfter(qint64 afterId, int limit)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT ") + MessageColumns
        + QStringLiteral(" FROM messages m WHERE m.id > ? ORDER BY m.id LIMIT ?"));
    query.addBindValue(afterId);
    query.addBindValue(limit);
    if (!exec(query)) {
        return std::nullopt;
    }
    QList<StoredMessage> messages;
    while (query.next()) {
        messages << messageFrom(query);
    }
    return messages;
}

std::optional<qint64> ChatStore::lastMessageId()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT max(id) FROM messages")) || !query.next()) {
        failQuery(query);
        return std::nullopt;
    }
    return query.value(0).toLongLong();
}

bool ChatStore::markRead(const QString& user, qint64 conversation, qint64 lastRead)
{
    if (!conversationExists(conversation)) {
        return false;
    }
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT INTO read_markers (name, conversation_id, last_read) VALUES (?, ?, ?) "
                                 "ON CONFLICT (name, conversation_id) DO UPDATE SET last_read = excluded.last_read "
                                 "WHERE read_markers.last_read < excluded.last_read"));
    query.addBindValue(text(user));
    query.addBindValue(conversation);
    query.addBindValue(lastRead);
    return exec(query);
}

std::optional<QList<ConversationSummary>> ChatStore::conversationsOf(const QString& user)
{
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("SELECT c.id, c.kind, c.name, c.topic, c.is_private, c.created_ms, COALESCE(r.last_read, 0), "
                       "(SELECT count(*) FROM messages u WHERE u.conversation_id = c.id AND u.id > "
                       "COALESCE(r.last_read, 0)), ")
        + MessageColumns
        + QStringLiteral(" FROM members mb JOIN conversations c ON c.id = mb.conversation_id "
                         "LEFT JOIN read_markers r ON r.conversation_id = c.id AND r.name = mb.name "
                         "LEFT JOIN messages m ON m.id = (SELECT max(l.id) FROM messages l WHERE l.conversation_id "
                         "= c.id) WHERE mb.name = ? ORDER BY c.kind, c.name"));
    query.addBindValue(text(user));
    if (!exec(query)) {
        return std::nullopt;
    }
    QList<ConversationSummary> summaries;
    while (query.next()) {
        ConversationSummary summary;
        summary.conversation.id = query.value(0).toLongLong();
        summary.conversation.kind = Conversation::Kind(query.value(1).toInt());
        summary.conversation.name = query.value(2).toString();
        summary.conversation.topic = query.value(3).toString();
        summary.conversation.isPrivate = query.value(4).toInt() != 0;
        summary.conversation.createdMs = query.value(5).toLongLong();
        summary.lastRead = query.value(6).toLongLong();
        summary.unread = query.value(7).toLongLong();
        if (!query.isNull(8)) {
            summary.last = messageFrom(query, 8); // MessageColumns follow the conversation's 8 columns
        }
        summaries << summary;
    }
    return summaries;
}

std::optional<qint64> ChatStore::lastRead(const QString& user, qint64 conversation)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT last_read FROM read_markers WHERE name = ? AND conversation_id = ?"));
    query.addBindValue(text(user));
    query.addBindValue(conversation);
    if (!exec(query)) {
        return std::nullopt;
    }
    return query.next() ? query.value(0).toLongLong() : 0;
}

std::optional<qint64> ChatStore::unreadCount(const QString& user, qint64 conversation)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT count(*) FROM messages WHERE conversation_id = ? AND id > COALESCE((SELECT "
                                 "last_read FROM read_markers WHERE name = ? AND conversation_id = ?), 0)"));
    query.addBindValue(conversation);
    query.addBindValue(text(user));
    query.addBindValue(conversation);
    if (!exec(query) || !query.next()) {
        failQuery(query);
        return std::nullopt;
    }
    return query.value(0).toLongLong();
}

std::optional<int> ChatStore::deleteOlderThan(qint64 cutoffMs, int batch)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE time_ms < ? "
                                 "ORDER BY time_ms, id LIMIT ?)"));
    query.addBindValue(cutoffMs);
    query.addBindValue(batch);
    if (!exec(query)) {
        return std::nullopt;
    }
    return query.numRowsAffected();
}

std::optional<ChatStore::Pruned> ChatStore::pruneTerms(const QString& after, int batch)
{
    Pruned pruned;
    if (m_dialect.termsAfter.isEmpty()) {
        return pruned; // no vocabulary
    }
    if (!transaction()) {
        return std::nullopt;
    }
    const auto abandon = [this](const QSqlQuery& query) {
        failQuery(query);
        const StoreFailure failure = m_failure;
        m_db.rollback();
        m_failure = failure;
        return std::nullopt;
    };
    QSqlQuery terms(m_db);
    terms.prepare(m_dialect.termsAfter);
    terms.addBindValue(text(after));
    terms.addBindValue(batch);
    if (!terms.exec()) {
        return abandon(terms);
    }
    QStringList batchTerms;
    while (terms.next()) {
        batchTerms << terms.value(0).toString();
    }
    terms.finish();
    QSqlQuery used(m_db);
    used.prepare(m_dialect.termUsed);
    QSqlQuery remove(m_db);
    remove.prepare(m_dialect.deleteTerm);
    for (const QString& term : batchTerms) {
        QString phrase = term;
        phrase.replace(QLatin1Char('"'), QLatin1String("\"\""));
        used.addBindValue(QLatin1Char('"') + phrase + QLatin1Char('"'));
        if (!used.exec()) {
            return abandon(used);
        }
        const bool isUsed = used.next();
        used.finish();
        if (isUsed) {
            continue;
        }
        remove.addBindValue(term);
        if (!remove.exec()) {
            return abandon(remove);
        }
        ++pruned.removed;
    }
    if (!commit()) {
        return std::nullopt;
    }
    pruned.last = batchTerms.size() == batch ? batchTerms.last() : QString();
    return pruned;
}

bool ChatStore::backup(const QString& path)
{
    if (m_dialect.backupInto.isEmpty()) {
        return fail(StoreError::Unsupported,
            QStringLiteral("%1 is backed up with the database's own tools (PostgreSQL: pg_dump), not by quietwired")
                .arg(description()));
    }
    // Made here, private and new (never over an existing file); SQLite fills the empty file.
    QString error;
    if (!createPrivateFile(path, &error)) {
        return fail(QFileInfo::exists(path) ? StoreError::Exists : StoreError::Io,
            QFileInfo::exists(path)
                ? QStringLiteral("%1 exists already: a backup never writes over a file, name a new one").arg(path)
                : QStringLiteral("Cannot create %1: %2").arg(path, error));
    }
    QSqlQuery query(m_db);
    query.prepare(m_dialect.backupInto);
    query.addBindValue(path);
    if (!exec(query)) {
        QFile::remove(path); // the empty file made above, or a partial copy
        return false;
    }
    return true;
}

bool ChatStore::restore(const QString& backupPath, const QString& storePath, QString* keptAside, StoreFailure* failure)
{
    const auto refuse = [failure](StoreError error, const QString& message) {
        *failure = { error, message };
        return false;
    };
    if (!QFileInfo(backupPath).isFile()) {
        return refuse(StoreError::NotFound, QStringLiteral("There is no backup file %1").arg(backupPath));
    }
    // Check the backup read-only: it must be a whole QuietWire store this version can open.
    QString problem;
    const QString connection = QStringLiteral("quietwire-restore-%1").arg(g_connections.fetchAndAddRelaxed(1));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(backupPath);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (!db.open()) {
            problem = db.lastError().text();
        } else {
            QSqlQuery query(db);
            if (!query.exec(QStringLiteral("SELECT version FROM quietwire_schema")) || !query.next()) {
                problem = QStringLiteral("it is not a QuietWire chat store (%1)").arg(query.lastError().text());
            } else if (query.value(0).toInt() < 1 || query.value(0).toInt() > SchemaVersion) {
                problem = QStringLiteral("its schema %1 is not one this quietwired knows (1 to %2)")
                              .arg(query.value(0).toString())
                              .arg(SchemaVersion);
            } else {
                query.finish();
                if (!query.exec(QStringLiteral("PRAGMA integrity_check")) || !query.next()
                    || query.value(0).toString() != QLatin1String("ok")) {
                    problem = QStringLiteral("its integrity check failed: %1")
                                  .arg(query.isValid() ? query.value(0).toString() : query.lastError().text());
                }
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    if (!problem.isEmpty()) {
        return refuse(StoreError::Corrupt,
            QStringLiteral("%1 cannot be restored: %2. The store was not changed.").arg(backupPath, problem));
    }

    // Copy it next to the store, durably, before touching the store.
    const QString incoming = storePath + QStringLiteral(".restoring");
    QFile::remove(incoming);
    QFile source(backupPath);
    QFile target(incoming);
    QString createError;
    if (!createPrivateFile(incoming, &createError) || !source.open(QIODevice::ReadOnly)
        || !target.open(QIODevice::WriteOnly)) {
        return refuse(StoreError::Io,
            QStringLiteral("Cannot copy %1 to %2: %3 %4 %5")
                .arg(backupPath, incoming, createError, source.errorString(), target.errorString())
                .simplified());
    }
    while (!source.atEnd()) {
        const QByteArray chunk = source.read(1 << 20);
        if (chunk.isEmpty() || target.write(chunk) != chunk.size()) {
            target.remove();
            return refuse(StoreError::Io,
                QStringLiteral("Cannot copy %1 to %2: %3").arg(backupPath, incoming, target.errorString()));
        }
    }
    if (!FileIo::syncFile(target)) {
        target.remove();
        return refuse(StoreError::Io, QStringLiteral("Cannot write %1: %2").arg(incoming, qt_error_string(errno)));
    }
    target.close();

    // Keep the store it replaces (and its write-ahead log, which holds committed messages). The
    // renames happen in the store's folder, synced after each so they survive a crash.
    const QFileInfo store(storePath);
    const int folder = ::open(QFile::encodeName(store.absolutePath()).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder < 0) {
        return refuse(
            StoreError::Io, QStringLiteral("Cannot open %1: %2").arg(store.absolutePath(), qt_error_string(errno)));
    }
    const auto closeFolder = qScopeGuard([folder] { ::close(folder); });
    const QString name = store.fileName();
    keptAside->clear();
    if (store.exists()) {
        const QString aside = name + QStringLiteral(".before-restore-")
            + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        for (const QString& suffix : { QStringLiteral("-wal"), QString() }) {
            if (QFileInfo::exists(storePath + suffix)
                && !FileIo::durableRename(folder, name + suffix, folder, aside + suffix)) {
                return refuse(StoreError::Io,
                    QStringLiteral("Cannot move %1 aside to %2: %3")
                        .arg(storePath + suffix, aside + suffix, qt_error_string(errno)));
            }
        }
        QFile::remove(storePath + QStringLiteral("-shm"));
        *keptAside = store.absoluteDir().filePath(aside);
    }
    if (!FileIo::durableRename(folder, QFileInfo(incoming).fileName(), folder, name)) {
        return refuse(StoreError::Io,
            QStringLiteral("Cannot move %1 to %2: %3 (the old store is %4)")
                .arg(incoming, storePath, qt_error_string(errno), *keptAside));
    }
    return true;
}

} // namespace QuietWire
