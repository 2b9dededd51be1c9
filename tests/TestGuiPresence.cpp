// Presence of mind on the real quietwired: the unread total in the window title and the tray,
// desktop notifications for direct messages and mentions (not for muted conversations, nor with
// notifications off, nor while the window is active), closing to the tray or quitting, and server
// profiles (saved in the Connect dialog, switched from the toolbar, reconnected at start).

#include "ChatWidget.h"
#include "ConnectDialog.h"
#include "ConversationListModel.h"
#include "ConversationView.h"
#include "GuiTestHelpers.h"
#include "Notifier.h"
#include "SettingsDialog.h"
#include "TrayIcon.h"
#include "UnreadTracker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QToolTip>

using namespace QuietWire;
using namespace QuietWire::Gui;
using namespace GuiTest;

namespace {
/// The id of the user's conversation of kind named name, or 0 while it is not listed.
qint64 conversationId(const Client& client, ChatProtocol::ConversationKind kind, const QString& name)
{
    for (const auto& summary : client.connection()->chat()->conversations()) {
        if (summary.kind == kind && summary.name == name) {
            return summary.id;
        }
    }
    return 0;
}

qint64 directWith(const Client& client, const QString& name)
{
    return conversationId(client, ChatProtocol::ConversationKind::Direct, name);
}

qint64 general(const Client& client)
{
    return conversationId(client, ChatProtocol::ConversationKind::Room, QStringLiteral("general"));
}

bool sendRoom(Client& from, const QString& text)
{
    return from.connection()->chat()->sendText(text, ChatClient::Destination { QStringLiteral("general"), {} }) > 0;
}

bool sendDirect(Client& from, const QString& to, const QString& text)
{
    return from.connection()->chat()->sendText(text, ChatClient::Destination { {}, to }) > 0;
}

/// Another window takes the focus, so the client's window is no longer the active one.
std::unique_ptr<QWidget> activateOtherWindow()
{
    auto other = std::make_unique<QWidget>();
    other->setObjectName(QStringLiteral("otherWindow"));
    other->resize(200, 100);
    other->show();
    other->activateWindow();
    return other;
}

QString profileNames(const Client& client)
{
    QStringList names;
    for (const auto& profile : client.settings->profiles()) {
        names << QStringLiteral("%1=%2:%3").arg(profile.name, profile.host).arg(profile.port);
    }
    return names.join(QLatin1Char(' '));
}

/// The server the window title names ("(3) QuietWire — Office": Office); general's messages
/// from the other tests are unread, so the count in front varies.
QString titleServer(const Client& client)
{
    const QString title = client.window->windowTitle();
    const qsizetype dash = title.indexOf(QStringLiteral("QuietWire — "));
    return dash < 0 ? QString() : title.mid(dash + QStringLiteral("QuietWire — ").size());
}

/// Fills name, host and port in the Connect dialog and clicks Save as profile.
bool saveProfile(QWidget* dialog, const QString& name, quint16 port)
{
    auto* nameEdit = child<QLineEdit>(dialog, QStringLiteral("profileNameEdit"));
    auto* host = child<QLineEdit>(dialog, QStringLiteral("hostEdit"));
    auto* portSpin = child<QSpinBox>(dialog, QStringLiteral("portSpin"));
    if (!nameEdit || !host || !portSpin) {
        return false;
    }
    nameEdit->clear();
    QTest::keyClicks(nameEdit, name);
    host->clear();
    QTest::keyClicks(host, QStringLiteral("127.0.0.1"));
    portSpin->setValue(port);
    return click(dialog, QStringLiteral("saveProfileButton"));
}
} // namespace

class TestGuiPresence : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void mentions_data();
    void mentions();
    void oldSettingsBecomeAProfile();
    void unreadTotalInTitleAndTray();
    void notifications();
    void closeToTrayOrQuit();
    void profiles();
    void muteFromTheListAndOpenFromANotification();
    void desktopNotificationsCarryNoMarkup();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
};

