#include "ChatStore.h"
#include "PostgresTestSupport.h"
#include "RetentionTask.h"
#include "StoreThread.h"
#include "StoreUrl.h"

#include <QAtomicInteger>
#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSemaphore>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <sys/stat.h>
#include <thread>

using namespace QuietWire;

/// The chat store on a real SQLite file: what it keeps survives closing and reopening, ids only
/// grow, a resend is stored once, markers, rooms, search, retention and backup, and a store it must
/// not touch (corrupt, newer, foreign, locked) is refused and left byte-identical.
///
/// With QUIETWIRE_TEST_STORE_BACKEND=postgres (ctest's TestChatStorePostgres, which names the
/// functions that are not about SQLite's file) the same functions run on a real PostgreSQL: a new
/// database of the test cluster for each (PostgresTestSupport.h).
class TestChatStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void newStoreHasTheGeneralRoom();
    void messagesSurviveReopening();
    void historyPagesNewestFirst();
    void resendWithTheSameClientIdIsStoredOnce();
    void messageToADeletedConversationFailsAlone();
    void idsAreNeverGivenTwice();
    void roomsAndMembers();
    void directConversationIsOneForThePair();
    void readMarkersMoveForwardAndCountUnread();
    void searchFindsWordsOnlyWhereTheUserMayRead();
    void searchFindsWhatThePrefixQueryOfTheIndexFinds();
    void retentionDeletesOnlyOlderMessages();
    void backupIsAConsistentCopy();
    void refusedStoresAreLeftUntouched_data();
    void refusedStoresAreLeftUntouched();
    void lockedStoreIsRefused();
    void aWriteWaitsForAnotherProgramsLock();
    void schemaOneStoreIsMigratedAndItsSearchKept();
    void schemaTwoStoreIsMigratedAndTakesAttachments();
    void schemaThreeStoreIsMigratedAndFindsFileNames();
    void storeThreadGroupsAppendsIntoOneCommit();
    void storeThreadAnswersOnTheCallersThread();
    void storeThreadClosingFinishesWhatWasPosted();
    void storeThreadReportsAStoreItCannotOpen();
    void restoreReplacesTheStoreAndKeepsTheOldOne();
    void restoreRefusesABadBackupAndChangesNothing();
    void retentionTaskSweepsInBatchesInTheBackground();
    void storeBackupAndRestoredCopyAreOnlyTheOwners();
    void storeUrlsAreReadOrRefused_data();
    void storeUrlsAreReadOrRefused();

private:
    std::unique_ptr<ChatStore> openStore(const QString& path = QString());
    QString storePath() const { return m_dir->filePath(QStringLiteral("quietwire.db")); }
    static ChatStore::NewMessage message(
        qint64 conversation, const QString& text, const QString& clientId = QString(), qint64 timeMs = 1000);

    std::unique_ptr<QTemporaryDir> m_dir;
    bool m_postgres = false;
    QString m_clusterUrl;
    std::optional<ChatStore::Options> m_postgresOptions;
    int m_databases = 0;
};

