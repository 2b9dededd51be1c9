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
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <csignal>

using namespace QuietWire;
using namespace QuietWire::ChatTest;
using namespace QuietWire::FileTest;

class TestCluster : public QObject
{
    Q_OBJECT

    static constexpr qint64 Quota = qint64(200) << 20; // each user's, on every node

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void roomConversationIsTheSameOnEveryNode();
    void directMessageWaitsOnAnotherNode();
    void roomMadeOnOneNodeReachesMembersOnAnother();
    void newcomerInGeneralIsNoRoomChangeElsewhere();
    void databaseRestartedDuringABurst();
    void revocationOnOneNodeClosesSessionsOnAll();
    void nodesStopWhenANewerNodeMigratedTheStore();
    void uploadsThroughTwoNodesShareNamesAndQuota();
    void clientsThroughTheProxyKeepTheirAddresses();
    void proxyHeadersOnlyFromTheTrustedProxy();
    void nodeKilledBehindTheProxy();
    void proxyRestartedClientsComeBack();

private:
    /// A session of client on node (0-2), or through HAProxy (-1).
    Session2 connect(const Client& client, int node);
    /// A session through HAProxy, tried again every second (as a client's backoff would) up to 20 times.
    Session2 reconnect(const Client& client);
    std::unique_ptr<FileClient> files(const Client& client, int node);
    static QHostAddress nodeAddress(int node);
    void startProxy();

    QString m_clusterUrl;
    std::optional<ChatStore::Options> m_store;
    int m_databases = 0;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::vector<std::unique_ptr<ServerProcess>> m_nodes;
    quint16 m_port = 0; // every node's handshake port, and HAProxy's
    std::unique_ptr<QProcess> m_proxy;
    QString m_proxyMissing; // why there is no HAProxy (its tests skip)
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
    // Each node on its own loopback address and the same handshake port, as behind HAProxy, which
    // listens on 127.0.0.1 (trusted) and forwards with PROXY protocol headers.
    m_port = freePortRange(1);
    QVERIFY(m_port != 0);
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
        const QStringList network { QStringLiteral("--listen"), nodeAddress(i).toString(), QStringLiteral("--port"),
            QString::number(m_port), QStringLiteral("--trusted-proxy"), QStringLiteral("127.0.0.1") };
        QVERIFY2(m_nodes.back()->start({}, store + shared + network, 16), qPrintable(m_nodes.back()->log()));
        QCOMPARE(m_nodes.back()->port, m_port);
    }
    QCOMPARE(m_nodes[1]->publicKey, m_nodes[0]->publicKey);
    startProxy();
}

QHostAddress TestCluster::nodeAddress(int node)
{
    return QHostAddress(QStringLiteral("127.0.0.%1").arg(11 + node));
}

