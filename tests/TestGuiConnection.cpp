// The desktop client's connection flow against the real quietwired: the trust prompt, a
// refused key, a changed server key, and the key manager making a new key.

#include "GuiTestHelpers.h"
#include "IdentityLoader.h"
#include "KnownServers.h"

#include <QClipboard>
#include <QFile>
#include <QLineEdit>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeWidget>

using namespace QuietWire;
using namespace QuietWire::Gui;
using namespace GuiTest;

namespace {
QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
} // namespace

class TestGuiConnection : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { quietOffscreenWarnings(); }
    void init();
    void cleanup();
    void connectAndTrust();
    void refusalShowsTheKey();
    void changedServerKeyIsBlocked();
    void regeneratedKeyNeedsAllowing();
    void passphraseProtectsTheKey();
    void serverShutdownIsShown();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
};

void TestGuiConnection::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
    QVERIFY(m_server->start());
}

void TestGuiConnection::cleanup()
{
    for (QWidget* widget : QApplication::topLevelWidgets()) {
        if (widget->inherits("QDialog")) {
            widget->close();
        }
    }
    m_server.reset();
    m_dir.reset();
}

void TestGuiConnection::connectAndTrust()
{
    auto alice = makeClient(m_dir->path(), QStringLiteral("alice"), m_server.get(), true);
    QVERIFY(alice);
    MainWindow* window = alice->window.get();
    QCOMPARE(labelText(window, QStringLiteral("connectionStateLabel")), QStringLiteral("Not connected"));
    QCOMPARE(labelText(window, QStringLiteral("protocolLabel")), QStringLiteral("Noise_XX_25519_ChaChaPoly_SHA256"));

    QVERIFY(connectWithDialog(*alice, m_server->port));
    QWidget* prompt = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((prompt = findWindow(QStringLiteral("unknownServerDialog"))), Timeout);
    // The prompt shows the fingerprint the administrator sees, and nothing is pinned before the answer.
    QCOMPARE(labelText(prompt, QStringLiteral("fingerprintLabel")), serverFingerprint(*m_server));
    QVERIFY(!alice->isConnected());
    const QString knownServers = alice->configDir + QStringLiteral("/known_servers");
    QVERIFY(!readFile(knownServers).contains(m_server->publicKey.toLatin1()));

    QVERIFY(click(prompt, QStringLiteral("alwaysTrustButton")));
    QTRY_VERIFY_WITH_TIMEOUT(alice->isConnected(), Timeout);
    QVERIFY(readFile(knownServers).contains(m_server->publicKey.toLatin1()));

    // The status bar: state, the server's fingerprint, the session port, the protocol.
    QVERIFY2(
        labelText(window, QStringLiteral("connectionStateLabel")).contains(QStringLiteral("Connected to 127.0.0.1")),
        qPrintable(labelText(window, QStringLiteral("connectionStateLabel"))));
    QVERIFY(labelText(window, QStringLiteral("connectionStateLabel")).contains(QStringLiteral("as alice")));
    QVERIFY(labelText(window, QStringLiteral("serverFingerprintLabel")).contains(serverFingerprint(*m_server)));
    const quint16 sessionPort = alice->connection()->sessionPort();
    QVERIFY(sessionPort >= m_server->sessionPortFirst && sessionPort <= m_server->sessionPortLast);
    QVERIFY(labelText(window, QStringLiteral("sessionPortLabel")).contains(QString::number(sessionPort)));
    // The files session came up with the same trust, without asking again.
    QTRY_VERIFY_WITH_TIMEOUT(alice->connection()->filesReady(), Timeout);
    QVERIFY(!findWindow(QStringLiteral("unknownServerDialog")));
    // The server is remembered among the recent servers, in quietwire.ini in the config dir.
    QCOMPARE(
        alice->settings->recentServers().value(0), KnownServers::hostPort(QStringLiteral("127.0.0.1"), m_server->port));
    QVERIFY(QFile::exists(alice->configDir + QStringLiteral("/quietwire.ini")));

    QVERIFY(click(window, QStringLiteral("disconnectActionButton")));
    QTRY_COMPARE_WITH_TIMEOUT(
        labelText(window, QStringLiteral("connectionStateLabel")), QStringLiteral("Not connected"), Timeout);

    // Trust once: connected, chat and files, but nothing written to known_servers.
    auto bob = makeClient(m_dir->path(), QStringLiteral("bob"), m_server.get(), true);
    QVERIFY(bob);
    QVERIFY(connectWithDialog(*bob, m_server->port));
    QTRY_VERIFY_WITH_TIMEOUT((prompt = findWindow(QStringLiteral("unknownServerDialog"))), Timeout);
    QVERIFY(click(prompt, QStringLiteral("trustOnceButton")));
    QTRY_VERIFY_WITH_TIMEOUT(bob->isConnected() && bob->connection()->filesReady(), Timeout);
    QVERIFY(!readFile(bob->configDir + QStringLiteral("/known_servers")).contains(m_server->publicKey.toLatin1()));

    // Cancel: no connection, and the status bar says why.
    auto carol = makeClient(m_dir->path(), QStringLiteral("carol"), m_server.get(), true);
    QVERIFY(carol);
    QVERIFY(connectWithDialog(*carol, m_server->port));
    QTRY_VERIFY_WITH_TIMEOUT((prompt = findWindow(QStringLiteral("unknownServerDialog"))), Timeout);
    QVERIFY(click(prompt, QStringLiteral("cancelButton")));
    QTRY_VERIFY_WITH_TIMEOUT(!findWindow(QStringLiteral("unknownServerDialog")), Timeout);
    QVERIFY(labelText(carol->window.get(), QStringLiteral("connectionStateLabel"))
                .contains(QStringLiteral("did not trust")));
    QVERIFY(!carol->isConnected());
}

