// The real quietwired and quietwire-cli, started as processes on loopback.

#include "ChatTestSupport.h"
#include "Identity.h"

#include <QCborArray>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace QuietWire;
using namespace QuietWire::ChatTest;

namespace {

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool appendToFile(const QString& path, const QByteArray& data)
{
    QFile file(path);
    if (!file.open(QIODevice::Append)) {
        return false;
    }
    return file.write(data) == data.size();
}

} // namespace

class TestServer : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void offlineAdminCommands();
    void oneServerPerDataDirAndRestoreOnlyWhenStopped();
    void twoClientsChatInOrder();
    void interactiveChatAndDirectMessage();
    void concurrentSendersKeepTheirOrder();
    void unknownKeyIsRefusedAndRemembered();
    void revokedKeyIsCutOffLive();
    void whitelistFileEditsReachTheServer();
    void serverKeyPinning();
    void consoleSessionsSayKick();
    void hostileBytesDoNotStopTheServer();
    void ticketRulesOnTheRealServer();
    void clientThatNeverReadsIsDropped();
    void sigtermStopsCleanly();
    void sighupRereadsTheWhitelist();
    void rootActsAsTheOwnerOfTheDataDir();
    void consoleOfARunningServer();
    void allowNeverTakesANameFromTheComment();
    void aNameWithKeysNeedsSamePerson();
    void controlCharactersInChatAreRefused();
    void cliMarksContinuationLinesAndEscapes();
    void malformedFieldsAreBadRequests_data();
    void malformedFieldsAreBadRequests();
    void messageWithoutUsableSeqEndsTheSession_data();
    void messageWithoutUsableSeqEndsTheSession();
    void helloServiceMustBeText();
    void chatOrderAsDocumented();
    void serverShutdownIsReported();
    void rootDropsToTheOwnersOwnGroups();
    void openFilesLimitIsRaisedOrSaid();

private:
    RawChat joinRaw(const Client& client, bool keepaliveFirst = false)
    {
        return joinChat(client, m_server->port, keepaliveFirst);
    }
    Client makeClient(const QString& name, const QString& bind)
    {
        return ChatTest::makeClient(m_dir->filePath(name), bind);
    }
    std::unique_ptr<QProcess> startListener(const Client& client, int count);
    QString server() const { return QStringLiteral("127.0.0.1:%1").arg(m_server->port); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
};

void TestServer::init()
{
    m_server.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
}

std::unique_ptr<QProcess> TestServer::startListener(const Client& client, int count)
{
    auto process = std::make_unique<QProcess>();
    process->start(binary("quietwire-cli"),
        client.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new"), QStringLiteral("--listen"),
            QString::number(count) }));
    QByteArray err;
    const bool joined = waitUntil([&] {
        err += process->readAllStandardError();
        return err.contains("joined as") || process->state() == QProcess::NotRunning;
    });
    if (!joined || !err.contains("joined as")) {
        qWarning("listener did not join: %s", err.constData());
    }
    return process;
}

void TestServer::oneServerPerDataDirAndRestoreOnlyWhenStopped()
{
    QVERIFY(m_server->start());
    const QString dataDir = m_server->dataDir();
    const auto run = [](const QStringList& args, QString* err) {
        QProcess process;
        process.start(binary("quietwired"), args);
        process.closeWriteChannel();
        if (!process.waitForFinished(30000)) {
            process.kill();
            process.waitForFinished();
            return -1;
        }
        *err = QString::fromUtf8(process.readAllStandardError());
        return process.exitCode();
    };
    QString err;
    // A second server on the same data dir is refused, naming the running one.
    QCOMPARE(run({ QStringLiteral("--data-dir"), dataDir, QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
                     QStringLiteral("--port"), QStringLiteral("0") },
                 &err),
        1);
    QVERIFY2(err.contains(QStringLiteral("is running on")) && err.contains(dataDir), qPrintable(err));

    // A backup while it runs; a restore only once it stopped.
    const QString backupFile = m_dir->filePath(QStringLiteral("store-backup.db"));
    QCOMPARE(run({ QStringLiteral("backup"), QStringLiteral("--data-dir"), dataDir, backupFile }, &err), 0);
    QVERIFY(QFile::exists(backupFile));
    QCOMPARE(run({ QStringLiteral("backup"), QStringLiteral("--data-dir"), dataDir, backupFile }, &err), 1);
    QVERIFY2(err.contains(QStringLiteral("never writes over")), qPrintable(err));
    QCOMPARE(run({ QStringLiteral("restore"), QStringLiteral("--data-dir"), dataDir, backupFile }, &err), 1);
    QVERIFY2(err.contains(QStringLiteral("cannot restore while")), qPrintable(err));
    m_server->stop();
    QCOMPARE(run({ QStringLiteral("restore"), QStringLiteral("--data-dir"), dataDir, backupFile }, &err), 0);
    QVERIFY2(err.isEmpty(), qPrintable(err));
    // And a server starts on it again.
    QVERIFY(m_server->start());
}

void TestServer::offlineAdminCommands()
{
    const QString dataDir = m_server->dataDir();
    QProcess process;
    process.start(binary("quietwired"), { QStringLiteral("keygen"), QStringLiteral("--data-dir"), dataDir });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    const QString keygenOut = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY(keygenOut.contains(QStringLiteral("SHA256:")));

    process.start(binary("quietwired"), { QStringLiteral("keygen"), QStringLiteral("--data-dir"), dataDir });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(QString::fromUtf8(process.readAllStandardError()).contains(QStringLiteral("already holds")));

    process.start(binary("quietwired"), { QStringLiteral("fingerprint"), QStringLiteral("--data-dir"), dataDir });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(QString::fromUtf8(process.readAllStandardOutput()), keygenOut);

    const Client alice = makeClient(QStringLiteral("alice"), QStringLiteral("127.0.0.2"));
    process.start(binary("quietwired"),
        { QStringLiteral("allow"), QStringLiteral("--data-dir"), dataDir, alice.keyLine.section(QLatin1Char(' '), 0, 0),
            QStringLiteral("alice") });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    process.start(binary("quietwired"), { QStringLiteral("whitelist"), QStringLiteral("--data-dir"), dataDir });
    QVERIFY(process.waitForFinished(30000));
    const QString list = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY2(
        list.contains(QStringLiteral("alice")) && list.contains(Identity::fingerprint(alice.key)), qPrintable(list));

    // The whole key line as `quietwire-cli key` prints it, quoted as one argument, with a name.
    const Client bob = makeClient(QStringLiteral("bob"), QStringLiteral("127.0.0.3"));
    QVERIFY(bob.keyLine.contains(QLatin1Char(' ')));
    process.start(binary("quietwired"),
        { QStringLiteral("allow"), QStringLiteral("--data-dir"), dataDir, bob.keyLine, QStringLiteral("bob") });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(readFile(dataDir + QStringLiteral("/authorized_keys")).contains(bob.key.toBase64() + " bob\n"));

    process.start(binary("quietwired"),
        { QStringLiteral("allow"), QStringLiteral("--data-dir"), dataDir, QStringLiteral("not-a-key") });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(QString::fromUtf8(process.readAllStandardError()).contains(QStringLiteral("usage")));

    process.start(binary("quietwired"),
        { QStringLiteral("revoke"), QStringLiteral("--data-dir"), dataDir, Identity::fingerprint(alice.key) });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(!readFile(dataDir + QStringLiteral("/authorized_keys")).contains(alice.key.toBase64()));
}

void TestServer::twoClientsChatInOrder()
{
    QVERIFY(m_server->start());
    const Client alice = makeClient(QStringLiteral("alice"), QStringLiteral("127.0.0.2"));
    const Client bob = makeClient(QStringLiteral("bob"), QStringLiteral("127.0.0.3"));
    QVERIFY(!m_server
                 ->command(QStringLiteral("allow ") + alice.keyLine.section(QLatin1Char(' '), 0, 0)
                         + QStringLiteral(" alice"),
                     QStringLiteral("allowed"))
                 .isEmpty());
    QVERIFY(!m_server
                 ->command(QStringLiteral("allow %1 bob").arg(bob.keyLine.section(QLatin1Char(' '), 0, 0)),
                     QStringLiteral("allowed"))
                 .isEmpty());

    constexpr int Count = 12;
    auto listener = startListener(bob, Count);
    for (int i = 0; i < Count; ++i) {
        const CliResult sent = runCli(alice.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new"),
            QStringLiteral("--send"), QStringLiteral("message %1 ✓").arg(i) }));
        QVERIFY2(sent.exitCode == 0, qPrintable(sent.err));
    }
    QVERIFY(waitFinished(*listener, 30000));
    QCOMPARE(listener->exitCode(), 0);
    const QStringList lines
        = QString::fromUtf8(listener->readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), Count);
    for (int i = 0; i < Count; ++i) {
        QCOMPARE(lines.at(i), QStringLiteral("alice: message %1 ✓").arg(i));
    }

    // The server key is now pinned for both clients, and the server logged both accepts.
    QVERIFY(readFile(alice.configDir + QStringLiteral("/known_servers")).contains(m_server->publicKey.toLatin1()));
    QVERIFY(m_server->waitForLog(
        QStringLiteral("accepted %1 ( alice ) from 127.0.0.2").arg(Identity::fingerprint(alice.key))));

    // A newcomer gets the history replayed, and --listen does not count it.
    auto late = startListener(alice, 1);
    QVERIFY(!m_server->command(QStringLiteral("say last words"), QStringLiteral("said")).isEmpty());
    QVERIFY(waitFinished(*late, 30000));
    QCOMPARE(QString::fromUtf8(late->readAllStandardOutput()), QStringLiteral("* server: last words\n"));
}

