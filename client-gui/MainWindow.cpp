#include "MainWindow.h"

#include "ChatWidget.h"
#include "ConnectDialog.h"
#include "EncryptedTcpSocket.h"
#include "FilesWidget.h"
#include "GuiSettings.h"
#include "KeyManagerDialog.h"
#include "KeyRefusedDialog.h"
#include "Notifier.h"
#include "ServerConnection.h"
#include "ServerKeyChangedDialog.h"
#include "SettingsDialog.h"
#include "ToolBarAction.h"
#include "TransferList.h"
#include "Translations.h"
#include "TrayIcon.h"
#include "UnknownServerDialog.h"
#include "UnreadTracker.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>

namespace QuietWire::Gui {

MainWindow::MainWindow(const Identity& identity, GuiSettings* settings, QWidget* parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_connection(new ServerConnection(identity, settings->configDir(), this))
    , m_tabs(new QTabWidget(this))
    , m_chat(new ChatWidget(m_connection, this))
    , m_files(new FilesWidget(m_connection, this))
    , m_stateLabel(new QLabel(this))
    , m_fingerprintLabel(new QLabel(this))
    , m_sessionPortLabel(new QLabel(this))
    , m_protocolLabel(new QLabel(this))
    , m_retryLink(new QLabel(this))
    , m_retryCountdown(new QTimer(this))
    , m_unread(new UnreadTracker(m_connection, settings, this))
    , m_notifier(new Notifier(m_connection, settings, m_unread, this, this))
    , m_tray(new TrayIcon(this, this))
    , m_profileBox(new QComboBox(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/quietwire.png")));

    auto* toolBar = addToolBar(QString());
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setMovable(false);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_connectAction = ToolBarAction::add(toolBar, QStringLiteral("connectAction"), QStringLiteral("connect"));
    m_disconnectAction = ToolBarAction::add(toolBar, QStringLiteral("disconnectAction"), QStringLiteral("disconnect"));
    toolBar->addWidget(m_profileBox);
    toolBar->addSeparator();
    m_keysAction = ToolBarAction::add(toolBar, QStringLiteral("keysAction"), QStringLiteral("keys"));
    m_settingsAction = ToolBarAction::add(toolBar, QStringLiteral("settingsAction"), QStringLiteral("settings"));
    m_quitAction = new QAction(this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    addAction(m_quitAction);
    m_connectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_N));
    connect(m_connectAction, &QAction::triggered, this, &MainWindow::showConnectDialog);
    connect(m_disconnectAction, &QAction::triggered, m_connection, &ServerConnection::disconnectFromServer);
    connect(m_keysAction, &QAction::triggered, this, &MainWindow::showKeyManager);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::showSettings);
    connect(m_quitAction, &QAction::triggered, this, &MainWindow::quit);

    // Files in a conversation go through the Files tab's transfer list.
    m_chat->setFilesWidget(m_files);

    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->addTab(m_chat, QIcon(QStringLiteral(":/icons/quietwire.png")), QString());
    m_tabs->addTab(m_files, QIcon(QStringLiteral(":/icons/upload.png")), QString());
    setCentralWidget(m_tabs);

    m_stateLabel->setObjectName(QStringLiteral("connectionStateLabel"));
    // The state gives way first when the window is narrow (its tooltip keeps the whole text);
    // the fingerprint, port and protocol always stay whole.
    m_stateLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_stateLabel->setMinimumWidth(120);
    m_fingerprintLabel->setObjectName(QStringLiteral("serverFingerprintLabel"));
    m_fingerprintLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_sessionPortLabel->setObjectName(QStringLiteral("sessionPortLabel"));
    m_protocolLabel->setObjectName(QStringLiteral("protocolLabel"));
    statusBar()->setObjectName(QStringLiteral("statusBar"));
    // All permanent: a temporary message must never hide the state or the server's key.
    statusBar()->addPermanentWidget(m_stateLabel, 1);
    setUpRetryStatus();
    statusBar()->addPermanentWidget(m_fingerprintLabel);
    statusBar()->addPermanentWidget(m_sessionPortLabel);
    statusBar()->addPermanentWidget(m_protocolLabel);

    connect(m_connection, &ServerConnection::stateChanged, this, [this] {
        m_note.clear();
        updateStatus();
    });
    connect(m_connection, &ServerConnection::serverKeyUnknown, this, &MainWindow::onServerKeyUnknown);
    connect(m_connection, &ServerConnection::serverKeyChanged, this, &MainWindow::onServerKeyChanged);
    connect(m_connection, &ServerConnection::keyRefused, this, &MainWindow::onKeyRefused);
    connect(m_connection, &ServerConnection::connectionFailed, this, [this](const QString& message) {
        showError(QStringLiteral("connectionErrorBox"), tr("Cannot connect"), message);
    });
    connect(m_connection, &ServerConnection::connectionLost, this, [this](const QString& message) {
        if (m_connection->isRetrying()) {
            return; // no box: the status bar counts down to the next attempt and says why
        }
        showError(QStringLiteral("connectionLostBox"), tr("Disconnected"), message);
    });
    connect(m_files, &FilesWidget::localDirectoryChanged, this,
        [this](const QString& path) { m_settings->setLocalFolder(path); });
    m_files->setLocalDirectory(m_settings->localFolder());

    // Presence: the unread total in the title and the tray, notifications, profiles.
    m_profileBox->setObjectName(QStringLiteral("profileBox"));
    m_profileBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_profileBox->setMinimumContentsLength(12);
    connect(m_profileBox, &QComboBox::activated, this,
        [this](int index) { connectToProfile(m_profileBox->itemData(index).toString()); });
    connect(m_unread, &UnreadTracker::totalChanged, this, &MainWindow::updateTitle);
    connect(m_notifier, &Notifier::notificationRequested, m_tray, &TrayIcon::showNotification);
    connect(m_tray, &TrayIcon::openConversationRequested, this, &MainWindow::openConversationRequested);
    connect(m_tray, &TrayIcon::quitRequested, this, &MainWindow::quit);
    // A notification's click opens its conversation; mute is kept by the tracker, shown in the list.
    connect(this, &MainWindow::openConversationRequested, this, [this](qint64 conversationId) {
        m_tabs->setCurrentWidget(m_chat);
        m_chat->openConversation(conversationId);
    });
    m_chat->setMuteKeeper(m_unread);
    updateProfileBox();

    retranslateUi();
    if (!restoreGeometry(m_settings->windowGeometry())) {
        resize(1100, 720);
    }
}

MainWindow::~MainWindow() = default;

void MainWindow::retranslateUi()
{
    m_connectAction->setText(tr("Connect"));
    m_connectAction->setToolTip(tr("Connect to a QuietWire server (Ctrl+N)"));
    m_disconnectAction->setText(tr("Disconnect"));
    m_keysAction->setText(tr("Keys"));
    m_keysAction->setToolTip(tr("Your key, its passphrase, and the servers you trust"));
    m_settingsAction->setText(tr("Settings"));
    m_quitAction->setText(tr("Quit"));
    m_tabs->setTabText(0, tr("Chat"));
    m_tabs->setTabText(1, tr("Files"));
    m_profileBox->setPlaceholderText(tr("Server profile"));
    m_profileBox->setToolTip(tr("Switch to another saved server (profiles are kept in the Connect dialog)"));
    updateStatus();
}

void MainWindow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    const bool quitting = std::exchange(m_quitRequested, false) || m_quitConfirmed;
    if (!quitting && m_settings->closeToTray()) {
        // Keeps running: in the tray, or minimised where there is no tray to come back from.
        event->ignore();
        if (m_tray->isAvailable()) {
            hide();
        } else {
            showMinimized();
        }
        return;
    }
    if (!m_quitConfirmed && m_files->transfers()->runningCount() > 0) {
        // Asked with open() like every other question; Quit closes the window again.
        event->ignore();
        askToQuit();
        return;
    }
    m_settings->setWindowGeometry(saveGeometry());
    m_settings->sync();
    m_connection->disconnectFromServer();
    event->accept();
    if (isHidden()) {
        // Quit from the tray menu: a window already hidden does not count as the last one closing.
        QCoreApplication::quit();
    }
}

