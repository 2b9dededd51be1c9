#include "ChatStore.h"
#include "PostgresTestSupport.h"
#include "StoreUrl.h"

#include <QCoreApplication>
#include <QMutex>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <atomic>
#include <thread>

using namespace QuietWire;

/// The chat store on a real PostgreSQL shared by several "nodes" (several ChatStores on one
/// database, as several quietwired would have): one schema migrated once however many start
/// together, message ids committed in the order they were given (so a node that reads "every id
/// after the last I saw" never skips one), a newer schema and a foreign database refused, an
/// unreachable server named without its password. The backend-neutral behaviours run in
/// TestChatStorePostgres (TestChatStore on this cluster). A schema-4 store migrated to 5 finds words
/// whatever their diacritics.
class TestPostgresStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void nodesStartingTogetherMigrateOnce();
    void idsAreCommittedInOrderAcrossNodes();
    void newerSchemaAndForeignDatabasesAreRefused();
    void unreachableServerIsUnavailable();
    void backupIsLeftToPgDump();
    void schemaFiveSearchIgnoresDiacritics();

private:
    std::unique_ptr<ChatStore> open(StoreFailure* failure = nullptr) const;
    bool sql(const QString& statement) const;

    QString m_clusterUrl;
    std::optional<ChatStore::Options> m_options;
    int m_databases = 0;
};

void TestPostgresStore::initTestCase()
{
    QString why;
    m_clusterUrl = TestPostgres::clusterUrl(&why);
    if (m_clusterUrl.isEmpty()) {
        QSKIP(qPrintable(why));
    }
}

void TestPostgresStore::init()
{
    m_options = TestPostgres::createDatabase(
        m_clusterUrl, QStringLiteral("qw_nodes_%1_%2").arg(QCoreApplication::applicationPid()).arg(++m_databases));
    QVERIFY(m_options);
}

void TestPostgresStore::cleanup()
{
    if (m_options) {
        QVERIFY(TestPostgres::dropDatabase(m_clusterUrl, m_options->databaseName));
        m_options.reset();
    }
}

std::unique_ptr<ChatStore> TestPostgresStore::open(StoreFailure* failure) const
{
    StoreFailure ignored;
    auto store = ChatStore::open(*m_options, failure ? failure : &ignored);
    if (!store && !failure) {
        qWarning("open failed: %s", qPrintable(ignored.message));
    }
    return store;
}

bool TestPostgresStore::sql(const QString& statement) const
{
    return TestPostgres::runSql(*m_options, statement);
}

void TestPostgresStore::nodesStartingTogetherMigrateOnce()
{
    // Four nodes open a new database at the same moment: one makes the schema, the others wait for
    // it and find it made; there is one general room.
    constexpr int Nodes = 4;
    std::atomic<int> opened { 0 };
    std::atomic<bool> go { false };
    QStringList failures;
    QMutex mutex;
    std::vector<std::thread> threads;
    for (int i = 0; i < Nodes; ++i) {
        threads.emplace_back([&] {
            while (!go.load()) {
                std::this_thread::yield();
            }
            StoreFailure failure;
            auto store = ChatStore::open(*m_options, &failure);
            if (store && store->room(QStringLiteral("general"))) {
                ++opened;
            } else {
                QMutexLocker lock(&mutex);
                failures << failure.message;
            }
        });
    }
    go = true;
    for (auto& thread : threads) {
        thread.join();
    }
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1String("; "))));
    QCOMPARE(opened.load(), Nodes);
    auto store = open();
    QVERIFY(store);
    const auto rooms = store->rooms();
    QVERIFY(rooms);
    QCOMPARE(rooms->size(), 1);
}