void TestServer::interactiveChatAndDirectMessage()
{
    QVERIFY(m_server->start());
    const Client alice = makeClient(QStringLiteral("alice"), QStringLiteral("127.0.0.2"));
    const Client bob = makeClient(QStringLiteral("bob"), QStringLiteral("127.0.0.3"));
    m_server->command(QStringLiteral("allow %1 alice").arg(alice.keyLine), QStringLiteral("allowed"));
    m_server->command(
        QStringLiteral("allow %1 bob").arg(QString::fromLatin1(bob.key.toBase64())), QStringLiteral("allowed"));

    auto listener = startListener(bob, 2);
    QProcess chat;
    chat.start(
        binary("quietwire-cli"), alice.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new") }));
    QByteArray out;
    QVERIFY(waitUntil([&] {
        out += chat.readAllStandardOutput();
        return out.contains("type a message");
    }));
    chat.write("hello from stdin\n/msg bob just for you\n");
    QVERIFY(chat.waitForBytesWritten(10000));
    QVERIFY(waitFinished(*listener, 30000));
    QCOMPARE(QString::fromUtf8(listener->readAllStandardOutput()),
        QStringLiteral("alice: hello from stdin\nalice -> bob: just for you\n"));
    chat.write("/quit\n");
    QVERIFY(chat.waitForBytesWritten(10000));
    QVERIFY(waitFinished(chat, 15000));
    QCOMPARE(chat.exitCode(), 0);
}

void TestServer::concurrentSendersKeepTheirOrder()
{
    QVERIFY(m_server->start());
    constexpr int Senders = 3;
    constexpr int PerSender = 40;
    const Client listener = makeClient(QStringLiteral("listener"), QStringLiteral("127.0.0.10"));
    m_server->command(QStringLiteral("allow %1 listener").arg(QString::fromLatin1(listener.key.toBase64())),
        QStringLiteral("allowed"));
    QList<Client> senders;
    for (int i = 0; i < Senders; ++i) {
        senders.append(makeClient(QStringLiteral("s%1").arg(i), QStringLiteral("127.0.0.%1").arg(11 + i)));
        m_server->command(QStringLiteral("allow %1 s%2").arg(QString::fromLatin1(senders.last().key.toBase64())).arg(i),
            QStringLiteral("allowed"));
    }
    auto receiver = startListener(listener, Senders * PerSender);

    // All senders join first, then type their lines at the same time.
    std::vector<std::unique_ptr<QProcess>> chats;
    for (const Client& sender : std::as_const(senders)) {
        auto chat = std::make_unique<QProcess>();
        chat->start(
            binary("quietwire-cli"), sender.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new") }));
        QByteArray out;
        QVERIFY(waitUntil([&] {
            out += chat->readAllStandardOutput();
            return out.contains("type a message");
        }));
        chats.push_back(std::move(chat));
    }
    for (int i = 0; i < Senders; ++i) {
        QByteArray lines;
        for (int n = 0; n < PerSender; ++n) {
            lines += QByteArray("line ") + QByteArray::number(n) + '\n';
        }
        chats[i]->write(lines + "/quit\n");
    }
    for (auto& chat : chats) {
        QVERIFY(chat->waitForBytesWritten(10000));
    }
    if (!waitFinished(*receiver, 60000)) {
        // Everything there is to see about a hang (it happened once under heavy load).
        QString report = QStringLiteral("receiver got:\n") + QString::fromUtf8(receiver->readAllStandardOutput())
            + QStringLiteral("\nreceiver stderr:\n") + QString::fromUtf8(receiver->readAllStandardError());
        for (auto& chat : chats) {
            report += QStringLiteral("\nsender (%1) stdout:\n%2\nstderr:\n%3")
                          .arg(chat->state() == QProcess::NotRunning ? QStringLiteral("finished")
                                                                     : QStringLiteral("still running"),
                              QString::fromUtf8(chat->readAllStandardOutput()),
                              QString::fromUtf8(chat->readAllStandardError()));
        }
        report += QStringLiteral("\nserver log:\n") + m_server->log();
        QFAIL(qPrintable(report));
    }
    QCOMPARE(receiver->exitCode(), 0);
    const QStringList lines
        = QString::fromUtf8(receiver->readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), Senders * PerSender);
    QList<int> next(Senders, 0);
    for (const QString& line : lines) {
        const int sender = line.section(QLatin1Char(':'), 0, 0).mid(1).toInt();
        QVERIFY2(sender >= 0 && sender < Senders, qPrintable(line));
        // Each sender's lines arrive once each, in the order they were typed.
        QCOMPARE(line, QStringLiteral("s%1: line %2").arg(sender).arg(next[sender]));
        ++next[sender];
    }
    for (auto& chat : chats) {
        QVERIFY(waitFinished(*chat, 15000));
    }
}

void TestServer::unknownKeyIsRefusedAndRemembered()
{
    QVERIFY(m_server->start());
    const Client mallory = makeClient(QStringLiteral("mallory"), QStringLiteral("127.0.0.4"));
    const CliResult result = runCli(mallory.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new"),
        QStringLiteral("--send"), QStringLiteral("let me in") }));
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("refused your key")), qPrintable(result.err));
    QVERIFY2(result.err.contains(mallory.keyLine), qPrintable(result.err));
    QVERIFY(m_server->waitForLog(QStringLiteral("refused %1 from 127.0.0.4").arg(Identity::fingerprint(mallory.key))));

    // The IP is remembered with the key it presented, and a new key from it is a notice.
    const QString knownClients = m_server->dataDir() + QStringLiteral("/known_clients");
    QVERIFY(waitUntil([&] { return readFile(knownClients).contains("127.0.0.4 " + mallory.key.toBase64()); }));
    const Client other = makeClient(QStringLiteral("other"), QStringLiteral("127.0.0.4"));
    runCli(other.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new"), QStringLiteral("--send"),
        QStringLiteral("x") }));
    QVERIFY(m_server->waitForLog(QStringLiteral("presented a new key %1").arg(Identity::fingerprint(other.key))));
    QVERIFY(!m_server->command(QStringLiteral("clients"), Identity::fingerprint(other.key)).isEmpty());
}

void TestServer::revokedKeyIsCutOffLive()
{
    QVERIFY(m_server->start());
    const Client bob = makeClient(QStringLiteral("bob"), QStringLiteral("127.0.0.3"));
    m_server->command(
        QStringLiteral("allow %1 bob").arg(QString::fromLatin1(bob.key.toBase64())), QStringLiteral("allowed"));
    auto listener = startListener(bob, 5);
    QCOMPARE(listener->state(), QProcess::Running);
    QVERIFY(!m_server->command(QStringLiteral("revoke bob"), QStringLiteral("revoked")).isEmpty());
    QVERIFY(waitFinished(*listener, 10000));
    QCOMPARE(listener->exitCode(), 1);
    const QString err = QString::fromUtf8(listener->readAllStandardError());
    QVERIFY2(err.contains(QStringLiteral("removed from the server's whitelist")), qPrintable(err));

    const CliResult again
        = runCli(bob.args({ QStringLiteral("chat"), server(), QStringLiteral("--send"), QStringLiteral("x") }));
    QCOMPARE(again.exitCode, 1);
    QVERIFY(again.err.contains(QStringLiteral("refused your key")));
}