void TestCluster::startProxy()
{
    m_proxyMissing.clear();
    const QString haproxy = QStandardPaths::findExecutable(QStringLiteral("haproxy"), { QStringLiteral("/usr/sbin") });
    if (haproxy.isEmpty()) {
        m_proxyMissing = QStringLiteral("HAProxy is not installed (Debian: apt-get install haproxy)");
        return;
    }
    // The configuration docs/SCALING.md gives, as it is there.
    QFile doc(QStringLiteral(QUIETWIRE_SOURCE_DIR "/docs/SCALING.md"));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(doc.readAll());
    const qsizetype start = text.indexOf(QLatin1String("```haproxy\n"));
    QVERIFY(start >= 0);
    const qsizetype end = text.indexOf(QLatin1String("```"), start + 10);
    const QString config = text.mid(start + 11, end - start - 11);
    QVERIFY(config.contains(QLatin1String("send-proxy-v2")));
    const QString configPath = m_dir->filePath(QStringLiteral("haproxy.cfg"));
    {
        QFile file(configPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(config.toUtf8());
    }
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QW_FRONT"), QStringLiteral("127.0.0.1"));
    environment.insert(QStringLiteral("QW_PORT"), QString::number(m_port));
    for (int i = 0; i < 3; ++i) {
        environment.insert(QStringLiteral("QW_NODE%1").arg(i + 1), nodeAddress(i).toString());
        environment.insert(QStringLiteral("QW_NODE%1_SESSIONS").arg(i + 1),
            QStringLiteral("%1-%2").arg(m_nodes[i]->sessionPortFirst).arg(m_nodes[i]->sessionPortLast));
    }
    m_proxy = std::make_unique<QProcess>();
    m_proxy->setProcessEnvironment(environment);
    m_proxy->setProcessChannelMode(QProcess::MergedChannels);
    m_proxy->start(haproxy, { QStringLiteral("-db"), QStringLiteral("-f"), configPath });
    QVERIFY(m_proxy->waitForStarted());
    // Up once its handshake port takes connections and its health checks see the nodes.
    QVERIFY2(waitUntil(
                 [this] {
                     QTcpSocket probe;
                     probe.connectToHost(QHostAddress(QStringLiteral("127.0.0.1")), m_port);
                     return probe.waitForConnected(200);
                 },
                 15000),
        m_proxy->readAll().constData());
    QTest::qWait(2500); // rise 2 checks 1 s apart
}

void TestCluster::cleanup()
{
    if (m_proxy) {
        m_proxy->kill();
        m_proxy->waitForFinished(5000);
        m_proxy.reset();
    }
    m_nodes.clear();
    m_dir.reset();
    if (m_store) {
        QVERIFY(TestPostgres::dropDatabase(m_clusterUrl, m_store->databaseName));
        m_store.reset();
    }
}

Session2 TestCluster::reconnect(const Client& client)
{
    Session2 session;
    for (int attempt = 0; attempt < 20 && !session.ok(); ++attempt) {
        session = connect(client, -1);
        if (!session.ok()) {
            QTest::qWait(1000);
        }
    }
    return session;
}

Session2 TestCluster::connect(const Client& client, int node)
{
    Session2 session;
    session.chat = node < 0 ? joinChat(client, m_port, false, CurrentVersion)
                            : joinChat(client, m_port, false, CurrentVersion, true, nodeAddress(node));
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

void TestCluster::newcomerInGeneralIsNoRoomChangeElsewhere()
{
    // Someone's first visit adds them to general, and the other nodes re-read general. As on one
    // node, that is no news to the members already there: no room_changed for them (it cost one
    // summary per member per newcomer on every node, which stalled a node for seconds with 150).
    Session2 carol = connect(m_carol, 2);
    QVERIFY(carol.ok());
    Session2 bob = connect(m_bob, 0); // bob's first visit
    QVERIFY(bob.ok());
    QVERIFY(bob.say(QStringLiteral("hello from a newcomer")));
    // Carol's node re-read general (the notification of bob's membership) before it delivered
    // bob's message (committed after it, fetched after it on the same store thread).
    const auto message = carol.next(QStringLiteral("message"));
    QVERIFY(message);
    QCOMPARE(message->value(QStringLiteral("text")).toString(), QStringLiteral("hello from a newcomer"));
    for (const QCborMap& seen : std::as_const(carol.unread)) {
        QVERIFY2(Protocol::typeOf(seen) != QLatin1String(RoomChanged::Type), "carol was told general changed");
    }
    // A newcomer to a room on another node is told, as before (roomMadeOnOneNodeReachesMembersOnAnother).
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
        // Names are the first word of a line: a fingerprint may contain "bob" by chance.
        const auto named = [&listed](const char* name) {
            return listed.contains(QRegularExpression(
                QStringLiteral("^%1\\s").arg(QLatin1String(name)), QRegularExpression::MultilineOption));
        };
        QVERIFY2(named("alice") && named("carol") && !named("bob"), qPrintable(listed));
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
    // From the client's own address: 127.0.0.1 is the trusted proxy's.
    files->connection()->setLocalAddress(QHostAddress(client.bind));
    QSignalSpy connected(files.get(), &FileClient::connected);
    files->connectToServer(node < 0 ? QStringLiteral("127.0.0.1") : nodeAddress(node).toString(), m_port);
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
    const QByteArray big = randomBytes(64 << 20);
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

    // The quota is one across the nodes: with 64 MiB stored, two uploads of 80 MiB at once
    // through two nodes cannot both fit in 200 MiB: exactly one is refused (quota), whatever the
    // order in which they come.
    const QByteArray a = randomBytes(80 << 20);
    const QByteArray b = randomBytes(80 << 20);
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

void TestCluster::clientsThroughTheProxyKeepTheirAddresses()
{
    if (!m_proxyMissing.isEmpty()) {
        QSKIP(qPrintable(m_proxyMissing));
    }
    // Three clients from three addresses through HAProxy: spread over the nodes, talking with each
    // other, and each node sees each client's own address (the PROXY header's), not HAProxy's.
    Session2 sessions[3] = { connect(m_alice, -1), connect(m_bob, -1), connect(m_carol, -1) };
    for (const Session2& session : sessions) {
        QVERIFY(session.ok());
    }
    QVERIFY(sessions[0].say(QStringLiteral("through the proxy")));
    for (Session2* session : { &sessions[1], &sessions[2] }) {
        const auto message = session->next(QStringLiteral("message"));
        QVERIFY(message);
        QCOMPARE(message->value(QStringLiteral("text")).toString(), QStringLiteral("through the proxy"));
    }
    // The nodes log each session with the client's address.
    QString all;
    int nodesWithSessions = 0;
    for (const auto& node : m_nodes) {
        const QString log = node->log();
        nodesWithSessions += log.contains(QLatin1String("joined the chat")) ? 1 : 0;
        all += log;
    }
    for (const char* who : { "alice", "bob", "carol" }) {
        const QRegularExpression line(
            QStringLiteral("session \\d+ for %1 \\S+ from 127\\.0\\.0\\.[234] ").arg(QLatin1String(who)));
        QVERIFY2(line.match(all).hasMatch(), qPrintable(all));
    }
    QVERIFY2(!all.contains(QLatin1String("from 127.0.0.1 service")), qPrintable(all));
    QVERIFY2(nodesWithSessions >= 2, qPrintable(all)); // leastconn spread them
    // HAProxy's health checks (one a second to each node since the proxy started: a LOCAL header,
    // then a reset) are served quietly, never logged as broken handshakes.
    QVERIFY2(!all.contains(QLatin1String("during the handshake")), qPrintable(all));
}

void TestCluster::proxyHeadersOnlyFromTheTrustedProxy()
{
    // A header that claims another client, sent straight to a node from an address that is not
    // the trusted proxy: the connection is closed at once.
    QByteArray header = QByteArray::fromRawData("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c", 16);
    header += QByteArray::fromHex("cb007109"
                                  "7f00000b"
                                  "c350"
                                  "1f40"); // 203.0.113.9:50000 -> 127.0.0.11:8000
    QTcpSocket stranger;
    QVERIFY(stranger.bind(QHostAddress(QStringLiteral("127.0.0.2"))));
    stranger.connectToHost(nodeAddress(0), m_port);
    QVERIFY(stranger.waitForConnected(5000));
    stranger.write(header);
    QVERIFY(waitUntil([&] { return stranger.state() == QAbstractSocket::UnconnectedState; }, 5000));
    QVERIFY(m_nodes[0]->log().contains(QLatin1String("connection from 127.0.0.2 closed: The peer sent a 3338-byte")));
    // From the trusted address, a header that is not version 2 closes the connection too.
    QTcpSocket proxy;
    QVERIFY(proxy.bind(QHostAddress(QStringLiteral("127.0.0.1"))));
    proxy.connectToHost(nodeAddress(0), m_port);
    QVERIFY(proxy.waitForConnected(5000));
    proxy.write("PROXY TCP4 203.0.113.9 127.0.0.11 50000 8000\r\n");
    QVERIFY(waitUntil([&] { return proxy.state() == QAbstractSocket::UnconnectedState; }, 5000));
    QVERIFY(waitUntil([&] { return m_nodes[0]->log().contains(QLatin1String("a bad PROXY protocol header")); }));
}

void TestCluster::nodeKilledBehindTheProxy()
{
    if (!m_proxyMissing.isEmpty()) {
        QSKIP(qPrintable(m_proxyMissing));
    }
    // Alice writes a burst through HAProxy; her node is killed (SIGKILL) in the middle of it. She
    // connects again through HAProxy (as her client's backoff would, 1 s apart), lands on another
    // node, and every message that was accepted is there exactly once; one whose answer died with
    // the node may be there or not, never twice. A half-done upload resumes through another node.
    Session2 alice = connect(m_alice, -1);
    QVERIFY(alice.ok());
    int victim = -1;
    for (int i = 0; i < 3 && victim < 0; ++i) {
        if (m_nodes[i]->log().contains(QLatin1String("alice joined the chat"))) {
            victim = i;
        }
    }
    QVERIFY(victim >= 0);
    // 60 messages written at once, without waiting; once 20 are answered the node is frozen
    // (SIGSTOP), 40 more are written into its socket, and it is killed: the crash comes with 40
    // messages sent and never answered (and, depending on timing, some of the 60 read but not
    // yet answered).
    constexpr int Burst = 100;
    QHash<qint64, QString> textOf; // seq -> text
    const auto write = [&](int from, int to) {
        for (int i = from; i < to; ++i) {
            Send message;
            message.text = QStringLiteral("burst %1").arg(i, 3, 10, QLatin1Char('0'));
            message.clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
            textOf.insert(alice.send(withoutSeq(message.toCbor())), message.text);
        }
        alice.chat.socket->flush();
    };
    write(0, 60);
    QSet<QString> accepted;
    const auto readAnswer = [&] {
        const auto reply = alice.chat.read();
        if (reply && Protocol::typeOf(*reply) == QLatin1String(Accepted::Type)) {
            accepted.insert(textOf.value(reply->value(QStringLiteral("seq")).toInteger()));
        }
        return reply.has_value();
    };
    while (accepted.size() < 20) {
        QVERIFY(readAnswer());
    }
    QCOMPARE(::kill(static_cast<pid_t>(m_nodes[victim]->process()->processId()), SIGSTOP), 0);
    write(60, Burst);
    QTest::qWait(200); // into the frozen node's socket
    m_nodes[victim]->process()->kill();
    QVERIFY(waitFinished(*m_nodes[victim]->process(), 10000));
    while (readAnswer()) { } // the answers that left before the node died
    qInfo("%lld of the %d messages of the burst were answered accepted before the node died",
        static_cast<long long>(accepted.size()), Burst);
    QVERIFY(accepted.size() <= 60); // the last 40 were never read
    // Back through HAProxy within a few tries.
    QElapsedTimer clock;
    clock.start();
    Session2 again = reconnect(m_alice);
    QVERIFY(again.ok());
    qInfo("alice was back through HAProxy %lld ms after her node was killed", clock.elapsed());
    QVERIFY(again.say(QStringLiteral("after the crash")));
    accepted.insert(QStringLiteral("after the crash"));
    const auto history = again.done(withoutSeq(historyOf(room(QStringLiteral("general"))).toCbor()));
    QVERIFY(history && history->messages);
    QVERIFY(history->messages->size() < MaxHistoryLimit); // all of it on one page
    QHash<QString, int> stored;
    for (const Message& message : *history->messages) {
        ++stored[message.text];
    }
    for (const QString& text : std::as_const(accepted)) {
        QVERIFY2(stored.value(text) == 1,
            qPrintable(QStringLiteral("%1 stored %2 times").arg(text).arg(stored.value(text))));
    }
    for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
        QVERIFY2(it.value() == 1, qPrintable(QStringLiteral("%1 stored %2 times").arg(it.key()).arg(it.value())));
    }
    // A 160 MiB upload through the proxy; the node that receives it is killed half-way, and the
    // upload resumes through the proxy on a node still alive, from the partial file on the shared
    // storage.
    const QByteArray data = randomBytes(160 << 20); // within the 200 MiB quota
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("cut.bin")), data));
    auto upload = files(m_alice, -1);
    QVERIFY(upload);
    FileTransfer* first = upload->upload(m_dir->filePath(QStringLiteral("cut.bin")), QStringLiteral("cut.bin"));
    first->setProperty("expectFailure", true);
    QVERIFY(QTest::qWaitFor([&] { return first->bytesDone() > (4 << 20); }, 30000));
    // The put is in the receiving node's log by now (it is logged when it starts): found without
    // waiting (log() waits 100 ms per call), so the upload is still running when its node dies.
    int receiver = -1;
    for (int i = 0; i < 3 && receiver < 0; ++i) {
        if (i != victim && m_nodes[i]->waitForLog(QStringLiteral("cut.bin"), 1)) {
            receiver = i;
        }
    }
    QVERIFY(receiver >= 0);
    m_nodes[receiver]->process()->kill();
    QVERIFY(waitFinished(*m_nodes[receiver]->process(), 10000));
    QVERIFY(!runTransfer(first, 30000));
    std::unique_ptr<FileClient> resumed;
    FileTransfer* second = nullptr;
    for (int attempt = 0; attempt < 20; ++attempt) {
        resumed = files(m_alice, -1);
        if (resumed) {
            second = resumed->upload(m_dir->filePath(QStringLiteral("cut.bin")), QStringLiteral("cut.bin"), true);
            second->setProperty("expectFailure", true);
            if (runTransfer(second)) {
                break;
            }
        }
        second = nullptr;
        QTest::qWait(1000);
    }
    QVERIFY(second);
    QVERIFY2(second->resumedFrom() > 0, "the upload started over instead of resuming");
    qInfo("the upload resumed at byte %lld of %lld on the last node", second->resumedFrom(), qint64(data.size()));
    QVERIFY(readFile(m_dir->filePath(QStringLiteral("files/alice/cut.bin"))) == data);
}