void TestGuiConnection::refusalShowsTheKey()
{
    auto mallory = makeClient(m_dir->path(), QStringLiteral("mallory"), m_server.get(), false);
    QVERIFY(mallory);
    mallory->connection()->setTrustNewKeys(true);
    QVERIFY(connectWithDialog(*mallory, m_server->port));
    QWidget* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findWindow(QStringLiteral("keyRefusedDialog"))), Timeout);
    auto* line = child<QLineEdit>(dialog, QStringLiteral("publicKeyLineEdit"));
    QVERIFY(line);
    QCOMPARE(line->text(), mallory->identity->publicKeyLine());
    QVERIFY(labelText(dialog, QStringLiteral("ownFingerprintLabel")).contains(mallory->identity->fingerprint()));
    QVERIFY(click(dialog, QStringLiteral("copyKeyButton")));
    QCOMPARE(QApplication::clipboard()->text(), mallory->identity->publicKeyLine());
    QVERIFY(!mallory->isConnected());
    QVERIFY(m_server->waitForLog(QStringLiteral("refused %1").arg(mallory->identity->fingerprint())));

    // The administrator pastes the line and names the key; "Connect again" then works.
    QVERIFY(
        !m_server->command(QStringLiteral("allow %1 mallory").arg(line->text()), QStringLiteral("allowed")).isEmpty());
    QVERIFY(click(dialog, QStringLiteral("retryButton")));
    QTRY_VERIFY_WITH_TIMEOUT(mallory->isConnected(), Timeout);
}