void TestServer::whitelistFileEditsReachTheServer()
{
    QVERIFY(m_server->start());
    const Client carol = makeClient(QStringLiteral("carol"), QStringLiteral("127.0.0.5"));
    const QString path = m_server->dataDir() + QStringLiteral("/authorized_keys");
    // As an editor would: append a line to the file.
    QVERIFY(appendToFile(path, "# added by hand\n" + carol.key.toBase64() + " carol\n"));
    QVERIFY(m_server->waitForLog(QStringLiteral("whitelist loaded: 1 key(s)"), 5000));
    const CliResult ok = runCli(carol.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new"),
        QStringLiteral("--send"), QStringLiteral("hi") }));
    QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));

    // A malformed edit is reported with its line and the last good whitelist stays.
    QVERIFY(appendToFile(path, "this line is broken\n"));
    QVERIFY(m_server->waitForLog(QStringLiteral("authorized_keys line 3"), 5000));
    QVERIFY(m_server->log().contains(QStringLiteral("previous one stays in force")));
    const CliResult still
        = runCli(carol.args({ QStringLiteral("chat"), server(), QStringLiteral("--send"), QStringLiteral("hi") }));
    QVERIFY2(still.exitCode == 0, qPrintable(still.err));
    // The console refuses to edit a broken file rather than "fixing" it.
    QVERIFY(m_server
                ->command(QStringLiteral("allow %1 kim").arg(QString::fromLatin1(QByteArray(32, 'k').toBase64())),
                    QStringLiteral("error"))
                .contains(QStringLiteral("fix the file first")));
}

void TestServer::serverKeyPinning()
{
    QVERIFY(m_server->start());
    const Client dave = makeClient(QStringLiteral("dave"), QStringLiteral("127.0.0.6"));
    m_server->command(
        QStringLiteral("allow %1 dave").arg(QString::fromLatin1(dave.key.toBase64())), QStringLiteral("allowed"));

    // Unknown server, no --trust-new, no terminal: refuse and show the fingerprint.
    const CliResult unknown
        = runCli(dave.args({ QStringLiteral("chat"), server(), QStringLiteral("--send"), QStringLiteral("x") }));
    QCOMPARE(unknown.exitCode, 1);
    const QString serverFingerprint = Identity::fingerprint(QByteArray::fromBase64(m_server->publicKey.toLatin1()));
    QVERIFY2(unknown.err.contains(serverFingerprint) && unknown.err.contains(QStringLiteral("--trust-new")),
        qPrintable(unknown.err));
    QVERIFY(!QFile::exists(dave.configDir + QStringLiteral("/known_servers")));

    // A changed key is a hard error, --trust-new or not, and shows both fingerprints.
    const QByteArray other(32, 'o');
    QFile pins(dave.configDir + QStringLiteral("/known_servers"));
    QVERIFY(pins.open(QIODevice::WriteOnly));
    pins.write(server().toLatin1() + ' ' + other.toBase64() + '\n');
    pins.close();
    const CliResult changed = runCli(dave.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new"),
        QStringLiteral("--send"), QStringLiteral("x") }));
    QCOMPARE(changed.exitCode, 1);
    QVERIFY2(changed.err.contains(QStringLiteral("HAS CHANGED")), qPrintable(changed.err));
    QVERIFY(changed.err.contains(Identity::fingerprint(other)));
    QVERIFY(changed.err.contains(serverFingerprint));
    // The server never saw dave's key on that attempt: the client stopped before sending it.
    QVERIFY(!m_server->log().contains(QStringLiteral("accepted %1").arg(Identity::fingerprint(dave.key))));

    // forget, then trust again.
    const CliResult forget
        = runCli({ QStringLiteral("--config-dir"), dave.configDir, QStringLiteral("forget"), server() });
    QCOMPARE(forget.exitCode, 0);
    const CliResult ok = runCli(dave.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new"),
        QStringLiteral("--send"), QStringLiteral("x") }));
    QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
}

void TestServer::consoleSessionsSayKick()
{
    QVERIFY(m_server->start());
    const Client erin = makeClient(QStringLiteral("erin"), QStringLiteral("127.0.0.7"));
    QVERIFY(m_server->command(QStringLiteral("help"), QStringLiteral("quit")).contains(QStringLiteral("revoke")));
    QVERIFY(m_server->command(QStringLiteral("frobnicate"), QStringLiteral("unknown command"))
                .contains(QStringLiteral("help")));
    QVERIFY(m_server->command(QStringLiteral("whitelist"), QStringLiteral("empty")).contains(QStringLiteral("allow")));
    m_server->command(
        QStringLiteral("allow %1 erin").arg(QString::fromLatin1(erin.key.toBase64())), QStringLiteral("allowed"));
    QVERIFY(m_server->command(QStringLiteral("fingerprint"), QStringLiteral("SHA256:")).contains(m_server->publicKey));

    auto listener = startListener(erin, 2);
    const QString sessions = m_server->command(QStringLiteral("sessions"), QStringLiteral("127.0.0.7"));
    QVERIFY2(
        sessions.contains(QStringLiteral("erin")) && sessions.contains(QStringLiteral("chat")), qPrintable(sessions));
    const QString id = sessions.trimmed().section(QLatin1Char(' '), 0, 0, QString::SectionSkipEmpty);
    m_server->command(QStringLiteral("say hello everyone"), QStringLiteral("said"));
    QVERIFY(
        m_server->command(QStringLiteral("kick 999"), QStringLiteral("error")).contains(QStringLiteral("No session")));
    QVERIFY(!m_server->command(QStringLiteral("kick ") + id, QStringLiteral("kicked")).isEmpty());
    QVERIFY(waitFinished(*listener, 10000));
    QCOMPARE(listener->exitCode(), 1);
    QCOMPARE(QString::fromUtf8(listener->readAllStandardOutput()), QStringLiteral("* server: hello everyone\n"));
    QVERIFY(QString::fromUtf8(listener->readAllStandardError())
                .contains(QStringLiteral("administrator closed your session")));
}

void TestServer::hostileBytesDoNotStopTheServer()
{
    QVERIFY(m_server->start());
    const Client frank = makeClient(QStringLiteral("frank"), QStringLiteral("127.0.0.8"));
    m_server->command(
        QStringLiteral("allow %1 frank").arg(QString::fromLatin1(frank.key.toBase64())), QStringLiteral("allowed"));
    QString error;
    const auto identity = Identity::load(frank.configDir, &error);
    QVERIFY2(identity, qPrintable(error));
    const QHostAddress server(QStringLiteral("127.0.0.1"));
    const QHostAddress from(QStringLiteral("127.0.0.8"));

    // An oversized handshake frame, then random bytes, then a tampered transport frame.
    QTcpSocket oversized;
    oversized.connectToHost(server, m_server->port);
    QVERIFY(oversized.waitForConnected(10000));
    oversized.write(QByteArray::fromHex("ffff") + QByteArray(100, 'x'));
    QVERIFY(RawClient::waitClosed(oversized));

    QTcpSocket noise;
    noise.connectToHost(server, m_server->port);
    QVERIFY(noise.waitForConnected(10000));
    noise.write(
        QByteArray::fromHex("0020") + QByteArray(32, '\x01') + QByteArray::fromHex("0050") + QByteArray(80, '\x02'));
    QVERIFY(RawClient::waitClosed(noise));

    RawClient raw(identity->keyPair());
    QVERIFY(raw.handshake(from, server, m_server->port));
    const auto session = raw.readMainMessage();
    QVERIFY(session);
    auto connection = raw.redeem(from, server, static_cast<quint16>(session->value(QStringLiteral("port")).toInteger()),
        session->value(QStringLiteral("ticket")).toByteArray());
    QVERIFY(connection);
    connection->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("chat") }.toCbor()));
    const auto welcome = raw.readMessage(*connection);
    QVERIFY(welcome);
    QCOMPARE(Protocol::typeOf(*welcome), QStringLiteral("welcome"));
    QByteArray tampered = raw.encryptFrame(QCborMap { { QStringLiteral("type"), QStringLiteral("message") },
        { QStringLiteral("seq"), 1 }, { QStringLiteral("text"), QStringLiteral("evil") } });
    tampered[5] = static_cast<char>(tampered[5] ^ 0x80);
    connection->write(tampered);
    QVERIFY(RawClient::waitClosed(*connection));
    QVERIFY(m_server->waitForLog(QStringLiteral("failed authentication")));

    QCOMPARE(m_server->process()->state(), QProcess::Running);
    const CliResult ok
        = runCli(frank.args({ QStringLiteral("chat"), server.toString() + QStringLiteral(":%1").arg(m_server->port),
            QStringLiteral("--trust-new"), QStringLiteral("--send"), QStringLiteral("fine") }));
    QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
}