void TestGuiPresence::initTestCase()
{
    quietOffscreenWarnings();
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
    QVERIFY(m_server->start());
}

void TestGuiPresence::cleanupTestCase()
{
    m_server.reset();
    m_dir.reset();
}

void TestGuiPresence::mentions_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("mentioned");
    QTest::newRow("word") << "hi alice, look"
                          << "alice" << true;
    QTest::newRow("case") << "ALICE?"
                          << "alice" << true;
    QTest::newRow("at sign") << "@Alice: done"
                             << "alice" << true;
    QTest::newRow("inside a word") << "malice aforethought"
                                   << "alice" << false;
    QTest::newRow("prefix of a word") << "alicexpress"
                                      << "alice" << false;
    QTest::newRow("underscore joins") << "alice_bot"
                                      << "alice" << false;
    QTest::newRow("digit joins") << "alice2"
                                 << "alice" << false;
    QTest::newRow("cyrillic") << "привет, Вера!"
                              << "вера" << true;
    QTest::newRow("cyrillic inside") << "Вероника"
                                     << "вера" << false;
    QTest::newRow("dot in name") << "ping a.b now"
                                 << "a.b" << true;
    QTest::newRow("dot is not any character") << "ping axb now"
                                              << "a.b" << false;
    QTest::newRow("absent") << "nothing here"
                            << "alice" << false;
    QTest::newRow("no name") << "anything"
                             << "" << false;
}

void TestGuiPresence::mentions()
{
    QFETCH(QString, text);
    QFETCH(QString, name);
    QFETCH(bool, mentioned);
    QCOMPARE(Notifier::mentions(text, name), mentioned);
}

void TestGuiPresence::oldSettingsBecomeAProfile()
{
    const QString configDir = m_dir->filePath(QStringLiteral("old-settings"));
    QDir().mkpath(configDir);
    {
        // What a client before profiles wrote: recent servers only.
        QSettings old(QDir(configDir).filePath(QStringLiteral("quietwire.ini")), QSettings::IniFormat);
        old.setValue(QStringLiteral("connection/recent"),
            QStringList { QStringLiteral("chat.example.org:7777"), QStringLiteral("192.0.2.1:7000") });
        old.setValue(QStringLiteral("ui/language"), QStringLiteral("ru"));
    }
    {
        GuiSettings settings(configDir);
        const QList<ServerProfile> expected { { QStringLiteral("chat.example.org:7777"),
            QStringLiteral("chat.example.org"), 7777 } };
        QCOMPARE(settings.profiles(), expected);
        QCOMPARE(settings.lastProfile(), QStringLiteral("chat.example.org:7777"));
        QCOMPARE(settings.recentServers().size(), 2); // still offered in the Connect dialog
        QCOMPARE(settings.language(), QStringLiteral("ru"));
        // The user removes every profile: they stay removed.
        settings.setProfiles({});
        QCOMPARE(settings.lastProfile(), QString());
        settings.setConversationMuted(QStringLiteral("[::1]:7000"), 12, true);
        settings.setConversationMuted(QStringLiteral("[::1]:7000"), 3, true);
        settings.setConversationMuted(QStringLiteral("[::1]:7000"), 12, false);
    }
    GuiSettings again(configDir);
    QVERIFY(again.profiles().isEmpty());
    QCOMPARE(again.mutedConversations(QStringLiteral("[::1]:7000")), QSet<qint64> { 3 });
    QVERIFY(again.mutedConversations(QStringLiteral("127.0.0.1:7000")).isEmpty());
    // Defaults: closing quits; notifications on.
    QVERIFY(!again.closeToTray());
    QVERIFY(again.notificationsEnabled());
}

