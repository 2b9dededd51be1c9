// Several quietwired nodes on one real PostgreSQL store (the test cluster of
// tests/postgres/pg-cluster.sh), clients spread over them: a room's conversation seen identically
// (same ids, same order) by members on every node, a message for someone away found on another
// node with its unread count, a room made on one node reaching its members on another live, and a
// search answered the same everywhere. The nodes share the server key, as nodes behind one address do.

#include "ChatSession2.h"
#include "ChatTestSupport.h"
#include "FileClient.h"
#include "FileTestSupport.h"
#include "FileTransfer.h"
#include "PostgresTestSupport.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace QuietWire;
using namespace QuietWire::ChatTest;
using namespace QuietWire::FileTest;

class TestCluster : public QObject
{
    Q_OBJECT

    static constexpr qint64 Quota = qint64(400) << 20; // each user's, on every node

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void roomConversationIsTheSameOnEveryNode();
    void directMessageWaitsOnAnotherNode();
    void roomMadeOnOneNodeReachesMembersOnAnother();
    void databaseRestartedDuringABurst();
    void revocationOnOneNodeClosesSessionsOnAll();
    void nodesStopWhenANewerNodeMigratedTheStore();
    void uploadsThroughTwoNodesShareNamesAndQuota();

private:
    Session2 connect(const Client& client, int node);
    std::unique_ptr<FileClient> files(const Client& client, int node);

    QString m_clusterUrl;
    std::optional<ChatStore::Options> m_store;
    int m_databases = 0;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::vector<std::unique_ptr<ServerProcess>> m_nodes;
    Client m_alice;
    Client m_bob;
    Client m_carol;
};

void TestCluster::initTestCase()
{
    QString why;
    m_clusterUrl = TestPostgres::clusterUrl(&why);
    if (m_clusterUrl.isEmpty()) {
        QSKIP(qPrintable(why));
    }
}

