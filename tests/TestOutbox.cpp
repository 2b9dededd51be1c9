// The Outbox (shared/client/Outbox) against the real quietwired: a message whose `accepted` the
// connection lost goes out again after the next join with the same client id, and the server
// stores it once (version 2: `duplicate: true`); in version 1 it is reported lost instead of sent
// twice; a refusal a resend cannot fix drops it; an invalid text is refused while typed.

#include "ChatClient.h"
#include "EncryptedTcpSocket.h"
#include "Identity.h"
#include "Outbox.h"
#include "Protocol.h"
#include "ServerProcess.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <memory>

using namespace QuietWire;

namespace {
constexpr int Timeout = 30000;
}

class TestOutbox : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void lostAnswerIsResentWithItsClientIdAndStoredOnce();
    void lostAnswerInVersion1IsReportedNotResent();
    void typedWhileDisconnectedGoesOutAfterTheJoin();
    void refusalsDropTheMessage();

private:
    /// m_chat joined with version (2 or 1); false on failure.
    bool join(qint64 version);
    /// The next `accepted` never reaches the ChatClient: the session is cut right after the server stored the message.
    void loseTheNextAnswer();
    int storedCount(const QString& text);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    std::optional<Identity> m_identity;
    QString m_configDir;
    std::unique_ptr<ChatClient> m_chat;
    std::unique_ptr<Outbox> m_outbox;
};

void TestOutbox::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
    QVERIFY(m_server->start());
    m_configDir = m_dir->filePath(QStringLiteral("alice"));
    QString error;
    m_identity = Identity::loadOrCreate(m_configDir, QStringLiteral("alice@test"), &error);
    QVERIFY2(m_identity, qPrintable(error));
    QVERIFY(!m_server
                 ->command(QStringLiteral("allow %1 alice").arg(Identity::encodePublicKey(m_identity->publicKey())),
                     QStringLiteral("allowed"))
                 .isEmpty());
    m_chat = std::make_unique<ChatClient>(*m_identity, QDir(m_configDir).filePath(QStringLiteral("known_servers")));
    m_chat->connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
    m_outbox = std::make_unique<Outbox>();
    m_outbox->setClient(m_chat.get());
}

void TestOutbox::cleanup()
{
    m_outbox.reset();
    m_chat.reset();
    m_server.reset();
    m_dir.reset();
}

bool TestOutbox::join(qint64 version)
{
    m_chat->setProtocolVersion(version);
    QSignalSpy joined(m_chat.get(), &ChatClient::joined);
    m_chat->connectToServer(QStringLiteral("127.0.0.1"), m_server->port);
    return joined.wait(Timeout) && m_chat->sessionVersion() == version;
}

void TestOutbox::loseTheNextAnswer()
{
    ServiceClient* connection = m_chat->connection();
    auto swallowed = std::make_shared<bool>(false);
    connection->setRawFilter([connection, swallowed](const QByteArray& data) {
        const auto message = Protocol::decode(data);
        if (*swallowed || !message || !Protocol::is<ChatProtocol::Accepted>(*message)) {
            return false;
        }
        *swallowed = true;
        QTimer::singleShot(0, connection, [connection] { connection->socket()->abort(); });
        return true; // the client never learns that the server stored it
    });
}

int TestOutbox::storedCount(const QString& text)
{
    const CliResult history = runCli({ QStringLiteral("history"), QStringLiteral("127.0.0.1:%1").arg(m_server->port),
        QStringLiteral("--config-dir"), m_configDir, QStringLiteral("--trust-new"), QStringLiteral("--all") });
    if (history.exitCode != 0) {
        qWarning("history failed: %s", qPrintable(history.err));
        return -1;
    }
    return static_cast<int>(history.out.count(text));
}