void TestGuiPresence::unreadTotalInTitleAndTray()
{
    auto alice = makeClient(m_dir->path(), QStringLiteral("alice"), m_server.get(), true);
    auto bob = makeClient(m_dir->path(), QStringLiteral("bob"), m_server.get(), true);
    QVERIFY(alice && bob);
    QVERIFY(connectTrusting(*alice, m_server->port));
    QVERIFY(connectTrusting(*bob, m_server->port));
    UnreadTracker* unread = alice->window->unreadTracker();
    TrayIcon* tray = alice->window->trayIcon();
    const QString server = alice->connection()->hostPort();
    QTRY_VERIFY_WITH_TIMEOUT(general(*alice) != 0, Timeout);
    QCOMPARE(unread->total(), 0);
    QCOMPARE(alice->window->windowTitle(), QStringLiteral("QuietWire — %1").arg(server));

    // Two live messages from bob: one in the room, one direct.
    QVERIFY(sendRoom(*bob, QStringLiteral("morning all")));
    QTRY_COMPARE_WITH_TIMEOUT(unread->total(), 1, Timeout);
    QVERIFY(sendDirect(*bob, QStringLiteral("alice"), QStringLiteral("a word in private")));
    QTRY_COMPARE_WITH_TIMEOUT(unread->total(), 2, Timeout);
    QCOMPARE(alice->window->windowTitle(), QStringLiteral("(2) QuietWire — %1").arg(server));
    // The tray's tooltip says the same, whether or not this desktop has a tray to show it in.
    QCOMPARE(tray->icon()->toolTip(), QStringLiteral("QuietWire — %1\nUnread messages: 2").arg(server));
    QCOMPARE(tray->icon()->isVisible(), tray->isAvailable());

    // Alice reads the direct conversation on another device: the server's read marker reaches
    // this window too.
    const qint64 direct = directWith(*alice, QStringLiteral("bob"));
    QVERIFY(direct != 0);
    QVERIFY(unread->unread(direct) == 1);
    ChatClient otherDevice(*alice->identity, QDir(alice->configDir).filePath(QStringLiteral("known_servers")));
    otherDevice.setProtocolVersion(ChatProtocol::CurrentVersion);
    QSignalSpy received(&otherDevice, &ChatClient::conversationsReceived);
    otherDevice.connectToServer(QStringLiteral("127.0.0.1"), m_server->port);
    QTRY_COMPARE_WITH_TIMEOUT(received.count(), 1, Timeout);
    const auto last = alice->connection()->chat()->conversations();
    const auto entry = std::find_if(
        last.begin(), last.end(), [&](const ChatProtocol::ConversationSummary& c) { return c.id == direct; });
    QVERIFY(entry != last.end() && entry->last);
    QVERIFY(otherDevice.request(ChatProtocol::ReadRequest { 0, direct, entry->last->id }) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(unread->total(), 1, Timeout);
    QVERIFY(unread->unread(direct) == 0);
    QCOMPARE(alice->window->windowTitle(), QStringLiteral("(1) QuietWire — %1").arg(server));
    QCOMPARE(tray->icon()->toolTip(), QStringLiteral("QuietWire — %1\nUnread messages: 1").arg(server));

    // Muting the room takes it out of the total (and the choice is kept per server).
    const qint64 room = general(*alice);
    unread->setMuted(room, true);
    QCOMPARE(unread->total(), 0);
    QCOMPARE(alice->window->windowTitle(), QStringLiteral("QuietWire — %1").arg(server));
    QVERIFY(alice->settings->mutedConversations(server).contains(room));
    QVERIFY(sendRoom(*bob, QStringLiteral("still talking")));
    QTRY_VERIFY_WITH_TIMEOUT(unread->unread(room) == 2, Timeout);
    QCOMPARE(unread->total(), 0);
    unread->setMuted(room, false);
    QCOMPARE(unread->total(), 2);
    QCOMPARE(alice->window->windowTitle(), QStringLiteral("(2) QuietWire — %1").arg(server));

    // The painted badge: the icon with the count differs from the plain one.
    const QIcon base(QStringLiteral(":/icons/quietwire.png"));
    QVERIFY(TrayIcon::badged(base, 2, 32).toImage() != base.pixmap(32, 32).toImage());
    QCOMPARE(TrayIcon::badged(base, 0, 32).toImage(), base.pixmap(32, 32).toImage());
    if (!qEnvironmentVariableIsEmpty("PRESENCE_SCREENSHOTS")) {
        const QString dir = qEnvironmentVariable("PRESENCE_SCREENSHOTS");
        TrayIcon::badged(base, 2, 64).save(QDir(dir).filePath(QStringLiteral("presence15-tray-icon.png")));
        alice->window->grab().save(QDir(dir).filePath(QStringLiteral("presence15-window.png")));
        // Qt's own tray (XEmbed) shows the tooltip with QToolTip: the same label, grabbed.
        QToolTip::showText(QPoint(100, 100), tray->icon()->toolTip());
        QWidget* tip = nullptr;
        QTRY_VERIFY((tip = findWindow(QStringLiteral("qtooltip_label"))) != nullptr);
        tip->grab().save(QDir(dir).filePath(QStringLiteral("presence15-tray-tooltip.png")));
        QToolTip::hideText();
    }
}

void TestGuiPresence::notifications()
{
    auto carol = makeClient(m_dir->path(), QStringLiteral("carol"), m_server.get(), true);
    auto dave = makeClient(m_dir->path(), QStringLiteral("dave"), m_server.get(), true);
    QVERIFY(carol && dave);
    QVERIFY(connectTrusting(*carol, m_server->port));
    QVERIFY(connectTrusting(*dave, m_server->port));
    UnreadTracker* unread = carol->window->unreadTracker();
    Notifier* notifier = carol->window->notifier();
    QSignalSpy requested(notifier, &Notifier::notificationRequested);
    QTRY_VERIFY_WITH_TIMEOUT(general(*carol) != 0, Timeout);
    const qint64 room = general(*carol);
    // general holds the earlier tests' messages, unread by carol.
    const qint64 roomBefore = unread->unread(room);

    // While carol's window is the active one, a direct message does not notify.
    carol->window->activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(carol->window->isActiveWindow(), Timeout);
    QVERIFY(sendDirect(*dave, QStringLiteral("carol"), QStringLiteral("you there?")));
    QTRY_VERIFY_WITH_TIMEOUT(directWith(*carol, QStringLiteral("dave")) != 0, Timeout);
    const qint64 direct = directWith(*carol, QStringLiteral("dave"));
    QTRY_VERIFY_WITH_TIMEOUT(unread->unread(direct) == 1, Timeout);
    QCOMPARE(requested.count(), 0);

    // Another window is active: a direct message notifies, naming the sender; it opens its conversation.
    const auto other = activateOtherWindow();
    QTRY_VERIFY_WITH_TIMEOUT(!carol->window->isActiveWindow(), Timeout);
    QVERIFY(sendDirect(*dave, QStringLiteral("carol"), QStringLiteral("lunch at one?")));
    QTRY_COMPARE_WITH_TIMEOUT(requested.count(), 1, Timeout);
    auto shown = requested.last().first().value<Notification>();
    QCOMPARE(shown.conversation, direct);
    QCOMPARE(shown.title, QStringLiteral("dave (direct message)"));
    QCOMPARE(shown.text, QStringLiteral("lunch at one?"));
    QCOMPARE(carol->window->trayIcon()->lastShown(), std::optional<Notification>(shown));

    // A room message that does not name carol: counted, not notified.
    QVERIFY(sendRoom(*dave, QStringLiteral("the build is green (caroline approved)")));
    QTRY_VERIFY_WITH_TIMEOUT(unread->unread(room) == roomBefore + 1, Timeout);
    QCOMPARE(requested.count(), 1);
    // One that mentions her, in any case: notified, with the room.
    QVERIFY(sendRoom(*dave, QStringLiteral("CAROL, can you review?")));
    QTRY_COMPARE_WITH_TIMEOUT(requested.count(), 2, Timeout);
    shown = requested.last().first().value<Notification>();
    QCOMPARE(shown.conversation, room);
    QCOMPARE(shown.title, QStringLiteral("dave mentioned you in general"));
    // carol's own message naming herself does not notify her.
    QVERIFY(sendRoom(*carol, QStringLiteral("note to self: carol reviews")));
    QTRY_VERIFY_WITH_TIMEOUT(unread->unread(room) == roomBefore + 3, Timeout); // her own counts
    QCOMPARE(requested.count(), 2);

    // Clicking the notification shows the window and asks for that conversation.
    carol->window->showMinimized();
    QTRY_VERIFY_WITH_TIMEOUT(carol->window->isMinimized(), Timeout);
    QSignalSpy open(carol->window.get(), &MainWindow::openConversationRequested);
    emit carol->window->trayIcon()->icon()->messageClicked();
    QCOMPARE(open.count(), 1);
    QCOMPARE(open.first().first().toLongLong(), room);
    QVERIFY(carol->window->isVisible() && !carol->window->isMinimized());
    other->activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(!carol->window->isActiveWindow(), Timeout);

    // A muted conversation neither notifies nor counts.
    unread->setMuted(direct, true);
    const int total = unread->total();
    QVERIFY(sendDirect(*dave, QStringLiteral("carol"), QStringLiteral("muted, so quiet")));
    QTRY_VERIFY_WITH_TIMEOUT(unread->unread(direct) == 3, Timeout);
    QCOMPARE(unread->total(), total);
    QCOMPARE(requested.count(), 2);
    unread->setMuted(direct, false);

    // Notifications off in the settings dialog: a mention is counted, not notified.
    QVERIFY(click(carol->window.get(), QStringLiteral("settingsActionButton")));
    QWidget* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findWindow(QStringLiteral("settingsDialog"))) != nullptr, Timeout);
    auto* notificationsBox = child<QCheckBox>(dialog, QStringLiteral("notificationsBox"));
    QVERIFY(notificationsBox && notificationsBox->isChecked());
    notificationsBox->click();
    QVERIFY(click(dialog, QStringLiteral("settingsOkButton")));
    QVERIFY(!carol->settings->notificationsEnabled());
    other->activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(!carol->window->isActiveWindow(), Timeout);
    QVERIFY(sendRoom(*dave, QStringLiteral("carol: one more thing")));
    QTRY_VERIFY_WITH_TIMEOUT(unread->unread(room) == roomBefore + 4, Timeout);
    QCOMPARE(requested.count(), 2);
    carol->settings->setNotificationsEnabled(true);
    QVERIFY(sendRoom(*dave, QStringLiteral("carol: and the last")));
    QTRY_COMPARE_WITH_TIMEOUT(requested.count(), 3, Timeout);
    QCOMPARE(notifier->lastNotification()->text, QStringLiteral("carol: and the last"));
}

