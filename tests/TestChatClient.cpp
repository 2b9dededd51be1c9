// ChatClient against an in-process server that sends what the test writes: the client decodes
// each message into its struct, and one it cannot use (a field of the wrong type) is ignored, as
// docs/PROTOCOL.md section 4 asks of a client, without ending the session or acting on a default.

#include "ChatClient.h"
#include "ChatMessages.h"
#include "EncryptedTcpServer.h"
#include "EncryptedTcpSocket.h"
#include "Identity.h"
#include "Protocol.h"
#include "ServerProcess.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace QuietWire;

namespace {

constexpr int Timeout = 15000;

QCborMap with(QCborMap message, const char* key, const QCborValue& value)
{
    message.insert(QLatin1String(key), value);
    return message;
}

} // namespace

class TestChatClient : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void decodesEveryServerMessage();
    void presenceChangesTheMemberListOnce();
    void version2SessionRequestsAndEvents();
    void ignoresMalformedMessagesAndGoesOn();
    void fatalErrorIsAnErrorCode_data();
    void fatalErrorIsAnErrorCode();

private:
    /// Connects m_client and waits for the server's end of the session.
    bool connectClient();
    void serverSends(const QCborMap& message);

    QTemporaryDir m_dir;
    std::unique_ptr<EncryptedTcpServer> m_server;
    std::unique_ptr<ChatClient> m_client;
    QPointer<EncryptedTcpSocket> m_session;
    QList<QCborMap> m_fromClient;
};

void TestChatClient::init()
{
    QVERIFY(m_dir.isValid());
    auto serverKey = Noise::X25519::generate();
    QVERIFY(serverKey);
    m_server = std::make_unique<EncryptedTcpServer>(*serverKey);
    m_server->setAuthorizer([](const QByteArray&, const QHostAddress&) {
        return EncryptedTcpServer::Decision { true, {}, {} };
    });
    connect(m_server.get(), &EncryptedTcpServer::newSession, this,
        [this](EncryptedTcpSocket* socket, const QByteArray& hello) {
            m_session = socket;
            if (const auto decoded = Protocol::decode(hello)) {
                m_fromClient.append(*decoded);
            }
            connect(socket, &EncryptedTcpSocket::messageReceived, this, [this](const QByteArray& message) {
                if (const auto decoded = Protocol::decode(message)) {
                    m_fromClient.append(*decoded);
                }
            });
        });
    const quint16 first = freePortRange(4);
    QVERIFY(first != 0);
    EncryptedTcpServer::Options options;
    options.address = QHostAddress::LocalHost;
    options.port = 0;
    options.sessionPortFirst = first;
    options.sessionPortLast = static_cast<quint16>(first + 3);
    QString error;
    QVERIFY2(m_server->listen(options, &error), qPrintable(error));
    const auto identity = Identity::generate(QStringLiteral("test@chatclient"));
    QVERIFY(identity);
    m_client = std::make_unique<ChatClient>(*identity, m_dir.filePath(QStringLiteral("known_servers")));
    m_client->connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
}

void TestChatClient::cleanup()
{
    m_client.reset();
    delete m_session.data();
    m_server.reset();
    m_fromClient.clear();
}

bool TestChatClient::connectClient()
{
    m_client->connectToServer(QStringLiteral("127.0.0.1"), m_server->serverPort());
    return QTest::qWaitFor([this] { return !m_session.isNull() && m_client->connection()->isReady(); }, Timeout);
}

void TestChatClient::serverSends(const QCborMap& message)
{
    QVERIFY(m_session->sendMessage(Protocol::encode(message)));
}

