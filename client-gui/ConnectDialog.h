#pragma once

#include "ServerProfile.h"

#include <QDialog>

class QLineEdit;
class QListWidget;
class QSpinBox;
class QPushButton;

namespace QuietWire::Gui {

/// Asks for the server to connect to: host and port, typed or taken from a saved profile or the
/// recently used servers. Profiles are added, changed (saved again under the same name) and
/// removed here; each change is reported at once with profilesChanged(), whether or not the
/// dialog then connects. Connecting with a profile name saves the profile too.
class ConnectDialog : public QDialog
{
    Q_OBJECT

public:
    ConnectDialog(const QStringList& recentServers, const QList<ServerProfile>& profiles, QWidget* parent = nullptr);

    QString host() const;
    quint16 port() const;
    /// The profile being connected to ("" for a server without a name).
    QString profileName() const;
    /// Splits "host", "host:port", "[v6]:port"; false when it is not one of those.
    static bool parseHostPort(const QString& text, QString* host, quint16* port);

public slots:
    /// Connects; with a profile name, saves the profile first.
    void accept() override;

signals:
    void forgetRecentServer(const QString& hostPort);
    void profilesChanged(const QList<QuietWire::Gui::ServerProfile>& profiles);

private:
    void useRecent(const QString& hostPort);
    void useProfile(const QString& name);
    void saveProfile();
    void removeProfile();
    void fillProfileList(const QString& current);
    void updateButtons();

    QList<ServerProfile> m_profiles;
    QLineEdit* m_name;
    QLineEdit* m_host;
    QSpinBox* m_port;
    QListWidget* m_profileList;
    QListWidget* m_recent;
    QPushButton* m_saveProfileButton;
    QPushButton* m_removeProfileButton;
    QPushButton* m_connectButton;
};

} // namespace QuietWire::Gui
