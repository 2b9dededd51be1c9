// `quietwire-cli chat` (interactive) reconnecting by itself (docs/CLIENT.md, Reconnection): the
// server restarted under it, it says "reconnecting in N s", keeps a line typed meanwhile and
// sends it once after the rejoin; a key revoked while it waited ends it with the reason.

#include "ChatTestSupport.h"

#include <QTemporaryDir>
#include <QTest>

using namespace QuietWire;
using ChatTest::Client;

class TestChatReconnect : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void restartedServerIsRejoinedAndTypedLineSentOnce_data();
    void restartedServerIsRejoinedAndTypedLineSentOnce();
    void revokedKeyEndsTheRetries();

private:
    QString server() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    bool restartServer() { return m_server->start({ QStringLiteral("--port"), QString::number(m_port) }); }
    /// Starts `chat` for client (extra options appended) and waits for its first join.
    bool startChat(QProcess& chat, const QStringList& extra);
    /// Reads chat's stderr into m_err until it holds text count times (or the process ended).
    bool waitForErr(QProcess& chat, const QString& text, int count = 1);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    quint16 m_port = 0;
    Client m_alice;
    QString m_err;
};

void TestChatReconnect::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
    QVERIFY(m_server->start());
    m_port = m_server->port;
    m_alice = ChatTest::makeClient(m_dir->filePath(QStringLiteral("alice")), QStringLiteral("127.0.0.2"));
    QVERIFY(!m_alice.keyLine.isEmpty());
    QVERIFY(!m_server
                 ->command(QStringLiteral("allow %1 alice").arg(m_alice.keyLine.section(QLatin1Char(' '), 0, 0)),
                     QStringLiteral("allowed"))
                 .isEmpty());
    m_err.clear();
}

void TestChatReconnect::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

bool TestChatReconnect::waitForErr(QProcess& chat, const QString& text, int count)
{
    waitUntil(
        [&] {
            m_err += QString::fromUtf8(chat.readAllStandardError());
            return m_err.count(text) >= count || chat.state() == QProcess::NotRunning;
        },
        60000);
    m_err += QString::fromUtf8(chat.readAllStandardError());
    if (m_err.count(text) < count) {
        qWarning("no '%s' (x%d) on stderr; got: %s", qPrintable(text), count, qPrintable(m_err));
        return false;
    }
    return true;
}

bool TestChatReconnect::startChat(QProcess& chat, const QStringList& extra)
{
    chat.start(binary("quietwire-cli"),
        m_alice.args(QStringList { QStringLiteral("chat"), server(), QStringLiteral("--trust-new") } + extra));
    return chat.waitForStarted(10000) && waitForErr(chat, QStringLiteral("joined as alice"));
}

void TestChatReconnect::restartedServerIsRejoinedAndTypedLineSentOnce_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::newRow("version 1") << QStringList();
    QTest::newRow("version 2, --room general") << QStringList { QStringLiteral("--room"), QStringLiteral("general") };
}

void TestChatReconnect::restartedServerIsRejoinedAndTypedLineSentOnce()
{
    QFETCH(QStringList, options);
    QProcess chat;
    QVERIFY(startChat(chat, options));
    const QString before = QStringLiteral("said before the restart");
    chat.write(before.toUtf8() + '\n');
    QString out;
    QVERIFY(waitUntil([&] {
        out += QString::fromUtf8(chat.readAllStandardOutput());
        return out.contains(before);
    }));

    m_server->stop();
    QVERIFY(waitForErr(chat, QStringLiteral("; reconnecting in ")));
    QVERIFY2(m_err.contains(QLatin1String("shut down")), qPrintable(m_err));
    const QString text = QStringLiteral("typed while the server was away");
    chat.write(text.toUtf8() + '\n');
    QVERIFY(waitForErr(chat, QStringLiteral("-- kept; it is sent once reconnected")));

    QVERIFY(restartServer());
    QVERIFY(waitForErr(chat, QStringLiteral("joined as alice"), 2));
    QVERIFY(waitForErr(chat, QStringLiteral("-- sending 1 message(s) typed while disconnected")));
    QVERIFY(chat.state() == QProcess::Running);

    // Stored once: its own echo arrives, and the history holds it once.
    QVERIFY(waitUntil(
        [&] {
            out += QString::fromUtf8(chat.readAllStandardOutput());
            return out.contains(text);
        },
        60000));
    const CliResult history = runCli(m_alice.args({ QStringLiteral("history"), server(), QStringLiteral("--all") }));
    QVERIFY2(history.exitCode == 0, qPrintable(history.err));
    QCOMPARE(history.out.count(text), 1);

    chat.closeWriteChannel();
    QVERIFY(waitFinished(chat, 30000));
    QCOMPARE(chat.exitCode(), 0);
    // What was shown before the drop is not shown again when the rejoin replays the history.
    out += QString::fromUtf8(chat.readAllStandardOutput());
    QVERIFY2(out.count(before) == 1, qPrintable(out));
    QVERIFY2(out.count(text) == 1, qPrintable(out));
}

void TestChatReconnect::revokedKeyEndsTheRetries()
{
    QProcess chat;
    QVERIFY(startChat(chat, {}));
    m_server->stop();
    QVERIFY(waitForErr(chat, QStringLiteral("; reconnecting in ")));
    const CliResult revoked = runProgram("quietwired",
        { QStringLiteral("revoke"), QStringLiteral("--data-dir"), m_server->dataDir(),
            Identity::fingerprint(m_alice.key) });
    QVERIFY2(revoked.exitCode == 0, qPrintable(revoked.err));
    QVERIFY(restartServer());
    QVERIFY(waitFinished(chat, 120000));
    m_err += QString::fromUtf8(chat.readAllStandardError());
    QCOMPARE(chat.exitCode(), 1);
    QVERIFY2(m_err.contains(QLatin1String("refused your key")), qPrintable(m_err));
}

QTEST_GUILESS_MAIN(TestChatReconnect)
#include "TestChatReconnect.moc"