void TestPostgresStore::idsAreCommittedInOrderAcrossNodes()
{
    // Two nodes append at once while a third reads "every message after the last id I saw", as a
    // node that was told of new messages does. Ids are given in commit order, so the reader sees
    // every message exactly once and in id order: none committed later under a smaller id.
    auto setup = open();
    QVERIFY(setup);
    const qint64 general = setup->room(QStringLiteral("general"))->id;
    setup.reset();
    constexpr int Batches = 150;
    constexpr int PerBatch = 4;
    std::atomic<int> writersDone { 0 };
    std::atomic<bool> writeFailed { false };
    const auto writer = [&](const QString& node) {
        StoreFailure failure;
        auto store = ChatStore::open(*m_options, &failure);
        if (!store) {
            writeFailed = true;
            ++writersDone;
            return;
        }
        for (int b = 0; b < Batches && !writeFailed; ++b) {
            QList<ChatStore::NewMessage> batch;
            for (int i = 0; i < PerBatch; ++i) {
                ChatStore::NewMessage message;
                message.conversation = general;
                message.sender = node;
                message.fingerprint = QStringLiteral("SHA256:") + node;
                message.clientId = QStringLiteral("%1-%2").arg(b).arg(i);
                message.timeMs = b;
                message.text = QStringLiteral("%1 says %2.%3").arg(node).arg(b).arg(i);
                batch << message;
            }
            if (!store->append(batch)) {
                writeFailed = true;
            }
        }
        ++writersDone;
    };
    std::thread a(writer, QStringLiteral("node-a"));
    std::thread b(writer, QStringLiteral("node-b"));
    auto reader = open();
    QVERIFY(reader);
    QList<qint64> seen;
    qint64 last = 0;
    const auto readNew = [&] {
        // history() pages newest first below an id; read everything above last, oldest first.
        const auto page = reader->history(general, 0, 100000);
        QVERIFY(page);
        QList<qint64> fresh;
        for (const StoredMessage& message : *page) {
            if (message.id > last) {
                fresh.prepend(message.id);
            }
        }
        // What was committed after the last read may only have larger ids than all seen before.
        for (const StoredMessage& message : *page) {
            QVERIFY2(message.id > last || seen.contains(message.id),
                qPrintable(
                    QStringLiteral("message %1 appeared below %2, already read past").arg(message.id).arg(last)));
        }
        seen += fresh;
        if (!fresh.isEmpty()) {
            last = fresh.last();
        }
    };
    while (writersDone.load() < 2) {
        readNew();
        if (QTest::currentTestFailed()) {
            writeFailed = true;
            break;
        }
    }
    a.join();
    b.join();
    QVERIFY(!writeFailed);
    readNew();
    QCOMPARE(seen.size(), 2 * Batches * PerBatch);
    QCOMPARE(QSet<qint64>(seen.begin(), seen.end()).size(), seen.size());
    QVERIFY(std::is_sorted(seen.begin(), seen.end()));
}

void TestPostgresStore::newerSchemaAndForeignDatabasesAreRefused()
{
    {
        auto store = open();
        QVERIFY(store);
    }
    QVERIFY(sql(QStringLiteral("UPDATE quietwire_schema SET version = 99")));
    StoreFailure failure;
    QVERIFY(!open(&failure));
    QCOMPARE(failure.error, StoreError::NewerSchema);
    QVERIFY2(failure.message.contains(QLatin1String("newer quietwired (schema 99")), qPrintable(failure.message));
    QVERIFY(sql(QStringLiteral("DROP TABLE quietwire_schema CASCADE")));
    QVERIFY(!open(&failure));
    QCOMPARE(failure.error, StoreError::Corrupt);
    QVERIFY2(failure.message.contains(QLatin1String("not a QuietWire chat store")), qPrintable(failure.message));
}

void TestPostgresStore::unreachableServerIsUnavailable()
{
    // A port nothing listens on (the cluster's port + 1 is not PostgreSQL's), with a password that
    // must never be shown.
    ChatStore::Options options = *m_options;
    options.port = m_options->port == 65535 ? 1 : m_options->port + 1;
    options.password = QStringLiteral("s3cret-password");
    StoreFailure failure;
    QVERIFY(!ChatStore::open(options, &failure));
    QCOMPARE(failure.error, StoreError::Unavailable);
    QVERIFY2(failure.message.contains(QStringLiteral("postgresql://%1@%2:%3/%4")
                                          .arg(options.user, options.host)
                                          .arg(options.port)
                                          .arg(options.databaseName)),
        qPrintable(failure.message));
    QVERIFY(!failure.message.contains(QLatin1String("s3cret")));
}

