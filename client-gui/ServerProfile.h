#pragma once

#include <QList>
#include <QString>

namespace QuietWire::Gui {

/// A server kept under a name of the user's choosing ("Work", "Home lab"). Its key is pinned in
/// known_servers by host:port like any other server's; a profile only remembers where to connect.
struct ServerProfile
{
    QString name;
    QString host;
    quint16 port = 0;

    bool operator==(const ServerProfile&) const = default;
};

/// The profile named name in profiles, or nullptr.
inline const ServerProfile* findProfile(const QList<ServerProfile>& profiles, const QString& name)
{
    for (const ServerProfile& profile : profiles) {
        if (profile.name == name) {
            return &profile;
        }
    }
    return nullptr;
}

} // namespace QuietWire::Gui
