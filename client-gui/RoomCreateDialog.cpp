#include "RoomCreateDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace QuietWire::Gui {

RoomCreateDialog::RoomCreateDialog(QWidget* parent)
    : QDialog(parent)
    , m_name(new QLineEdit(this))
    , m_topic(new QLineEdit(this))
    , m_private(new QCheckBox(this))
{
    setObjectName(QStringLiteral("roomCreateDialog"));
    setWindowTitle(tr("New room"));
    m_name->setObjectName(QStringLiteral("roomNameEdit"));
    m_name->setMaxLength(64);
    m_name->setPlaceholderText(tr("design, team-2, lab.notes"));
    m_name->setToolTip(tr("1 to 64 letters, digits, '.', '_' or '-'"));
    m_topic->setObjectName(QStringLiteral("roomTopicEdit"));
    m_topic->setPlaceholderText(tr("What the room is for (optional)"));
    m_private->setObjectName(QStringLiteral("roomPrivateCheck"));
    m_private->setText(tr("&Private: only people you invite see the room"));

    auto* form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Topic:"), m_topic);
    form->addRow(QString(), m_private);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_create = buttons->button(QDialogButtonBox::Ok);
    m_create->setObjectName(QStringLiteral("roomCreateOkButton"));
    m_create->setText(tr("&Create"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, &RoomCreateDialog::updateButtons);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
    updateButtons();
}

QString RoomCreateDialog::name() const
{
    return m_name->text().trimmed();
}

QString RoomCreateDialog::topic() const
{
    return m_topic->text().trimmed();
}

bool RoomCreateDialog::isPrivate() const
{
    return m_private->isChecked();
}

void RoomCreateDialog::updateButtons()
{
    m_create->setEnabled(!name().isEmpty());
}

} // namespace QuietWire::Gui
