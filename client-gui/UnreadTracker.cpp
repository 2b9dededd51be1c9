#include "UnreadTracker.h"

#include "GuiSettings.h"
#include "ServerConnection.h"

#include <limits>

namespace QuietWire::Gui {

UnreadTracker::UnreadTracker(ServerConnection* connection, GuiSettings* settings, QObject* parent)
    : QObject(parent)
    , m_connection(connection)
    , m_settings(settings)
{
    connect(m_connection, &ServerConnection::clientsReplaced, this, [this] {
        watchClient();
        recount();
    });
    watchClient();
}

void UnreadTracker::watchClient()
{
    ChatClient* chat = m_connection->chat();
    // A new attempt starts from an empty list (ChatClient::connectToServer() clears it): the
    // count is 0 once it is welcomed or has failed, and the server's list follows the welcome.
    // A connection that drops keeps the list it had, and so the count.
    connect(chat, &ChatClient::joined, this, &UnreadTracker::recount);
    connect(chat, &ChatClient::errorOccurred, this, &UnreadTracker::recount);
    connect(chat, &ChatClient::conversationsReceived, this, &UnreadTracker::recount);
    connect(chat, &ChatClient::conversationUpdated, this, &UnreadTracker::recount);
    connect(chat, &ChatClient::roomGone, this, &UnreadTracker::recount);
}

qint64 UnreadTracker::unread(qint64 conversation) const
{
    for (const auto& summary : m_connection->chat()->conversations()) {
        if (summary.id == conversation) {
            return summary.unread;
        }
    }
    return 0;
}

bool UnreadTracker::isMuted(qint64 conversation) const
{
    return m_settings->mutedConversations(m_connection->hostPort()).contains(conversation);
}

void UnreadTracker::setMuted(qint64 conversation, bool muted)
{
    if (isMuted(conversation) == muted) {
        return;
    }
    m_settings->setConversationMuted(m_connection->hostPort(), conversation, muted);
    emit mutedChanged(conversation, muted);
    recount();
}

void UnreadTracker::recount()
{
    // A handful of conversations: counting them all again is simpler than keeping a sum right.
    const QSet<qint64> muted = m_settings->mutedConversations(m_connection->hostPort());
    qint64 total = 0;
    for (const auto& summary : m_connection->chat()->conversations()) {
        if (!muted.contains(summary.id)) {
            total += summary.unread;
        }
    }
    const int clamped = static_cast<int>(qMin<qint64>(total, std::numeric_limits<int>::max()));
    if (clamped != m_total) {
        m_total = clamped;
        emit totalChanged(m_total);
    }
}

} // namespace QuietWire::Gui
