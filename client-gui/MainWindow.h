#pragma once

#include "Identity.h"

#include <QMainWindow>
#include <QPointer>

class QComboBox;
class QLabel;
class QTabWidget;
class QTimer;

namespace QuietWire::Gui {

class ChatWidget;
class FilesWidget;
class GuiSettings;
class KeyManagerDialog;
class Notifier;
class ServerConnection;
class TrayIcon;
class UnreadTracker;

/// The main window: toolbar (Connect, Disconnect, Keys, Settings), the Chat and Files tabs, and a
/// status bar with the connection state, the server's fingerprint, the session port and the
/// protocol. Every question (trust, refusal, changed key, quitting while transfers run) is a
/// window-modal dialog opened with open(), so the event loop never blocks and tests can answer
/// it by objectName.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(const Identity& identity, GuiSettings* settings, QWidget* parent = nullptr);
    ~MainWindow() override;

    ServerConnection* connection() const { return m_connection; }
    ChatWidget* chatWidget() const { return m_chat; }
    FilesWidget* filesWidget() const { return m_files; }
    QTabWidget* tabs() const { return m_tabs; }
    UnreadTracker* unreadTracker() const { return m_unread; }
    Notifier* notifier() const { return m_notifier; }
    TrayIcon* trayIcon() const { return m_tray; }
    QComboBox* profileBox() const { return m_profileBox; }
    /// The profile of the current connection ("" for a server connected to without one).
    QString profileName() const { return m_profileName; }

    void connectToServer(const QString& host, quint16 port);
    /// Switches to the saved server name: disconnects and connects there; it becomes the last used.
    bool connectToProfile(const QString& name);
    /// At start: connects to the profile used last, if there is one (false: nothing to do).
    bool reconnectLastProfile();
    void showConnectDialog();
    KeyManagerDialog* showKeyManager();
    void showSettings();

signals:
    /// A desktop notification was clicked: the window is shown, this conversation should open.
    void openConversationRequested(qint64 conversationId);

protected:
    void changeEvent(QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void retranslateUi();
    void updateStatus();
    void onServerKeyUnknown(const QString& hostPort, const QByteArray& key);
    void onServerKeyChanged(const QString& hostPort, const QByteArray& pinnedKey, const QByteArray& offeredKey);
    void onKeyRefused(const QString& hostPort);
    void showError(const QString& objectName, const QString& title, const QString& message);
    void closePrompt();
    /// Quitting while transfers run: asks first (quitConfirmBox); Quit closes the window.
    void askToQuit();
    void setNote(const QString& note);
    /// "(3) QuietWire — server": the unread total (UnreadTracker) in the title and the tray.
    void updateTitle();
    /// The toolbar's profile list from the settings, showing the current profile.
    void updateProfileBox();
    void quit();
    /// Reconnecting: the status bar's countdown and its Retry now link.
    void setUpRetryStatus();
    void updateRetryStatus();

    GuiSettings* m_settings;
    ServerConnection* m_connection;
    QTabWidget* m_tabs;
    ChatWidget* m_chat;
    FilesWidget* m_files;
    QAction* m_connectAction;
    QAction* m_disconnectAction;
    QAction* m_keysAction;
    QAction* m_settingsAction;
    QAction* m_quitAction;
    QLabel* m_stateLabel;
    QLabel* m_fingerprintLabel;
    QLabel* m_sessionPortLabel;
    QLabel* m_protocolLabel;
    QLabel* m_retryLink;
    QTimer* m_retryCountdown;
    QString m_note; // why we are not connected, until the next attempt
    QPointer<QDialog> m_prompt;
    QPointer<KeyManagerDialog> m_keyManager;
    QPointer<QDialog> m_quitBox;
    bool m_quitConfirmed = false;
    // Presence: unread count, notifications, tray, profiles.
    UnreadTracker* m_unread;
    Notifier* m_notifier;
    TrayIcon* m_tray;
    QComboBox* m_profileBox;
    QString m_profileName;
    bool m_quitRequested = false; // Quit (menu, tray, shortcut) quits even when closing keeps running
};

} // namespace QuietWire::Gui
