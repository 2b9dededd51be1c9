#pragma once

#include <QObject>
#include <QSet>

namespace QuietWire::Gui {

class GuiSettings;
class ServerConnection;

/// The unread messages of the connected server, as its chat session (version 2) counts them, with
/// the conversations the user muted left out: what the window title and the tray icon show.
///
/// Usage: create it over the window's ServerConnection; total() and totalChanged(). It follows
/// ChatClient::conversations() (conversationsReceived, conversationUpdated, roomGone), so live
/// messages and read markers from any session of the user move it; a new connection starts from
/// the server's list again. setMuted() keeps the choice in GuiSettings per server and
/// conversation id.
class UnreadTracker : public QObject
{
    Q_OBJECT

public:
    UnreadTracker(ServerConnection* connection, GuiSettings* settings, QObject* parent = nullptr);

    /// Unread messages in the conversations that are not muted.
    int total() const { return m_total; }
    /// What the server counts for conversation (muted or not); 0 for one not listed.
    qint64 unread(qint64 conversation) const;
    bool isMuted(qint64 conversation) const;
    void setMuted(qint64 conversation, bool muted);

signals:
    void totalChanged(int total);
    /// A conversation was muted or unmuted (on this server).
    void mutedChanged(qint64 conversation, bool muted);

private:
    void watchClient();
    void recount();

    ServerConnection* m_connection;
    GuiSettings* m_settings;
    int m_total = 0;
};

} // namespace QuietWire::Gui