void MainWindow::askToQuit()
{
    if (m_quitBox) {
        m_quitBox->raise();
        m_quitBox->activateWindow();
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Question, tr("Quit QuietWire?"),
        tr("Transfers are still running. Quit anyway? They can be resumed later from where they stopped."),
        QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("quitConfirmBox"));
    QPushButton* quit = box->addButton(tr("&Quit"), QMessageBox::AcceptRole);
    quit->setObjectName(QStringLiteral("confirmQuitButton"));
    box->setDefaultButton(box->addButton(QMessageBox::Cancel));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, quit](QAbstractButton* button) {
        if (button == quit) {
            m_quitConfirmed = true;
            close();
        }
    });
    m_quitBox = box;
    box->open();
}

void MainWindow::updateStatus()
{
    const auto state = m_connection->state();
    const bool connected = state == ServerConnection::State::Connected;
    switch (state) {
    case ServerConnection::State::Disconnected:
        m_stateLabel->setText(m_note.isEmpty() ? tr("Not connected") : tr("Not connected: %1").arg(m_note));
        break;
    case ServerConnection::State::Connecting:
        m_stateLabel->setText(m_connection->isRetrying() ? tr("Reconnecting to %1…").arg(m_connection->hostPort())
                                                         : tr("Connecting to %1…").arg(m_connection->hostPort()));
        break;
    case ServerConnection::State::Reconnecting:
        m_stateLabel->setText(tr("Reconnecting to %1 in %2 s")
                                  .arg(m_connection->hostPort())
                                  .arg(qMax(1, (m_connection->retryInMs() + 999) / 1000)));
        break;
    case ServerConnection::State::Connected:
        m_stateLabel->setText(
            tr("Connected to %1 as %2").arg(m_connection->hostPort(), m_connection->chat()->myName()));
        break;
    }
    m_stateLabel->setToolTip(m_connection->isRetrying()
            ? tr("%1\nLast error: %2").arg(m_stateLabel->text(), m_connection->dropReason())
            : m_stateLabel->text());
    updateRetryStatus();
    updateTitle();
    const QString fingerprint = connected ? Identity::fingerprint(m_connection->serverKey()) : QString();
    m_fingerprintLabel->setText(connected ? tr("Server key %1").arg(fingerprint) : tr("Server key: none"));
    m_fingerprintLabel->setToolTip(
        connected ? tr("The fingerprint of the server's key, as pinned in known_servers") : QString());
    m_sessionPortLabel->setText(
        connected ? tr("Session port %1").arg(m_connection->sessionPort()) : tr("Session port: none"));
    m_protocolLabel->setText(EncryptedTcpSocket::protocolName());
    m_protocolLabel->setToolTip(tr("The Noise protocol that encrypts and authenticates the connection"));
    m_connectAction->setEnabled(state != ServerConnection::State::Connecting);
    m_disconnectAction->setEnabled(state != ServerConnection::State::Disconnected);
}