void TestGuiPresence::closeToTrayOrQuit()
{
    auto erin = makeClient(m_dir->path(), QStringLiteral("erin"), m_server.get(), true);
    QVERIFY(erin);
    QVERIFY(connectTrusting(*erin, m_server->port));
    MainWindow* window = erin->window.get();

    // The setting, in the settings dialog.
    QVERIFY(click(window, QStringLiteral("settingsActionButton")));
    QWidget* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = findWindow(QStringLiteral("settingsDialog"))) != nullptr, Timeout);
    auto* closeToTray = child<QCheckBox>(dialog, QStringLiteral("closeToTrayBox"));
    QVERIFY(closeToTray && !closeToTray->isChecked());
    if (!window->trayIcon()->isAvailable()) {
        QVERIFY2(closeToTray->text().contains(QStringLiteral("no system tray")), qPrintable(closeToTray->text()));
    }
    if (!qEnvironmentVariableIsEmpty("PRESENCE_SCREENSHOTS")) {
        dialog->grab().save(
            QDir(qEnvironmentVariable("PRESENCE_SCREENSHOTS")).filePath(QStringLiteral("presence15-settings.png")));
    }
    closeToTray->click();
    QVERIFY(click(dialog, QStringLiteral("settingsOkButton")));
    QVERIFY(erin->settings->closeToTray());

    // Closing keeps it running and connected: in the tray, or minimised without one.
    QVERIFY(!window->close());
    if (window->trayIcon()->isAvailable()) {
        QVERIFY(!window->isVisible());
    } else {
        QVERIFY(window->isVisible() && window->isMinimized());
    }
    QVERIFY(erin->isConnected());
    // The tray's Show brings it back; its Quit (like Ctrl+Q) quits even so.
    QMenu* menu = window->trayIcon()->icon()->contextMenu();
    QVERIFY(menu);
    QAction* showHide = menu->findChild<QAction*>(QStringLiteral("trayShowAction"));
    showHide->trigger();
    QVERIFY(window->isVisible() && !window->isMinimized());
    showHide->trigger(); // Hide, then Show again
    QVERIFY(!window->isVisible());
    showHide->trigger();
    QVERIFY(window->isVisible());
    menu->findChild<QAction*>(QStringLiteral("trayQuitAction"))->trigger();
    QVERIFY(!window->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!erin->isConnected(), Timeout);

    // Without the setting, closing the window quits.
    window->show();
    QVERIFY(connectTrusting(*erin, m_server->port));
    erin->settings->setCloseToTray(false);
    QVERIFY(window->close());
    QVERIFY(!window->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!erin->isConnected(), Timeout);
}