namespace {
QByteArray fileHash(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return QByteArray();
    }
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

bool runSql(const QString& path, const QStringList& statements)
{
    const QString name = QStringLiteral("test-raw");
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ok = db.open();
        for (const QString& statement : statements) {
            QSqlQuery query(db);
            if (ok && !query.exec(statement)) {
                qWarning("%s: %s", qPrintable(statement), qPrintable(query.lastError().text()));
                ok = false;
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

/// What makes a store of the current schema one of schema 3 again: the full-text index over the
/// text alone, without the file names' column.
const QStringList SchemaThreeSearch {
    QStringLiteral("DROP TRIGGER messages_search_delete"),
    QStringLiteral("DROP TABLE messages_search"),
    QStringLiteral("CREATE VIRTUAL TABLE messages_search USING fts5(body, content = 'messages', content_rowid = 'id', "
                   "tokenize = 'unicode61 remove_diacritics 2')"),
    QStringLiteral("INSERT INTO messages_search (messages_search) VALUES ('rebuild')"),
    QStringLiteral("CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN INSERT INTO messages_search "
                   "(messages_search, rowid, body) VALUES ('delete', old.id, old.body); END"),
    QStringLiteral("ALTER TABLE messages DROP COLUMN attachment_name"),
};

/// The first column of every row of sql, with value bound, on the store at path.
QVariantList sqlColumn(const QString& path, const QString& sql, const QVariant& value)
{
    const QString name = QStringLiteral("test-raw-column");
    QVariantList column;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery query(db);
            query.prepare(sql);
            query.addBindValue(value);
            if (!query.exec()) {
                qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
            }
            while (query.next()) {
                column << query.value(0);
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return column;
}

/// The first column of the first row of sql on the store at path (invalid when there is none).
QVariant sqlValue(const QString& path, const QString& sql)
{
    const QString name = QStringLiteral("test-raw-value");
    QVariant value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(sql) && query.next()) {
                value = query.value(0);
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return value;
}
} // namespace

void TestChatStore::initTestCase()
{
    m_postgres = qEnvironmentVariable("QUIETWIRE_TEST_STORE_BACKEND") == QLatin1String("postgres");
    if (m_postgres) {
        QString why;
        m_clusterUrl = TestPostgres::clusterUrl(&why);
        if (m_clusterUrl.isEmpty()) {
            QSKIP(qPrintable(why));
        }
    }
}

void TestChatStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    if (m_postgres) {
        m_postgresOptions = TestPostgres::createDatabase(
            m_clusterUrl, QStringLiteral("qw_store_%1_%2").arg(QCoreApplication::applicationPid()).arg(++m_databases));
        QVERIFY(m_postgresOptions);
    }
}

void TestChatStore::cleanup()
{
    m_dir.reset();
    if (m_postgresOptions) {
        QVERIFY(TestPostgres::dropDatabase(m_clusterUrl, m_postgresOptions->databaseName));
        m_postgresOptions.reset();
    }
}

std::unique_ptr<ChatStore> TestChatStore::openStore(const QString& path)
{
    StoreFailure failure;
    ChatStore::Options options;
    options.databaseName = path.isEmpty() ? storePath() : path;
    if (m_postgres) {
        options = *m_postgresOptions;
    }
    auto store = ChatStore::open(options, &failure);
    if (!store) {
        qWarning("open failed: %s", qPrintable(failure.message));
    }
    return store;
}

ChatStore::NewMessage TestChatStore::message(
    qint64 conversation, const QString& text, const QString& clientId, qint64 timeMs)
{
    ChatStore::NewMessage message;
    message.conversation = conversation;
    message.sender = QStringLiteral("alice");
    message.fingerprint = QStringLiteral("SHA256:alice");
    message.clientId = clientId;
    message.timeMs = timeMs;
    message.text = text;
    return message;
}

void TestChatStore::newStoreHasTheGeneralRoom()
{
    auto store = openStore();
    QVERIFY(store);
    const auto general = store->room(QStringLiteral("general"));
    QVERIFY(general);
    QCOMPARE(general->kind, Conversation::Kind::Room);
    QVERIFY(!general->isPrivate);
    QCOMPARE(store->rooms()->size(), 1);
    QCOMPARE(*store->lastMessageId(), qint64(0));
    QCOMPARE(QFile::exists(storePath()), !m_postgres);
}

void TestChatStore::messagesSurviveReopening()
{
    qint64 general = 0;
    {
        auto store = openStore();
        QVERIFY(store);
        general = store->room(QStringLiteral("general"))->id;
        const auto appended
            = store->append({ message(general, QStringLiteral("first")), message(general, QStringLiteral("second")) });
        QVERIFY(appended);
        QCOMPARE(appended->size(), 2);
    }
    auto store = openStore();
    QVERIFY(store);
    QCOMPARE(store->room(QStringLiteral("general"))->id, general);
    const auto history = store->history(general, 0, 10);
    QVERIFY(history);
    QCOMPARE(history->size(), 2);
    QCOMPARE(history->at(0).text, QStringLiteral("second"));
    QCOMPARE(history->at(1).text, QStringLiteral("first"));
    QCOMPARE(history->at(0).sender, QStringLiteral("alice"));
    QCOMPARE(history->at(0).fingerprint, QStringLiteral("SHA256:alice"));
    QCOMPARE(history->at(0).timeMs, qint64(1000));
}

void TestChatStore::historyPagesNewestFirst()
{
    auto store = openStore();
    QVERIFY(store);
    const qint64 general = store->room(QStringLiteral("general"))->id;
    const auto other = store->createRoom(QStringLiteral("other"), QString(), false, QStringLiteral("alice"), 5);
    QVERIFY(other);
    QList<ChatStore::NewMessage> batch;
    for (int i = 0; i < 25; ++i) {
        batch << message(general, QStringLiteral("m%1").arg(i));
        batch << message(other->id, QStringLiteral("o%1").arg(i));
    }
    const auto appended = store->append(batch);
    QVERIFY(appended);
    for (qsizetype i = 1; i < appended->size(); ++i) {
        QVERIFY(appended->at(i).id > appended->at(i - 1).id);
    }
    QStringList seen;
    qint64 before = 0;
    for (int page = 0; page < 10; ++page) {
        const auto messages = store->history(general, before, 10);
        QVERIFY(messages);
        if (messages->isEmpty()) {
            break;
        }
        for (const StoredMessage& m : *messages) {
            QCOMPARE(m.conversation, general);
            QVERIFY(before == 0 || m.id < before);
            seen << m.text;
        }
        before = messages->last().id;
    }
    QCOMPARE(seen.size(), 25);
    QCOMPARE(seen.first(), QStringLiteral("m24"));
    QCOMPARE(seen.last(), QStringLiteral("m0"));
}

void TestChatStore::resendWithTheSameClientIdIsStoredOnce()
{
    auto store = openStore();
    QVERIFY(store);
    const qint64 general = store->room(QStringLiteral("general"))->id;
    const auto first = store->append({ message(general, QStringLiteral("hello"), QStringLiteral("c-1")),
        message(general, QStringLiteral("hello again"), QStringLiteral("c-1")) });
    QVERIFY(first);
    QVERIFY(!first->at(0).duplicate);
    QVERIFY(first->at(1).duplicate); // in the same batch
    QCOMPARE(first->at(1).id, first->at(0).id);
    const auto resend = store->append({ message(general, QStringLiteral("hello"), QStringLiteral("c-1")) });
    QVERIFY(resend);
    QVERIFY(resend->at(0).duplicate);
    QCOMPARE(resend->at(0).id, first->at(0).id);
    // The same client id from another key is another message; no client id never matches.
    auto fromBob = message(general, QStringLiteral("bob's"), QStringLiteral("c-1"));
    fromBob.fingerprint = QStringLiteral("SHA256:bob");
    const auto others
        = store->append({ fromBob, message(general, QStringLiteral("x")), message(general, QStringLiteral("x")) });
    QVERIFY(others);
    QVERIFY(!others->at(0).duplicate && !others->at(1).duplicate && !others->at(2).duplicate);
    QCOMPARE(store->history(general, 0, 100)->size(), 4);
}

void TestChatStore::messageToADeletedConversationFailsAlone()
{
    auto store = openStore();
    QVERIFY(store);
    const qint64 general = store->room(QStringLiteral("general"))->id;
    const auto gone = store->createRoom(QStringLiteral("gone"), QString(), false, QStringLiteral("alice"), 1);
    QVERIFY(gone);
    QVERIFY(store->deleteConversation(gone->id));
    const auto appended = store->append({ message(general, QStringLiteral("a")), message(gone->id, QStringLiteral("b")),
        message(general, QStringLiteral("c")) });
    QVERIFY(appended);
    QVERIFY(appended->at(0).id > 0);
    QCOMPARE(appended->at(1).id, qint64(0));
    QCOMPARE(appended->at(1).error, StoreError::NotFound);
    QVERIFY(appended->at(2).id > appended->at(0).id);
    QCOMPARE(store->history(general, 0, 10)->size(), 2);
}

void TestChatStore::idsAreNeverGivenTwice()
{
    auto store = openStore();
    QVERIFY(store);
    const auto room = store->createRoom(QStringLiteral("temp"), QString(), false, QStringLiteral("alice"), 1);
    QVERIFY(room);
    const auto appended = store->append({ message(room->id, QStringLiteral("newest")) });
    QVERIFY(appended);
    const qint64 newest = appended->at(0).id;
    QVERIFY(store->deleteConversation(room->id)); // the newest message goes with it
    QCOMPARE(store->history(room->id, 0, 10)->size(), 0);
    store.reset();
    store = openStore();
    const qint64 general = store->room(QStringLiteral("general"))->id;
    const auto next = store->append({ message(general, QStringLiteral("after")) });
    QVERIFY(next);
    QVERIFY(next->at(0).id > newest);
}

void TestChatStore::roomsAndMembers()
{
    auto store = openStore();
    QVERIFY(store);
    const auto team
        = store->createRoom(QStringLiteral("team-a.1"), QStringLiteral("plans"), true, QStringLiteral("alice"), 7);
    QVERIFY(team);
    QVERIFY(team->isPrivate);
    QCOMPARE(team->createdMs, qint64(7));
    QCOMPARE(*store->roleOf(team->id, QStringLiteral("alice")), MemberRole::Owner);
    QVERIFY(!store->roleOf(team->id, QStringLiteral("bob")));
    QCOMPARE(store->failure().error, StoreError::NotFound);

    QVERIFY(!store->createRoom(QStringLiteral("team-a.1"), QString(), false, QStringLiteral("bob"), 8));
    QCOMPARE(store->failure().error, StoreError::Exists);
    for (const QString& bad :
        { QString(), QStringLiteral("a b"), QStringLiteral("a/b"), QString(65, QLatin1Char('x')) }) {
        QVERIFY(!store->createRoom(bad, QString(), false, QStringLiteral("bob"), 8));
        QVERIFY2(store->failure().message.contains(QStringLiteral("not a room name")), qPrintable(bad));
    }
    QVERIFY(store->createRoom(
        QStringLiteral("Комната"), QString(), false, QStringLiteral("bob"), 8)); // letters of any script

    QVERIFY(store->addMember(team->id, QStringLiteral("bob"), MemberRole::Member));
    QVERIFY(store->addMember(team->id, QStringLiteral("bob"), MemberRole::Owner)); // a role change
    const auto members = store->members(team->id);
    QVERIFY(members);
    QCOMPARE(members->size(), 2);
    QCOMPARE(members->at(1), std::make_pair(QStringLiteral("bob"), MemberRole::Owner));
    QVERIFY(store->removeMember(team->id, QStringLiteral("bob")));
    QVERIFY(!store->removeMember(team->id, QStringLiteral("bob")));
    QCOMPARE(store->failure().error, StoreError::NotFound);

    QVERIFY(store->setTopic(team->id, QStringLiteral("new plans")));
    QCOMPARE(store->conversation(team->id)->topic, QStringLiteral("new plans"));
    QVERIFY(store->append({ message(team->id, QStringLiteral("secret")) }));
    QVERIFY(store->deleteConversation(team->id));
    QVERIFY(!store->conversation(team->id));
    QVERIFY(!store->addMember(team->id, QStringLiteral("carol"), MemberRole::Member));
    QCOMPARE(store->failure().error, StoreError::NotFound);
    QVERIFY(!store->setTopic(team->id, QStringLiteral("x")));
    QCOMPARE(store->failure().error, StoreError::NotFound);
}

void TestChatStore::directConversationIsOneForThePair()
{
    auto store = openStore();
    QVERIFY(store);
    const auto ab = store->directConversation(QStringLiteral("bob"), QStringLiteral("alice"), 3);
    QVERIFY(ab);
    QCOMPARE(ab->kind, Conversation::Kind::Direct);
    QCOMPARE(ab->name, QStringLiteral("alice bob"));
    const auto ba = store->directConversation(QStringLiteral("alice"), QStringLiteral("bob"), 4);
    QVERIFY(ba);
    QCOMPARE(ba->id, ab->id);
    QCOMPARE(store->members(ab->id)->size(), 2);
    QCOMPARE(*store->roleOf(ab->id, QStringLiteral("bob")), MemberRole::Member);
    // Not a room: a room of the same name is another conversation.
    QVERIFY(!store->room(QStringLiteral("alice bob")));
    QCOMPARE(store->rooms()->size(), 1);
}

void TestChatStore::readMarkersMoveForwardAndCountUnread()
{
    auto store = openStore();
    QVERIFY(store);
    const qint64 general = store->room(QStringLiteral("general"))->id;
    QVERIFY(store->addMember(general, QStringLiteral("bob"), MemberRole::Member));
    const auto direct = store->directConversation(QStringLiteral("alice"), QStringLiteral("bob"), 1);
    QVERIFY(direct);
    const auto appended
        = store->append({ message(general, QStringLiteral("g1")), message(general, QStringLiteral("g2")),
            message(general, QStringLiteral("g3")), message(direct->id, QStringLiteral("d1")) });
    QVERIFY(appended);

    auto summaries = store->conversationsOf(QStringLiteral("bob"));
    QVERIFY(summaries);
    QCOMPARE(summaries->size(), 2);
    QCOMPARE(summaries->at(0).conversation.id, general); // rooms first
    QCOMPARE(summaries->at(0).unread, qint64(3));
    QCOMPARE(summaries->at(0).last.text, QStringLiteral("g3"));
    QCOMPARE(summaries->at(1).unread, qint64(1));

    QVERIFY(store->markRead(QStringLiteral("bob"), general, appended->at(1).id));
    QVERIFY(store->markRead(QStringLiteral("bob"), general, appended->at(0).id)); // never back
    summaries = store->conversationsOf(QStringLiteral("bob"));
    QCOMPARE(summaries->at(0).lastRead, appended->at(1).id);
    QCOMPARE(summaries->at(0).unread, qint64(1));
    // The marker is the user's (every session of bob sees it), not alice's.
    QCOMPARE(store->conversationsOf(QStringLiteral("alice"))->size(), 1); // alice is not in general's members here
    QVERIFY(!store->markRead(QStringLiteral("bob"), 999999, 1));
    QCOMPARE(store->failure().error, StoreError::NotFound);
    // An empty conversation has no last message.
    const auto empty = store->createRoom(QStringLiteral("empty"), QString(), false, QStringLiteral("bob"), 1);
    QVERIFY(empty);
    summaries = store->conversationsOf(QStringLiteral("bob"));
    QCOMPARE(summaries->size(), 3);
    for (const ConversationSummary& summary : *summaries) {
        if (summary.conversation.id == empty->id) {
            QCOMPARE(summary.last.id, qint64(0));
            QCOMPARE(summary.unread, qint64(0));
        }
    }
}

void TestChatStore::searchFindsWordsOnlyWhereTheUserMayRead()
{
    auto store = openStore();
    QVERIFY(store);
    const qint64 general = store->room(QStringLiteral("general"))->id;
    QVERIFY(store->addMember(general, QStringLiteral("bob"), MemberRole::Member));
    const auto secret = store->createRoom(QStringLiteral("secret"), QString(), true, QStringLiteral("alice"), 1);
    QVERIFY(secret);
    QVERIFY(store->append({ message(general, QStringLiteral("Привет, мир! Deploying the server today")),
        message(general, QStringLiteral("nothing to see")),
        message(secret->id, QStringLiteral("привет from the secret room")) }));

    auto hits = store->search(
        QStringLiteral("bob"), QStringLiteral("ПРИВЕТ"), 0, 0, 10, QStringLiteral("["), QStringLiteral("]"));
    QVERIFY(hits);
    QCOMPARE(hits->size(), 1); // not the secret room's
    QCOMPARE(hits->at(0).message.conversation, general);
    QVERIFY2(hits->at(0).snippet.contains(QStringLiteral("[Привет]")), qPrintable(hits->at(0).snippet));

    hits = store->search(
        QStringLiteral("alice"), QStringLiteral("привет"), 0, 0, 10, QStringLiteral("["), QStringLiteral("]"));
    QCOMPARE(hits->size(), 1); // alice is in the secret room only (general's members are bob here)
    QCOMPARE(hits->at(0).message.conversation, secret->id);

    // Every word must be there; a word finds longer ones it starts; Latin is case-insensitive.
    QCOMPARE(store->search(QStringLiteral("bob"), QStringLiteral("deploy SERVER"), 0, 0, 10, {}, {})->size(), 1);
    QCOMPARE(store->search(QStringLiteral("bob"), QStringLiteral("deploy nothing"), 0, 0, 10, {}, {})->size(), 0);
    // Diacritics are ignored both ways, on every store; the snippet shows the word as it was written.
    QVERIFY(store->append({ message(general, QStringLiteral("Café au lait, then the résumé of Zoë")) }));
    for (const QString& words : { QStringLiteral("cafe"), QStringLiteral("CAFÉ"), QStringLiteral("resume zoe"),
             QStringLiteral("résumé"), QStringLiteral("Zoë caf") }) {
        hits = store->search(QStringLiteral("bob"), words, 0, 0, 10, QStringLiteral("["), QStringLiteral("]"));
        QVERIFY2(hits && hits->size() == 1, qPrintable(words + QStringLiteral(": ") + store->failure().message));
        QVERIFY2(hits->at(0).snippet.contains(QLatin1Char('[')), qPrintable(hits->at(0).snippet));
    }
    hits = store->search(
        QStringLiteral("bob"), QStringLiteral("cafe"), 0, 0, 10, QStringLiteral("["), QStringLiteral("]"));
    QVERIFY2(hits->at(0).snippet.contains(QStringLiteral("[Café]")), qPrintable(hits->at(0).snippet));
    // Query syntax in the words is only text.
    for (const QString& odd : { QStringLiteral("\"unbalanced"), QStringLiteral("NEAR(a b)"), QStringLiteral("a OR b"),
             QStringLiteral("*"), QStringLiteral("body:x"), QStringLiteral("-x") }) {
        const auto result = store->search(QStringLiteral("bob"), odd, 0, 0, 10, {}, {});
        QVERIFY2(result, qPrintable(odd + QStringLiteral(": ") + store->failure().message));
    }
    QCOMPARE(store->search(QStringLiteral("bob"), QStringLiteral("   "), 0, 0, 10, {}, {})->size(), 0);
    // Limited to one conversation.
    QCOMPARE(store->search(QStringLiteral("bob"), QStringLiteral("привет"), secret->id, 0, 10, {}, {})->size(), 0);
}

void TestChatStore::searchFindsWhatThePrefixQueryOfTheIndexFinds()
{
    // search() turns a word into the list of the vocabulary's terms it starts; what it finds must
    // be exactly what FTS5's own prefix query ("word"*) finds, for every kind of word.
    auto store = openStore();
    QVERIFY(store);
    const qint64 general = store->room(QStringLiteral("general"))->id;
    QVERIFY(store->addMember(general, QStringLiteral("bob"), MemberRole::Member));
    const QStringList vocabulary = { QStringLiteral("server"), QStringLiteral("servers"), QStringLiteral("serve"),
        QStringLiteral("Сервер"), QStringLiteral("сервера"), QStringLiteral("отчёт"), QStringLiteral("ОТЧЁТЫ"),
        QStringLiteral("e-mail"), QStringLiteral("café"), QStringLiteral("Cafe"), QStringLiteral("x2"),
        QStringLiteral("ёлка"), QStringLiteral("deploy"), QStringLiteral("deployed") };
    QRandomGenerator random(7);
    QList<ChatStore::NewMessage> batch;
    for (int i = 0; i < 400; ++i) {
        QStringList words;
        for (int w = 0; w < 4; ++w) {
            words << vocabulary[random.bounded(vocabulary.size())];
        }
        words << QStringLiteral("p%1").arg(random.bounded(ChatStore::MaxPrefixTerms * 2), 3, 10, QLatin1Char('0'));
        batch << message(general, words.join(QLatin1Char(' ')), QStringLiteral("v%1").arg(i));
        if (batch.size() == 50) { // several transactions, each adding its terms
            QVERIFY(store->append(batch));
            batch.clear();
        }
    }
    // Words of one term, short and long prefixes, both scripts, any case, a word of two terms, a
    // prefix of more than MaxPrefixTerms terms, words nothing starts, and pairs.
    const QStringList queries = { QStringLiteral("s"), QStringLiteral("serv"), QStringLiteral("SERVER"),
        QStringLiteral("servers"), QStringLiteral("сер"), QStringLiteral("СЕРВЕР"), QStringLiteral("отч"),
        QStringLiteral("отчёты"), QStringLiteral("e-mail"), QStringLiteral("e-ma"), QStringLiteral("cafe"),
        QStringLiteral("CAFÉ"), QStringLiteral("ёл"), QStringLiteral("p0"), QStringLiteral("p01"), QStringLiteral("p"),
        QStringLiteral("nothing"), QStringLiteral("\"quoted"), QStringLiteral("deploy serv"), QStringLiteral("p1 отч"),
        QStringLiteral("x"), QStringLiteral("x2 cafe"), QStringLiteral("zz serv") };
    int nonEmpty = 0;
    for (const QString& words : queries) {
        const auto hits = store->search(QStringLiteral("bob"), words, 0, 0, 1000, {}, {});
        QVERIFY2(hits, qPrintable(words + QStringLiteral(": ") + store->failure().message));
        QList<qint64> found;
        for (const SearchHit& hit : *hits) {
            found << hit.message.id;
        }
        QStringList phrases;
        for (QString word : words.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            word.replace(QLatin1Char('"'), QLatin1String("\"\""));
            phrases << QLatin1Char('"') + word + QLatin1String("\"*");
        }
        QList<qint64> expected;
        for (const QVariant& id : sqlColumn(storePath(),
                 QStringLiteral("SELECT rowid FROM messages_search WHERE messages_search MATCH ? ORDER BY rowid DESC"),
                 phrases.join(QLatin1Char(' ')))) {
            expected << id.toLongLong();
        }
        QVERIFY2(found == expected,
            qPrintable(
                QStringLiteral("%1: %2 found, the prefix query %3").arg(words).arg(found.size()).arg(expected.size())));
        nonEmpty += found.isEmpty() ? 0 : 1;
    }
    QVERIFY(nonEmpty >= 15); // the comparison is not between empty lists
}

void TestChatStore::retentionDeletesOnlyOlderMessages()
{
    auto store = openStore();
    QVERIFY(store);
    const qint64 general = store->room(QStringLiteral("general"))->id;
    QList<ChatStore::NewMessage> batch;
    for (int i = 0; i < 30; ++i) {
        batch << message(general, QStringLiteral("old %1").arg(i), QString(), 1000 + i);
    }
    for (int i = 0; i < 5; ++i) {
        batch << message(general, QStringLiteral("new %1").arg(i), QString(), 5000 + i);
    }
    QVERIFY(store->append(batch));
    int deleted = 0;
    int rounds = 0;
    while (const auto n = store->deleteOlderThan(5000, 8)) {
        QVERIFY(*n <= 8);
        if (*n == 0) {
            break;
        }
        deleted += *n;
        QVERIFY(++rounds < 10);
    }
    QCOMPARE(deleted, 30);
    const auto left = store->history(general, 0, 100);
    QCOMPARE(left->size(), 5);
    for (const StoredMessage& m : *left) {
        QVERIFY(m.text.startsWith(QStringLiteral("new")));
    }
    // The search index forgot them too.
    QCOMPARE(store->search(QStringLiteral("alice"), QStringLiteral("old"), 0, 0, 10, {}, {})->size(), 0);
}

void TestChatStore::backupIsAConsistentCopy()
{
    auto store = openStore();
    QVERIFY(store);
    const qint64 general = store->room(QStringLiteral("general"))->id;
    QVERIFY(store->append({ message(general, QStringLiteral("kept")) }));
    const QString copy = m_dir->filePath(QStringLiteral("backup.db"));
    QVERIFY2(store->backup(copy), qPrintable(store->failure().message));
    QVERIFY(!store->backup(copy)); // never over a file
    QCOMPARE(store->failure().error, StoreError::Exists);
    QVERIFY(store->append({ message(general, QStringLiteral("after the backup")) }));

    auto restored = openStore(copy);
    QVERIFY(restored);
    const auto history = restored->history(general, 0, 10);
    QCOMPARE(history->size(), 1);
    QCOMPARE(history->at(0).text, QStringLiteral("kept"));
}

void TestChatStore::refusedStoresAreLeftUntouched_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("error");
    QTest::addColumn<QString>("says");
    QTest::newRow("garbage") << "garbage" << int(StoreError::Corrupt) << "restore it from a backup";
    QTest::newRow("damaged header") << "damaged" << int(StoreError::Corrupt) << "restore it from a backup";
    QTest::newRow("newer schema") << "newer" << int(StoreError::NewerSchema) << "newer quietwired (schema 99";
    QTest::newRow("another program's database")
        << "foreign" << int(StoreError::Corrupt) << "not a QuietWire chat store";
    QTest::newRow("no schema version") << "noversion" << int(StoreError::Corrupt) << "no valid schema version";
}

void TestChatStore::refusedStoresAreLeftUntouched()
{
    QFETCH(QString, kind);
    QFETCH(int, error);
    QFETCH(QString, says);
    const QString path = storePath();
    if (kind == QLatin1String("garbage")) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray junk(8192, '\0');
        for (int i = 0; i < junk.size(); ++i) {
            junk[i] = static_cast<char>((i * 7919 + 13) % 251);
        }
        file.write(junk);
    } else if (kind == QLatin1String("damaged")) {
        QVERIFY(openStore());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        file.write("SQLite format 2\0", 16); // the magic of the header broken
    } else if (kind == QLatin1String("newer")) {
        QVERIFY(openStore());
        QVERIFY(runSql(path, { QStringLiteral("UPDATE quietwire_schema SET version = 99") }));
    } else if (kind == QLatin1String("foreign")) {
        QVERIFY(runSql(path, { QStringLiteral("CREATE TABLE accounts (id INTEGER, balance INTEGER)") }));
    } else {
        QVERIFY(openStore());
        QVERIFY(runSql(path, { QStringLiteral("DELETE FROM quietwire_schema") }));
    }
    const QByteArray before = fileHash(path);
    QVERIFY(!before.isEmpty());
    StoreFailure failure;
    ChatStore::Options options;
    options.databaseName = path;
    QVERIFY(!ChatStore::open(options, &failure));
    QCOMPARE(int(failure.error), error);
    QVERIFY2(failure.message.contains(says), qPrintable(failure.message));
    QVERIFY2(failure.message.contains(path), qPrintable(failure.message)); // names the file
    QCOMPARE(fileHash(path), before);
}

void TestChatStore::lockedStoreIsRefused()
{
    QVERIFY(openStore());
    const QString name = QStringLiteral("test-holder");
    {
        QSqlDatabase holder = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        holder.setDatabaseName(storePath());
        QVERIFY(holder.open());
        QSqlQuery begin(holder);
        QVERIFY(begin.exec(QStringLiteral("BEGIN IMMEDIATE"))); // another program's write open
        StoreFailure failure;
        ChatStore::Options options;
        options.databaseName = storePath();
        options.busyTimeoutMs = 100;
        QVERIFY(!ChatStore::open(options, &failure));
        QCOMPARE(failure.error, StoreError::Locked);
        QVERIFY2(failure.message.contains(QStringLiteral("locked by another program")), qPrintable(failure.message));
        QSqlQuery rollback(holder);
        QVERIFY(rollback.exec(QStringLiteral("ROLLBACK")));
        holder.close();
    }
    QSqlDatabase::removeDatabase(name);
    QVERIFY(openStore()); // free again
}

void TestChatStore::aWriteWaitsForAnotherProgramsLock()
{
    // Another program (here a thread with its own connection) holds the write lock for a while:
    // a message waits for it within the busy timeout and is stored, instead of failing at once.
    auto store = openStore();
    QVERIFY(store);
    const qint64 general = store->room(QStringLiteral("general"))->id;
    QSemaphore locked;
    QAtomicInteger<int> released = 0;
    bool holderOk = false;
    std::thread holder([&] {
        const QString name = QStringLiteral("test-lock-holder");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(storePath());
            QSqlQuery begin(db);
            holderOk = db.open() && begin.exec(QStringLiteral("BEGIN IMMEDIATE"));
            locked.release();
            QThread::msleep(300);
            released = 1;
            QSqlQuery commit(db);
            holderOk = holderOk && commit.exec(QStringLiteral("COMMIT"));
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    });
    locked.acquire();
    const auto appended = store->append({ message(general, QStringLiteral("waited"), QStringLiteral("w1")) });
    holder.join();
    QVERIFY(holderOk);
    QVERIFY2(appended, qPrintable(store->failure().message));
    QCOMPARE(released.loadRelaxed(), 1); // it could only be stored once the other program let go
    QVERIFY(appended->at(0).id > 0);
    QCOMPARE(store->history(general, 0, 10)->at(0).text, QStringLiteral("waited"));
}

void TestChatStore::schemaOneStoreIsMigratedAndItsSearchKept()
{
    // A store as schema 1 left it: the full-text index filled by a trigger per row, and a message
    // indexed that way.
    qint64 general = 0;
    {
        auto store = openStore();
        QVERIFY(store);
        general = store->room(QStringLiteral("general"))->id;
        QVERIFY(store->append({ message(general, QStringLiteral("before the upgrade: отчёт"), QStringLiteral("a")) }));
    }
    QVERIFY(runSql(storePath(), SchemaThreeSearch));
    QVERIFY(runSql(storePath(),
        { QStringLiteral("CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN "
                         "INSERT INTO messages_search (rowid, body) VALUES (new.id, new.body); END"),
            QStringLiteral("INSERT INTO messages (conversation_id, sender, fingerprint, client_id, time_ms, body) "
                           "VALUES (%1, 'bob', 'SHA256:bob', 'b', 2000, 'written by schema one: отчёт')")
                .arg(general),
            QStringLiteral("DROP TABLE search_terms"),
            QStringLiteral("ALTER TABLE messages DROP COLUMN attachment_path"),
            QStringLiteral("ALTER TABLE messages DROP COLUMN attachment_size"),
            QStringLiteral("ALTER TABLE messages DROP COLUMN attachment_sha256"),
            QStringLiteral("UPDATE quietwire_schema SET version = 1") }));

    auto store = openStore();
    QVERIFY(store);
    QCOMPARE(sqlValue(storePath(), QStringLiteral("SELECT version FROM quietwire_schema")).toInt(),
        ChatStore::SchemaVersion);
    QCOMPARE(sqlValue(storePath(),
                 QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = 'messages_search_insert'"))
                 .toInt(),
        0);
    QVERIFY(store->append({ message(general, QStringLiteral("after the upgrade: отчёт"), QStringLiteral("c")),
        message(general, QStringLiteral("and another отчёт"), QStringLiteral("d")) }));
    // Every message found once: the old ones through the index the trigger filled, the new ones
    // through the index filled per transaction (not twice: the trigger is gone).
    const auto hits = store->search(QStringLiteral("alice"), QStringLiteral("ОТЧЁТ"), 0, 0, 10, {}, {});
    QVERIFY(hits);
    QCOMPARE(hits->size(), 0); // alice is not a member of general here
    QVERIFY(store->addMember(general, QStringLiteral("alice"), MemberRole::Member));
    const auto found = store->search(QStringLiteral("alice"), QStringLiteral("ОТЧЁТ"), 0, 0, 10, {}, {});
    QVERIFY(found);
    QCOMPARE(found->size(), 4);
    QSet<qint64> ids;
    for (const SearchHit& hit : *found) {
        ids.insert(hit.message.id);
    }
    QCOMPARE(ids.size(), 4);
    QCOMPARE(store->search(QStringLiteral("alice"), QStringLiteral("upgrade"), 0, 0, 10, {}, {})->size(), 2);
    QCOMPARE(sqlValue(storePath(),
                 QStringLiteral("SELECT count(*) FROM messages_search WHERE messages_search "
                                "MATCH 'отчёт'"))
                 .toInt(),
        4);
    QCOMPARE(sqlValue(storePath(), QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    // The FTS5 index agrees with its content table (no row missing, none twice).
    QVERIFY(runSql(storePath(),
        { QStringLiteral("INSERT INTO messages_search (messages_search) VALUES "
                         "('integrity-check')") }));
}

void TestChatStore::schemaTwoStoreIsMigratedAndTakesAttachments()
{
    // A store as schema 2 left it: messages without the attachment columns.
    qint64 general = 0;
    {
        auto store = openStore();
        QVERIFY(store);
        general = store->room(QStringLiteral("general"))->id;
        QVERIFY(store->append({ message(general, QStringLiteral("written by schema two"), QStringLiteral("a")) }));
    }
    QVERIFY(runSql(storePath(), SchemaThreeSearch));
    QVERIFY(runSql(storePath(),
        { QStringLiteral("ALTER TABLE messages DROP COLUMN attachment_path"),
            QStringLiteral("ALTER TABLE messages DROP COLUMN attachment_size"),
            QStringLiteral("ALTER TABLE messages DROP COLUMN attachment_sha256"),
            QStringLiteral("UPDATE quietwire_schema SET version = 2") }));
    QCOMPARE(sqlValue(storePath(),
                 QStringLiteral("SELECT count(*) FROM pragma_table_info('messages') WHERE name "
                                "LIKE 'attachment%'"))
                 .toInt(),
        0);

    auto store = openStore();
    QVERIFY(store);
    QCOMPARE(sqlValue(storePath(), QStringLiteral("SELECT version FROM quietwire_schema")).toInt(),
        ChatStore::SchemaVersion);
    ChatStore::NewMessage withFile = message(general, QString(), QStringLiteral("b"), 2000);
    withFile.attachment.path = QStringLiteral("/rooms/general/attachments/2026-12-01/report.pdf");
    withFile.attachment.size = 12345;
    withFile.attachment.sha256 = QByteArray(32, '\xab');
    const auto appended = store->append({ withFile });
    QVERIFY(appended);
    QVERIFY(appended->first().id > 0);

    const auto page = store->history(general, 0, 10);
    QVERIFY(page);
    QCOMPARE(page->size(), 2);
    QCOMPARE(page->at(0).attachment, withFile.attachment);
    QCOMPARE(page->at(0).text, QString());
    QVERIFY(page->at(1).attachment.isEmpty()); // the message from before the migration has none
    QCOMPARE(page->at(1).text, QStringLiteral("written by schema two"));
    // The newest message of the conversation list carries it too, and so does a search hit.
    QVERIFY(store->addMember(general, QStringLiteral("alice"), MemberRole::Member));
    const auto conversations = store->conversationsOf(QStringLiteral("alice"));
    QVERIFY(conversations);
    QCOMPARE(conversations->size(), 1);
    QCOMPARE(conversations->first().last.attachment, withFile.attachment);
    ChatStore::NewMessage found = message(general, QStringLiteral("findable report"), QStringLiteral("c"), 3000);
    found.attachment = withFile.attachment;
    QVERIFY(store->append({ found }));
    const auto hits = store->search(QStringLiteral("alice"), QStringLiteral("findable"), 0, 0, 10, {}, {});
    QVERIFY(hits);
    QCOMPARE(hits->size(), 1);
    QCOMPARE(hits->first().message.attachment, withFile.attachment);
    QCOMPARE(hits->first().snippet, QStringLiteral("findable report"));
    QCOMPARE(sqlValue(storePath(), QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
}

void TestChatStore::schemaThreeStoreIsMigratedAndFindsFileNames()
{
    // A store as schema 3 left it: attachments, but the index holds the text alone.
    qint64 general = 0;
    ChatStore::NewMessage fileOnly;
    ChatStore::NewMessage withText;
    {
        auto store = openStore();
        QVERIFY(store);
        general = store->room(QStringLiteral("general"))->id;
        fileOnly = message(general, QString(), QStringLiteral("a"), 1000);
        fileOnly.attachment.path = QStringLiteral("/rooms/general/attachments/2026-12-01/Quarterly-отчёт.pdf");
        fileOnly.attachment.size = 100;
        fileOnly.attachment.sha256 = QByteArray(32, '\x01');
        withText = message(general, QStringLiteral("the numbers"), QStringLiteral("b"), 2000);
        withText.attachment.path = QStringLiteral("/rooms/general/attachments/2026-12-01/budget.xlsx");
        withText.attachment.size = 200;
        withText.attachment.sha256 = QByteArray(32, '\x02');
        QVERIFY(
            store->append({ fileOnly, withText, message(general, QStringLiteral("no file"), QStringLiteral("c")) }));
        QVERIFY(store->addMember(general, QStringLiteral("alice"), MemberRole::Member));
    }
    QVERIFY(runSql(
        storePath(), SchemaThreeSearch + QStringList { QStringLiteral("UPDATE quietwire_schema SET version = 3") }));

    auto store = openStore();
    QVERIFY(store);
    QCOMPARE(sqlValue(storePath(), QStringLiteral("SELECT version FROM quietwire_schema")).toInt(), 5);
    QCOMPARE(ChatStore::SchemaVersion, 5); // 3 to 4 to 5, which changes nothing in a SQLite store
    const auto ids = [&](const QString& words) {
        QList<qint64> found;
        const auto hits = store->search(QStringLiteral("alice"), words, 0, 0, 10, {}, {});
        for (const SearchHit& hit : hits.value_or(QList<SearchHit> {})) {
            found << hit.message.id;
        }
        return found;
    };
    // The names of files stored before the migration are found, by word and by prefix (through the
    // vocabulary), the text as before; the folders of the path are not words of the message.
    QCOMPARE(ids(QStringLiteral("quarterly")), QList<qint64> { 1 });
    QCOMPARE(ids(QStringLiteral("ОТЧЁТ")), QList<qint64> { 1 });
    QCOMPARE(ids(QStringLiteral("budg")), QList<qint64> { 2 });
    QCOMPARE(ids(QStringLiteral("numbers")), QList<qint64> { 2 });
    QCOMPARE(ids(QStringLiteral("attachments")), QList<qint64> {});
    QCOMPARE(ids(QStringLiteral("rooms")), QList<qint64> {});
    const auto hits = store->search(QStringLiteral("alice"), QStringLiteral("quarterly"), 0, 0, 10, {}, {});
    QVERIFY(hits && hits->size() == 1);
    QCOMPARE(hits->first().snippet, QStringLiteral("Quarterly-отчёт.pdf")); // the name shows why it was found
    QCOMPARE(hits->first().message.attachment, fileOnly.attachment);
    // A file sent after the migration too.
    ChatStore::NewMessage later = message(general, QString(), QStringLiteral("d"), 3000);
    later.attachment.path = QStringLiteral("/rooms/general/attachments/2026-12-02/minutes.txt");
    later.attachment.size = 5;
    later.attachment.sha256 = QByteArray(32, '\x03');
    const auto appended = store->append({ later });
    QVERIFY(appended);
    QCOMPARE(ids(QStringLiteral("minu")), QList<qint64> { appended->first().id });
    QCOMPARE(sqlValue(storePath(), QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    QVERIFY(runSql(
        storePath(), { QStringLiteral("INSERT INTO messages_search (messages_search) VALUES ('integrity-check')") }));
    // A deleted message leaves the index with its name (the trigger deletes what was indexed).
    QVERIFY(runSql(storePath(), { QStringLiteral("DELETE FROM messages WHERE id = 1") }));
    QCOMPARE(ids(QStringLiteral("quarterly")), QList<qint64> {});
    QVERIFY(runSql(
        storePath(), { QStringLiteral("INSERT INTO messages_search (messages_search) VALUES ('integrity-check')") }));
}

void TestChatStore::storeThreadGroupsAppendsIntoOneCommit()
{
    ChatStore::Options options;
    options.databaseName = storePath();
    StoreThread thread(options);
    StoreFailure failure;
    QVERIFY2(thread.open(&failure), qPrintable(failure.message));
    qint64 general = 0;
    bool found = false;
    thread.post(
        this, [](ChatStore& store) { return store.room(QStringLiteral("general")); },
        [&](const std::optional<Conversation>& room) {
            found = room.has_value();
            general = room ? room->id : 0;
        });
    QTRY_VERIFY(found);
    // Hold the store's thread while 1500 messages are posted: they must go in two groups
    // (StoreThread::MaxGroup is 1000), not in 1500 commits.
    QSemaphore held;
    QSemaphore release;
    thread.post(
        this,
        [&](ChatStore&) {
            held.release();
            release.acquire();
            return 0;
        },
        [](int) {});
    held.acquire();
    constexpr int Count = 1500;
    QList<qint64> ids;
    for (int i = 0; i < Count; ++i) {
        thread.append(message(general, QStringLiteral("m%1").arg(i)), this,
            [&ids](const ChatStore::Appended& result, const StoreFailure& error) {
                QCOMPARE(error.error, StoreError::None);
                ids << result.id;
            });
    }
    release.release();
    QTRY_COMPARE_WITH_TIMEOUT(ids.size(), Count, 60000);
    QCOMPARE(thread.groupsCommitted(), qint64(2));
    QCOMPARE(thread.messagesCommitted(), qint64(Count));
    for (int i = 1; i < Count; ++i) {
        QVERIFY(ids[i] > ids[i - 1]); // in the order posted
    }
}

void TestChatStore::storeThreadAnswersOnTheCallersThread()
{
    ChatStore::Options options;
    options.databaseName = storePath();
    StoreThread thread(options);
    StoreFailure failure;
    QVERIFY(thread.open(&failure));
    QThread* worker = nullptr;
    QThread* answeredOn = nullptr;
    thread.post(
        this,
        [&worker](ChatStore&) {
            worker = QThread::currentThread();
            return 1;
        },
        [&answeredOn](int) { answeredOn = QThread::currentThread(); });
    QTRY_VERIFY(answeredOn);
    QCOMPARE(answeredOn, QThread::currentThread());
    QVERIFY(worker != QThread::currentThread());
    // A context that is gone gets no answer, and nothing breaks.
    bool answered = false;
    auto context = std::make_unique<QObject>();
    QSemaphore release;
    thread.post(
        context.get(),
        [&release](ChatStore&) {
            release.acquire();
            return 1;
        },
        [&answered](int) { answered = true; });
    context.reset();
    release.release();
    thread.close();
    QCoreApplication::processEvents();
    QVERIFY(!answered);
}

void TestChatStore::storeThreadClosingFinishesWhatWasPosted()
{
    qint64 general = 0;
    {
        auto store = openStore();
        QVERIFY(store);
        general = store->room(QStringLiteral("general"))->id;
    }
    {
        ChatStore::Options options;
        options.databaseName = storePath();
        StoreThread thread(options);
        StoreFailure failure;
        QVERIFY(thread.open(&failure));
        for (int i = 0; i < 200; ++i) {
            thread.append(message(general, QStringLiteral("m%1").arg(i)), this, [](const auto&, const auto&) {});
        }
        thread.close(); // no event loop ran: closing alone must commit them
        QCOMPARE(thread.messagesCommitted(), qint64(200));
    }
    auto store = openStore();
    QCOMPARE(store->history(general, 0, 1000)->size(), 200);
}

void TestChatStore::storeThreadReportsAStoreItCannotOpen()
{
    QVERIFY(openStore());
    QVERIFY(runSql(storePath(), { QStringLiteral("UPDATE quietwire_schema SET version = 99") }));
    ChatStore::Options options;
    options.databaseName = storePath();
    StoreThread thread(options);
    StoreFailure failure;
    QVERIFY(!thread.open(&failure));
    QCOMPARE(failure.error, StoreError::NewerSchema);
    QVERIFY(thread.isFinished());
}

void TestChatStore::restoreReplacesTheStoreAndKeepsTheOldOne()
{
    const QString backupPath = m_dir->filePath(QStringLiteral("backup.db"));
    qint64 general = 0;
    {
        auto store = openStore();
        QVERIFY(store);
        general = store->room(QStringLiteral("general"))->id;
        QVERIFY(store->append({ message(general, QStringLiteral("in the backup")) }));
        QVERIFY(store->backup(backupPath));
        QVERIFY(store->append({ message(general, QStringLiteral("after the backup")) }));
    }
    const QByteArray backupBefore = fileHash(backupPath);
    QString aside;
    StoreFailure failure;
    QVERIFY2(ChatStore::restore(backupPath, storePath(), &aside, &failure), qPrintable(failure.message));
    QCOMPARE(fileHash(backupPath), backupBefore); // the backup itself is not changed
    QVERIFY(!aside.isEmpty());
    QVERIFY(!QFile::exists(storePath() + QStringLiteral(".restoring")));
    {
        auto store = openStore();
        QVERIFY(store);
        const auto history = store->history(general, 0, 10);
        QCOMPARE(history->size(), 1);
        QCOMPARE(history->at(0).text, QStringLiteral("in the backup"));
    }
    // Nothing was lost: the store it replaced is kept, with everything it had.
    auto old = openStore(aside);
    QVERIFY(old);
    QCOMPARE(old->history(general, 0, 10)->size(), 2);
}

void TestChatStore::restoreRefusesABadBackupAndChangesNothing()
{
    {
        auto store = openStore();
        QVERIFY(store);
        QVERIFY(store->append({ message(store->room(QStringLiteral("general"))->id, QStringLiteral("mine")) }));
    }
    const QByteArray storeBefore = fileHash(storePath());
    const QString newer = m_dir->filePath(QStringLiteral("newer.db"));
    QVERIFY(openStore(newer));
    QVERIFY(runSql(newer, { QStringLiteral("UPDATE quietwire_schema SET version = 99") }));
    const QString foreign = m_dir->filePath(QStringLiteral("foreign.db"));
    QVERIFY(runSql(foreign, { QStringLiteral("CREATE TABLE t (x INTEGER)") }));
    const QString garbage = m_dir->filePath(QStringLiteral("garbage.db"));
    {
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
    }
    for (const QString& bad : { newer, foreign, garbage, m_dir->filePath(QStringLiteral("missing.db")) }) {
        const QByteArray badBefore = fileHash(bad);
        QString aside;
        StoreFailure failure;
        QVERIFY(!ChatStore::restore(bad, storePath(), &aside, &failure));
        QVERIFY2(failure.message.contains(bad), qPrintable(failure.message));
        QCOMPARE(fileHash(bad), badBefore);
        QCOMPARE(fileHash(storePath()), storeBefore);
        QVERIFY(aside.isEmpty());
    }
}

void TestChatStore::retentionTaskSweepsInBatchesInTheBackground()
{
    qint64 general = 0;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 day = 24LL * 3600 * 1000;
    {
        auto store = openStore();
        QVERIFY(store);
        general = store->room(QStringLiteral("general"))->id;
        QList<ChatStore::NewMessage> batch;
        for (int i = 0; i < 120; ++i) {
            batch << message(general, QStringLiteral("old %1").arg(i), QString(), now - 40 * day + i);
        }
        for (int i = 0; i < 7; ++i) {
            batch << message(general, QStringLiteral("recent %1").arg(i), QString(), now - 2 * day + i);
        }
        batch << message(general, QStringLiteral("a secretword said long ago"), QString(), now - 50 * day);
        batch << message(general, QStringLiteral("recent secretive"), QString(), now - day);
        QVERIFY(store->append(batch));
    }
    ChatStore::Options options;
    options.databaseName = storePath();
    StoreThread thread(options);
    StoreFailure failure;
    QVERIFY(thread.open(&failure));
    RetentionTask retention(thread, 30 * day);
    retention.setBatch(25);
    QList<std::pair<qint64, QString>> sweeps;
    connect(&retention, &RetentionTask::sweepFinished, this, [&sweeps](qint64 deleted, const QString& error) {
        sweeps.append({ deleted, error });
    });
    retention.start();
    QTRY_COMPARE_WITH_TIMEOUT(sweeps.size(), 1, 30000);
    QCOMPARE(sweeps.first().first, qint64(121));
    QVERIFY2(sweeps.first().second.isEmpty(), qPrintable(sweeps.first().second));
    QCOMPARE(retention.deleted(), qint64(121));
    // The words only expired messages had left the search vocabulary too (more terms than one
    // batch: "old", "a", "secretword", "said", "long", "ago", and the numbers 7-119; 0-6 are kept),
    // and a word that starts a kept one finds it.
    QCOMPARE(retention.termsRemoved(), qint64(6 + 113));
    QVERIFY(!sqlValue(storePath(), QStringLiteral("SELECT 1 FROM search_terms WHERE term = 'secretword'")).isValid());
    QVERIFY(sqlValue(storePath(), QStringLiteral("SELECT 1 FROM search_terms WHERE term = 'secretive'")).isValid());
    QVERIFY(sqlValue(storePath(), QStringLiteral("SELECT 1 FROM search_terms WHERE term = '6'")).isValid());
    bool checked = false;
    thread.post(
        this, [general](ChatStore& store) { return store.history(general, 0, 1000); },
        [&checked](const std::optional<QList<StoredMessage>>& left) {
            QVERIFY(left);
            QCOMPARE(left->size(), 8);
            for (const StoredMessage& m : *left) {
                QVERIFY(m.text.startsWith(QStringLiteral("recent")));
            }
            checked = true;
        });
    QTRY_VERIFY(checked);
}

void TestChatStore::storeBackupAndRestoredCopyAreOnlyTheOwners()
{
    // The history must not be readable by others, whatever the umask, wherever a backup goes.
    const mode_t old = ::umask(0022);
    const auto restoreUmask = qScopeGuard([old] { ::umask(old); });
    const QString backupPath = m_dir->filePath(QStringLiteral("backup.db"));
    {
        auto store = openStore();
        QVERIFY(store);
        QVERIFY(store->append({ message(store->room(QStringLiteral("general"))->id, QStringLiteral("private")) }));
        QVERIFY(store->backup(backupPath));
    }
    const auto ownerOnly = QFile::ReadOwner | QFile::WriteOwner;
    for (const QString& path : { storePath(), backupPath }) {
        QVERIFY2((QFile::permissions(path) & ~(ownerOnly | QFile::ReadUser | QFile::WriteUser)) == 0, qPrintable(path));
    }
    QString aside;
    StoreFailure failure;
    QVERIFY2(ChatStore::restore(backupPath, storePath(), &aside, &failure), qPrintable(failure.message));
    QVERIFY((QFile::permissions(storePath()) & ~(ownerOnly | QFile::ReadUser | QFile::WriteUser)) == 0);
    // A backup never writes over a file, and leaves it as it was.
    auto store = openStore();
    QVERIFY(!store->backup(backupPath));
    QCOMPARE(store->failure().error, StoreError::Exists);
}

void TestChatStore::storeUrlsAreReadOrRefused_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("expected"); // host|port|user|password|database|options, or the error's words
    QTest::newRow("full") << "postgresql://qw:pa%40ss@db1.example:6543/chat?sslmode=require&connect_timeout=5"
                          << "db1.example|6543|qw|pa@ss|chat|sslmode=require;connect_timeout=5";
    QTest::newRow("default port, short scheme") << "postgres://quietwire@127.0.0.2/quietwire"
                                                << "127.0.0.2|5432|quietwire||quietwire|";
    QTest::newRow("IPv6") << "postgresql://qw@[::1]:5433/db"
                          << "::1|5433|qw||db|";
    QTest::newRow("not postgres") << "mysql://qw@db/chat"
                                  << "only PostgreSQL URLs";
    QTest::newRow("a file") << "/var/lib/quietwire/quietwire.db"
                            << "only PostgreSQL URLs";
    QTest::newRow("no user") << "postgresql://db1/chat"
                             << "no user";
    QTest::newRow("no database") << "postgresql://qw@db1/"
                                 << "no database name";
    QTest::newRow("no host") << "postgresql://qw@/chat"
                             << "no host";
    QTest::newRow("bad port") << "postgresql://qw@db1:99999/chat"
                              << "not a URL";
    QTest::newRow("option with ;") << "postgresql://qw@db1/chat?options=a%3Bb"
                                   << "cannot be handed to libpq";
}

void TestChatStore::storeUrlsAreReadOrRefused()
{
    QFETCH(QString, url);
    QFETCH(QString, expected);
    QString error;
    const auto options = storeOptionsFromUrl(url, &error);
    if (expected.contains(QLatin1Char('|'))) {
        QVERIFY2(options, qPrintable(error));
        QCOMPARE(options->driver, QStringLiteral("QPSQL"));
        QCOMPARE(QStringList({ options->host, QString::number(options->port), options->user, options->password,
                                 options->databaseName, options->connectOptions })
                     .join(QLatin1Char('|')),
            expected);
        QVERIFY(!storeUrlForDisplay(*options).contains(QLatin1String("pa@ss")));
    } else {
        QVERIFY(!options);
        QVERIFY2(error.contains(expected), qPrintable(error));
        QVERIFY(!error.contains(QLatin1String("pa%40ss")));
    }
}

QTEST_GUILESS_MAIN(TestChatStore)
#include "TestChatStore.moc"