void MainWindow::connectToServer(const QString& host, quint16 port)
{
    closePrompt();
    m_profileName.clear(); // connectToProfile() names it again
    m_profileBox->setCurrentIndex(-1);
    m_settings->addRecentServer(KnownServers::hostPort(host, port));
    m_connection->connectToServer(host, port);
}

void MainWindow::showConnectDialog()
{
    auto* dialog = new ConnectDialog(m_settings->recentServers(), m_settings->profiles(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ConnectDialog::forgetRecentServer, this,
        [this](const QString& hostPort) { m_settings->removeRecentServer(hostPort); });
    connect(dialog, &ConnectDialog::profilesChanged, this, [this](const QList<ServerProfile>& profiles) {
        m_settings->setProfiles(profiles);
        if (!findProfile(profiles, m_profileName)) {
            m_profileName.clear();
        }
        updateProfileBox();
        updateTitle();
    });
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (dialog->profileName().isEmpty()) {
            connectToServer(dialog->host(), dialog->port());
        } else {
            connectToProfile(dialog->profileName());
        }
    });
    dialog->open();
}

bool MainWindow::connectToProfile(const QString& name)
{
    const QList<ServerProfile> profiles = m_settings->profiles();
    const ServerProfile* profile = findProfile(profiles, name);
    if (!profile) {
        return false;
    }
    // Switching: ServerConnection ends the current sessions before it connects to the other.
    connectToServer(profile->host, profile->port);
    m_profileName = profile->name;
    m_settings->setLastProfile(profile->name);
    updateProfileBox();
    updateTitle();
    return true;
}

bool MainWindow::reconnectLastProfile()
{
    return connectToProfile(m_settings->lastProfile());
}

void MainWindow::updateProfileBox()
{
    m_profileBox->clear();
    for (const ServerProfile& profile : m_settings->profiles()) {
        m_profileBox->addItem(profile.name, profile.name);
        m_profileBox->setItemData(m_profileBox->count() - 1,
            tr("%1 at %2").arg(profile.name, KnownServers::hostPort(profile.host, profile.port)), Qt::ToolTipRole);
    }
    m_profileBox->setCurrentIndex(m_profileBox->findData(m_profileName));
    m_profileBox->setEnabled(m_profileBox->count() > 0);
}

void MainWindow::updateTitle()
{
    const bool connected = m_connection->state() == ServerConnection::State::Connected;
    const QString server = !connected ? QString() : m_profileName.isEmpty() ? m_connection->hostPort() : m_profileName;
    const QString title = server.isEmpty() ? tr("QuietWire") : tr("QuietWire — %1").arg(server);
    const int unread = m_unread->total();
    setWindowTitle(unread > 0 ? tr("(%1) %2").arg(unread).arg(title) : title);
    m_tray->setUnread(unread, server);
}

