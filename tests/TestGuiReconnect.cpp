// The desktop client reconnecting by itself (docs/CLIENT.md, Reconnection), against the real
// quietwired: the server restarted under a connected client, which says "Reconnecting in N s"
// (no box), comes back on its own and sends a message typed meanwhile exactly once; a key
// revoked while it waited, or live, stops the retries and says why; Retry now tries at once.

#include "FileTestSupport.h"
#include "GuiTestHelpers.h"
#include "Outbox.h"
#include "TransferList.h"
#include "TransferModel.h"

#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>

using namespace QuietWire;
using namespace QuietWire::Gui;
using namespace GuiTest;

namespace {
using State = ServerConnection::State;

/// A click on the status bar's Retry now link, where a user would click it.
bool clickRetryLink(MainWindow* window)
{
    auto* link = child<QLabel>(window, QStringLiteral("retryNowLink"));
    if (!link || !link->isVisible()) {
        qWarning("no visible Retry now link");
        return false;
    }
    // The label holds the link only: its middle is on the link text.
    const QPoint middle(link->width() / 2, link->height() / 2);
    QTest::mousePress(link, Qt::LeftButton, {}, middle);
    QTest::mouseRelease(link, Qt::LeftButton, {}, middle);
    return true;
}
} // namespace

class TestGuiReconnect : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void serverRestartReconnectsAndSendsOnce_data();
    void serverRestartReconnectsAndSendsOnce();
    void retryNowTriesAtOnce();
    void interruptedUploadResumesAfterReconnect();
    void keyRevokedWhileAwayStopsRetrying();
    void keyRevokedLiveStopsRetrying();
    void disconnectStopsRetrying();

private:
    /// alice's window, connected (chat protocol version when given).
    std::unique_ptr<Client> connectedAlice(qint64 version = 0);
    /// Stops the server and waits until alice's window counts down to the next attempt.
    bool dropUnder(Client& client);
    /// The server again on the same handshake port, same data (its key, whitelist and store).
    bool restartServer();
    /// How often text is stored in the general room, as `quietwire-cli history` of the client prints it.
    int storedCount(const Client& client, const QString& text);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    quint16 m_port = 0;
};

void TestGuiReconnect::initTestCase()
{
    quietOffscreenWarnings();
}

void TestGuiReconnect::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
    QVERIFY(m_server->start());
    m_port = m_server->port;
}

void TestGuiReconnect::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

std::unique_ptr<Client> TestGuiReconnect::connectedAlice(qint64 version)
{
    auto alice = makeClient(m_dir->path(), QStringLiteral("alice"), m_server.get(), true);
    if (!alice) {
        return nullptr;
    }
    if (version > 0) {
        alice->connection()->chat()->setProtocolVersion(version);
    }
    if (!connectTrusting(*alice, m_port)) {
        qWarning("alice did not connect: %s",
            qPrintable(labelText(alice->window.get(), QStringLiteral("connectionStateLabel"))));
        return nullptr;
    }
    return alice;
}

bool TestGuiReconnect::dropUnder(Client& client)
{
    m_server->stop();
    return QTest::qWaitFor([&] { return client.connection()->state() == State::Reconnecting; }, Timeout);
}

bool TestGuiReconnect::restartServer()
{
    return m_server->start({ QStringLiteral("--port"), QString::number(m_port) }) && m_server->port == m_port;
}

int TestGuiReconnect::storedCount(const Client& client, const QString& text)
{
    const CliResult history = runCli({ QStringLiteral("history"), QStringLiteral("127.0.0.1:%1").arg(m_port),
        QStringLiteral("--config-dir"), client.configDir, QStringLiteral("--trust-new"), QStringLiteral("--all") });
    if (history.exitCode != 0) {
        qWarning("history failed: %s", qPrintable(history.err));
        return -1;
    }
    return static_cast<int>(history.out.count(text));
}

void TestGuiReconnect::serverRestartReconnectsAndSendsOnce_data()
{
    QTest::addColumn<qint64>("version");
    // Today's desktop chat (version 1: sent once after the rejoin) and version 2 (client ids).
    QTest::newRow("version 1") << qint64(0);
    QTest::newRow("version 2") << qint64(ChatProtocol::CurrentVersion);
}