void TestChatClient::presenceChangesTheMemberListOnce()
{
    // Version 3: one presence message, many members, one membersChanged; joined applied before left.
    QSignalSpy memberJoined(m_client.get(), &ChatClient::memberJoined);
    QSignalSpy memberLeft(m_client.get(), &ChatClient::memberLeft);
    QSignalSpy membersChanged(m_client.get(), &ChatClient::membersChanged);
    QVERIFY(connectClient());
    const ChatProtocol::Member alice { QStringLiteral("alice"), QStringLiteral("SHA256:a") };
    const ChatProtocol::Member carol { QStringLiteral("carol"), QStringLiteral("SHA256:c") };
    const ChatProtocol::Member dave { QStringLiteral("dave"), QStringLiteral("SHA256:d") };
    ChatProtocol::Welcome welcome { QStringLiteral("bob"), QStringLiteral("SHA256:b"), { alice } };
    welcome.version = ChatProtocol::Version3;
    serverSends(welcome.toCbor());
    serverSends(ChatProtocol::HistoryEnd {}.toCbor());
    serverSends(ChatProtocol::Presence { { carol, dave, carol }, { alice } }.toCbor());
    QTRY_COMPARE_WITH_TIMEOUT(memberLeft.size(), 1, Timeout);
    QCOMPARE(memberJoined.size(), 3);
    QCOMPARE(membersChanged.size(), 2); // the welcome's and the presence's
    QCOMPARE(m_client->members(), (QList<ChatProtocol::Member> { carol, dave, carol }));
    QCOMPARE(m_client->sessionVersion(), ChatProtocol::Version3);
}

void TestChatClient::decodesEveryServerMessage()
{
    QSignalSpy joined(m_client.get(), &ChatClient::joined);
    QSignalSpy received(m_client.get(), &ChatClient::messageReceived);
    QSignalSpy memberJoined(m_client.get(), &ChatClient::memberJoined);
    QSignalSpy memberLeft(m_client.get(), &ChatClient::memberLeft);
    QSignalSpy accepted(m_client.get(), &ChatClient::messageAccepted);
    QSignalSpy rejected(m_client.get(), &ChatClient::messageRejected);
    QVERIFY(connectClient());
    // The hello went out as the document writes it.
    QTRY_VERIFY_WITH_TIMEOUT(!m_fromClient.isEmpty(), Timeout);
    QCOMPARE(m_fromClient.takeFirst(),
        (QCborMap { { QStringLiteral("type"), QStringLiteral("hello") },
            { QStringLiteral("service"), QStringLiteral("chat") } }));

    const ChatProtocol::Member alice { QStringLiteral("alice"), QStringLiteral("SHA256:a") };
    const ChatProtocol::Member carol { QStringLiteral("carol"), QStringLiteral("SHA256:c") };
    serverSends(ChatProtocol::Welcome { QStringLiteral("bob"), QStringLiteral("SHA256:b"), { alice } }.toCbor());
    serverSends(ChatProtocol::Members { { carol } }.toCbor());
    ChatProtocol::Message message;
    message.id = 1;
    message.from = alice.name;
    message.fingerprint = alice.fingerprint;
    message.text = QStringLiteral("old");
    message.time = QDateTime::fromMSecsSinceEpoch(1000, Qt::UTC);
    message.history = true;
    serverSends(message.toCbor());
    serverSends(ChatProtocol::HistoryEnd {}.toCbor());
    serverSends(ChatProtocol::Leave { carol }.toCbor());
    const qint64 seq = m_client->sendText(QStringLiteral("hi"), QStringLiteral("alice"));
    QCOMPARE(seq, 1);
    serverSends(ChatProtocol::Accepted { seq, 2 }.toCbor());
    serverSends(ChatProtocol::Rejected { seq, ErrorCode::NotFound, QStringLiteral("nobody") }.toCbor());
    serverSends(ChatProtocol::Join { carol }.toCbor());

    QTRY_COMPARE_WITH_TIMEOUT(memberJoined.size(), 1, Timeout);
    QCOMPARE(joined.size(), 1);
    QCOMPARE(joined.first().first().toString(), QStringLiteral("bob"));
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().first().value<ChatProtocol::Message>(), message);
    QCOMPARE(memberLeft.size(), 1);
    QCOMPARE(accepted.size(), 1);
    QCOMPARE(accepted.first().at(1).toLongLong(), 2);
    QCOMPARE(rejected.size(), 1);
    const auto rejection = rejected.first().first().value<ChatProtocol::Rejected>();
    QCOMPARE(rejection.code, ErrorCode::NotFound);
    QCOMPARE(rejection.seq, seq);
    QCOMPARE(m_client->members(), (QList<ChatProtocol::Member> { alice, carol }));
    // What the client sent: a direct message, with "to".
    QTRY_VERIFY_WITH_TIMEOUT(!m_fromClient.isEmpty(), Timeout);
    QCOMPARE(m_fromClient.takeFirst(),
        (QCborMap { { QStringLiteral("type"), QStringLiteral("message") }, { QStringLiteral("seq"), 1 },
            { QStringLiteral("text"), QStringLiteral("hi") }, { QStringLiteral("to"), QStringLiteral("alice") } }));
}

