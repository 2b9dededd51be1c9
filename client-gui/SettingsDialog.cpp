#include "SettingsDialog.h"

#include "Translations.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace QuietWire::Gui {

SettingsDialog::SettingsDialog(const QString& language, const QString& configDir, QWidget* parent)
    : QDialog(parent)
    , m_language(new QComboBox(this))
    , m_closeToTray(new QCheckBox(tr("&Closing the window keeps QuietWire running in the system tray"), this))
    , m_notifications(new QCheckBox(tr("&Notify me of direct messages and of messages that mention my name"), this))
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));
    m_language->setObjectName(QStringLiteral("languageBox"));
    for (const auto& available : Translations::available()) {
        m_language->addItem(available.name, available.code);
    }
    m_language->setCurrentIndex(qMax(0, m_language->findData(language)));

    auto* form = new QFormLayout;
    form->addRow(tr("&Language:"), m_language);
    m_closeToTray->setObjectName(QStringLiteral("closeToTrayBox"));
    m_notifications->setObjectName(QStringLiteral("notificationsBox"));
    m_notifications->setToolTip(
        tr("Shown by the desktop while the window is not active; muted conversations never notify"));
    form->addRow(m_closeToTray);
    form->addRow(m_notifications);
    auto* where = new QLabel(tr("Your key, the trusted servers and these settings are kept in %1 (shared with "
                                "quietwire-cli; <tt>--config-dir</tt> chooses another folder).")
                                 .arg(configDir.toHtmlEscaped()),
        this);
    where->setWordWrap(true);
    where->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("settingsOkButton"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(where);
    layout->addStretch();
    layout->addWidget(buttons);
    resize(460, sizeHint().height());
}

QString SettingsDialog::language() const
{
    return m_language->currentData().toString();
}

void SettingsDialog::setCloseToTray(bool closeToTray, bool trayAvailable)
{
    m_closeToTray->setChecked(closeToTray);
    m_closeToTray->setText(trayAvailable
            ? tr("&Closing the window keeps QuietWire running in the system tray")
            : tr("&Closing the window keeps QuietWire running, minimised (this desktop has no system tray)"));
}

bool SettingsDialog::closeToTray() const
{
    return m_closeToTray->isChecked();
}

void SettingsDialog::setNotificationsEnabled(bool enabled)
{
    m_notifications->setChecked(enabled);
}

bool SettingsDialog::notificationsEnabled() const
{
    return m_notifications->isChecked();
}

} // namespace QuietWire::Gui
