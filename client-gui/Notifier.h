#pragma once

#include "ChatProtocol.h"

#include <QObject>
#include <QPointer>

class QWidget;

namespace QuietWire::Gui {

class GuiSettings;
class ServerConnection;
class UnreadTracker;

/// What a desktop notification says, and the conversation a click on it opens.
struct Notification
{
    qint64 conversation = 0;
    QString title; // plain text: names come from the network
    QString text; // plain text, shortened
    bool operator==(const Notification&) const = default;
};

/// Decides which live messages deserve a desktop notification: a direct message to the user, or a
/// room message that mentions the user's name as a whole word (case-insensitively), while the
/// window is not active, notifications are on (GuiSettings) and the conversation is not muted
/// (UnreadTracker). Messages of the user's own sessions, history and notices never notify.
///
/// Usage: create it over the window's ServerConnection; connect notificationRequested() to
/// whatever shows it (TrayIcon::showNotification); lastNotification() is the newest request.
class Notifier : public QObject
{
    Q_OBJECT

public:
    Notifier(ServerConnection* connection, GuiSettings* settings, UnreadTracker* unread, QWidget* window,
        QObject* parent = nullptr);

    /// Whether text names name as a whole word ("bob," and "@Bob" do; "bobby" does not).
    static bool mentions(const QString& text, const QString& name);
    /// The notification message would make, if any rule let it through (window, settings, mute).
    static std::optional<Notification> describe(const ChatProtocol::Message& message, const QString& myName);

    std::optional<Notification> lastNotification() const { return m_last; }

signals:
    void notificationRequested(const QuietWire::Gui::Notification& notification);

private:
    void watchClient();
    void onMessage(const ChatProtocol::Message& message);
    bool windowIsAttended() const;

    ServerConnection* m_connection;
    GuiSettings* m_settings;
    UnreadTracker* m_unread;
    QPointer<QWidget> m_window;
    std::optional<Notification> m_last;
};

} // namespace QuietWire::Gui

Q_DECLARE_METATYPE(QuietWire::Gui::Notification)