void TestGuiPresence::profiles()
{
    ServerProcess second(m_dir->filePath(QStringLiteral("server2")));
    QVERIFY(second.start());
    auto frank = makeClient(m_dir->path(), QStringLiteral("frank"), m_server.get(), true);
    QVERIFY(frank);
    QVERIFY(!second
                 .command(QStringLiteral("allow %1 frank").arg(Identity::encodePublicKey(frank->identity->publicKey())),
                     QStringLiteral("allowed"))
                 .isEmpty());
    frank->connection()->setTrustNewKeys(true);
    // Something unread for frank on the first server (a notice in general), nothing on the second.
    QVERIFY(!m_server->command(QStringLiteral("say profiles are coming"), QStringLiteral("said to")).isEmpty());
    auto* box = frank->window->profileBox();
    QVERIFY(!box->isEnabled()); // nothing saved yet

    // Two profiles saved in the Connect dialog, then an edit and a removal of a third.
    QWidget* dialog = openConnectDialog(*frank);
    QVERIFY(dialog);
    QVERIFY(saveProfile(dialog, QStringLiteral("Office"), m_server->port));
    QVERIFY(saveProfile(dialog, QStringLiteral("Lab"), second.port));
    QVERIFY(saveProfile(dialog, QStringLiteral("Spare"), 1));
    QVERIFY(saveProfile(dialog, QStringLiteral("Spare"), 2)); // the same name: changed, not added
    QCOMPARE(profileNames(*frank),
        QStringLiteral("Office=127.0.0.1:%1 Lab=127.0.0.1:%2 Spare=127.0.0.1:2").arg(m_server->port).arg(second.port));
    auto* list = child<QListWidget>(dialog, QStringLiteral("profileList"));
    QCOMPARE(list->count(), 3);
    list->setCurrentRow(2);
    QVERIFY(click(dialog, QStringLiteral("removeProfileButton")));
    QCOMPARE(list->count(), 2);
    QCOMPARE(box->count(), 2);
    if (!qEnvironmentVariableIsEmpty("PRESENCE_SCREENSHOTS")) {
        dialog->grab().save(
            QDir(qEnvironmentVariable("PRESENCE_SCREENSHOTS")).filePath(QStringLiteral("presence15-profiles.png")));
    }
    // Choosing Office in the list and connecting.
    list->setCurrentRow(0);
    QCOMPARE(child<QLineEdit>(dialog, QStringLiteral("hostEdit"))->text(), QStringLiteral("127.0.0.1"));
    QVERIFY(click(dialog, QStringLiteral("connectOkButton")));
    QTRY_VERIFY_WITH_TIMEOUT(frank->isConnected(), Timeout);
    QCOMPARE(frank->connection()->port(), m_server->port);
    QCOMPARE(titleServer(*frank), QStringLiteral("Office"));
    QCOMPARE(box->currentText(), QStringLiteral("Office"));
    QCOMPARE(frank->settings->lastProfile(), QStringLiteral("Office"));
    QTRY_VERIFY_WITH_TIMEOUT(frank->window->unreadTracker()->total() > 0, Timeout);

    // Switching from the toolbar: the next profile, as the keyboard chooses it.
    box->setFocus();
    QTest::keyClick(box, Qt::Key_Down);
    QCOMPARE(box->currentText(), QStringLiteral("Lab"));
    QTRY_VERIFY_WITH_TIMEOUT(frank->isConnected() && frank->connection()->port() == second.port, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(frank->window->unreadTracker()->total(), 0, Timeout);
    QCOMPARE(frank->window->windowTitle(), QStringLiteral("QuietWire — Lab"));
    QCOMPARE(frank->settings->lastProfile(), QStringLiteral("Lab"));
    if (!qEnvironmentVariableIsEmpty("PRESENCE_SCREENSHOTS")) {
        frank->window->grab().save(
            QDir(qEnvironmentVariable("PRESENCE_SCREENSHOTS")).filePath(QStringLiteral("presence15-toolbar.png")));
    }

    // A restart: the new window reconnects to Lab by itself.
    frank->window.reset();
    frank->settings.reset();
    frank->settings = std::make_unique<GuiSettings>(frank->configDir);
    frank->window = std::make_unique<MainWindow>(*frank->identity, frank->settings.get());
    frank->window->show();
    QVERIFY(!frank->isConnected());
    QVERIFY(frank->window->reconnectLastProfile());
    QTRY_VERIFY_WITH_TIMEOUT(frank->isConnected(), Timeout);
    QCOMPARE(frank->connection()->port(), second.port);
    QCOMPARE(frank->window->profileBox()->currentText(), QStringLiteral("Lab"));
    QCOMPARE(titleServer(*frank), QStringLiteral("Lab"));

    // A server connected to without a profile leaves the last profile as it was.
    frank->window->connectToServer(QStringLiteral("127.0.0.1"), m_server->port);
    QTRY_VERIFY_WITH_TIMEOUT(frank->isConnected() && frank->connection()->port() == m_server->port, Timeout);
    QCOMPARE(frank->window->profileBox()->currentIndex(), -1);
    QCOMPARE(titleServer(*frank), frank->connection()->hostPort());
    QTRY_VERIFY_WITH_TIMEOUT(frank->window->unreadTracker()->total() > 0, Timeout);
    // A server that cannot be reached: the count of the one before does not stay.
    second.stop();
    frank->window->connectToServer(QStringLiteral("127.0.0.1"), second.port);
    QTRY_VERIFY_WITH_TIMEOUT(findWindow(QStringLiteral("connectionErrorBox")) != nullptr, Timeout);
    QCOMPARE(frank->window->unreadTracker()->total(), 0);
    QCOMPARE(frank->window->windowTitle(), QStringLiteral("QuietWire"));
    QCOMPARE(frank->settings->lastProfile(), QStringLiteral("Lab"));
}

void TestGuiPresence::muteFromTheListAndOpenFromANotification()
{
    auto erin = makeClient(m_dir->path(), QStringLiteral("erin"), m_server.get(), true);
    auto frank = makeClient(m_dir->path(), QStringLiteral("frank"), m_server.get(), true);
    QVERIFY(erin && frank);
    QVERIFY(connectTrusting(*erin, m_server->port));
    QVERIFY(connectTrusting(*frank, m_server->port));
    UnreadTracker* unread = erin->window->unreadTracker();
    ChatWidget* chat = erin->window->chatWidget();
    const auto other = activateOtherWindow();
    QTRY_VERIFY_WITH_TIMEOUT(!erin->window->isActiveWindow(), Timeout);
    QVERIFY(sendDirect(*frank, QStringLiteral("erin"), QStringLiteral("first")));
    QTRY_VERIFY_WITH_TIMEOUT(directWith(*erin, QStringLiteral("frank")) != 0, Timeout);
    const qint64 direct = directWith(*erin, QStringLiteral("frank"));
    QTRY_VERIFY_WITH_TIMEOUT(unread->unread(direct) == 1, Timeout);

    // The conversation list's context menu mutes: the tracker keeps it (title, tray, notifications)
    // and the list shows it.
    QModelIndex row;
    QTRY_VERIFY_WITH_TIMEOUT((row = chat->conversations()->indexOf(direct)).isValid(), Timeout);
    auto* list = child<QListView>(chat, QStringLiteral("conversationList"));
    QVERIFY(list);
    const auto chooseFromMenu = [&] {
        emit list->customContextMenuRequested(list->visualRect(chat->conversations()->indexOf(direct)).center());
        QMenu* menu = nullptr;
        if (!QTest::qWaitFor(
                [&] { return (menu = findWindow<QMenu>(QStringLiteral("conversationMenu"))) != nullptr; }, Timeout)) {
            return false;
        }
        auto* action = menu->findChild<QAction*>(QStringLiteral("muteAction"));
        if (!action) {
            return false;
        }
        action->trigger();
        menu->close();
        return true;
    };
    QVERIFY(chooseFromMenu());
    QVERIFY(unread->isMuted(direct));
    QTRY_VERIFY_WITH_TIMEOUT(
        chat->conversations()->indexOf(direct).data(ConversationListModel::MutedRole).toBool(), Timeout);
    const int total = unread->total();
    QSignalSpy requested(erin->window->notifier(), &Notifier::notificationRequested);
    QVERIFY(sendDirect(*frank, QStringLiteral("erin"), QStringLiteral("quiet now")));
    QTRY_VERIFY_WITH_TIMEOUT(unread->unread(direct) == 2, Timeout);
    QCOMPARE(unread->total(), total);
    QCOMPARE(requested.count(), 0);
    // And unmutes, from the same menu.
    QVERIFY(chooseFromMenu());
    QVERIFY(!unread->isMuted(direct));
    QTRY_VERIFY_WITH_TIMEOUT(
        !chat->conversations()->indexOf(direct).data(ConversationListModel::MutedRole).toBool(), Timeout);
    QVERIFY(sendDirect(*frank, QStringLiteral("erin"), QStringLiteral("heard again")));
    QTRY_COMPARE_WITH_TIMEOUT(requested.count(), 1, Timeout);

    // Its click shows the window on the Chat tab with that conversation open.
    erin->window->tabs()->setCurrentIndex(1);
    emit erin->window->trayIcon()->icon()->messageClicked();
    QTRY_COMPARE_WITH_TIMEOUT(chat->conversationView()->conversationId(), direct, Timeout);
    QCOMPARE(erin->window->tabs()->currentWidget(), chat);
}

void TestGuiPresence::desktopNotificationsCarryNoMarkup()
{
    QCOMPARE(TrayIcon::plainForDesktop(QStringLiteral("<a href=\"https://x\">go</a> &amp; <img src=\"/etc/passwd\">")),
        QStringLiteral("‹a href=\"https://x\"›go‹/a› ＆amp; ‹img src=\"/etc/passwd\"›"));
    QCOMPARE(
        TrayIcon::plainForDesktop(QStringLiteral("plain text, Кириллица")), QStringLiteral("plain text, Кириллица"));
}

QTEST_MAIN(TestGuiPresence)
#include "TestGuiPresence.moc"
