#pragma once

#include <QDialog>

class QComboBox;

namespace QuietWire::Gui {

/// The interface language (applied at once) and where the settings live.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(const QString& language, const QString& configDir, QWidget* parent = nullptr);

    /// "" for the system language, or a code from Translations::available().
    QString language() const;

private:
    QComboBox* m_language;
};

} // namespace QuietWire::Gui
