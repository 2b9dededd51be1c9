// The server's classes in-process (quietwired_core): ChatService (on a real SQLite store) and FileService driven
// directly, each session a real EncryptedTcpSocket pair over loopback, files in a real temporary folder. The end-to-end
// tests (TestServer, TestFiles) run the quietwired binary; these reach the classes.

#include "AdminCommands.h"
#include "ChatService.h"
#include "EncryptedTcpServer.h"
#include "EncryptedTcpSocket.h"
#include "FileArea.h"
#include "FileProtocol.h"
#include "FileService.h"
#include "Identity.h"
#include "Protocol.h"
#include "ServerProcess.h"
#include "Session.h"
#include "Sha256.h"
#include "SignalHandler.h"
#include "StoreThread.h"

#include <QCborArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <memory>

using namespace QuietWire;

namespace {

constexpr int Timeout = 15000;

/// A chat message as the server sent it; an empty one (which no assertion accepts) if it does not decode.
ChatProtocol::Message chatMessage(const QCborMap& map)
{
    const auto message = ChatProtocol::Message::decode(map);
    return message.ok() ? message.value : ChatProtocol::Message {};
}

/// A member's chat message: to the room when to is empty.
QCborMap sendMessage(qint64 seq, const QString& text, const QString& to)
{
    return ChatProtocol::Send { seq, text, to.isEmpty() ? std::nullopt : std::optional<QString>(to) }.toCbor();
}

Noise::KeyPair newKey()
{
    auto pair = Noise::X25519::generate();
    Q_ASSERT(pair);
    return *pair;
}

/// One session: the test's client socket and the server's Session for the other end, filled as
/// ServerApp fills it. Every message the client receives is kept, in order.
struct Peer
{
    Noise::KeyPair key;
    EncryptedTcpSocket* client = nullptr;
    Session session;
    QList<QCborMap> received;
};

QCborMap request(const char* type, qint64 id, const QCborMap& fields = {})
{
    QCborMap map = fields;
    map.insert(QStringLiteral("type"), QLatin1String(type));
    map.insert(QStringLiteral("id"), id);
    return map;
}

QString typeOf(const QCborMap& message)
{
    return message.value(QStringLiteral("type")).toString();
}

} // namespace

class TestServerCore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void chatWelcomesAndAnnouncesMembers();
    void chatAcceptsBeforeTheEchoAndRelaysToAll();
    void chatDirectMessageReachesOnlyTheNamedMember();
    void chatRejectsBadFieldsAndEndsOnBadSeq();
    void chatReplaysHistoryAndNoticesToNewcomers();

    void filesDispatchAndPathChecks();
    void filesUploadAndDownload();
    void filesUploadLeaseEndsHoweverTheUploadEnds();
    void filesReservationCountsAgainstTheQuota();
    void filesResumeChecksThePrefix();

    void adminCommandsOneTableForBothWaysIn();
    void signalsBecomeQtSignals();

private:
    Peer* connectPeer(const QString& name, const QHostAddress& from);
    /// The next message the peer received (waiting for it); an empty map on timeout.
    QCborMap next(Peer* peer);
    /// Hands message to service and returns the peer's next message, its answer.
    QCborMap call(FileService& service, Peer* peer, const QCborMap& message);
    std::unique_ptr<FileService> filesFor(Peer* peer);

    QTemporaryDir m_dir;
    std::unique_ptr<EncryptedTcpServer> m_server;
    std::unique_ptr<StoreThread> m_store;
    std::unique_ptr<ChatService> m_room;
    std::unique_ptr<FileArea> m_area;
    QList<std::shared_ptr<Peer>> m_peers;
    QList<QPointer<EncryptedTcpSocket>> m_serverSockets;
};