QTEST_GUILESS_MAIN(TestCluster)
void TestCluster::proxyRestartedClientsComeBack()
{
    if (!m_proxyMissing.isEmpty()) {
        QSKIP(qPrintable(m_proxyMissing));
    }
    // HAProxy holds every client's TCP connection: killed, it takes every session with it. The
    // nodes stay up; once it runs again the clients come back through it (as their backoff would,
    // 1 s apart), and everything accepted before is there once.
    Session2 alice = connect(m_alice, -1);
    Session2 bob = connect(m_bob, -1);
    QVERIFY(alice.ok() && bob.ok());
    for (int i = 0; i < 10; ++i) {
        const auto answer = alice.say(QStringLiteral("before the proxy died %1").arg(i));
        QVERIFY(answer && Protocol::typeOf(*answer) == QLatin1String(Accepted::Type));
    }
    m_proxy->kill();
    QVERIFY(m_proxy->waitForFinished(10000));
    // Bob's session ended with it: his socket is closed, not merely quiet.
    while (bob.chat.read()) { }
    QVERIFY(waitUntil([&bob] { return bob.chat.socket->state() == QAbstractSocket::UnconnectedState; }, 10000));
    QVERIFY(!connect(m_alice, -1).ok()); // nobody listens on the front address now
    for (const auto& node : m_nodes) {
        QCOMPARE(node->process()->state(), QProcess::Running);
    }
    QElapsedTimer clock;
    clock.start();
    startProxy();
    Session2 again = reconnect(m_bob);
    QVERIFY(again.ok());
    qInfo("bob was back through the restarted HAProxy %lld ms after it was started again", clock.elapsed());
    const auto history = again.done(withoutSeq(historyOf(room(QStringLiteral("general"))).toCbor()));
    QVERIFY(history && history->messages);
    QStringList stored;
    for (const Message& message : *history->messages) {
        stored.prepend(message.text);
    }
    QStringList expected;
    for (int i = 0; i < 10; ++i) {
        expected << QStringLiteral("before the proxy died %1").arg(i);
    }
    QCOMPARE(stored, expected);
}

#include "TestCluster.moc"
