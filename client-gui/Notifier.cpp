#include "Notifier.h"

#include "GuiSettings.h"
#include "ServerConnection.h"
#include "UnreadTracker.h"

#include <QRegularExpression>
#include <QWidget>

namespace QuietWire::Gui {

namespace {
/// A notification shows the start of a message; the conversation has the rest.
constexpr int MaxNotificationText = 200;
} // namespace

Notifier::Notifier(
    ServerConnection* connection, GuiSettings* settings, UnreadTracker* unread, QWidget* window, QObject* parent)
    : QObject(parent)
    , m_connection(connection)
    , m_settings(settings)
    , m_unread(unread)
    , m_window(window)
{
    connect(m_connection, &ServerConnection::clientsReplaced, this, &Notifier::watchClient);
    watchClient();
}

void Notifier::watchClient()
{
    connect(m_connection->chat(), &ChatClient::messageReceived, this, &Notifier::onMessage);
}

bool Notifier::mentions(const QString& text, const QString& name)
{
    if (name.isEmpty()) {
        return false;
    }
    // A word character (any script's letters and digits, and '_') on neither side.
    const QRegularExpression word(QStringLiteral("(?<!\\w)%1(?!\\w)").arg(QRegularExpression::escape(name)),
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::UseUnicodePropertiesOption);
    return word.match(text).hasMatch();
}

std::optional<Notification> Notifier::describe(const ChatProtocol::Message& message, const QString& myName)
{
    if (message.history || message.notice || message.from.isEmpty() || message.from == myName) {
        return std::nullopt;
    }
    Notification notification;
    notification.conversation = message.conversation.value_or(0);
    if (!message.to.isEmpty()) {
        notification.title = tr("%1 (direct message)").arg(message.from);
    } else if (mentions(message.text, myName)) {
        notification.title = message.room.isEmpty() ? tr("%1 mentioned you").arg(message.from)
                                                    : tr("%1 mentioned you in %2").arg(message.from, message.room);
    } else {
        return std::nullopt;
    }
    notification.text = message.text.size() > MaxNotificationText
        ? message.text.left(MaxNotificationText) + QStringLiteral("…")
        : message.text;
    if (notification.text.isEmpty() && message.attachment) {
        notification.text = tr("Sent the file %1").arg(message.attachment->name);
    }
    return notification;
}

bool Notifier::windowIsAttended() const
{
    return m_window && m_window->isVisible() && !m_window->isMinimized() && m_window->isActiveWindow();
}

void Notifier::onMessage(const ChatProtocol::Message& message)
{
    const auto notification = describe(message, m_connection->chat()->myName());
    if (!notification || windowIsAttended() || !m_settings->notificationsEnabled()
        || (message.conversation && m_unread->isMuted(*message.conversation))) {
        return;
    }
    m_last = notification;
    emit notificationRequested(*notification);
}

} // namespace QuietWire::Gui
