#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;

namespace QuietWire::Gui {

/// The interface language (applied at once), what closing the window does, desktop
/// notifications, and where the settings live.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(const QString& language, const QString& configDir, QWidget* parent = nullptr);

    /// "" for the system language, or a code from Translations::available().
    QString language() const;
    /// trayAvailable: whether there is a tray to close to (else closing minimises; the box says so).
    void setCloseToTray(bool closeToTray, bool trayAvailable);
    bool closeToTray() const;
    void setNotificationsEnabled(bool enabled);
    bool notificationsEnabled() const;

private:
    QComboBox* m_language;
    QCheckBox* m_closeToTray;
    QCheckBox* m_notifications;
};

} // namespace QuietWire::Gui