void TestServer::ticketRulesOnTheRealServer()
{
    // One session port and a short ticket lifetime, so the pool runs out and tickets expire fast.
    QVERIFY(m_server->start({ QStringLiteral("--ticket-timeout"), QStringLiteral("700") }, 1));
    const Client gina = makeClient(QStringLiteral("gina"), QStringLiteral("127.0.0.9"));
    m_server->command(
        QStringLiteral("allow %1 gina").arg(QString::fromLatin1(gina.key.toBase64())), QStringLiteral("allowed"));
    const auto identity = Identity::load(gina.configDir);
    QVERIFY(identity);
    const QHostAddress server(QStringLiteral("127.0.0.1"));
    const QHostAddress from(QStringLiteral("127.0.0.9"));
    const auto hello = Protocol::Hello { QStringLiteral("chat") }.toCbor();

    RawClient first(identity->keyPair());
    QVERIFY(first.handshake(from, server, m_server->port));
    QCOMPARE(first.serverKey, QByteArray::fromBase64(m_server->publicKey.toLatin1()));
    const auto session = first.readMainMessage();
    QVERIFY(session);
    const auto port = static_cast<quint16>(session->value(QStringLiteral("port")).toInteger());
    QCOMPARE(port, m_server->sessionPortFirst);
    const QByteArray ticket = session->value(QStringLiteral("ticket")).toByteArray();
    QCOMPARE(ticket.size(), 16);
    const QByteArray helloFrame = first.encryptFrame(hello);

    // A wrong ticket is refused, and spends the ticket: a session port takes one connection per
    // ticket (docs/PROTOCOL.md section 5), so the client starts again with a handshake.
    QByteArray wrong = ticket;
    wrong[15] = static_cast<char>(wrong[15] ^ 0x40);
    auto bad = first.redeem(from, server, port, wrong);
    QVERIFY(bad);
    bad->write(helloFrame);
    QVERIFY(RawClient::waitClosed(*bad));
    QVERIFY(m_server->waitForLog(QStringLiteral("wrong ticket on session port %1").arg(port)));
    auto spent = first.redeem(from, server, port, ticket);
    if (spent) {
        spent->write(helloFrame);
        QVERIFY(RawClient::waitClosed(*spent));
    }

    QVERIFY(first.handshake(from, server, m_server->port));
    const auto second = first.readMainMessage();
    QVERIFY(second);
    QCOMPARE(static_cast<quint16>(second->value(QStringLiteral("port")).toInteger()), port);
    auto good = first.redeem(from, server, port, second->value(QStringLiteral("ticket")).toByteArray());
    QVERIFY(good);
    good->write(first.encryptFrame(hello));
    const auto welcome = first.readMessage(*good);
    QVERIFY(welcome);
    QCOMPARE(Protocol::typeOf(*welcome), QStringLiteral("welcome"));
    QCOMPARE(welcome->value(QStringLiteral("name")).toString(), QStringLiteral("gina"));

    // Used once: a second redemption finds the port closed, or a listener that does not know the ticket.
    auto reused = first.redeem(from, server, port, second->value(QStringLiteral("ticket")).toByteArray());
    if (reused) {
        reused->write(helloFrame);
        QVERIFY(RawClient::waitClosed(*reused));
    }

    // The pool of one is taken by a client that does not come: the next one hears "busy".
    RawClient holder(identity->keyPair());
    QVERIFY(holder.handshake(from, server, m_server->port));
    const auto held = holder.readMainMessage();
    QVERIFY(held);
    QCOMPARE(Protocol::typeOf(*held), QStringLiteral("session"));
    RawClient refused(identity->keyPair());
    QVERIFY(refused.handshake(from, server, m_server->port));
    const auto busy = refused.readMainMessage();
    QVERIFY(busy);
    QCOMPARE(Protocol::typeOf(*busy), QStringLiteral("error"));
    QCOMPARE(busy->value(QStringLiteral("code")).toString(), QStringLiteral("busy"));

    // Each connection had its own session keys.
    QVERIFY(first.handshakeHash != holder.handshakeHash);
    QVERIFY(holder.handshakeHash != refused.handshakeHash);

    // Too late: the ticket expired and the port went back to the pool.
    QVERIFY(m_server->waitForLog(QStringLiteral("expired unused")));
    auto late = holder.redeem(from, server, port, held->value(QStringLiteral("ticket")).toByteArray());
    if (late) {
        late->write(holder.encryptFrame(hello));
        QVERIFY(RawClient::waitClosed(*late));
    }
    const CliResult ok
        = runCli(gina.args({ QStringLiteral("chat"), server.toString() + QStringLiteral(":%1").arg(m_server->port),
            QStringLiteral("--trust-new"), QStringLiteral("--send"), QStringLiteral("port is free again") }));
    QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
}

void TestServer::clientThatNeverReadsIsDropped()
{
    QVERIFY(m_server->start());
    const Client sender = makeClient(QStringLiteral("sender"), QStringLiteral("127.0.0.20"));
    const Client reader = makeClient(QStringLiteral("reader"), QStringLiteral("127.0.0.21"));
    const Client stuck = makeClient(QStringLiteral("stuck"), QStringLiteral("127.0.0.22"));
    for (const Client* client : { &sender, &reader, &stuck }) {
        m_server->command(
            QStringLiteral("allow %1 %2")
                .arg(QString::fromLatin1(client->key.toBase64()), QFileInfo(client->configDir).fileName()),
            QStringLiteral("allowed"));
    }
    // A member that joins the chat and then never reads a byte.
    const auto stuckIdentity = Identity::load(stuck.configDir);
    QVERIFY(stuckIdentity);
    RawClient raw(stuckIdentity->keyPair());
    const QHostAddress server(QStringLiteral("127.0.0.1"));
    QVERIFY(raw.handshake(QHostAddress(stuck.bind), server, m_server->port));
    const auto session = raw.readMainMessage();
    QVERIFY(session);
    auto stuckSocket = raw.redeem(QHostAddress(stuck.bind), server,
        static_cast<quint16>(session->value(QStringLiteral("port")).toInteger()),
        session->value(QStringLiteral("ticket")).toByteArray());
    QVERIFY(stuckSocket);
    stuckSocket->setReadBufferSize(4096); // and the kernel buffer fills up behind it
    stuckSocket->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("chat") }.toCbor()));
    QVERIFY(m_server->waitForLog(QStringLiteral("stuck joined the chat")));

    constexpr int Messages = 1800;
    const QString text(16000, QLatin1Char('x'));
    auto listener = startListener(reader, Messages);
    QElapsedTimer clock;
    clock.start();
    QProcess chat;
    chat.start(binary("quietwire-cli"),
        sender.args({ QStringLiteral("chat"), server.toString() + QStringLiteral(":%1").arg(m_server->port),
            QStringLiteral("--trust-new") }));
    QByteArray out;
    QVERIFY(waitUntil([&] {
        out += chat.readAllStandardOutput();
        return out.contains("type a message");
    }));
    QByteArray lines;
    for (int i = 0; i < Messages; ++i) {
        lines += QByteArray::number(i) + ' ' + text.toLatin1() + '\n';
    }
    chat.write(lines);
    // The sender echoes the room to its own stdout: keep reading it so it never blocks.
    QVERIFY(waitUntil(
        [&] {
            chat.readAllStandardOutput();
            listener->readAllStandardError();
            return m_server->log().contains(QStringLiteral("does not read its messages"));
        },
        120000));
    QByteArray received;
    QVERIFY(waitUntil(
        [&] {
            chat.readAllStandardOutput();
            received += listener->readAllStandardOutput();
            return listener->state() == QProcess::NotRunning;
        },
        120000));
    received += listener->readAllStandardOutput();
    QCOMPARE(listener->exitCode(), 0);
    QCOMPARE(received.count('\n'), Messages); // the honest reader got every message
    QVERIFY(received.startsWith("sender: 0 xxx"));
    chat.write("/quit\n");
    QVERIFY(waitFinished(chat, 30000));
    qInfo("%d messages of 16 KB reached the honest reader in %lld ms", Messages, clock.elapsed());
}

void TestServer::sigtermStopsCleanly()
{
    QVERIFY(m_server->start());
    m_server->process()->terminate();
    QVERIFY(m_server->process()->waitForFinished(10000));
    QCOMPARE(m_server->process()->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_server->process()->exitCode(), 0);
    QVERIFY(m_server->log().contains(QStringLiteral("stopping")));

    // End of console input does not stop the server.
    QVERIFY(m_server->start());
    m_server->process()->closeWriteChannel();
    QVERIFY(m_server->waitForOutput(QStringLiteral("Console input closed")));
    QTest::qWait(300);
    QCOMPARE(m_server->process()->state(), QProcess::Running);
}

void TestServer::sighupRereadsTheWhitelist()
{
    QVERIFY(m_server->start());
    const Client erin = makeClient(QStringLiteral("erin"), QStringLiteral("127.0.0.6"));
    const QString path = m_server->dataDir() + QStringLiteral("/authorized_keys");
    QVERIFY(appendToFile(path, erin.key.toBase64() + " erin\n"));
    const auto pid = static_cast<pid_t>(m_server->process()->processId());
    QCOMPARE(::kill(pid, SIGHUP), 0);
    // SIGHUP's default action would end the process; the server re-reads and carries on.
    QVERIFY(m_server->waitForLog(QStringLiteral("SIGHUP: whitelist re-read: 1 key(s)"), 5000));
    QCOMPARE(m_server->process()->state(), QProcess::Running);
    const CliResult ok = runCli(erin.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new"),
        QStringLiteral("--send"), QStringLiteral("after reload") }));
    QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));

    // A broken file on SIGHUP: reported, the last good whitelist stays.
    QVERIFY(appendToFile(path, "broken line\n"));
    QCOMPARE(::kill(pid, SIGHUP), 0);
    QVERIFY(m_server->waitForLog(QStringLiteral("SIGHUP: whitelist not reloaded"), 5000));
    const CliResult still
        = runCli(erin.args({ QStringLiteral("chat"), server(), QStringLiteral("--send"), QStringLiteral("still in") }));
    QVERIFY2(still.exitCode == 0, qPrintable(still.err));
}