void TestGuiConnection::changedServerKeyIsBlocked()
{
    auto alice = makeClient(m_dir->path(), QStringLiteral("alice"), m_server.get(), true);
    QVERIFY(alice);
    // A pin for this server with another key: as if the server had been replaced.
    const auto impostor = Identity::generate(QStringLiteral("other"));
    QVERIFY(impostor);
    const QString hostPort = KnownServers::hostPort(QStringLiteral("127.0.0.1"), m_server->port);
    KnownServers known(alice->configDir + QStringLiteral("/known_servers"));
    QVERIFY(known.add(hostPort, impostor->publicKey()));
    const QByteArray pinsBefore = readFile(known.path());

    // Even with trust-new a changed key is refused.
    alice->connection()->setTrustNewKeys(true);
    QVERIFY(connectWithDialog(*alice, m_server->port));
    QWidget* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findWindow(QStringLiteral("serverKeyChangedDialog"))), Timeout);
    QCOMPARE(labelText(dialog, QStringLiteral("pinnedFingerprintLabel")), impostor->fingerprint());
    QCOMPARE(labelText(dialog, QStringLiteral("offeredFingerprintLabel")), serverFingerprint(*m_server));
    QVERIFY(!child<QAbstractButton>(dialog, QStringLiteral("trustOnceButton")));
    QVERIFY(!child<QAbstractButton>(dialog, QStringLiteral("alwaysTrustButton")));
    QVERIFY(!alice->isConnected());
    QCOMPARE(readFile(known.path()), pinsBefore);
    // Stopped before alice's key went out: the server never saw her.
    QVERIFY(!m_server->log().contains(alice->identity->fingerprint()));

    // The way out the dialog names: the trusted servers list, Remove, connect again.
    QVERIFY(click(dialog, QStringLiteral("openKeysButton")));
    QWidget* keys = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((keys = findWindow(QStringLiteral("keyManagerDialog"))), Timeout);
    auto* servers = child<QTreeWidget>(keys, QStringLiteral("trustedServerList"));
    QVERIFY(servers);
    QCOMPARE(servers->topLevelItemCount(), 1);
    QCOMPARE(servers->topLevelItem(0)->text(0), hostPort);
    QCOMPARE(servers->topLevelItem(0)->text(1), impostor->fingerprint());
    servers->setCurrentItem(servers->topLevelItem(0));
    QVERIFY(click(keys, QStringLiteral("removeServerButton")));
    QCOMPARE(servers->topLevelItemCount(), 0);
    QVERIFY(!readFile(known.path()).contains(Identity::encodePublicKey(impostor->publicKey()).toLatin1()));
    keys->close();

    alice->connection()->setTrustNewKeys(false);
    QVERIFY(connectWithDialog(*alice, m_server->port));
    QWidget* prompt = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((prompt = findWindow(QStringLiteral("unknownServerDialog"))), Timeout);
    QVERIFY(click(prompt, QStringLiteral("alwaysTrustButton")));
    QTRY_VERIFY_WITH_TIMEOUT(alice->isConnected(), Timeout);
}

void TestGuiConnection::regeneratedKeyNeedsAllowing()
{
    auto alice = makeClient(m_dir->path(), QStringLiteral("alice"), m_server.get(), true);
    QVERIFY(alice);
    QVERIFY(connectTrusting(*alice, m_server->port));
    const QString oldLine = alice->identity->publicKeyLine();
    const QByteArray oldKeyFile = readFile(alice->configDir + QStringLiteral("/identity.key"));

    QVERIFY(click(alice->window.get(), QStringLiteral("keysActionButton")));
    QWidget* keys = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((keys = findWindow(QStringLiteral("keyManagerDialog"))), Timeout);
    auto* line = child<QLineEdit>(keys, QStringLiteral("publicKeyLineEdit"));
    QVERIFY(line);
    QCOMPARE(line->text(), oldLine);
    QVERIFY(labelText(keys, QStringLiteral("fingerprintLabel")).contains(alice->identity->fingerprint()));
    QVERIFY(labelText(keys, QStringLiteral("passphraseStateLabel")).contains(QStringLiteral("not protected")));

    QVERIFY(click(keys, QStringLiteral("regenerateButton")));
    QWidget* confirm = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((confirm = findWindow(QStringLiteral("regenerateConfirmBox"))), Timeout);
    QVERIFY(click(confirm, QStringLiteral("confirmRegenerateButton")));
    QTRY_VERIFY_WITH_TIMEOUT(line->text() != oldLine, Timeout);
    const QString newLine = line->text();
    // Disconnected, the new key on disk, the old one kept as a backup.
    QTRY_VERIFY_WITH_TIMEOUT(!alice->isConnected(), Timeout);
    QCOMPARE(alice->connection()->identity().publicKeyLine(), newLine);
    QVERIFY(readFile(alice->configDir + QStringLiteral("/identity.pub")).startsWith(newLine.toUtf8()));
    const QStringList backups = QDir(alice->configDir).entryList({ QStringLiteral("identity.key.bak-*") });
    QCOMPARE(backups.size(), 1);
    QCOMPARE(readFile(alice->configDir + QLatin1Char('/') + backups.first()), oldKeyFile);
    QVERIFY(labelText(keys, QStringLiteral("keyStatusLabel")).contains(backups.first()));
    keys->close();

    // The old key no longer gets this client in: the new one is refused until it is allowed.
    QVERIFY(connectWithDialog(*alice, m_server->port));
    QWidget* refused = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((refused = findWindow(QStringLiteral("keyRefusedDialog"))), Timeout);
    QCOMPARE(child<QLineEdit>(refused, QStringLiteral("publicKeyLineEdit"))->text(), newLine);
    // quietwire-cli shares the identity and is refused the same way.
    const CliResult cli = runCli({ QStringLiteral("--config-dir"), alice->configDir, QStringLiteral("chat"),
        QStringLiteral("127.0.0.1:%1").arg(m_server->port), QStringLiteral("--send"), QStringLiteral("hi") });
    QCOMPARE(cli.exitCode, 1);
    QVERIFY2(cli.err.contains(newLine), qPrintable(cli.err));

    QVERIFY(!m_server
                 ->command(QStringLiteral("allow %1 alice2").arg(newLine.section(QLatin1Char(' '), 0, 0)),
                     QStringLiteral("allowed"))
                 .isEmpty());
    QVERIFY(click(refused, QStringLiteral("retryButton")));
    QTRY_VERIFY_WITH_TIMEOUT(alice->isConnected(), Timeout);
    QCOMPARE(alice->connection()->chat()->myName(), QStringLiteral("alice2"));
}

