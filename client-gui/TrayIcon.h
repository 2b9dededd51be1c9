#pragma once

#include "Notifier.h"

#include <QIcon>
#include <QObject>
#include <QPointer>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace QuietWire::Gui {

/// The client in the system tray: the icon with the unread count painted on it, a tooltip with
/// the count and the server, a menu (Show/Hide, Quit), and the desktop notifications.
///
/// Usage: create it for the main window; setUnread() whenever the total changes;
/// showNotification() for a Notifier request; openConversationRequested() when the user clicked
/// a notification (the window is shown first), quitRequested() for the menu's Quit. Without a
/// system tray (isAvailable() false, logged once) the icon (objectName "trayIcon") is kept up to
/// date but never shown, and no notification is.
class TrayIcon : public QObject
{
    Q_OBJECT

public:
    explicit TrayIcon(QWidget* window, QObject* parent = nullptr);
    ~TrayIcon() override;

    bool isAvailable() const { return m_available; }
    /// unread messages on server (its name or host:port; "" when not connected).
    void setUnread(int unread, const QString& server);
    void showNotification(const Notification& notification);
    QString toolTip() const { return m_toolTip; }
    QSystemTrayIcon* icon() const { return m_tray; }
    /// The notification shown last, whose click opens its conversation.
    std::optional<Notification> lastShown() const { return m_lastShown; }
    /// text with &, < and > replaced by look-alikes (＆ ‹ ›): what the desktop's notification is given.
    static QString plainForDesktop(QString text);
    /// base with count on a red badge in its lower right corner (base alone for 0), at size.
    static QPixmap badged(const QIcon& base, int count, int size);
    void retranslateUi();

signals:
    void openConversationRequested(qint64 conversation);
    void quitRequested();

private:
    void toggleWindow();
    void showWindow();

    QPointer<QWidget> m_window;
    bool m_available;
    QIcon m_baseIcon;
    QSystemTrayIcon* m_tray;
    QMenu* m_menu = nullptr;
    QAction* m_showAction = nullptr;
    QAction* m_quitAction = nullptr;
    int m_unread = 0;
    QString m_server;
    QString m_toolTip;
    std::optional<Notification> m_lastShown;
};

} // namespace QuietWire::Gui