void TestOutbox::lostAnswerIsResentWithItsClientIdAndStoredOnce()
{
    QVERIFY(join(ChatProtocol::CurrentVersion));
    QSignalSpy delivered(m_outbox.get(), &Outbox::delivered);
    QSignalSpy disconnected(m_chat.get(), &ChatClient::disconnected);
    loseTheNextAnswer();
    const QString text = QStringLiteral("stored once whatever the connection does");
    QVERIFY(m_outbox->send(text, ChatClient::Destination { QStringLiteral("general"), {} }));
    const QString clientId = m_outbox->pending().first().clientId;
    QVERIFY(!clientId.isEmpty());
    QVERIFY(disconnected.wait(Timeout));
    // The server has it, the client does not know: it is kept, to be sent again.
    QCOMPARE(delivered.count(), 0);
    QCOMPARE(m_outbox->count(), 1);
    QCOMPARE(m_outbox->pending().first().clientId, clientId);
    QCOMPARE(m_outbox->pending().first().seq, qint64(-1));

    QVERIFY(join(ChatProtocol::CurrentVersion));
    QTRY_COMPARE_WITH_TIMEOUT(delivered.count(), 1, Timeout);
    const auto entry = delivered.first().at(0).value<Outbox::Entry>();
    const auto accepted = delivered.first().at(1).value<ChatProtocol::Accepted>();
    QCOMPARE(entry.clientId, clientId);
    QVERIFY2(accepted.duplicate, "the resend was stored again");
    QCOMPARE(m_outbox->count(), 0);
    QCOMPARE(storedCount(text), 1);
}

void TestOutbox::lostAnswerInVersion1IsReportedNotResent()
{
    QVERIFY(join(ChatProtocol::Version1));
    QSignalSpy lost(m_outbox.get(), &Outbox::lost);
    QSignalSpy disconnected(m_chat.get(), &ChatClient::disconnected);
    loseTheNextAnswer();
    const QString text = QStringLiteral("version one has no client ids");
    QVERIFY(m_outbox->send(text, ChatClient::Destination {}));
    QVERIFY(disconnected.wait(Timeout));
    QCOMPARE(lost.count(), 1);
    QCOMPARE(lost.first().at(0).value<Outbox::Entry>().text, text);
    QVERIFY(lost.first().at(1).toString().contains(QLatin1String("check whether it arrived")));
    QCOMPARE(m_outbox->count(), 0);
    QVERIFY(join(ChatProtocol::Version1));
    QTest::qWait(500); // nothing goes out again
    QCOMPARE(storedCount(text), 1);
}

void TestOutbox::typedWhileDisconnectedGoesOutAfterTheJoin()
{
    QSignalSpy delivered(m_outbox.get(), &Outbox::delivered);
    const QStringList texts { QStringLiteral("first while away"), QStringLiteral("second while away") };
    for (const QString& text : texts) {
        QVERIFY(m_outbox->send(text, ChatClient::Destination { QStringLiteral("general"), {} }));
    }
    QCOMPARE(m_outbox->count(), 2);
    QVERIFY(join(ChatProtocol::CurrentVersion));
    QTRY_COMPARE_WITH_TIMEOUT(delivered.count(), 2, Timeout);
    // In the order typed.
    QCOMPARE(delivered.at(0).at(0).value<Outbox::Entry>().text, texts.at(0));
    QCOMPARE(delivered.at(1).at(0).value<Outbox::Entry>().text, texts.at(1));
    QVERIFY(delivered.at(0).at(1).value<ChatProtocol::Accepted>().id
        < delivered.at(1).at(1).value<ChatProtocol::Accepted>().id);
    QCOMPARE(m_outbox->count(), 0);
}

void TestOutbox::refusalsDropTheMessage()
{
    QVERIFY(join(ChatProtocol::CurrentVersion));
    QSignalSpy rejected(m_outbox.get(), &Outbox::rejected);
    // A room that does not exist: not_found, which no resend fixes.
    QVERIFY(m_outbox->send(QStringLiteral("into the void"), ChatClient::Destination { QStringLiteral("nowhere"), {} }));
    QTRY_COMPARE_WITH_TIMEOUT(rejected.count(), 1, Timeout);
    QCOMPARE(rejected.first().at(1).value<ChatProtocol::Rejected>().code, ErrorCode::NotFound);
    QCOMPARE(m_outbox->count(), 0);
    // Too long: refused while typed, nothing kept.
    QVERIFY(!m_outbox->send(QString(ChatProtocol::MaxTextBytes + 1, QLatin1Char('x')), ChatClient::Destination {}));
    QVERIFY(m_outbox->errorString().contains(QLatin1String("too long")));
    QCOMPARE(m_outbox->count(), 0);
}

QTEST_GUILESS_MAIN(TestOutbox)
#include "TestOutbox.moc"