void TestServerCore::init()
{
    QVERIFY(m_dir.isValid());
    m_server = std::make_unique<EncryptedTcpServer>(newKey());
    m_server->setAuthorizer([](const QByteArray&, const QHostAddress&) {
        return EncryptedTcpServer::Decision { true, {}, {} };
    });
    connect(
        m_server.get(), &EncryptedTcpServer::newSession, this, [this](EncryptedTcpSocket* socket, const QByteArray&) {
            m_serverSockets.append(socket);
            for (const auto& peer : std::as_const(m_peers)) {
                if (peer->key.publicKey == socket->peerKey() && !peer->session.socket) {
                    peer->session.socket = socket;
                    peer->session.address = socket->peerAddress();
                    peer->session.since = QDateTime::currentDateTimeUtc();
                    return;
                }
            }
        });
    const quint16 first = freePortRange(8);
    QVERIFY(first != 0);
    EncryptedTcpServer::Options options;
    options.address = QHostAddress::Any;
    options.port = 0;
    options.sessionPortFirst = first;
    options.sessionPortLast = static_cast<quint16>(first + 7);
    QString error;
    QVERIFY2(m_server->listen(options, &error), qPrintable(error));
    ChatStore::Options storeOptions;
    storeOptions.databaseName = m_dir.filePath(QStringLiteral("quietwire.db"));
    m_store = std::make_unique<StoreThread>(storeOptions);
    StoreFailure failure;
    QVERIFY2(m_store->open(&failure), qPrintable(failure.message));
    const QStringList names { QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol") };
    m_room
        = std::make_unique<ChatService>(m_store.get(), [names](const QString& name) { return names.contains(name); });
    QVERIFY2(m_room->load(&error), qPrintable(error));
    m_area = std::make_unique<FileArea>(
        m_dir.filePath(QStringLiteral("files")), m_dir.filePath(QStringLiteral("rooms")), FileArea::Limits {});
}

void TestServerCore::cleanup()
{
    m_room.reset();
    m_store.reset();
    for (const auto& peer : std::as_const(m_peers)) {
        delete peer->client;
    }
    m_peers.clear();
    for (const auto& socket : std::as_const(m_serverSockets)) {
        delete socket.data();
    }
    m_serverSockets.clear();
    m_server.reset();
    m_area.reset();
    QDir(m_dir.path()).removeRecursively();
    QDir().mkpath(m_dir.path());
}

Peer* TestServerCore::connectPeer(const QString& name, const QHostAddress& from)
{
    auto peer = std::make_shared<Peer>();
    peer->key = newKey();
    peer->session.id = int(m_peers.size()) + 1;
    peer->session.key = peer->key.publicKey;
    peer->session.name = name;
    peer->session.fingerprint = Identity::fingerprint(peer->key.publicKey);
    peer->client = new EncryptedTcpSocket(peer->key);
    peer->client->setLocalAddress(from);
    Peer* raw = peer.get();
    connect(peer->client, &EncryptedTcpSocket::ready, this,
        [raw] { raw->client->sendMessage(Protocol::encode(Protocol::Hello { QStringLiteral("test") }.toCbor())); });
    connect(peer->client, &EncryptedTcpSocket::messageReceived, this, [raw](const QByteArray& message) {
        const auto decoded = Protocol::decode(message);
        raw->received.append(
            decoded ? *decoded : QCborMap { { QStringLiteral("type"), QStringLiteral("undecodable") } });
    });
    m_peers.append(peer);
    peer->client->connectToHost(QStringLiteral("127.0.0.1"), m_server->serverPort());
    if (!QTest::qWaitFor([raw] { return !raw->session.socket.isNull(); }, Timeout)) {
        return nullptr;
    }
    return raw;
}

QCborMap TestServerCore::next(Peer* peer)
{
    if (!QTest::qWaitFor([peer] { return !peer->received.isEmpty(); }, Timeout)) {
        return {};
    }
    return peer->received.takeFirst();
}

QCborMap TestServerCore::call(FileService& service, Peer* peer, const QCborMap& message)
{
    service.handle(Protocol::encode(message));
    return next(peer);
}

std::unique_ptr<FileService> TestServerCore::filesFor(Peer* peer)
{
    const QString home = m_area->home(peer->session.name);
    if (home.isEmpty()) {
        return nullptr;
    }
    return std::make_unique<FileService>(&peer->session, m_area.get(), home, FolderAccess());
}

void TestServerCore::chatWelcomesAndAnnouncesMembers()
{
    Peer* alice = connectPeer(QStringLiteral("alice"), QHostAddress(QStringLiteral("127.0.0.2")));
    Peer* bob = connectPeer(QStringLiteral("bob"), QHostAddress(QStringLiteral("127.0.0.3")));
    QVERIFY(alice && bob);
    m_room->join(&alice->session, ChatProtocol::Version1);
    QCborMap welcome = next(alice);
    QCOMPARE(typeOf(welcome), QStringLiteral("welcome"));
    QCOMPARE(welcome.value(QStringLiteral("name")).toString(), QStringLiteral("alice"));
    QCOMPARE(welcome.value(QStringLiteral("fingerprint")).toString(), alice->session.fingerprint);
    QVERIFY(welcome.value(QStringLiteral("members")).toArray().isEmpty());
    QCOMPARE(typeOf(next(alice)), QStringLiteral("history_end"));

    m_room->join(&bob->session, ChatProtocol::Version1);
    welcome = next(bob);
    QCOMPARE(typeOf(welcome), QStringLiteral("welcome"));
    const QCborArray members = welcome.value(QStringLiteral("members")).toArray();
    QCOMPARE(members.size(), 1);
    QCOMPARE(members.at(0).toMap().value(QStringLiteral("name")).toString(), QStringLiteral("alice"));
    QCOMPARE(typeOf(next(bob)), QStringLiteral("history_end"));
    const QCborMap join = next(alice);
    QCOMPARE(typeOf(join), QStringLiteral("join"));
    QCOMPARE(join.value(QStringLiteral("name")).toString(), QStringLiteral("bob"));
    QCOMPARE(m_room->sessionCount(), 2);

    m_room->leave(&bob->session);
    const QCborMap leave = next(alice);
    QCOMPARE(typeOf(leave), QStringLiteral("leave"));
    QCOMPARE(leave.value(QStringLiteral("name")).toString(), QStringLiteral("bob"));
    QCOMPARE(m_room->sessionCount(), 1);
}

void TestServerCore::chatAcceptsBeforeTheEchoAndRelaysToAll()
{
    Peer* alice = connectPeer(QStringLiteral("alice"), QHostAddress(QStringLiteral("127.0.0.2")));
    Peer* bob = connectPeer(QStringLiteral("bob"), QHostAddress(QStringLiteral("127.0.0.3")));
    QVERIFY(alice && bob);
    m_room->join(&alice->session, ChatProtocol::Version1);
    m_room->join(&bob->session, ChatProtocol::Version1);
    QTRY_COMPARE_WITH_TIMEOUT(alice->received.size(), 3, Timeout); // welcome, history_end, join
    QTRY_COMPARE_WITH_TIMEOUT(bob->received.size(), 2, Timeout);
    alice->received.clear();
    bob->received.clear();

    QString fatal;
    // The sender's name is the session's, never one the message claims.
    QVERIFY(m_room->handleMessage(&alice->session,
        QCborMap { { QStringLiteral("type"), QStringLiteral("message") }, { QStringLiteral("seq"), 7 },
            { QStringLiteral("text"), QStringLiteral("hello room") },
            { QStringLiteral("from"), QStringLiteral("mallory") } },
        &fatal));
    const QCborMap accepted = next(alice);
    QCOMPARE(typeOf(accepted), QStringLiteral("accepted"));
    QCOMPARE(accepted.value(QStringLiteral("seq")).toInteger(), 7);
    const qint64 id = accepted.value(QStringLiteral("id")).toInteger();
    QVERIFY(id > 0);
    for (Peer* peer : { alice, bob }) {
        const auto message = chatMessage(next(peer));
        QCOMPARE(message.id, id);
        QCOMPARE(message.from, QStringLiteral("alice"));
        QCOMPARE(message.fingerprint, alice->session.fingerprint);
        QCOMPARE(message.text, QStringLiteral("hello room"));
    }
    // Unknown types are left alone, so newer clients can add messages.
    QVERIFY(m_room->handleMessage(
        &alice->session, QCborMap { { QStringLiteral("type"), QStringLiteral("typing") } }, &fatal));
    QTest::qWait(200);
    QVERIFY(alice->received.isEmpty());
    QVERIFY(bob->received.isEmpty());
}

void TestServerCore::chatDirectMessageReachesOnlyTheNamedMember()
{
    Peer* alice = connectPeer(QStringLiteral("alice"), QHostAddress(QStringLiteral("127.0.0.2")));
    Peer* bob = connectPeer(QStringLiteral("bob"), QHostAddress(QStringLiteral("127.0.0.3")));
    Peer* carol = connectPeer(QStringLiteral("carol"), QHostAddress(QStringLiteral("127.0.0.4")));
    QVERIFY(alice && bob && carol);
    for (Peer* peer : { alice, bob, carol }) {
        m_room->join(&peer->session, ChatProtocol::Version1);
    }
    QTRY_COMPARE_WITH_TIMEOUT(alice->received.size(), 4, Timeout); // welcome, history_end, 2 joins
    QTRY_COMPARE_WITH_TIMEOUT(bob->received.size(), 3, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(carol->received.size(), 2, Timeout);
    for (Peer* peer : { alice, bob, carol }) {
        peer->received.clear();
    }
    QString fatal;
    QVERIFY(
        m_room->handleMessage(&alice->session, sendMessage(1, QStringLiteral("psst"), QStringLiteral("bob")), &fatal));
    QCOMPARE(typeOf(next(alice)), QStringLiteral("accepted"));
    for (Peer* peer : { alice, bob }) {
        const auto message = chatMessage(next(peer));
        QCOMPARE(message.text, QStringLiteral("psst"));
        QCOMPARE(message.to, QStringLiteral("bob"));
    }
    // Nobody else: carol's next message is the room message that follows, not the direct one.
    QVERIFY(m_room->handleMessage(&alice->session, sendMessage(2, QStringLiteral("all"), QString()), &fatal));
    QCOMPARE(chatMessage(next(carol)).text, QStringLiteral("all"));

    // A name nobody has is refused with not_found, and nothing goes out.
    QVERIFY(
        m_room->handleMessage(&alice->session, sendMessage(3, QStringLiteral("x"), QStringLiteral("dave")), &fatal));
    QCborMap rejected;
    for (int i = 0; i < 10 && typeOf(rejected) != QStringLiteral("rejected"); ++i) {
        rejected = next(alice); // passes the "accepted" and the echo of "all"
    }
    QCOMPARE(typeOf(rejected), QStringLiteral("rejected"));
    QCOMPARE(rejected.value(QStringLiteral("seq")).toInteger(), 3);
    QCOMPARE(rejected.value(QStringLiteral("code")).toString(), QStringLiteral("not_found"));
}

void TestServerCore::chatRejectsBadFieldsAndEndsOnBadSeq()
{
    Peer* alice = connectPeer(QStringLiteral("alice"), QHostAddress(QStringLiteral("127.0.0.2")));
    QVERIFY(alice);
    m_room->join(&alice->session, ChatProtocol::Version1);
    QTRY_COMPARE_WITH_TIMEOUT(alice->received.size(), 2, Timeout);
    alice->received.clear();
    QString fatal;
    // A text of the wrong type: rejected, naming the field, and the session goes on.
    QVERIFY(m_room->handleMessage(&alice->session,
        QCborMap { { QStringLiteral("type"), QStringLiteral("message") }, { QStringLiteral("seq"), 4 },
            { QStringLiteral("text"), 12 } },
        &fatal));
    QCborMap rejected = next(alice);
    QCOMPARE(typeOf(rejected), QStringLiteral("rejected"));
    QCOMPARE(rejected.value(QStringLiteral("code")).toString(), wireName(ErrorCode::BadRequest));
    QVERIFY(rejected.value(QStringLiteral("message")).toString().contains(QStringLiteral("\"text\"")));
    // An empty "to" is not a room message.
    QVERIFY(m_room->handleMessage(&alice->session,
        QCborMap { { QStringLiteral("type"), QStringLiteral("message") }, { QStringLiteral("seq"), 5 },
            { QStringLiteral("text"), QStringLiteral("x") }, { QStringLiteral("to"), QString() } },
        &fatal));
    rejected = next(alice);
    QCOMPARE(typeOf(rejected), QStringLiteral("rejected"));
    QCOMPARE(rejected.value(QStringLiteral("seq")).toInteger(), 5);
    // Control characters are refused.
    QVERIFY(m_room->handleMessage(&alice->session, sendMessage(6, QStringLiteral("a\x1b[2Jb"), QString()), &fatal));
    rejected = next(alice);
    QCOMPARE(typeOf(rejected), QStringLiteral("rejected"));
    QCOMPARE(rejected.value(QStringLiteral("seq")).toInteger(), 6);
    // Without a usable seq there is nothing to reject: the session must end, and says why.
    QVERIFY(!m_room->handleMessage(&alice->session,
        QCborMap { { QStringLiteral("type"), QStringLiteral("message") },
            { QStringLiteral("seq"), QStringLiteral("1") }, { QStringLiteral("text"), QStringLiteral("x") } },
        &fatal));
    QVERIFY2(fatal.contains(QStringLiteral("\"seq\"")), qPrintable(fatal));
}

void TestServerCore::chatReplaysHistoryAndNoticesToNewcomers()
{
    Peer* alice = connectPeer(QStringLiteral("alice"), QHostAddress(QStringLiteral("127.0.0.2")));
    Peer* bob = connectPeer(QStringLiteral("bob"), QHostAddress(QStringLiteral("127.0.0.3")));
    QVERIFY(alice && bob);
    m_room->join(&alice->session, ChatProtocol::Version1);
    QString fatal;
    QVERIFY(m_room->handleMessage(&alice->session, sendMessage(1, QStringLiteral("first"), QString()), &fatal));
    QVERIFY(m_room->handleMessage(
        &alice->session, sendMessage(2, QStringLiteral("secret"), QStringLiteral("alice")), &fatal));
    m_room->notice(QStringLiteral("maintenance at noon"));
    m_room->join(&bob->session, ChatProtocol::Version1);
    QCOMPARE(typeOf(next(bob)), QStringLiteral("welcome"));
    // The room message and the notice, marked as history; the direct message is not kept.
    auto first = chatMessage(next(bob));
    QCOMPARE(first.text, QStringLiteral("first"));
    QVERIFY(first.history);
    auto notice = chatMessage(next(bob));
    QCOMPARE(notice.text, QStringLiteral("maintenance at noon"));
    QVERIFY(notice.notice);
    QVERIFY(notice.history);
    QCOMPARE(typeOf(next(bob)), QStringLiteral("history_end"));
}

void TestServerCore::filesDispatchAndPathChecks()
{
    Peer* alice = connectPeer(QStringLiteral("alice"), QHostAddress(QStringLiteral("127.0.0.2")));
    QVERIFY(alice);
    auto files = filesFor(alice);
    QVERIFY(files);
    QCborMap answer = call(*files, alice, request("frobnicate", 1));
    QCOMPARE(typeOf(answer), QStringLiteral("failed"));
    QCOMPARE(answer.value(QStringLiteral("code")).toString(), wireName(ErrorCode::BadRequest));
    QCOMPARE(answer.value(QStringLiteral("id")).toInteger(), 1);

    answer = call(*files, alice, request("mkdir", 2, { { QStringLiteral("path"), QStringLiteral("docs/old") } }));
    QCOMPARE(typeOf(answer), QStringLiteral("result"));
    QVERIFY(QFileInfo(m_area->home(QStringLiteral("alice")) + QStringLiteral("/docs/old")).isDir());
    answer = call(*files, alice, request("cd", 3, { { QStringLiteral("path"), QStringLiteral("docs") } }));
    QCOMPARE(answer.value(QStringLiteral("cwd")).toString(), QStringLiteral("~/docs"));
    // Relative paths resolve against the folder cd chose; ".." out of the home is bad_path.
    answer = call(*files, alice, request("stat", 4, { { QStringLiteral("path"), QStringLiteral("old") } }));
    QCOMPARE(answer.value(QStringLiteral("path")).toString(), QStringLiteral("~/docs/old"));
    answer = call(*files, alice, request("ls", 5, { { QStringLiteral("path"), QStringLiteral("../../..") } }));
    QCOMPARE(answer.value(QStringLiteral("code")).toString(), wireName(ErrorCode::BadPath));
    // Both of rename's paths are checked before anything moves.
    answer = call(*files, alice,
        request("rename", 6,
            { { QStringLiteral("from"), QStringLiteral("old") },
                { QStringLiteral("to"), QStringLiteral("../../x") } }));
    QCOMPARE(answer.value(QStringLiteral("code")).toString(), wireName(ErrorCode::BadPath));
    QVERIFY(QFileInfo(m_area->home(QStringLiteral("alice")) + QStringLiteral("/docs/old")).isDir());
    answer = call(*files, alice,
        request("rename", 7,
            { { QStringLiteral("from"), QStringLiteral("old") }, { QStringLiteral("to"), QStringLiteral("new") } }));
    QCOMPARE(typeOf(answer), QStringLiteral("result"));
    QVERIFY(QFileInfo(m_area->home(QStringLiteral("alice")) + QStringLiteral("/docs/new")).isDir());
    // Paths that must exist: not_found, named.
    for (const char* type : { "rm", "rmdir", "stat", "ls" }) {
        answer = call(*files, alice, request(type, 8, { { QStringLiteral("path"), QStringLiteral("ghost") } }));
        QCOMPARE(answer.value(QStringLiteral("code")).toString(), wireName(ErrorCode::NotFound));
        QVERIFY(answer.value(QStringLiteral("message")).toString().contains(QStringLiteral("~/docs/ghost")));
    }
    answer = call(*files, alice, request("rmdir", 9, { { QStringLiteral("path"), QStringLiteral("new") } }));
    QCOMPARE(typeOf(answer), QStringLiteral("result"));
    answer = call(*files, alice, request("pwd", 10));
    QCOMPARE(answer.value(QStringLiteral("cwd")).toString(), QStringLiteral("~/docs"));
}

void TestServerCore::filesUploadAndDownload()
{
    Peer* alice = connectPeer(QStringLiteral("alice"), QHostAddress(QStringLiteral("127.0.0.2")));
    QVERIFY(alice);
    auto files = filesFor(alice);
    QVERIFY(files);
    // Three chunks and a bit, so the send loop goes round.
    QByteArray content(3 * FileProtocol::ChunkSize + 123, Qt::Uninitialized);
    for (qsizetype i = 0; i < content.size(); ++i) {
        content[i] = char(i * 7 + i / 251);
    }
    QCborMap answer = call(*files, alice,
        request("put", 1,
            { { QStringLiteral("path"), QStringLiteral("big.bin") }, { QStringLiteral("size"), content.size() } }));
    QCOMPARE(typeOf(answer), QStringLiteral("result"));
    QCOMPARE(answer.value(QStringLiteral("offset")).toInteger(), 0);
    for (qsizetype at = 0; at < content.size(); at += FileProtocol::ChunkSize) {
        files->handle(FileProtocol::encodeData(
            content.constData() + at, qMin<qsizetype>(FileProtocol::ChunkSize, content.size() - at)));
    }
    answer = call(*files, alice, request("end", 1, { { QStringLiteral("sha256"), Sha256::hash(content) } }));
    QCOMPARE(typeOf(answer), QStringLiteral("result"));
    QCOMPARE(answer.value(QStringLiteral("size")).toInteger(), content.size());
    QFile stored(m_area->home(QStringLiteral("alice")) + QStringLiteral("/big.bin"));
    QVERIFY(stored.open(QIODevice::ReadOnly));
    QCOMPARE(stored.readAll(), content);

    answer = call(*files, alice, request("get", 2, { { QStringLiteral("path"), QStringLiteral("big.bin") } }));
    QCOMPARE(typeOf(answer), QStringLiteral("result"));
    QCOMPARE(answer.value(QStringLiteral("size")).toInteger(), content.size());
    QByteArray received;
    QCborMap end;
    while (true) {
        const QCborMap message = next(alice);
        QVERIFY2(!message.isEmpty(), "the download stalled");
        if (typeOf(message) != QStringLiteral("data")) {
            end = message;
            break;
        }
        received += message.value(QStringLiteral("data")).toByteArray();
    }
    QCOMPARE(typeOf(end), QStringLiteral("end"));
    QCOMPARE(end.value(QStringLiteral("id")).toInteger(), 2);
    QCOMPARE(received, content);
    QCOMPARE(end.value(QStringLiteral("sha256")).toByteArray(), Sha256::hash(content));
}

void TestServerCore::filesUploadLeaseEndsHoweverTheUploadEnds()
{
    Peer* alice = connectPeer(QStringLiteral("alice"), QHostAddress(QStringLiteral("127.0.0.2")));
    Peer* other = connectPeer(QStringLiteral("alice"), QHostAddress(QStringLiteral("127.0.0.3")));
    QVERIFY(alice && other);
    auto first = filesFor(alice);
    auto second = filesFor(other);
    QVERIFY(first && second);
    const QCborMap put5
        = request("put", 1, { { QStringLiteral("path"), QStringLiteral("f") }, { QStringLiteral("size"), 5 } });
    QCOMPARE(typeOf(call(*first, alice, put5)), QStringLiteral("result"));
    // The name is claimed: another session's upload to it is busy.
    QCborMap answer = call(*second, other, put5);
    QCOMPARE(answer.value(QStringLiteral("code")).toString(), wireName(ErrorCode::Busy));
    // A finished upload ends the claim.
    first->handle(FileProtocol::encodeData("hello", 5));
    QCOMPARE(typeOf(call(*first, alice, request("end", 1, { { QStringLiteral("sha256"), Sha256::hash("hello") } }))),
        QStringLiteral("result"));
    QCOMPARE(typeOf(call(*second, other, put5)), QStringLiteral("result"));
    // So does a failed one (a wrong checksum)...
    second->handle(FileProtocol::encodeData("world", 5));
    answer = call(*second, other, request("end", 1, { { QStringLiteral("sha256"), Sha256::hash("other") } }));
    QCOMPARE(answer.value(QStringLiteral("code")).toString(), wireName(ErrorCode::Io));
    QCOMPARE(typeOf(call(*first, alice, put5)), QStringLiteral("result"));
    // ... a cut session (the service goes with it) ...
    first.reset();
    QCOMPARE(typeOf(call(*second, other, put5)), QStringLiteral("result"));
    second.reset();
    // ... and a refused one: a resume without a partial upload is refused after the claim was made.
    first = filesFor(alice);
    answer = call(*first, alice,
        request("put", 2,
            { { QStringLiteral("path"), QStringLiteral("g") }, { QStringLiteral("size"), 5 },
                { QStringLiteral("offset"), 2 }, { QStringLiteral("prefix_sha256"), Sha256::hash("he") } }));
    QCOMPARE(answer.value(QStringLiteral("code")).toString(), wireName(ErrorCode::Mismatch));
    second = filesFor(other);
    QCOMPARE(
        typeOf(call(*second, other,
            request("put", 3, { { QStringLiteral("path"), QStringLiteral("g") }, { QStringLiteral("size"), 5 } }))),
        QStringLiteral("result"));
}

void TestServerCore::filesReservationCountsAgainstTheQuota()
{
    m_area = std::make_unique<FileArea>(m_dir.filePath(QStringLiteral("small")),
        m_dir.filePath(QStringLiteral("rooms")), FileArea::Limits { 200 * 1024, 64, 1000 });
    Peer* alice = connectPeer(QStringLiteral("alice"), QHostAddress(QStringLiteral("127.0.0.2")));
    Peer* other = connectPeer(QStringLiteral("alice"), QHostAddress(QStringLiteral("127.0.0.3")));
    QVERIFY(alice && other);
    auto first = filesFor(alice);
    auto second = filesFor(other);
    QVERIFY(first && second);
    const qint64 size = 120 * 1024;
    const QCborMap putA
        = request("put", 1, { { QStringLiteral("path"), QStringLiteral("a") }, { QStringLiteral("size"), size } });
    const QCborMap putB
        = request("put", 1, { { QStringLiteral("path"), QStringLiteral("b") }, { QStringLiteral("size"), size } });
    QCOMPARE(typeOf(call(*first, alice, putA)), QStringLiteral("result"));
    // Nothing written yet, but the first upload's bytes are reserved: the second does not fit.
    QCborMap answer = call(*second, other, putB);
    QCOMPARE(answer.value(QStringLiteral("code")).toString(), wireName(ErrorCode::Quota));
    // Abandoned (too much data), the first upload gives its reservation back.
    const QByteArray data(size + 1, 'x');
    for (qint64 at = 0; at < data.size(); at += FileProtocol::ChunkSize) {
        first->handle(
            FileProtocol::encodeData(data.constData() + at, qMin<qint64>(FileProtocol::ChunkSize, data.size() - at)));
    }
    answer = next(alice);
    QCOMPARE(answer.value(QStringLiteral("code")).toString(), wireName(ErrorCode::BadRequest));
    QCOMPARE(typeOf(call(*second, other, putB)), QStringLiteral("result"));
}

void TestServerCore::filesResumeChecksThePrefix()
{
    Peer* alice = connectPeer(QStringLiteral("alice"), QHostAddress(QStringLiteral("127.0.0.2")));
    QVERIFY(alice);
    auto files = filesFor(alice);
    QVERIFY(files);
    const QByteArray content("0123456789");
    QCOMPARE(
        typeOf(call(*files, alice,
            request("put", 1, { { QStringLiteral("path"), QStringLiteral("r") }, { QStringLiteral("size"), 10 } }))),
        QStringLiteral("result"));
    files->handle(FileProtocol::encodeData(content.constData(), 4));
    files.reset(); // the connection is cut: the partial upload stays
    files = filesFor(alice);
    QCborMap answer = call(*files, alice, request("partial", 2, { { QStringLiteral("path"), QStringLiteral("r") } }));
    QCOMPARE(answer.value(QStringLiteral("offset")).toInteger(), 4);
    answer = call(*files, alice,
        request("put", 3,
            { { QStringLiteral("path"), QStringLiteral("r") }, { QStringLiteral("size"), 10 },
                { QStringLiteral("offset"), 4 }, { QStringLiteral("prefix_sha256"), Sha256::hash("0124") } }));
    QCOMPARE(answer.value(QStringLiteral("code")).toString(), wireName(ErrorCode::Mismatch));
    answer = call(*files, alice,
        request("put", 4,
            { { QStringLiteral("path"), QStringLiteral("r") }, { QStringLiteral("size"), 10 },
                { QStringLiteral("offset"), 4 }, { QStringLiteral("prefix_sha256"), Sha256::hash("0123") } }));
    QCOMPARE(typeOf(answer), QStringLiteral("result"));
    QCOMPARE(answer.value(QStringLiteral("offset")).toInteger(), 4);
    files->handle(FileProtocol::encodeData(content.constData() + 4, 6));
    answer = call(*files, alice, request("end", 4, { { QStringLiteral("sha256"), Sha256::hash(content) } }));
    QCOMPARE(typeOf(answer), QStringLiteral("result"));
    QCOMPARE(answer.value(QStringLiteral("sha256")).toByteArray(), Sha256::hash(content));
    // A download resumed with a prefix that differs is a mismatch too.
    answer = call(*files, alice,
        request("get", 5,
            { { QStringLiteral("path"), QStringLiteral("r") }, { QStringLiteral("offset"), 3 },
                { QStringLiteral("prefix_sha256"), Sha256::hash("abc") } }));
    QCOMPARE(answer.value(QStringLiteral("code")).toString(), wireName(ErrorCode::Mismatch));
}

void TestServerCore::adminCommandsOneTableForBothWaysIn()
{
    const QString dataDir = m_dir.filePath(QStringLiteral("data"));
    QStringList output;
    QStringList errors;
    AdminContext context;
    context.where = AdminContext::Where::Offline;
    context.dataDir = dataDir;
    context.print = [&output](const QString& line) { output.append(line); };
    context.fail = [&errors](const QString& message) { errors.append(message); };
    const auto run = [&context](const QString& name, const QStringList& args) {
        const AdminCommand* command = AdminCommands::find(name, context.where);
        return command ? command->execute(context, args, args.join(QLatin1Char(' '))) : AdminCommand::Result::Failed;
    };
    const Noise::KeyPair key = newKey();
    const QString keyText = QString::fromLatin1(key.publicKey.toBase64());
    QCOMPARE(run(QStringLiteral("allow"), { keyText, QStringLiteral("comment"), QStringLiteral("erin") }),
        AdminCommand::Result::Done);
    QCOMPARE(output.last(), QStringLiteral("allowed %1 as erin").arg(Identity::fingerprint(key.publicKey)));
    QCOMPARE(run(QStringLiteral("whitelist"), {}), AdminCommand::Result::Done);
    QVERIFY(output.last().startsWith(QStringLiteral("erin ")));
    QVERIFY(output.last().contains(keyText));
    QCOMPARE(run(QStringLiteral("revoke"), {}), AdminCommand::Result::Failed);
    QCOMPARE(errors.last(), QStringLiteral("usage: quietwired revoke --data-dir DIR <key|fingerprint|name>"));
    QCOMPARE(run(QStringLiteral("revoke"), { QStringLiteral("erin") }), AdminCommand::Result::Done);
    QVERIFY(output.last().startsWith(QStringLiteral("revoked ")));
    output.clear();
    QCOMPARE(run(QStringLiteral("whitelist"), {}), AdminCommand::Result::Done);
    QVERIFY(output.isEmpty());
    QCOMPARE(run(QStringLiteral("fingerprint"), {}), AdminCommand::Result::Failed);
    QVERIFY(errors.last().contains(QStringLiteral("keygen")));

    // Which commands exist where, and the help texts list exactly those.
    const QStringList both = { QStringLiteral("whitelist"), QStringLiteral("allow"), QStringLiteral("revoke"),
        QStringLiteral("fingerprint") };
    for (const QString& name : both) {
        QVERIFY(AdminCommands::find(name, AdminContext::Where::Offline));
        QVERIFY(AdminCommands::find(name, AdminContext::Where::Console));
    }
    for (const char* name : { "sessions", "kick", "clients", "say", "files", "quit", "exit", "help" }) {
        QVERIFY2(!AdminCommands::find(QLatin1String(name), AdminContext::Where::Offline), name);
        QVERIFY2(AdminCommands::find(QLatin1String(name), AdminContext::Where::Console), name);
    }
    for (const char* name : { "keygen", "console" }) {
        QVERIFY2(AdminCommands::find(QLatin1String(name), AdminContext::Where::Offline), name);
        QVERIFY2(!AdminCommands::find(QLatin1String(name), AdminContext::Where::Console), name);
    }
    const QString consoleHelp = AdminCommands::consoleHelp();
    const QString offlineHelp = AdminCommands::offlineHelp();
    for (const AdminCommand& command : AdminCommands::all()) {
        const QString line = QStringLiteral("\n  %1 ").arg(QLatin1String(command.name));
        QCOMPARE(consoleHelp.contains(line), bool(command.availability & AdminCommand::Console));
        QCOMPARE(offlineHelp.startsWith(line.mid(1)) || offlineHelp.contains(line),
            bool(command.availability & AdminCommand::Offline));
    }
}

void TestServerCore::signalsBecomeQtSignals()
{
    SignalHandler handler;
    QSignalSpy reload(&handler, &SignalHandler::reloadRequested);
    QSignalSpy stop(&handler, &SignalHandler::stopRequested);
    QVERIFY(handler.install());
    QCOMPARE(::raise(SIGHUP), 0);
    QVERIFY(reload.wait(Timeout));
    QCOMPARE(stop.count(), 0);
    QCOMPARE(::raise(SIGTERM), 0);
    QVERIFY(stop.wait(Timeout));
    QCOMPARE(::raise(SIGINT), 0);
    QTRY_COMPARE_WITH_TIMEOUT(stop.count(), 2, Timeout);
    QCOMPARE(reload.count(), 1);
}

QTEST_GUILESS_MAIN(TestServerCore)
#include "TestServerCore.moc"