void TestCluster::init()
{
    m_store = TestPostgres::createDatabase(
        m_clusterUrl, QStringLiteral("qw_cluster_%1_%2").arg(QCoreApplication::applicationPid()).arg(++m_databases));
    QVERIFY(m_store);
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_alice = makeClient(m_dir->filePath(QStringLiteral("alice")), QStringLiteral("127.0.0.2"));
    m_bob = makeClient(m_dir->filePath(QStringLiteral("bob")), QStringLiteral("127.0.0.3"));
    m_carol = makeClient(m_dir->filePath(QStringLiteral("carol")), QStringLiteral("127.0.0.4"));
    QVERIFY(!m_alice.key.isEmpty() && !m_bob.key.isEmpty() && !m_carol.key.isEmpty());
    const QStringList keys { m_alice.keyLine.section(QLatin1Char(' '), 0, 0) + QStringLiteral(" alice"),
        m_bob.keyLine.section(QLatin1Char(' '), 0, 0) + QStringLiteral(" bob"),
        m_carol.keyLine.section(QLatin1Char(' '), 0, 0) + QStringLiteral(" carol") };
    const QStringList store { QStringLiteral("--store"),
        QStringLiteral("postgresql://%1@%2:%3/%4")
            .arg(m_store->user, m_store->host)
            .arg(m_store->port)
            .arg(m_store->databaseName) };
    // One file storage for every node (a shared mount in real life).
    const QStringList shared { QStringLiteral("--files-root"), m_dir->filePath(QStringLiteral("files")),
        QStringLiteral("--rooms-root"), m_dir->filePath(QStringLiteral("rooms")), QStringLiteral("--quota"),
        QStringLiteral("%1").arg(Quota) };
    // The nodes' whitelist is the store's: imported once from an authorized_keys file.
    const QString keysFile = m_dir->filePath(QStringLiteral("authorized_keys"));
    {
        QFile file(keysFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(keys.join(QLatin1Char('\n')).toUtf8() + '\n');
    }
    const CliResult imported = runProgram("quietwired",
        QStringList { QStringLiteral("--data-dir"), m_dir->filePath(QStringLiteral("offline")) } + store
            + QStringList { QStringLiteral("import-whitelist"), keysFile });
    QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
    QVERIFY(imported.out.contains(QLatin1String("imported 3 key(s)")));
    for (int i = 0; i < 3; ++i) {
        const QString dataDir = m_dir->filePath(QStringLiteral("node%1").arg(i + 1));
        if (i > 0) {
            // One server key for every node (docs/SCALING.md): the first node made it.
            QVERIFY(QDir().mkpath(dataDir));
            for (const char* file : { "identity.key", "identity.pub" }) {
                QVERIFY(QFile::copy(QDir(m_nodes.front()->dataDir()).filePath(QLatin1String(file)),
                    QDir(dataDir).filePath(QLatin1String(file))));
            }
        }
        m_nodes.push_back(std::make_unique<ServerProcess>(dataDir));
        // No authorized_keys in the nodes' data dirs: they use the store's whitelist.
        QVERIFY2(m_nodes.back()->start({}, store + shared, 16), qPrintable(m_nodes.back()->log()));
    }
    QCOMPARE(m_nodes[1]->publicKey, m_nodes[0]->publicKey);
}

void TestCluster::cleanup()
{
    m_nodes.clear();
    m_dir.reset();
    if (m_store) {
        QVERIFY(TestPostgres::dropDatabase(m_clusterUrl, m_store->databaseName));
        m_store.reset();
    }
}

Session2 TestCluster::connect(const Client& client, int node)
{
    Session2 session;
    session.chat = joinChat(client, m_nodes.at(node)->port, false, CurrentVersion);
    if (session.ok() && !session.start()) {
        session.chat.socket.reset();
    }
    return session;
}

void TestCluster::roomConversationIsTheSameOnEveryNode()
{
    // Three members, one on each node, write at once (nobody waits for an answer): each sees all
    // 90 messages, the same ids in the same order, ascending, each once.
    Session2 sessions[3] = { connect(m_alice, 0), connect(m_bob, 1), connect(m_carol, 2) };
    for (const Session2& session : sessions) {
        QVERIFY(session.ok());
    }
    constexpr int Each = 30;
    for (int i = 0; i < Each; ++i) {
        for (Session2& session : sessions) {
            Send message;
            message.text = QStringLiteral("burst %1 from %2").arg(i).arg(session.name);
            message.clientId = QStringLiteral("%1-%2").arg(session.name).arg(i);
            session.send(withoutSeq(message.toCbor()));
        }
    }
    QList<qint64> seen[3];
    QStringList texts[3];
    for (int s = 0; s < 3; ++s) {
        for (int i = 0; i < 3 * Each; ++i) {
            const auto message = sessions[s].next(QStringLiteral("message"));
            QVERIFY2(message, qPrintable(QStringLiteral("%1 got %2 of %3").arg(sessions[s].name).arg(i).arg(3 * Each)));
            seen[s] << message->value(QStringLiteral("id")).toInteger();
            texts[s] << message->value(QStringLiteral("text")).toString();
        }
        QVERIFY(std::is_sorted(seen[s].cbegin(), seen[s].cend()));
        QCOMPARE(QSet<qint64>(seen[s].cbegin(), seen[s].cend()).size(), 3 * Each);
    }
    QCOMPARE(seen[1], seen[0]);
    QCOMPARE(seen[2], seen[0]);
    QCOMPARE(texts[2], texts[0]);
    // Every accepted answer names one of those ids.
    for (Session2& session : sessions) {
        int accepted = 0;
        for (const QCborMap& kept : session.unread) {
            if (Protocol::typeOf(kept) == QLatin1String(Accepted::Type)) {
                QVERIFY(seen[0].contains(kept.value(QStringLiteral("id")).toInteger()));
                ++accepted;
            }
        }
        QCOMPARE(accepted, Each);
    }
    // A search is answered alike on every node.
    QList<qint64> found[3];
    for (int s = 0; s < 3; ++s) {
        SearchRequest search;
        search.text = QStringLiteral("burst 2");
        search.limit = MaxSearchLimit;
        const auto done = sessions[s].done(withoutSeq(search.toCbor()));
        QVERIFY(done && done->hits);
        for (const ChatProtocol::SearchHit& hit : *done->hits) {
            found[s] << hit.id;
        }
    }
    QVERIFY(found[0].size() >= 3);
    QCOMPARE(found[1], found[0]);
    QCOMPARE(found[2], found[0]);
}

void TestCluster::directMessageWaitsOnAnotherNode()
{
    Session2 alice = connect(m_alice, 0);
    QVERIFY(alice.ok());
    const auto waiting = alice.say(QStringLiteral("read this when you are back"), {}, QStringLiteral("bob"));
    QVERIFY(waiting && Protocol::typeOf(*waiting) == QLatin1String(Accepted::Type));
    const qint64 id = waiting->value(QStringLiteral("id")).toInteger();
    // Bob comes back through the third node: the conversation is there, unread, with the message.
    Session2 bob = connect(m_bob, 2);
    QVERIFY(bob.ok());
    const auto direct = std::find_if(bob.conversations.cbegin(), bob.conversations.cend(),
        [](const auto& c) { return c.kind == ConversationKind::Direct; });
    QVERIFY(direct != bob.conversations.cend());
    QCOMPARE(direct->name, QStringLiteral("alice"));
    QCOMPARE(direct->unread, 1);
    QVERIFY(direct->last);
    QCOMPARE(direct->last->id, id);
    // Now that he is here (on another node), the next one reaches him live.
    QVERIFY(alice.say(QStringLiteral("you are here"), {}, QStringLiteral("bob")));
    const auto live = bob.next(QStringLiteral("message"));
    QVERIFY(live);
    QCOMPARE(live->value(QStringLiteral("text")).toString(), QStringLiteral("you are here"));
    QCOMPARE(live->value(QStringLiteral("from")).toString(), QStringLiteral("alice"));
}

void TestCluster::roomMadeOnOneNodeReachesMembersOnAnother()
{
    Session2 alice = connect(m_alice, 0);
    Session2 bob = connect(m_bob, 1);
    Session2 carol = connect(m_carol, 2);
    QVERIFY(alice.ok() && bob.ok() && carol.ok());
    QVERIFY(alice.done(withoutSeq(roomRequest(RoomRequest::Action::Create, QStringLiteral("lab")).toCbor())));
    QVERIFY(alice.done(
        withoutSeq(roomRequest(RoomRequest::Action::Invite, QStringLiteral("lab"), QStringLiteral("bob")).toCbor())));
    // Bob, on another node, is told he is in it, then gets what is said there live.
    const auto told = bob.next(QLatin1String(RoomChanged::Type));
    QVERIFY(told);
    QVERIFY(alice.say(QStringLiteral("welcome to the lab"), QStringLiteral("lab")));
    const auto message = bob.next(QStringLiteral("message"));
    QVERIFY(message);
    QCOMPARE(message->value(QStringLiteral("text")).toString(), QStringLiteral("welcome to the lab"));
    // Carol, not invited, on the third node, gets nothing of it: the next message she sees is
    // general's, sent after the room's.
    QVERIFY(alice.say(QStringLiteral("for everyone")));
    const auto atCarol = carol.next(QStringLiteral("message"));
    QVERIFY(atCarol);
    QCOMPARE(atCarol->value(QStringLiteral("text")).toString(), QStringLiteral("for everyone"));
}

void TestCluster::databaseRestartedDuringABurst()
{
    // PostgreSQL restarts while alice writes through node 1: each message is either accepted (and
    // then stored, once) or answered `unavailable` (and then not stored); the nodes recover by
    // themselves, and bob on node 2 gets what is said after.
    Session2 alice = connect(m_alice, 0);
    Session2 bob = connect(m_bob, 1);
    QVERIFY(alice.ok() && bob.ok());
    QList<qint64> accepted;
    QStringList acceptedTexts;
    int unavailable = 0;
    QProcess restart;
    int i = 0;
    const auto sayOne = [&] {
        const QString text = QStringLiteral("during the restart %1").arg(i++);
        const auto answer = alice.say(text);
        QVERIFY(answer);
        if (Protocol::typeOf(*answer) == QLatin1String(Accepted::Type)) {
            accepted << answer->value(QStringLiteral("id")).toInteger();
            acceptedTexts << text;
        } else {
            QCOMPARE(Rejected::decode(*answer).value.code, ErrorCode::Unavailable);
            ++unavailable;
            QTest::qWait(50);
        }
    };
    for (int n = 0; n < 10; ++n) {
        sayOne();
    }
    restart.start(QStringLiteral("bash"),
        { QStringLiteral(QUIETWIRE_SOURCE_DIR "/tests/postgres/pg-cluster.sh"), QStringLiteral("restart"),
            TestPostgres::stateDir() });
    QVERIFY(restart.waitForStarted());
    while (restart.state() != QProcess::NotRunning) {
        sayOne();
        QTest::qWait(1);
    }
    QCOMPARE(restart.exitCode(), 0);
    // Back without restarting a node: the next accepted message comes within the store's
    // reconnection interval.
    QDeadlineTimer deadline(20000);
    const int before = accepted.size();
    while (accepted.size() < before + 10 && !deadline.hasExpired()) {
        sayOne();
    }
    QVERIFY2(accepted.size() >= before + 10, qPrintable(QStringLiteral("%1 unavailable").arg(unavailable)));
    qInfo("%lld accepted, %d unavailable while PostgreSQL restarted", accepted.size(), unavailable);
    QVERIFY(unavailable > 0); // the restart was seen

    // Every accepted message is stored, once, and nothing else of the burst.
    const auto history = alice.done(withoutSeq(historyOf(room(QStringLiteral("general"))).toCbor()));
    QVERIFY(history && history->messages);
    QStringList stored;
    for (const Message& message : *history->messages) {
        stored.prepend(message.text);
    }
    QCOMPARE(stored, acceptedTexts);
    // Bob, on node 2, whose node lost the notifications meanwhile, gets a new message live.
    QVERIFY(alice.say(QStringLiteral("after the restart")));
    for (int n = 0; n < 1000; ++n) {
        const auto message = bob.next(QStringLiteral("message"));
        QVERIFY(message);
        if (message->value(QStringLiteral("text")).toString() == QLatin1String("after the restart")) {
            return;
        }
    }
    QFAIL("bob never got the message sent after the restart");
}

void TestCluster::revocationOnOneNodeClosesSessionsOnAll()
{
    // Bob has sessions on nodes 2 and 3; the administrator revokes him on node 1's console: both
    // sessions end (revoked), and no node lets him in again. Carol stays.
    Session2 bob2 = connect(m_bob, 1);
    Session2 bob3 = connect(m_bob, 2);
    Session2 carol = connect(m_carol, 2);
    QVERIFY(bob2.ok() && bob3.ok() && carol.ok());
    QElapsedTimer clock;
    clock.start();
    QVERIFY(!m_nodes[0]->command(QStringLiteral("revoke bob"), QStringLiteral("revoked")).isEmpty());
    for (Session2* session : { &bob2, &bob3 }) {
        const auto error = session->next(QStringLiteral("error"));
        QVERIFY(error);
        QCOMPARE(error->value(QStringLiteral("code")).toString(), QStringLiteral("revoked"));
    }
    qInfo("both of bob's sessions on the other nodes ended %lld ms after the revoke was typed", clock.elapsed());
    QVERIFY(!connect(m_bob, 2).ok());
    QVERIFY(!connect(m_bob, 0).ok());
    // Every node lists the same whitelist, without bob.
    for (const auto& node : m_nodes) {
        const QString listed = node->command(QStringLiteral("whitelist"), QStringLiteral("carol"));
        QVERIFY2(listed.contains(QLatin1String("alice")) && !listed.contains(QLatin1String("bob")), qPrintable(listed));
    }
    QVERIFY(carol.say(QStringLiteral("still here")));
}

void TestCluster::nodesStopWhenANewerNodeMigratedTheStore()
{
    // As if a newer quietwired had migrated the store: every running node says so and stops.
    QVERIFY(TestPostgres::runSql(*m_store, QStringLiteral("UPDATE quietwire_schema SET version = 99")));
    for (const auto& node : m_nodes) {
        QVERIFY(waitFinished(*node->process(), 15000));
        QCOMPARE(node->process()->exitCode(), 3);
        QVERIFY2(node->log().contains(QLatin1String("was migrated to schema 99 by another quietwired")),
            qPrintable(node->log()));
    }
}

std::unique_ptr<FileClient> TestCluster::files(const Client& client, int node)
{
    const auto identity = Identity::load(client.configDir);
    if (!identity) {
        return nullptr;
    }
    auto files = std::make_unique<FileClient>(*identity, client.configDir + QStringLiteral("/known_servers"));
    files->connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
    QSignalSpy connected(files.get(), &FileClient::connected);
    files->connectToServer(QStringLiteral("127.0.0.1"), m_nodes.at(node)->port);
    if (!connected.wait(15000)) {
        return nullptr;
    }
    return files;
}

void TestCluster::uploadsThroughTwoNodesShareNamesAndQuota()
{
    // Alice uploads through node 1 and node 2 into her one home on the shared storage.
    auto one = files(m_alice, 0);
    auto two = files(m_alice, 1);
    QVERIFY(one && two);
    // One upload per name across the nodes: the second, through another node, is busy.
    const QByteArray big = randomBytes(250 << 20);
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("big.bin")), big));
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("small.bin")), QByteArray(1024, 's')));
    FileTransfer* first = one->upload(m_dir->filePath(QStringLiteral("big.bin")), QStringLiteral("same.bin"));
    QVERIFY(QTest::qWaitFor([&] { return first->bytesDone() > (1 << 20); }, 30000));
    FileTransfer* second = two->upload(m_dir->filePath(QStringLiteral("small.bin")), QStringLiteral("same.bin"));
    QSignalSpy secondFailed(second, &FileTransfer::failed);
    QVERIFY(secondFailed.wait(15000));
    QCOMPARE(secondFailed.first().at(0).value<Failure>().code, ErrorCode::Busy);
    QVERIFY(runTransfer(first));
    QVERIFY(readFile(m_dir->filePath(QStringLiteral("files/alice/same.bin"))) == big);

    // The quota is one across the nodes: with 250 MiB stored, two uploads of 100 MiB at once
    // through two nodes cannot both fit in 400 MiB: exactly one is refused (quota), whatever the
    // order in which they come.
    const QByteArray a = randomBytes(100 << 20);
    const QByteArray b = randomBytes(100 << 20);
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("a.bin")), a));
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("b.bin")), b));
    FileTransfer* viaOne = one->upload(m_dir->filePath(QStringLiteral("a.bin")), QStringLiteral("a.bin"));
    FileTransfer* viaTwo = two->upload(m_dir->filePath(QStringLiteral("b.bin")), QStringLiteral("b.bin"));
    viaOne->setProperty("expectFailure", true);
    viaTwo->setProperty("expectFailure", true);
    const bool oneDone = runTransfer(viaOne);
    const bool twoDone = runTransfer(viaTwo);
    QVERIFY2(oneDone != twoDone, "exactly one of the two uploads must fit");
    FileTransfer* refused = oneDone ? viaTwo : viaOne;
    QCOMPARE(refused->errorCode(), ErrorCode::Quota);
    QCOMPARE(QFile::exists(m_dir->filePath(QStringLiteral("files/alice/a.bin"))), oneDone);
    QCOMPARE(QFile::exists(m_dir->filePath(QStringLiteral("files/alice/b.bin"))), twoDone);
}

QTEST_GUILESS_MAIN(TestCluster)
#include "TestCluster.moc"
