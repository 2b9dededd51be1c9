#include "GuiSettings.h"

#include <QDir>
#include <QStandardPaths>

namespace QuietWire::Gui {

GuiSettings::GuiSettings(const QString& configDir)
    : m_configDir(configDir)
    , m_settings(QDir(configDir).filePath(QStringLiteral("quietwire.ini")), QSettings::IniFormat)
{ }

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

} // namespace QuietWire::Gui