void TestServer::rootActsAsTheOwnerOfTheDataDir()
{
    if (::geteuid() != 0) {
        QSKIP("needs root: checks that `sudo quietwired allow` keeps the service's files its own");
    }
    // The service's data dir belongs to its own user; nobody (65534) stands in for it here.
    const QString dataDir = m_server->dataDir();
    QVERIFY(QDir().mkpath(dataDir));
    QCOMPARE(::chown(QFile::encodeName(m_dir->path()).constData(), 65534, 65534), 0);
    QCOMPARE(::chown(QFile::encodeName(dataDir).constData(), 65534, 65534), 0);
    const Client frank = makeClient(QStringLiteral("frank"), QStringLiteral("127.0.0.7"));
    QProcess process;
    for (const QStringList& args : { QStringList { QStringLiteral("keygen") },
             QStringList { QStringLiteral("allow"), frank.keyLine, QStringLiteral("frank") } }) {
        process.start(binary("quietwired"), args + QStringList { QStringLiteral("--data-dir"), dataDir });
        QVERIFY(process.waitForFinished(30000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    }
    for (const char* name : { "identity.key", "identity.pub", "authorized_keys" }) {
        struct stat info = {};
        QCOMPARE(::stat(QFile::encodeName(dataDir + QLatin1Char('/') + QLatin1String(name)).constData(), &info), 0);
        QVERIFY2(info.st_uid == 65534 && info.st_gid == 65534, name);
    }
    // A data dir root owns stays root's.
    const QString rootDir = m_dir->filePath(QStringLiteral("root-owned"));
    process.start(binary("quietwired"), { QStringLiteral("keygen"), QStringLiteral("--data-dir"), rootDir });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    QCOMPARE(QFileInfo(rootDir + QStringLiteral("/identity.key")).ownerId(), 0u);
}

void TestServer::consoleOfARunningServer()
{
    // As for the service: no console on standard input, `quietwired console` instead.
    QVERIFY(m_server->start());
    m_server->process()->closeWriteChannel();
    const auto console = [this](const QStringList& command, const QByteArray& input = {}) {
        QProcess process;
        process.start(binary("quietwired"),
            QStringList { QStringLiteral("console"), QStringLiteral("--data-dir"), m_server->dataDir() } + command);
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(30000)) {
            return CliResult {};
        }
        return CliResult { process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError()) };
    };
    const Client gina = makeClient(QStringLiteral("gina"), QStringLiteral("127.0.0.8"));
    CliResult result = console({ QStringLiteral("allow"), gina.keyLine, QStringLiteral("gina") });
    QVERIFY2(
        result.exitCode == 0 && result.out.contains(QStringLiteral("allowed")), qPrintable(result.out + result.err));
    auto listener = startListener(gina, 1);
    result = console({ QStringLiteral("sessions") });
    QVERIFY2(result.exitCode == 0 && result.out.contains(QStringLiteral("gina"))
            && result.out.contains(QStringLiteral("chat")),
        qPrintable(result.out));
    result = console(
        { QStringLiteral("say"), QStringLiteral("maintenance"), QStringLiteral("at"), QStringLiteral("six") });
    QCOMPARE(result.exitCode, 0);
    QVERIFY(waitFinished(*listener));
    QVERIFY(QString::fromUtf8(listener->readAllStandardOutput()).contains(QStringLiteral("maintenance at six")));

    // Errors exit 1; several commands in one interactive console; quit closes the console only.
    result = console({ QStringLiteral("kick"), QStringLiteral("999") });
    QCOMPARE(result.exitCode, 1);
    QVERIFY(result.out.contains(QStringLiteral("error: No session 999")));
    result = console({}, "whitelist\nfingerprint\nquit\nsessions\n");
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.contains(QStringLiteral("gina")));
    QVERIFY(result.out.contains(m_server->publicKey));
    QVERIFY(result.out.contains(QStringLiteral("Console closed")));
    QVERIFY(!result.out.contains(QStringLiteral("No sessions")) && !result.out.contains(QStringLiteral("chat  port")));
    QTest::qWait(200);
    QCOMPARE(m_server->process()->state(), QProcess::Running);

    // With the server stopped, the command says so instead of hanging.
    m_server->stop();
    result = console({ QStringLiteral("sessions") });
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("no running server answers")), qPrintable(result.err));
}

void TestServer::allowNeverTakesANameFromTheComment()
{
    // Issue 11, 5: a key line's comment (alice@laptop) once named the key "alice".
    const QString dataDir = m_server->dataDir();
    const Client mallory = makeClient(QStringLiteral("mallory"), QStringLiteral("127.0.0.2"));
    const QString key = mallory.keyLine.section(QLatin1Char(' '), 0, 0);
    const QString line = key + QStringLiteral(" alice@laptop");
    QProcess process;
    process.start(binary("quietwired"), { QStringLiteral("allow"), QStringLiteral("--data-dir"), dataDir, line });
    QVERIFY(process.waitForFinished(30000));
    const QString offlineError = QString::fromUtf8(process.readAllStandardError());
    QCOMPARE(process.exitCode(), 1);
    QVERIFY2(offlineError.contains(QStringLiteral("quietwired allow '%1' NAME").arg(line)), qPrintable(offlineError));
    QVERIFY(!readFile(dataDir + QStringLiteral("/authorized_keys")).contains(key.toLatin1()));

    QVERIFY(m_server->start());
    const QString refused = m_server->command(QStringLiteral("allow ") + line, QStringLiteral("error"));
    QVERIFY2(refused.contains(QStringLiteral("allow %1 NAME").arg(line)), qPrintable(refused));
    QVERIFY2(!refused.contains(QStringLiteral("allowed")), qPrintable(refused));
    QVERIFY(!readFile(dataDir + QStringLiteral("/authorized_keys")).contains(key.toLatin1()));
    // Still not allowed: the handshake is refused.
    const CliResult chat = runCli(mallory.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new"),
        QStringLiteral("--send"), QStringLiteral("hi") }));
    QCOMPARE(chat.exitCode, 1);
    QVERIFY2(chat.err.contains(QStringLiteral("not on the server's whitelist")), qPrintable(chat.err));

    // The name is the last word, the administrator's; the comment stays out of the whitelist.
    QVERIFY(!m_server->command(QStringLiteral("allow %1 mallory").arg(line), QStringLiteral(" as mallory")).isEmpty());
    QVERIFY(readFile(dataDir + QStringLiteral("/authorized_keys")).contains(key.toLatin1() + " mallory\n"));
    QVERIFY(
        m_server->command(QStringLiteral("help"), QStringLiteral("quit")).contains(QStringLiteral("--same-person")));
}