void TestChatClient::version2SessionRequestsAndEvents()
{
    m_client->setProtocolVersion(ChatProtocol::CurrentVersion);
    QSignalSpy conversations(m_client.get(), &ChatClient::conversationsReceived);
    QSignalSpy stored(m_client.get(), &ChatClient::messageStored);
    QSignalSpy messageRejected(m_client.get(), &ChatClient::messageRejected);
    QSignalSpy done(m_client.get(), &ChatClient::requestDone);
    QSignalSpy requestRejected(m_client.get(), &ChatClient::requestRejected);
    QSignalSpy markers(m_client.get(), &ChatClient::readMarkerChanged);
    QSignalSpy changed(m_client.get(), &ChatClient::roomChanged);
    QSignalSpy gone(m_client.get(), &ChatClient::roomGone);
    QVERIFY(connectClient());
    QTRY_VERIFY_WITH_TIMEOUT(!m_fromClient.isEmpty(), Timeout);
    QCOMPARE(m_fromClient.takeFirst(),
        (QCborMap { { QStringLiteral("type"), QStringLiteral("hello") },
            { QStringLiteral("service"), QStringLiteral("chat") }, { QStringLiteral("version"), 3 } }));

    // Requests before the welcome said version 2 do not go out.
    QCOMPARE(m_client->request(ChatProtocol::RoomsRequest {}), -1);
    QVERIFY(!m_client->errorString().isEmpty());

    ChatProtocol::ConversationSummary general;
    general.id = 1;
    general.name = QStringLiteral("general");
    ChatProtocol::ConversationSummary direct;
    direct.id = 7;
    direct.kind = ChatProtocol::ConversationKind::Direct;
    direct.name = QStringLiteral("alice");
    direct.unread = 3;
    // A server from before version 3 answers 2: the client speaks version 2.
    ChatProtocol::Welcome welcome { QStringLiteral("bob"), QStringLiteral("SHA256:b"), {} };
    welcome.version = ChatProtocol::Version2;
    serverSends(welcome.toCbor());
    serverSends(ChatProtocol::Conversations { { general } }.toCbor());
    serverSends(ChatProtocol::Conversations { { direct } }.toCbor());
    serverSends(ChatProtocol::HistoryEnd {}.toCbor());
    QTRY_COMPARE_WITH_TIMEOUT(conversations.size(), 1, Timeout);
    QCOMPARE(m_client->sessionVersion(), ChatProtocol::Version2);
    const QList<ChatProtocol::ConversationSummary> both { general, direct };
    QCOMPARE(conversations.first().first().value<QList<ChatProtocol::ConversationSummary>>(), both);
    QCOMPARE(m_client->conversations(), both);

    // A message to a room carries the room and a client id; a resend may give the id again.
    const qint64 sent
        = m_client->sendText(QStringLiteral("hi"), ChatClient::Destination { QStringLiteral("proj"), {} });
    QCOMPARE(sent, 1);
    const QString clientId = m_client->lastClientId();
    QVERIFY(ChatProtocol::isValidClientId(clientId));
    QCOMPARE(
        m_client->sendText(QStringLiteral("hi"), ChatClient::Destination { QStringLiteral("proj"), {} }, clientId), 2);
    QCOMPARE(
        m_client->sendText(QStringLiteral("x"), ChatClient::Destination { QStringLiteral("a"), QStringLiteral("b") }),
        -1);
    ChatProtocol::HistoryRequest history;
    history.target.with = QStringLiteral("alice");
    history.limit = 10;
    const qint64 historySeq = m_client->request(history);
    QCOMPARE(historySeq, 3);
    ChatProtocol::RoomRequest join;
    join.action = ChatProtocol::RoomRequest::Action::Join;
    join.room = QStringLiteral("nowhere");
    const qint64 joinSeq = m_client->request(join);
    QCOMPARE(joinSeq, 4);

    QTRY_COMPARE_WITH_TIMEOUT(m_fromClient.size(), 4, Timeout);
    const ChatProtocol::Send expected { 1, QStringLiteral("hi"), std::nullopt, QStringLiteral("proj"), clientId };
    QCOMPARE(ChatProtocol::Send::decode(m_fromClient.at(0)).value, expected);
    ChatProtocol::Send resent = expected;
    resent.seq = 2;
    QCOMPARE(ChatProtocol::Send::decode(m_fromClient.at(1)).value, resent);
    history.seq = historySeq;
    QCOMPARE(ChatProtocol::HistoryRequest::decode(m_fromClient.at(2)).value, history);
    join.seq = joinSeq;
    QCOMPARE(ChatProtocol::RoomRequest::decode(m_fromClient.at(3)).value, join);

    // Answers go by seq: a request's rejected is not a message's.
    ChatProtocol::Accepted accepted { 1, 40 };
    accepted.conversation = 9;
    ChatProtocol::Accepted duplicate { 2, 40 };
    duplicate.conversation = 9;
    duplicate.duplicate = true;
    serverSends(accepted.toCbor());
    serverSends(duplicate.toCbor());
    ChatProtocol::Done page { historySeq };
    page.conversation = 7;
    page.messages = QList<ChatProtocol::Message> {};
    page.more = true;
    serverSends(page.toCbor());
    serverSends(ChatProtocol::Rejected { joinSeq, ErrorCode::NotFound, QStringLiteral("no such room") }.toCbor());
    serverSends(ChatProtocol::Done { 99 }.toCbor()); // no such request: ignored
    // Events keep the conversation list current: a live message is the newest and one more
    // unread; one of a conversation not listed (someone started a direct conversation) adds it.
    QSignalSpy updated(m_client.get(), &ChatClient::conversationUpdated);
    ChatProtocol::Message live;
    live.id = 41;
    live.from = QStringLiteral("alice");
    live.fingerprint = QStringLiteral("SHA256:a");
    live.to = QStringLiteral("bob");
    live.text = QStringLiteral("are you there?");
    live.time = QDateTime::fromMSecsSinceEpoch(3000, Qt::UTC);
    live.conversation = 7;
    serverSends(live.toCbor());
    ChatProtocol::Message fromCarol = live;
    fromCarol.id = 42;
    fromCarol.from = QStringLiteral("carol");
    fromCarol.conversation = 12;
    serverSends(fromCarol.toCbor());
    ChatProtocol::Message old = live;
    old.id = 3;
    old.history = true; // a page of history is not news
    serverSends(old.toCbor());
    QTRY_COMPARE_WITH_TIMEOUT(updated.size(), 2, Timeout);
    ChatProtocol::ConversationSummary withAlice = updated.at(0).first().value<ChatProtocol::ConversationSummary>();
    QCOMPARE(withAlice.unread, 4);
    QCOMPARE(withAlice.last, std::optional<ChatProtocol::Message>(live));
    ChatProtocol::ConversationSummary carol;
    carol.id = 12;
    carol.kind = ChatProtocol::ConversationKind::Direct;
    carol.name = QStringLiteral("carol");
    carol.isPrivate = true;
    carol.unread = 1;
    carol.last = fromCarol;
    QCOMPARE(updated.at(1).first().value<ChatProtocol::ConversationSummary>(), carol);
    serverSends(ChatProtocol::ReadMarker { 7, 30, 0 }.toCbor());
    ChatProtocol::ConversationSummary proj;
    proj.id = 9;
    proj.name = QStringLiteral("proj");
    proj.topic = QStringLiteral("plans");
    serverSends(ChatProtocol::RoomChanged { proj }.toCbor());
    serverSends(
        ChatProtocol::RoomGone { 1, QStringLiteral("general"), ChatProtocol::RoomGone::Reason::Deleted }.toCbor());

    QTRY_COMPARE_WITH_TIMEOUT(gone.size(), 1, Timeout);
    QCOMPARE(stored.size(), 2);
    QCOMPARE(stored.at(0).first().value<ChatProtocol::Accepted>(), accepted);
    QCOMPARE(stored.at(1).first().value<ChatProtocol::Accepted>(), duplicate);
    QCOMPARE(done.size(), 1);
    QCOMPARE(done.first().first().value<ChatProtocol::Done>(), page);
    QCOMPARE(requestRejected.size(), 1);
    QCOMPARE(requestRejected.first().first().value<ChatProtocol::Rejected>().code, ErrorCode::NotFound);
    QCOMPARE(messageRejected.size(), 0);
    QCOMPARE(markers.size(), 1);
    QCOMPARE(changed.size(), 1);
    direct.lastRead = 30;
    direct.unread = 0;
    direct.last = live;
    QCOMPARE(m_client->conversations(), (QList<ChatProtocol::ConversationSummary> { direct, carol, proj }));
    QCOMPARE(updated.size(), 4); // the two messages, the read marker, the room event
}

