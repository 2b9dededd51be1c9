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