void TestServer::aNameWithKeysNeedsSamePerson()
{
    QVERIFY(m_server->start());
    const QString dataDir = m_server->dataDir();
    const Client alice = makeClient(QStringLiteral("alice"), QStringLiteral("127.0.0.2"));
    const Client laptop = makeClient(QStringLiteral("laptop"), QStringLiteral("127.0.0.3"));
    const Client mallory = makeClient(QStringLiteral("mallory"), QStringLiteral("127.0.0.4"));
    QVERIFY(
        !m_server->command(QStringLiteral("allow %1 alice").arg(alice.keyLine), QStringLiteral("allowed")).isEmpty());

    // A key line whose comment reads like the name of someone on the whitelist.
    const QString malloryKey = mallory.keyLine.section(QLatin1Char(' '), 0, 0);
    QString reply = m_server->command(QStringLiteral("allow %1 alice").arg(malloryKey), QStringLiteral("error"));
    QVERIFY2(reply.contains(QStringLiteral("already belongs to key %1").arg(Identity::fingerprint(alice.key)))
            && reply.contains(QStringLiteral("--same-person")),
        qPrintable(reply));
    QProcess process;
    process.start(binary("quietwired"),
        { QStringLiteral("allow"), QStringLiteral("--data-dir"), dataDir, malloryKey, QStringLiteral("alice") });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(QString::fromUtf8(process.readAllStandardError()).contains(QStringLiteral("--same-person")));
    QVERIFY(!readFile(dataDir + QStringLiteral("/authorized_keys")).contains(mallory.key.toBase64()));
    const CliResult refused = runCli(mallory.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new"),
        QStringLiteral("--send"), QStringLiteral("I am alice") }));
    QCOMPARE(refused.exitCode, 1);

    // Another device of alice, confirmed: offline and on the console.
    process.start(binary("quietwired"),
        { QStringLiteral("allow"), QStringLiteral("--data-dir"), dataDir, laptop.keyLine, QStringLiteral("alice"),
            QStringLiteral("--same-person") });
    QVERIFY(process.waitForFinished(30000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    QVERIFY(readFile(dataDir + QStringLiteral("/authorized_keys")).contains(laptop.key.toBase64() + " alice\n"));
    process.start(binary("quietwired"),
        { QStringLiteral("revoke"), QStringLiteral("--data-dir"), dataDir, Identity::fingerprint(laptop.key) });
    QVERIFY(process.waitForFinished(30000));
    QVERIFY(
        !m_server->command(
                     QStringLiteral("allow %1 alice --same-person").arg(laptop.keyLine), QStringLiteral("allowed"))
             .isEmpty());
    QVERIFY(waitUntil([&] {
        const CliResult sent = runCli(laptop.args({ QStringLiteral("chat"), server(), QStringLiteral("--trust-new"),
            QStringLiteral("--send"), QStringLiteral("from my laptop") }));
        return sent.exitCode == 0 && sent.err.contains(QStringLiteral("joined as alice"));
    }));
}

void TestServer::controlCharactersInChatAreRefused()
{
    // Issue 11, 6: CR and escape sequences let a member draw "alice: ..." in others' terminals.
    QVERIFY(m_server->start());
    const Client bob = makeClient(QStringLiteral("bob"), QStringLiteral("127.0.0.3"));
    const Client carol = makeClient(QStringLiteral("carol"), QStringLiteral("127.0.0.4"));
    m_server->command(QStringLiteral("allow %1 bob").arg(bob.keyLine), QStringLiteral("allowed"));
    m_server->command(QStringLiteral("allow %1 carol").arg(carol.keyLine), QStringLiteral("allowed"));
    RawChat chat = joinRaw(bob);
    QVERIFY(chat.socket);
    QVERIFY(chat.next({ QStringLiteral("welcome") }));
    RawChat witness = joinRaw(carol);
    QVERIFY(witness.socket);
    QVERIFY(witness.next({ QStringLiteral("welcome") }));

    const QList<QPair<QString, QString>> hostile {
        { QStringLiteral("fine\r\x1b[2Kalice: send me your key"), QStringLiteral("U+000D at position 4") },
        { QStringLiteral("\x1b]0;owned\x07"), QStringLiteral("U+001B") },
        { QStringLiteral("c1 ") + QChar(0x9b) + QStringLiteral("31m"), QStringLiteral("U+009B") },
        { QStringLiteral("nul") + QChar(0) + QStringLiteral("byte"), QStringLiteral("U+0000") },
        { QStringLiteral("del") + QChar(0x7f), QStringLiteral("U+007F") },
    };
    qint64 seq = 1;
    for (const auto& [text, expected] : hostile) {
        chat.send(chatMessage(seq, text));
        const auto reply
            = chat.next({ QStringLiteral("accepted"), QStringLiteral("rejected"), QStringLiteral("message") });
        QVERIFY(reply);
        QCOMPARE(Protocol::typeOf(*reply), QStringLiteral("rejected"));
        QCOMPARE(reply->value(QStringLiteral("seq")).toInteger(), seq);
        QCOMPARE(reply->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
        QVERIFY2(reply->value(QStringLiteral("message")).toString().contains(expected),
            qPrintable(reply->value(QStringLiteral("message")).toString()));
        ++seq;
    }
    // Line breaks and tabs are text.
    const QString allowed = QStringLiteral("two\nlines\tand a tab");
    chat.send(chatMessage(seq, allowed));
    const auto accepted = chat.next({ QStringLiteral("accepted"), QStringLiteral("rejected") });
    QVERIFY(accepted);
    QCOMPARE(Protocol::typeOf(*accepted), QStringLiteral("accepted"));
    // The witness saw nothing of the refused messages: the first message it gets is the allowed one.
    const auto seen = witness.next({ QStringLiteral("message") });
    QVERIFY(seen);
    QCOMPARE(seen->value(QStringLiteral("text")).toString(), allowed);

    // The administrator's `say` follows the same rules.
    const QString say = m_server->command(QStringLiteral("say hi \x1b[31mthere"), QStringLiteral("error"));
    QVERIFY2(say.contains(QStringLiteral("U+001B")), qPrintable(say));
    QVERIFY(!m_server->command(QStringLiteral("say plain\tnotice"), QStringLiteral("said")).isEmpty());
    const auto notice = witness.next({ QStringLiteral("notice"), QStringLiteral("message") });
    QVERIFY(notice);
    QCOMPARE(notice->value(QStringLiteral("text")).toString(), QStringLiteral("plain\tnotice"));
}

void TestServer::cliMarksContinuationLinesAndEscapes()
{
    // Issue 11, 6, the client side: what the server lets through (line breaks, Unicode direction
    // controls) must not let bob's message pass for a line of alice's.
    QVERIFY(m_server->start());
    const Client bob = makeClient(QStringLiteral("bob"), QStringLiteral("127.0.0.3"));
    const Client carol = makeClient(QStringLiteral("carol"), QStringLiteral("127.0.0.4"));
    m_server->command(QStringLiteral("allow %1 bob").arg(bob.keyLine), QStringLiteral("allowed"));
    m_server->command(QStringLiteral("allow %1 carol").arg(carol.keyLine), QStringLiteral("allowed"));

    auto listener = startListener(carol, 2);
    const QString forged = QStringLiteral("see you\nalice: my password is hunter2");
    const QString reversed
        = QStringLiteral("abc") + QChar(0x202e) + QStringLiteral("fed") + QChar(0x2028) + QStringLiteral("alice: hi");
    for (const QString& text : { forged, reversed }) {
        const CliResult sent = runCli(bob.args(
            { QStringLiteral("chat"), server(), QStringLiteral("--trust-new"), QStringLiteral("--send"), text }));
        QVERIFY2(sent.exitCode == 0, qPrintable(sent.err));
    }
    QVERIFY(waitFinished(*listener));
    QCOMPARE(QString::fromUtf8(listener->readAllStandardOutput()),
        QStringLiteral("bob: see you\n  | alice: my password is hunter2\n"
                       "bob: abc\\u{202E}fed\\u{2028}alice: hi\n"));

    // The replayed history of an interactive chat too.
    QProcess chat;
    chat.start(binary("quietwire-cli"), carol.args({ QStringLiteral("chat"), server() }));
    QByteArray out;
    QVERIFY(waitUntil([&] {
        out += chat.readAllStandardOutput();
        return out.contains("\\u{2028}alice: hi\n");
    }));
    const QStringList lines = QString::fromUtf8(out).split(QLatin1Char('\n'));
    qsizetype first = 0;
    while (first < lines.size() && !lines.at(first).endsWith(QStringLiteral("] bob: see you"))) {
        ++first;
    }
    QVERIFY2(first + 2 < lines.size() && lines.at(first + 1) == QStringLiteral("  | alice: my password is hunter2")
            && lines.at(first + 2).endsWith(QStringLiteral("] bob: abc\\u{202E}fed\\u{2028}alice: hi")),
        out.constData());
    chat.write("/quit\n");
    QVERIFY(waitFinished(chat));
}

void TestServer::malformedFieldsAreBadRequests_data()
{
    QTest::addColumn<QCborMap>("message");
    QTest::addColumn<QString>("field");
    const auto direct = [](const QCborValue& to) {
        QCborMap message = chatMessage(7, QStringLiteral("for bob only"));
        message.insert(QStringLiteral("to"), to);
        return message;
    };
    // Issue 11, 7: each of these went to the whole room and into its history.
    QTest::newRow("to is a number") << direct(5) << QStringLiteral("to");
    QTest::newRow("to is empty") << direct(QString()) << QStringLiteral("to");
    QTest::newRow("to is an array") << direct(QCborArray { QStringLiteral("bob") }) << QStringLiteral("to");
    QTest::newRow("to is bytes") << direct(QByteArray("bob")) << QStringLiteral("to");
    QTest::newRow("text is a number") << chatMessage(7, 42) << QStringLiteral("text");
    QTest::newRow("text is missing") << chatMessage(7, QCborValue()) << QStringLiteral("text");
}

void TestServer::malformedFieldsAreBadRequests()
{
    QFETCH(QCborMap, message);
    QFETCH(QString, field);
    QVERIFY(m_server->start());
    const Client alice = makeClient(QStringLiteral("alice"), QStringLiteral("127.0.0.2"));
    const Client bob = makeClient(QStringLiteral("bob"), QStringLiteral("127.0.0.3"));
    m_server->command(QStringLiteral("allow %1 alice").arg(alice.keyLine), QStringLiteral("allowed"));
    m_server->command(QStringLiteral("allow %1 bob").arg(bob.keyLine), QStringLiteral("allowed"));
    RawChat sender = joinRaw(alice);
    QVERIFY(sender.socket);
    QVERIFY(sender.next({ QStringLiteral("welcome") }));
    RawChat witness = joinRaw(bob);
    QVERIFY(witness.socket);
    QVERIFY(witness.next({ QStringLiteral("welcome") }));

    sender.send(message);
    const auto reply
        = sender.next({ QStringLiteral("accepted"), QStringLiteral("rejected"), QStringLiteral("message") });
    QVERIFY(reply);
    QCOMPARE(Protocol::typeOf(*reply), QStringLiteral("rejected"));
    QCOMPARE(reply->value(QStringLiteral("seq")).toInteger(), 7);
    QCOMPARE(reply->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
    QVERIFY2(reply->value(QStringLiteral("message")).toString().contains(QStringLiteral("\"%1\"").arg(field)),
        qPrintable(reply->value(QStringLiteral("message")).toString()));

    // Nothing reached the room, nor its history: the next message bob and a newcomer see is this.
    sender.send(chatMessage(8, QStringLiteral("to everyone")));
    const auto seen = witness.next({ QStringLiteral("message") });
    QVERIFY(seen);
    QCOMPARE(seen->value(QStringLiteral("text")).toString(), QStringLiteral("to everyone"));
    const Client carol = makeClient(QStringLiteral("carol"), QStringLiteral("127.0.0.4"));
    m_server->command(QStringLiteral("allow %1 carol").arg(carol.keyLine), QStringLiteral("allowed"));
    RawChat late = joinRaw(carol);
    QVERIFY(late.socket);
    QStringList history;
    for (auto replayed = late.next({ QStringLiteral("message"), QStringLiteral("history_end") });
         replayed && Protocol::typeOf(*replayed) == QLatin1String("message");
         replayed = late.next({ QStringLiteral("message"), QStringLiteral("history_end") })) {
        history.append(replayed->value(QStringLiteral("text")).toString());
    }
    QCOMPARE(history, QStringList { QStringLiteral("to everyone") });
}

void TestServer::messageWithoutUsableSeqEndsTheSession_data()
{
    QTest::addColumn<QCborValue>("seq");
    QTest::newRow("missing") << QCborValue();
    QTest::newRow("negative") << QCborValue(-1);
    QTest::newRow("text") << QCborValue(QStringLiteral("1"));
    QTest::newRow("floating point") << QCborValue(1.5);
}

void TestServer::messageWithoutUsableSeqEndsTheSession()
{
    // Issue 11, 7: these were echoed back as if valid; "rejected" needs a seq to answer to.
    QFETCH(QCborValue, seq);
    QVERIFY(m_server->start());
    const Client alice = makeClient(QStringLiteral("alice"), QStringLiteral("127.0.0.2"));
    m_server->command(QStringLiteral("allow %1 alice").arg(alice.keyLine), QStringLiteral("allowed"));
    RawChat chat = joinRaw(alice);
    QVERIFY(chat.socket);
    QVERIFY(chat.next({ QStringLiteral("welcome") }));
    chat.send(chatMessage(seq, QStringLiteral("hello")));
    const auto reply = chat.next({ QStringLiteral("accepted"), QStringLiteral("rejected"), QStringLiteral("error") });
    QVERIFY(reply);
    QCOMPARE(Protocol::typeOf(*reply), QStringLiteral("error"));
    QCOMPARE(reply->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
    QVERIFY2(reply->value(QStringLiteral("message")).toString().contains(QStringLiteral("\"seq\"")),
        qPrintable(reply->value(QStringLiteral("message")).toString()));
    QVERIFY(RawClient::waitClosed(*chat.socket));
}

void TestServer::helloServiceMustBeText()
{
    QVERIFY(m_server->start());
    const Client alice = makeClient(QStringLiteral("alice"), QStringLiteral("127.0.0.2"));
    m_server->command(QStringLiteral("allow %1 alice").arg(alice.keyLine), QStringLiteral("allowed"));
    const auto identity = Identity::load(alice.configDir);
    QVERIFY(identity);
    for (const QCborValue& service : { QCborValue(5), QCborValue(QByteArray("chat")), QCborValue() }) {
        RawClient raw(identity->keyPair());
        const QHostAddress server(QStringLiteral("127.0.0.1"));
        QVERIFY(raw.handshake(QHostAddress(alice.bind), server, m_server->port));
        const auto session = raw.readMainMessage();
        QVERIFY(session);
        auto socket = raw.redeem(QHostAddress(alice.bind), server,
            static_cast<quint16>(session->value(QStringLiteral("port")).toInteger()),
            session->value(QStringLiteral("ticket")).toByteArray());
        QVERIFY(socket);
        QCborMap hello { { QStringLiteral("type"), QStringLiteral("hello") } };
        if (!service.isUndefined()) {
            hello.insert(QStringLiteral("service"), service);
        }
        socket->write(raw.encryptFrame(hello));
        const auto reply = raw.readMessage(*socket);
        QVERIFY(reply);
        QCOMPARE(reply->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
        QVERIFY2(reply->value(QStringLiteral("message")).toString().contains(QStringLiteral("\"service\"")),
            qPrintable(reply->value(QStringLiteral("message")).toString()));
        QVERIFY(RawClient::waitClosed(*socket));
    }
}

void TestServer::chatOrderAsDocumented()
{
    // docs/PROTOCOL.md, sections 4 and 7, on the real server.
    QVERIFY(m_server->start());
    const Client alice = makeClient(QStringLiteral("alice"), QStringLiteral("127.0.0.2"));
    const Client bob = makeClient(QStringLiteral("bob"), QStringLiteral("127.0.0.3"));
    const Client carol = makeClient(QStringLiteral("carol"), QStringLiteral("127.0.0.4"));
    for (const auto* client : { &alice, &bob, &carol }) {
        m_server->command(QStringLiteral("allow %1 %2").arg(client->keyLine, QFileInfo(client->configDir).fileName()),
            QStringLiteral("allowed"));
    }
    // An empty room: history_end follows the welcome at once.
    RawChat a = joinRaw(alice);
    QVERIFY(a.socket);
    auto first = a.read();
    QVERIFY(first);
    QCOMPARE(Protocol::typeOf(*first), QStringLiteral("welcome"));
    first = a.read();
    QVERIFY(first);
    QCOMPARE(Protocol::typeOf(*first), QStringLiteral("history_end"));
    RawChat b = joinRaw(bob);
    QVERIFY(b.socket);
    QVERIFY(b.next({ QStringLiteral("history_end") }));

    // accepted before the echo of one's own message, with the same id.
    a.send(chatMessage(1, QStringLiteral("to the room")));
    const auto accepted = a.next({ QStringLiteral("accepted"), QStringLiteral("message") });
    QVERIFY(accepted);
    QCOMPARE(Protocol::typeOf(*accepted), QStringLiteral("accepted"));
    QCOMPARE(accepted->value(QStringLiteral("seq")).toInteger(), 1);
    const auto echo = a.next({ QStringLiteral("message") });
    QVERIFY(echo);
    QCOMPARE(echo->value(QStringLiteral("id")).toInteger(), accepted->value(QStringLiteral("id")).toInteger());
    QVERIFY(!echo->contains(QStringLiteral("to")));

    // A direct message: accepted, then the echo, which carries "to", as bob's copy does.
    QCborMap direct = chatMessage(2, QStringLiteral("just for bob"));
    direct.insert(QStringLiteral("to"), QStringLiteral("bob"));
    direct.insert(QStringLiteral("x-future-field"), 1); // unknown keys are ignored
    a.send(direct);
    const auto directAccepted = a.next({ QStringLiteral("accepted"), QStringLiteral("message") });
    QVERIFY(directAccepted);
    QCOMPARE(Protocol::typeOf(*directAccepted), QStringLiteral("accepted"));
    const auto directEcho = a.next({ QStringLiteral("message") });
    QVERIFY(directEcho);
    QCOMPARE(directEcho->value(QStringLiteral("to")).toString(), QStringLiteral("bob"));
    QCOMPARE(directEcho->value(QStringLiteral("from")).toString(), QStringLiteral("alice"));
    QVERIFY(b.next({ QStringLiteral("message") })); // "to the room"
    const auto atBob = b.next({ QStringLiteral("message") });
    QVERIFY(atBob);
    QCOMPARE(atBob->value(QStringLiteral("to")).toString(), QStringLiteral("bob"));

    // A newcomer, who sends a keepalive before its hello: welcome, the room's history (not the
    // direct message), history_end, then live messages only.
    RawChat c = joinRaw(carol, true);
    QVERIFY(c.socket);
    const auto welcome = c.read();
    QVERIFY(welcome);
    QCOMPARE(Protocol::typeOf(*welcome), QStringLiteral("welcome"));
    const auto history = c.read();
    QVERIFY(history);
    QCOMPARE(history->value(QStringLiteral("text")).toString(), QStringLiteral("to the room"));
    QVERIFY(history->value(QStringLiteral("history")).toBool());
    const auto end = c.read();
    QVERIFY(end);
    QCOMPARE(Protocol::typeOf(*end), QStringLiteral("history_end"));
    b.send(chatMessage(1, QStringLiteral("live")));
    const auto live = c.next({ QStringLiteral("message") });
    QVERIFY(live);
    QCOMPARE(live->value(QStringLiteral("text")).toString(), QStringLiteral("live"));
    QVERIFY(!live->contains(QStringLiteral("history")));

    // Trailing bytes after the CBOR item: bad_request, and the session ends.
    b.sendPlaintext(Protocol::encode(chatMessage(2, QStringLiteral("and more"))) + QByteArray("\x00", 1));
    const auto refused = b.next({ QStringLiteral("error") });
    QVERIFY(refused);
    QCOMPARE(refused->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
    QVERIFY2(refused->value(QStringLiteral("message")).toString().contains(QStringLiteral("after the CBOR item")),
        qPrintable(refused->value(QStringLiteral("message")).toString()));
    QVERIFY(RawClient::waitClosed(*b.socket));

    // A clean end: the client closes its connection after its last message, which still counts.
    c.send(chatMessage(1, QStringLiteral("last words")));
    c.socket->disconnectFromHost();
    auto last = a.next({ QStringLiteral("message") });
    QVERIFY(last);
    QCOMPARE(last->value(QStringLiteral("text")).toString(), QStringLiteral("live"));
    last = a.next({ QStringLiteral("message") });
    QVERIFY(last);
    QCOMPARE(last->value(QStringLiteral("text")).toString(), QStringLiteral("last words"));
    const auto left = a.next({ QStringLiteral("leave") });
    QVERIFY(left);
    QCOMPARE(left->value(QStringLiteral("name")).toString(), QStringLiteral("carol"));
}

void TestServer::serverShutdownIsReported()
{
    // Clients said "The server closed the connection" when the server stopped on SIGTERM: the
    // "shutdown" error died with the process before it was written.
    QVERIFY(m_server->start());
    const Client alice = makeClient(QStringLiteral("alice"), QStringLiteral("127.0.0.2"));
    const Client bob = makeClient(QStringLiteral("bob"), QStringLiteral("127.0.0.3"));
    m_server->command(QStringLiteral("allow %1 alice").arg(alice.keyLine), QStringLiteral("allowed"));
    m_server->command(QStringLiteral("allow %1 bob").arg(bob.keyLine), QStringLiteral("allowed"));
    auto listener = startListener(alice, 5);
    RawChat raw = joinRaw(bob);
    QVERIFY(raw.socket);
    QVERIFY(raw.next({ QStringLiteral("welcome") }));
    QVERIFY(m_server->waitForLog(QStringLiteral("bob joined the chat")));
    m_server->process()->terminate();
    QVERIFY(m_server->process()->waitForFinished(10000));
    QCOMPARE(m_server->process()->exitCode(), 0);

    const auto error = raw.next({ QStringLiteral("error") });
    QVERIFY(error);
    QCOMPARE(error->value(QStringLiteral("code")).toString(), QStringLiteral("shutdown"));
    QVERIFY(waitFinished(*listener));
    QCOMPARE(listener->exitCode(), 1);
    const QString err = QString::fromUtf8(listener->readAllStandardError());
    QVERIFY2(err.contains(QStringLiteral("The server %1 shut down").arg(server())), qPrintable(err));
    QVERIFY2(!err.contains(QStringLiteral("closed the connection")), qPrintable(err));
}

void TestServer::rootDropsToTheOwnersOwnGroups()
{
    // Issue 11, 11: on a data dir owned by nobody:root the server ran as uid 65534, gid 0.
    if (::geteuid() != 0) {
        QSKIP("needs root: checks the groups quietwired takes when it acts as the data dir's owner");
    }
    const passwd* nobody = ::getpwuid(65534);
    QVERIFY(nobody);
    const gid_t ownGroup = nobody->pw_gid;
    QVERIFY(ownGroup != 0);
    const QString dataDir = m_server->dataDir();
    QVERIFY(QDir().mkpath(dataDir));
    QCOMPARE(::chown(QFile::encodeName(m_dir->path()).constData(), 65534, 0), 0);
    QCOMPARE(::chown(QFile::encodeName(dataDir).constData(), 65534, 0), 0);
    QVERIFY(m_server->start());
    const QByteArray status = readFile(QStringLiteral("/proc/%1/status").arg(m_server->process()->processId()));
    QByteArray uids;
    QByteArray gids;
    QByteArray groups;
    for (const QByteArray& line : status.split('\n')) {
        if (line.startsWith("Uid:")) {
            uids = line.mid(4).simplified();
        } else if (line.startsWith("Gid:")) {
            gids = line.mid(4).simplified();
        } else if (line.startsWith("Groups:")) {
            groups = line.mid(7).simplified();
        }
    }
    QCOMPARE(uids, QByteArray("65534 65534 65534 65534"));
    const QByteArray own = QByteArray::number(ownGroup);
    QCOMPARE(gids, own + ' ' + own + ' ' + own + ' ' + own);
    QVERIFY2(!groups.split(' ').contains("0"), groups.constData());
    QVERIFY(QFileInfo(dataDir + QStringLiteral("/identity.key")).groupId() == ownGroup);
    m_server->stop();

    // An owner the user database does not know: refused, with the reason.
    uid_t unknown = 4242420;
    while (::getpwuid(unknown)) {
        ++unknown;
    }
    QCOMPARE(::chown(QFile::encodeName(dataDir).constData(), unknown, 0), 0);
    QProcess process;
    process.start(binary("quietwired"), { QStringLiteral("fingerprint"), QStringLiteral("--data-dir"), dataDir });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 1);
    const QString error = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(error.contains(QStringLiteral("user id %1, which has no entry in the user database").arg(unknown)),
        qPrintable(error));
}

namespace {

/// "Max open files" of a running process: {soft, hard}, -1 for unlimited.
std::pair<qint64, qint64> openFilesLimit(qint64 pid)
{
    const QString limits = QString::fromLatin1(readFile(QStringLiteral("/proc/%1/limits").arg(pid)));
    const auto match = QRegularExpression(QStringLiteral("Max open files +(\\S+) +(\\S+)")).match(limits);
    const auto value = [](const QString& text) { return text == QLatin1String("unlimited") ? -1 : text.toLongLong(); };
    return { value(match.captured(1)), value(match.captured(2)) };
}

} // namespace

void TestServer::openFilesLimitIsRaisedOrSaid()
{
    const QRegularExpression sessionsLine(
        QStringLiteral("Sessions: +at most (\\d+) at once \\(open-files limit (\\d+)\\)"));

    // Where allowed, the soft limit is raised to the hard one, and the banner says what fits.
    QVERIFY(m_server->start());
    const auto [soft, hard] = openFilesLimit(m_server->process()->processId());
    QCOMPARE(soft, hard);
    const auto raised = sessionsLine.match(m_server->output());
    if (hard >= 0) {
        QVERIFY2(raised.hasMatch(), qPrintable(m_server->output()));
        QCOMPARE(raised.captured(2).toLongLong(), hard);
    }
    m_server->stop();

    // Under a hard limit of 256 with --max-sessions-per-key 1000: the banner says how many sessions fit
    // (256 less the descriptors in use, 64 handshakes and the 8 ticket ports), and a warning that the
    // whitelist's key may open more.
    const QString prlimit = QStandardPaths::findExecutable(QStringLiteral("prlimit"));
    if (prlimit.isEmpty()) {
        QSKIP("prlimit (util-linux) is not installed");
    }
    m_server->setWrapper({ prlimit, QStringLiteral("--nofile=256:256"), QStringLiteral("--") });
    const Client alice = makeClient(QStringLiteral("alice"), QStringLiteral("127.0.0.2"));
    QVERIFY(m_server->start({ alice.keyLine.section(QLatin1Char(' '), 0, 0) + QStringLiteral(" alice") },
        { QStringLiteral("--max-sessions-per-key"), QStringLiteral("1000") }, 8));
    const auto low = sessionsLine.match(m_server->output());
    QVERIFY2(low.hasMatch(), qPrintable(m_server->output()));
    QCOMPARE(low.captured(2).toInt(), 256);
    const int capacity = low.captured(1).toInt();
    QVERIFY2(capacity > 0 && capacity <= 256 - 64 - 8, qPrintable(low.captured(0)));
    QVERIFY(m_server->waitForLog(QStringLiteral("this server can hold %1 sessions at once").arg(capacity)));
}

QTEST_GUILESS_MAIN(TestServer)
#include "TestServer.moc"
