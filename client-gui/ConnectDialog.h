#pragma once

#include <QDialog>

class QLineEdit;
class QListWidget;
class QSpinBox;
class QPushButton;

namespace QuietWire::Gui {

/// Asks for the server to connect to: host, port and the recently used servers.
class ConnectDialog : public QDialog
{
    Q_OBJECT

public:
    ConnectDialog(const QStringList& recentServers, QWidget* parent = nullptr);

    QString host() const;
    quint16 port() const;
    /// Splits "host", "host:port", "[v6]:port"; false when it is not one of those.
    static bool parseHostPort(const QString& text, QString* host, quint16* port);

signals:
    void forgetRecentServer(const QString& hostPort);

private:
    void useRecent(const QString& hostPort);
    void updateButtons();

    QLineEdit* m_host;
    QSpinBox* m_port;
    QListWidget* m_recent;
    QPushButton* m_connectButton;
};

} // namespace QuietWire::Gui
