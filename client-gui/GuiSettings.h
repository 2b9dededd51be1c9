#pragma once

#include <QSettings>
#include <QStringList>

namespace QuietWire::Gui {

/// The desktop client's own settings (recent servers, language, folders, window layout), in
/// quietwire.ini next to identity.key and known_servers, so --config-dir isolates everything.
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
    void sync() { m_settings.sync(); }

private:
    QString m_configDir;
    QSettings m_settings;
};

} // namespace QuietWire::Gui