void TestChatClient::ignoresMalformedMessagesAndGoesOn()
{
    QSignalSpy joined(m_client.get(), &ChatClient::joined);
    QSignalSpy received(m_client.get(), &ChatClient::messageReceived);
    QSignalSpy accepted(m_client.get(), &ChatClient::messageAccepted);
    QSignalSpy membersChanged(m_client.get(), &ChatClient::membersChanged);
    QSignalSpy errors(m_client.get(), &ChatClient::errorOccurred);
    QVERIFY(connectClient());
    const ChatProtocol::Welcome welcome { QStringLiteral("bob"), QStringLiteral("SHA256:b"), {} };
    ChatProtocol::Message message;
    message.id = 5;
    message.from = QStringLiteral("alice");
    message.fingerprint = QStringLiteral("SHA256:a");
    message.text = QStringLiteral("live");
    message.time = QDateTime::fromMSecsSinceEpoch(2000, Qt::UTC);

    // Each malformed message is ignored: not read with a default name, id, text or member.
    serverSends(with(welcome.toCbor(), "name", 7));
    serverSends(with(message.toCbor(), "id", QStringLiteral("5")));
    serverSends(with(message.toCbor(), "text", QByteArray("live")));
    serverSends(with(ChatProtocol::Accepted { 1, 2 }.toCbor(), "id", -2));
    serverSends(with(ChatProtocol::Join { { QStringLiteral("x"), QStringLiteral("y") } }.toCbor(), "name", true));
    serverSends(QCborMap { { QStringLiteral("type"), QStringLiteral("typing") }, { QStringLiteral("name"), 1 } });
    // Then good ones: the session went on.
    serverSends(welcome.toCbor());
    serverSends(message.toCbor());
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, Timeout);
    QCOMPARE(received.first().first().value<ChatProtocol::Message>(), message);
    QCOMPARE(joined.size(), 1);
    QCOMPARE(joined.first().first().toString(), QStringLiteral("bob"));
    QCOMPARE(accepted.size(), 0);
    QCOMPARE(membersChanged.size(), 1); // the good welcome's; the malformed join changed nothing
    QVERIFY(m_client->members().isEmpty());
    QVERIFY(errors.isEmpty());
    QVERIFY(m_client->connection()->isReady());
}

void TestChatClient::fatalErrorIsAnErrorCode_data()
{
    QTest::addColumn<int>("code");
    for (const ErrorCode code : { ErrorCode::Revoked, ErrorCode::Kicked, ErrorCode::Shutdown, ErrorCode::BadRequest }) {
        QTest::newRow(qPrintable(wireName(code))) << int(code);
    }
}

void TestChatClient::fatalErrorIsAnErrorCode()
{
    QFETCH(int, code);
    QSignalSpy errors(m_client.get(), &ChatClient::errorOccurred);
    QVERIFY(connectClient());
    serverSends(Protocol::FatalError { ErrorCode(code), QStringLiteral("the reason") }.toCbor());
    QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, Timeout);
    QCOMPARE(m_client->connection()->lastFailure().code, ErrorCode(code));
    // Shutdown has its own sentence; every other code shows the server's message.
    const QString text = errors.first().first().toString();
    QVERIFY2(ErrorCode(code) == ErrorCode::Shutdown ? text.contains(QStringLiteral("shut down"))
                                                    : text.contains(QStringLiteral("the reason")),
        qPrintable(text));
}

QTEST_GUILESS_MAIN(TestChatClient)
#include "TestChatClient.moc"