void MainWindow::quit()
{
    m_quitRequested = true;
    close();
}

KeyManagerDialog* MainWindow::showKeyManager()
{
    if (m_keyManager) {
        m_keyManager->raise();
        m_keyManager->activateWindow();
        return m_keyManager;
    }
    m_keyManager = new KeyManagerDialog(m_connection->identity(), m_settings->configDir(), this);
    m_keyManager->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_keyManager, &KeyManagerDialog::identityChanged, this, [this](const Identity& identity) {
        m_connection->setIdentity(identity);
        setNote(tr("a new key is in use; the administrators must allow it before you can connect"));
    });
    m_keyManager->open();
    return m_keyManager;
}

void MainWindow::showSettings()
{
    auto* dialog = new SettingsDialog(m_settings->language(), m_settings->configDir(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setCloseToTray(m_settings->closeToTray(), m_tray->isAvailable());
    dialog->setNotificationsEnabled(m_settings->notificationsEnabled());
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_settings->setCloseToTray(dialog->closeToTray());
        m_settings->setNotificationsEnabled(dialog->notificationsEnabled());
        m_settings->setLanguage(dialog->language());
        Translations::apply(dialog->language());
    });
    dialog->open();
}

void MainWindow::setUpRetryStatus()
{
    m_retryLink->setObjectName(QStringLiteral("retryNowLink"));
    m_retryLink->setTextFormat(Qt::RichText);
    m_retryLink->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    m_retryLink->hide();
    statusBar()->addPermanentWidget(m_retryLink);
    connect(m_retryLink, &QLabel::linkActivated, m_connection, &ServerConnection::retryNow);
    // The countdown in the state label, once a second while waiting.
    m_retryCountdown->setInterval(1000);
    connect(m_retryCountdown, &QTimer::timeout, this, &MainWindow::updateStatus);
}

void MainWindow::updateRetryStatus()
{
    const bool waiting = m_connection->state() == ServerConnection::State::Reconnecting;
    // Our own fixed text, no network string: the link is the only rich text in the status bar.
    m_retryLink->setText(QStringLiteral("<a href=\"retry\">%1</a>").arg(tr("Retry now").toHtmlEscaped()));
    m_retryLink->setToolTip(tr("Try to reconnect now instead of waiting"));
    m_retryLink->setVisible(waiting);
    if (waiting && !m_retryCountdown->isActive()) {
        m_retryCountdown->start();
    } else if (!waiting) {
        m_retryCountdown->stop();
    }
}

void MainWindow::setNote(const QString& note)
{
    m_note = note;
    updateStatus();
}

void MainWindow::closePrompt()
{
    if (m_prompt) {
        m_prompt->close();
    }
}

void MainWindow::onServerKeyUnknown(const QString& hostPort, const QByteArray& key)
{
    closePrompt();
    auto* dialog = new UnknownServerDialog(hostPort, key, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::finished, this, [this, hostPort, key](int result) {
        if (result == UnknownServerDialog::TrustOnce || result == UnknownServerDialog::AlwaysTrust) {
            m_connection->trustServerKey(hostPort, key, result == UnknownServerDialog::AlwaysTrust);
        } else {
            setNote(tr("you did not trust the key of %1").arg(hostPort));
        }
    });
    m_prompt = dialog;
    dialog->open();
}

void MainWindow::onServerKeyChanged(const QString& hostPort, const QByteArray& pinnedKey, const QByteArray& offeredKey)
{
    closePrompt();
    setNote(tr("the key of %1 has changed; the connection was blocked").arg(hostPort));
    auto* dialog = new ServerKeyChangedDialog(hostPort, pinnedKey, offeredKey, m_connection->knownServersPath(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ServerKeyChangedDialog::openKeyManager, this, [this] { showKeyManager()->showTrustedServers(); });
    m_prompt = dialog;
    dialog->open();
}

void MainWindow::onKeyRefused(const QString& hostPort)
{
    closePrompt();
    setNote(tr("%1 does not allow your key yet").arg(hostPort));
    auto* dialog = new KeyRefusedDialog(hostPort, m_connection->identity(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::finished, this, [this](int result) {
        if (result == KeyRefusedDialog::Retry) {
            m_connection->connectToServer(m_connection->host(), m_connection->port());
        }
    });
    m_prompt = dialog;
    dialog->open();
}

void MainWindow::showError(const QString& objectName, const QString& title, const QString& message)
{
    closePrompt();
    setNote(message.section(QLatin1Char('\n'), 0, 0));
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Close, this);
    box->setObjectName(objectName);
    box->setAttribute(Qt::WA_DeleteOnClose);
    m_prompt = box;
    box->open();
}

} // namespace QuietWire::Gui