void TestGuiConnection::passphraseProtectsTheKey()
{
    auto alice = makeClient(m_dir->path(), QStringLiteral("alice"), m_server.get(), true);
    QVERIFY(alice);
    const QString keyPath = alice->configDir + QStringLiteral("/identity.key");
    QVERIFY(click(alice->window.get(), QStringLiteral("keysActionButton")));
    QWidget* keys = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((keys = findWindow(QStringLiteral("keyManagerDialog"))), Timeout);

    // Set one: typed twice.
    QVERIFY(click(keys, QStringLiteral("passphraseButton")));
    QWidget* ask = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((ask = findWindow(QStringLiteral("passphraseDialog"))), Timeout);
    QVERIFY(!child<QLineEdit>(ask, QStringLiteral("currentPassphraseEdit"))); // none yet
    QTest::keyClicks(child<QLineEdit>(ask, QStringLiteral("newPassphraseEdit")), QStringLiteral("correct horse"));
    QTest::keyClicks(child<QLineEdit>(ask, QStringLiteral("repeatPassphraseEdit")), QStringLiteral("correct hors"));
    QVERIFY(!child<QAbstractButton>(ask, QStringLiteral("passphraseOkButton"))->isEnabled()); // they differ
    QTest::keyClicks(child<QLineEdit>(ask, QStringLiteral("repeatPassphraseEdit")), QStringLiteral("e"));
    QVERIFY(click(ask, QStringLiteral("passphraseOkButton")));
    QTRY_VERIFY_WITH_TIMEOUT(Identity::isEncrypted(alice->configDir), Timeout);
    QVERIFY(readFile(keyPath).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    QVERIFY(labelText(keys, QStringLiteral("passphraseStateLabel")).contains(QStringLiteral("is protected")));
    const auto unlocked = Identity::load(alice->configDir, QByteArrayLiteral("correct horse"));
    QVERIFY(unlocked);
    QCOMPARE(unlocked->publicKey(), alice->identity->publicKey());
    // quietwire-cli says why it cannot use the key.
    const CliResult cli = runCli({ QStringLiteral("--config-dir"), alice->configDir, QStringLiteral("key") });
    QCOMPARE(cli.exitCode, 1);
    QVERIFY2(cli.err.contains(QStringLiteral("encrypted with a passphrase")), qPrintable(cli.err));

    // Changing it needs the current one.
    QVERIFY(click(keys, QStringLiteral("passphraseButton")));
    QTRY_VERIFY_WITH_TIMEOUT((ask = findWindow(QStringLiteral("passphraseDialog"))), Timeout);
    QTest::keyClicks(child<QLineEdit>(ask, QStringLiteral("currentPassphraseEdit")), QStringLiteral("wrong"));
    QTest::keyClicks(child<QLineEdit>(ask, QStringLiteral("newPassphraseEdit")), QStringLiteral("x"));
    QTest::keyClicks(child<QLineEdit>(ask, QStringLiteral("repeatPassphraseEdit")), QStringLiteral("x"));
    QVERIFY(click(ask, QStringLiteral("passphraseOkButton")));
    QTRY_VERIFY_WITH_TIMEOUT(
        labelText(keys, QStringLiteral("keyStatusLabel")).contains(QStringLiteral("wrong")), Timeout);
    QVERIFY(Identity::load(alice->configDir, QByteArrayLiteral("correct horse")));
    keys->close();

    // At start the client asks until the passphrase is right (or the user quits).
    int asked = 0;
    QTimer answer;
    answer.setInterval(20);
    connect(&answer, &QTimer::timeout, this, [&] {
        QWidget* dialog = findWindow(QStringLiteral("passphraseDialog"));
        auto* edit = child<QLineEdit>(dialog, QStringLiteral("currentPassphraseEdit"));
        if (!edit || !edit->text().isEmpty()) {
            return;
        }
        const bool retry = child<QLabel>(dialog, QStringLiteral("passphraseErrorLabel"))->isVisible();
        if (asked == (retry ? 1 : 0)) {
            ++asked;
            QTest::keyClicks(edit, retry ? QStringLiteral("correct horse") : QStringLiteral("not it"));
            QTest::mouseClick(child<QAbstractButton>(dialog, QStringLiteral("passphraseOkButton")), Qt::LeftButton);
        }
    });
    answer.start();
    bool created = true;
    QString error;
    const auto atStart = IdentityLoader::load(alice->configDir, nullptr, &created, &error);
    answer.stop();
    QVERIFY2(atStart, qPrintable(error));
    QCOMPARE(asked, 2);
    QVERIFY(!created);
    QCOMPARE(atStart->publicKey(), alice->identity->publicKey());

    // Quit at the prompt: no identity, and no error to show.
    QTimer quit;
    quit.setInterval(20);
    connect(&quit, &QTimer::timeout, this, [] {
        if (QWidget* dialog = findWindow(QStringLiteral("passphraseDialog"))) {
            click(dialog, QStringLiteral("passphraseCancelButton"));
        }
    });
    quit.start();
    QVERIFY(!IdentityLoader::load(alice->configDir, nullptr, &created, &error));
    quit.stop();
    QVERIFY(error.isEmpty());
}

void TestGuiConnection::serverShutdownIsShown()
{
    // Stopped with SIGTERM, the server says so (the window once said "closed the connection"); a
    // restart is worth waiting for, so the window retries by itself and says why in the status bar.
    auto alice = makeClient(m_dir->path(), QStringLiteral("alice"), m_server.get(), true);
    QVERIFY(alice);
    QVERIFY(connectWithDialog(*alice, m_server->port));
    QWidget* prompt = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((prompt = findWindow(QStringLiteral("unknownServerDialog"))), Timeout);
    QVERIFY(click(prompt, QStringLiteral("trustOnceButton")));
    QTRY_VERIFY_WITH_TIMEOUT(alice->isConnected(), Timeout);
    m_server->stop();
    QTRY_COMPARE_WITH_TIMEOUT(alice->connection()->state(), ServerConnection::State::Reconnecting, Timeout);
    auto* state = child<QLabel>(alice->window.get(), QStringLiteral("connectionStateLabel"));
    QVERIFY2(state->toolTip().contains(QStringLiteral("127.0.0.1:%1 shut down").arg(m_server->port)),
        qPrintable(state->toolTip()));
    QVERIFY(!findWindow(QStringLiteral("connectionLostBox")));
    QVERIFY(!alice->isConnected());
}

QTEST_MAIN(TestGuiConnection)
#include "TestGuiConnection.moc"