void TestGuiReconnect::serverRestartReconnectsAndSendsOnce()
{
    QFETCH(qint64, version);
    auto alice = connectedAlice(version);
    QVERIFY(alice);
    MainWindow* window = alice->window.get();
    ServerConnection* connection = alice->connection();
    QSignalSpy reconnected(connection, &ServerConnection::reconnected);

    // The administrator restarts the server: the window counts down, no box.
    QVERIFY(dropUnder(*alice));
    const QString waiting = labelText(window, QStringLiteral("connectionStateLabel"));
    QVERIFY2(waiting.startsWith(QStringLiteral("Reconnecting to 127.0.0.1:%1 in ").arg(m_port)), qPrintable(waiting));
    QVERIFY2(waiting.endsWith(QLatin1String(" s")), qPrintable(waiting));
    QVERIFY(child<QLabel>(window, QStringLiteral("retryNowLink"))->isVisible());
    QVERIFY(!findWindow(QStringLiteral("connectionLostBox")));
    QVERIFY(!findWindow(QStringLiteral("connectionErrorBox")));
    QVERIFY2(
        child<QLabel>(window, QStringLiteral("connectionStateLabel"))->toolTip().contains(QLatin1String("shut down")),
        qPrintable(child<QLabel>(window, QStringLiteral("connectionStateLabel"))->toolTip()));
    QTest::qWait(200); // the status bar's layout follows the new texts
    window->grab().save(QDir::temp().filePath(QStringLiteral("reconnect15-reconnecting.png")));

    // Typed while it is down: kept.
    const QString text = QStringLiteral("typed while the server was down (%1)").arg(version);
    auto* edit = child<QPlainTextEdit>(window, QStringLiteral("messageEdit"));
    QVERIFY(edit->isEnabled());
    QTest::keyClicks(edit, text);
    QVERIFY(click(window, QStringLiteral("sendButton")));
    QCOMPARE(connection->outbox()->count(), 1);
    QVERIFY(edit->toPlainText().isEmpty());

    // Back on the same port: the client comes back by itself, within the backoff.
    QVERIFY(restartServer());
    QTRY_VERIFY_WITH_TIMEOUT(alice->isConnected(), 2 * Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(connection->filesReady(), Timeout);
    QCOMPARE(reconnected.count(), 1);
    const QString connected = labelText(window, QStringLiteral("connectionStateLabel"));
    QVERIFY2(connected.startsWith(QLatin1String("Connected to 127.0.0.1")), qPrintable(connected));
    QVERIFY(!child<QLabel>(window, QStringLiteral("retryNowLink"))->isVisible());
    QVERIFY(!findWindow(QStringLiteral("connectionLostBox")));
    QTRY_COMPARE_WITH_TIMEOUT(connection->outbox()->count(), 0, Timeout);

    // Stored exactly once, as another session of the store sees it.
    QCOMPARE(storedCount(*alice, text), 1);
}

void TestGuiReconnect::retryNowTriesAtOnce()
{
    auto alice = connectedAlice();
    QVERIFY(alice);
    MainWindow* window = alice->window.get();
    ServerConnection* connection = alice->connection();
    QVERIFY(dropUnder(*alice));

    // Still down: the link starts an attempt now, which fails and waits again.
    const int attempts = connection->retryAttempts();
    QVERIFY(clickRetryLink(window));
    QCOMPARE(connection->state(), State::Connecting);
    QVERIFY2(labelText(window, QStringLiteral("connectionStateLabel")).startsWith(QLatin1String("Reconnecting to")),
        qPrintable(labelText(window, QStringLiteral("connectionStateLabel"))));
    QTRY_COMPARE_WITH_TIMEOUT(connection->state(), State::Reconnecting, Timeout);
    QCOMPARE(connection->retryAttempts(), attempts + 1);

    // Each failed attempt doubles the wait: a few more make it long (16 s base after five).
    for (int i = 0; i < 3; ++i) {
        QVERIFY(clickRetryLink(window));
        QTRY_COMPARE_WITH_TIMEOUT(connection->state(), State::Reconnecting, Timeout);
    }
    QCOMPARE(connection->retryAttempts(), attempts + 4);
    QVERIFY2(connection->retryInMs() > 5000, qPrintable(QString::number(connection->retryInMs())));

    // Up again: the link connects without waiting for the delay.
    QVERIFY(restartServer());
    QVERIFY(connection->state() == State::Reconnecting || connection->state() == State::Connecting);
    if (connection->state() == State::Reconnecting) {
        QVERIFY(clickRetryLink(window));
        QCOMPARE(connection->state(), State::Connecting);
    }
    QTRY_VERIFY_WITH_TIMEOUT(alice->isConnected(), Timeout);
}

void TestGuiReconnect::interruptedUploadResumesAfterReconnect()
{
    auto alice = connectedAlice();
    QVERIFY(alice);
    ServerConnection* connection = alice->connection();
    const QString local = QDir(alice->settings->localFolder()).filePath(QStringLiteral("big.bin"));
    const QByteArray data = FileTest::randomBytes(48LL * 1024 * 1024);
    QVERIFY(FileTest::writeFile(local, data));
    TransferList* transfers = alice->window->filesWidget()->transfers();
    transfers->startUpload(local, QStringLiteral("~/big.bin"));
    QTRY_VERIFY_WITH_TIMEOUT(!connection->files()->findChildren<FileTransfer*>().isEmpty(), Timeout);
    FileTransfer* first = connection->files()->findChildren<FileTransfer*>().last();

    // The server stops in the middle of the upload, and comes back on its port.
    bool stopping = false;
    connect(first, &FileTransfer::progress, this, [&](qint64 done, qint64) {
        if (done >= 8 * 1024 * 1024 && !stopping) {
            stopping = true;
            QTimer::singleShot(0, this, [&] { m_server->stop(); });
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(stopping && connection->state() == State::Reconnecting, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(first->state(), FileTransfer::State::Failed, Timeout);
    QVERIFY(first->failure().isInterruption());
    QVERIFY(restartServer());

    // Reconnected by itself, the client resumes the upload from the server's partial data.
    QTRY_VERIFY_WITH_TIMEOUT(alice->isConnected() && connection->filesReady(), 2 * Timeout);
    FileTransfer* second = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((second = connection->files()->findChildren<FileTransfer*>().last()) != first, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(second->state(), FileTransfer::State::Finished, 2 * Timeout);
    QVERIFY2(second->resumedFrom() > 0, "the upload started over instead of resuming");
    const QModelIndex state = transfers->model()->index(0, TransferModel::StateColumn);
    QVERIFY2(state.data().toString().startsWith(QLatin1String("Done")), qPrintable(state.data().toString()));
    qInfo("48 MiB upload: interrupted by a server restart, resumed at byte %lld after reconnecting by itself",
        second->resumedFrom());
}

void TestGuiReconnect::keyRevokedWhileAwayStopsRetrying()
{
    auto alice = connectedAlice();
    QVERIFY(alice);
    MainWindow* window = alice->window.get();
    ServerConnection* connection = alice->connection();
    QVERIFY(dropUnder(*alice));

    // Revoked while the server is down (quietwired revoke on its data dir), then it comes back.
    const CliResult revoked = runProgram("quietwired",
        { QStringLiteral("revoke"), QStringLiteral("--data-dir"), m_server->dataDir(),
            alice->identity->fingerprint() });
    QVERIFY2(revoked.exitCode == 0, qPrintable(revoked.err));
    QVERIFY(restartServer());

    // The next attempt is refused: retrying stops, and the window says why.
    QWidget* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findWindow(QStringLiteral("keyRefusedDialog"))), 2 * Timeout);
    QCOMPARE(connection->state(), State::Disconnected);
    QVERIFY(!connection->isRetrying());
    const QString note = labelText(window, QStringLiteral("connectionStateLabel"));
    QVERIFY2(note.contains(QStringLiteral("127.0.0.1:%1 does not allow your key").arg(m_port)), qPrintable(note));
    QVERIFY(!child<QLabel>(window, QStringLiteral("retryNowLink"))->isVisible());
    window->grab().save(QDir::temp().filePath(QStringLiteral("reconnect15-refused.png")));
    // No further attempt comes: the server sees none while the dialog is open.
    const QString refusal = QStringLiteral("refused %1").arg(alice->identity->fingerprint());
    const int refusals = m_server->log().count(refusal);
    QVERIFY(refusals > 0);
    QTest::qWait(3000);
    QCOMPARE(connection->state(), State::Disconnected);
    QCOMPARE(m_server->log().count(refusal), refusals);
}

void TestGuiReconnect::keyRevokedLiveStopsRetrying()
{
    auto alice = connectedAlice();
    QVERIFY(alice);
    ServerConnection* connection = alice->connection();
    QVERIFY(!m_server->command(QStringLiteral("revoke alice"), QStringLiteral("revoked")).isEmpty());
    QMessageBox* box = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((box = findWindow<QMessageBox>(QStringLiteral("connectionLostBox"))), Timeout);
    QVERIFY2(box->text().contains(QLatin1String("revoked")) || box->text().contains(QLatin1String("removed")),
        qPrintable(box->text()));
    QCOMPARE(connection->state(), State::Disconnected);
    QVERIFY(!connection->isRetrying());
    box->close();
}

void TestGuiReconnect::disconnectStopsRetrying()
{
    auto alice = connectedAlice();
    QVERIFY(alice);
    ServerConnection* connection = alice->connection();
    QVERIFY(dropUnder(*alice));
    QVERIFY(click(alice->window.get(), QStringLiteral("disconnectActionButton")));
    QCOMPARE(connection->state(), State::Disconnected);
    QVERIFY(!connection->isRetrying());
    QCOMPARE(connection->retryInMs(), -1);
    QVERIFY(!child<QLabel>(alice->window.get(), QStringLiteral("retryNowLink"))->isVisible());
    // The server comes back; nothing reconnects by itself.
    QVERIFY(restartServer());
    QTest::qWait(3000);
    QCOMPARE(connection->state(), State::Disconnected);
}

QTEST_MAIN(TestGuiReconnect)
#include "TestGuiReconnect.moc"
