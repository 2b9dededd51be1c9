#include "GuiSettings.h"

#include "Protocol.h"

#include <QDir>
#include <QStandardPaths>

namespace QuietWire::Gui {

GuiSettings::GuiSettings(const QString& configDir)
    : m_configDir(configDir)
    , m_settings(QDir(configDir).filePath(QStringLiteral("quietwire.ini")), QSettings::IniFormat)
{
    upgradeToProfiles();
}

void GuiSettings::upgradeToProfiles()
{
    if (m_settings.contains(QStringLiteral("profiles/size"))) {
        return;
    }
    const QStringList recent = recentServers();
    ServerProfile profile;
    if (recent.isEmpty() || !Protocol::parseHostPort(recent.first(), &profile.host, &profile.port)) {
        return;
    }
    profile.name = recent.first();
    setProfiles({ profile });
    setLastProfile(profile.name);
}

QStringList GuiSettings::recentServers() const
{
    return m_settings.value(QStringLiteral("connection/recent")).toStringList();
}

void GuiSettings::addRecentServer(const QString& hostPort)
{
    QStringList recent = recentServers();
    recent.removeAll(hostPort);
    recent.prepend(hostPort);
    while (recent.size() > MaxRecentServers) {
        recent.removeLast();
    }
    m_settings.setValue(QStringLiteral("connection/recent"), recent);
}

void GuiSettings::removeRecentServer(const QString& hostPort)
{
    QStringList recent = recentServers();
    recent.removeAll(hostPort);
    m_settings.setValue(QStringLiteral("connection/recent"), recent);
}

QString GuiSettings::language() const
{
    return m_settings.value(QStringLiteral("ui/language")).toString();
}

void GuiSettings::setLanguage(const QString& language)
{
    m_settings.setValue(QStringLiteral("ui/language"), language);
}

QString GuiSettings::localFolder() const
{
    const QString folder = m_settings.value(QStringLiteral("files/localFolder")).toString();
    if (!folder.isEmpty() && QDir(folder).exists()) {
        return folder;
    }
    return QStandardPaths::writableLocation(QStandardPaths::HomeLocation);
}

void GuiSettings::setLocalFolder(const QString& folder)
{
    m_settings.setValue(QStringLiteral("files/localFolder"), folder);
}

QByteArray GuiSettings::windowGeometry() const
{
    return m_settings.value(QStringLiteral("ui/geometry")).toByteArray();
}

void GuiSettings::setWindowGeometry(const QByteArray& geometry)
{
    m_settings.setValue(QStringLiteral("ui/geometry"), geometry);
}

bool GuiSettings::closeToTray() const
{
    return m_settings.value(QStringLiteral("ui/closeToTray"), false).toBool();
}

void GuiSettings::setCloseToTray(bool closeToTray)
{
    m_settings.setValue(QStringLiteral("ui/closeToTray"), closeToTray);
}

bool GuiSettings::notificationsEnabled() const
{
    return m_settings.value(QStringLiteral("notifications/enabled"), true).toBool();
}

void GuiSettings::setNotificationsEnabled(bool enabled)
{
    m_settings.setValue(QStringLiteral("notifications/enabled"), enabled);
}

namespace {
/// One list of conversation ids per server; QSettings escapes the ':' and brackets of the key.
QString mutedKey(const QString& hostPort)
{
    return QStringLiteral("muted/") + hostPort;
}
} // namespace

QSet<qint64> GuiSettings::mutedConversations(const QString& hostPort) const
{
    QSet<qint64> muted;
    for (const QString& id : m_settings.value(mutedKey(hostPort)).toStringList()) {
        bool ok = false;
        const qint64 conversation = id.toLongLong(&ok);
        if (ok) {
            muted.insert(conversation);
        }
    }
    return muted;
}

void GuiSettings::setConversationMuted(const QString& hostPort, qint64 conversation, bool muted)
{
    QSet<qint64> ids = mutedConversations(hostPort);
    if (muted) {
        ids.insert(conversation);
    } else {
        ids.remove(conversation);
    }
    if (ids.isEmpty()) {
        m_settings.remove(mutedKey(hostPort));
        return;
    }
    QList<qint64> sorted(ids.begin(), ids.end());
    std::sort(sorted.begin(), sorted.end());
    QStringList list;
    for (const qint64 id : sorted) {
        list << QString::number(id);
    }
    m_settings.setValue(mutedKey(hostPort), list);
}

QList<ServerProfile> GuiSettings::profiles() const
{
    QList<ServerProfile> profiles;
    const int size = m_settings.beginReadArray(QStringLiteral("profiles"));
    for (int i = 0; i < size; ++i) {
        m_settings.setArrayIndex(i);
        ServerProfile profile;
        profile.name = m_settings.value(QStringLiteral("name")).toString();
        profile.host = m_settings.value(QStringLiteral("host")).toString();
        const int port = m_settings.value(QStringLiteral("port")).toInt();
        if (profile.name.isEmpty() || profile.host.isEmpty() || port < 1 || port > 65535
            || findProfile(profiles, profile.name)) {
            continue; // edited by hand into something no dialog makes
        }
        profile.port = static_cast<quint16>(port);
        profiles.append(profile);
    }
    m_settings.endArray();
    return profiles;
}

void GuiSettings::setProfiles(const QList<ServerProfile>& profiles)
{
    m_settings.remove(QStringLiteral("profiles"));
    m_settings.beginWriteArray(QStringLiteral("profiles"), static_cast<int>(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        m_settings.setArrayIndex(i);
        m_settings.setValue(QStringLiteral("name"), profiles.at(i).name);
        m_settings.setValue(QStringLiteral("host"), profiles.at(i).host);
        m_settings.setValue(QStringLiteral("port"), profiles.at(i).port);
    }
    m_settings.endArray();
    if (!findProfile(profiles, lastProfile())) {
        setLastProfile(QString());
    }
}

QString GuiSettings::lastProfile() const
{
    return m_settings.value(QStringLiteral("connection/lastProfile")).toString();
}

void GuiSettings::setLastProfile(const QString& name)
{
    m_settings.setValue(QStringLiteral("connection/lastProfile"), name);
}

} // namespace QuietWire::Gui