void TestPostgresStore::backupIsLeftToPgDump()
{
    auto store = open();
    QVERIFY(store);
    QVERIFY(!store->backup(QDir::temp().filePath(QStringLiteral("never-written.db"))));
    QCOMPARE(store->failure().error, StoreError::Unsupported);
    QVERIFY(store->failure().message.contains(QLatin1String("pg_dump")));
    QVERIFY(!QFile::exists(QDir::temp().filePath(QStringLiteral("never-written.db"))));
}

void TestPostgresStore::schemaFiveSearchIgnoresDiacritics()
{
    // A store as schema 4 left it: the search column made with PostgreSQL's 'simple' configuration,
    // which keeps diacritics ("cafe" does not find "café").
    qint64 general = 0;
    const auto fromAlice = [&general](const QString& text, qint64 timeMs) {
        ChatStore::NewMessage message;
        message.conversation = general;
        message.sender = QStringLiteral("alice");
        message.fingerprint = QStringLiteral("SHA256:alice");
        message.clientId = QString::number(timeMs);
        message.timeMs = timeMs;
        message.text = text;
        return message;
    };
    {
        auto store = open();
        QVERIFY(store);
        general = store->room(QStringLiteral("general"))->id;
        QVERIFY(store->addMember(general, QStringLiteral("bob"), MemberRole::Member));
        QVERIFY(store->append({ fromAlice(QStringLiteral("Crème brûlée at the Café"), 1000) }));
    }
    for (const QString& statement : { QStringLiteral("ALTER TABLE messages DROP COLUMN search"),
             QStringLiteral("DROP TEXT SEARCH CONFIGURATION quietwire_search"),
             QStringLiteral("ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS "
                            "(to_tsvector('simple', body || ' ' || COALESCE(attachment_name, ''))) STORED"),
             QStringLiteral("CREATE INDEX messages_search ON messages USING gin (search)"),
             QStringLiteral("UPDATE quietwire_schema SET version = 4") }) {
        QVERIFY(sql(statement));
    }
    // The schema-4 index does not fold "cafe" (this fails when it does).
    QVERIFY(sql(QStringLiteral("DO $$ BEGIN IF (SELECT count(*) FROM messages WHERE search @@ "
                               "to_tsquery('simple', 'cafe:*')) <> 0 THEN RAISE EXCEPTION 'folded'; END IF; END $$")));

    auto store = open();
    QVERIFY(store);
    QVERIFY(sql(QStringLiteral("DO $$ BEGIN IF (SELECT version FROM quietwire_schema) <> 5 THEN "
                               "RAISE EXCEPTION 'not migrated'; END IF; END $$")));
    for (const QString& words :
        { QStringLiteral("cafe"), QStringLiteral("creme brulee"), QStringLiteral("CAFÉ"), QStringLiteral("crème") }) {
        const auto hits
            = store->search(QStringLiteral("bob"), words, 0, 0, 10, QStringLiteral("["), QStringLiteral("]"));
        QVERIFY2(hits, qPrintable(words + QStringLiteral(": ") + store->failure().message));
        QVERIFY2(hits->size() == 1, qPrintable(words));
        QVERIFY2(hits->at(0).snippet.contains(QLatin1Char('[')), qPrintable(hits->at(0).snippet));
    }
    const auto hits = store->search(
        QStringLiteral("bob"), QStringLiteral("cafe"), 0, 0, 10, QStringLiteral("["), QStringLiteral("]"));
    QVERIFY2(hits->at(0).snippet.contains(QStringLiteral("[Café]")), qPrintable(hits->at(0).snippet));
    // PostgreSQL's unaccent folds the Cyrillic "ё" into "е" too (the SQLite store keeps them apart): as
    // docs/PROTOCOL.md says.
    QVERIFY(store->append({ fromAlice(QStringLiteral("Новогодняя ёлка"), 2000) }));
    QCOMPARE(store->search(QStringLiteral("bob"), QStringLiteral("елка"), 0, 0, 10, {}, {})->size(), 1);
}

QTEST_GUILESS_MAIN(TestPostgresStore)
#include "TestPostgresStore.moc"
