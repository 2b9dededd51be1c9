#pragma once

#include "ServerProfile.h"

#include <QSet>
#include <QSettings>
#include <QStringList>

namespace QuietWire::Gui {

/// The desktop client's own settings (recent servers, server profiles, language, folders, window
/// layout, notifications), in quietwire.ini next to identity.key and known_servers, so
/// --config-dir isolates everything.
///
/// A quietwire.ini written before profiles existed has only the recent servers: the most recent
/// one becomes a profile (named after its host:port) and the last used one, the first time the
/// settings are read.
class GuiSettings
{
public:
    static constexpr int MaxRecentServers = 10;

    explicit GuiSettings(const QString& configDir);

    QString configDir() const { return m_configDir; }
    /// Most recent first, as "host:port".
    QStringList recentServers() const;
    void addRecentServer(const QString& hostPort);
    void removeRecentServer(const QString& hostPort);
    /// "" follows the system locale; otherwise "en" or "ru".
    QString language() const;
    void setLanguage(const QString& language);
    QString localFolder() const;
    void setLocalFolder(const QString& folder);
    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    /// Closing the window keeps the client running (in the tray, else minimised); false: it quits.
    bool closeToTray() const;
    void setCloseToTray(bool closeToTray);
    /// Desktop notifications for direct messages and mentions of the user's name.
    bool notificationsEnabled() const;
    void setNotificationsEnabled(bool enabled);
    /// The conversations of the server hostPort the user muted (by conversation id): they neither
    /// notify nor count in the unread total.
    QSet<qint64> mutedConversations(const QString& hostPort) const;
    void setConversationMuted(const QString& hostPort, qint64 conversation, bool muted);

    /// The saved servers, in the order the user made them; names are unique.
    QList<ServerProfile> profiles() const;
    void setProfiles(const QList<ServerProfile>& profiles);
    /// The profile connected to last ("" for none): it reconnects at start.
    QString lastProfile() const;
    void setLastProfile(const QString& name);

    void sync() { m_settings.sync(); }

private:
    /// Makes the most recent server a profile when the file has none yet (see the class comment).
    void upgradeToProfiles();

    QString m_configDir;
    mutable QSettings m_settings; // mutable: reading an array (profiles()) moves its cursor
};

} // namespace QuietWire::Gui
