#include "PassphraseDialog.h"

#include "Identity.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace QuietWire::Gui {

namespace {
QLineEdit* passwordEdit(const QString& name, QWidget* parent)
{
    auto* edit = new QLineEdit(parent);
    edit->setObjectName(name);
    edit->setEchoMode(QLineEdit::Password);
    return edit;
}

QByteArray takeText(QLineEdit* edit)
{
    if (!edit) {
        return QByteArray();
    }
    QString text = edit->text();
    QByteArray utf8 = text.toUtf8();
    Identity::wipe(text);
    edit->clear();
    return utf8;
}
} // namespace

PassphraseDialog::PassphraseDialog(Mode mode, const QString& keyPath, bool currentlyEncrypted, QWidget* parent)
    : QDialog(parent)
    , m_mode(mode)
    , m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("passphraseDialog"));
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setObjectName(QStringLiteral("passphraseOkButton"));
    buttons->button(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("passphraseCancelButton"));

    if (mode == Mode::Unlock) {
        setWindowTitle(tr("Unlock your key"));
        auto* intro = new QLabel(tr("Your private key %1 is protected by a passphrase. Type it to start QuietWire.")
                                     .arg(keyPath.toHtmlEscaped()),
            this);
        intro->setWordWrap(true);
        layout->addWidget(intro);
        m_current = passwordEdit(QStringLiteral("currentPassphraseEdit"), this);
        form->addRow(tr("&Passphrase:"), m_current);
        m_ok->setText(tr("&Unlock"));
        buttons->button(QDialogButtonBox::Cancel)->setText(tr("&Quit"));
    } else {
        setWindowTitle(tr("Passphrase of your private key"));
        auto* intro = new QLabel(tr("A passphrase encrypts your private key on disk, so a copy of the file alone is "
                                    "useless. QuietWire asks for it at every start. Leave the new passphrase empty "
                                    "to remove the protection. quietwire-cli cannot use a protected key."),
            this);
        intro->setWordWrap(true);
        layout->addWidget(intro);
        if (currentlyEncrypted) {
            m_current = passwordEdit(QStringLiteral("currentPassphraseEdit"), this);
            form->addRow(tr("&Current passphrase:"), m_current);
        }
        m_new = passwordEdit(QStringLiteral("newPassphraseEdit"), this);
        m_repeat = passwordEdit(QStringLiteral("repeatPassphraseEdit"), this);
        form->addRow(tr("&New passphrase:"), m_new);
        form->addRow(tr("&Repeat it:"), m_repeat);
        m_ok->setText(tr("&Save"));
        connect(m_new, &QLineEdit::textChanged, this, &PassphraseDialog::validate);
        connect(m_repeat, &QLineEdit::textChanged, this, &PassphraseDialog::validate);
    }
    m_error->setObjectName(QStringLiteral("passphraseErrorLabel"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b00020"));
    m_error->hide();

    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    validate();
    resize(460, sizeHint().height());
}

PassphraseDialog::~PassphraseDialog()
{
    Identity::wipe(m_currentValue);
    Identity::wipe(m_newValue);
}

void PassphraseDialog::setError(const QString& message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void PassphraseDialog::validate()
{
    if (m_mode == Mode::Unlock) {
        return;
    }
    const bool same = m_new->text() == m_repeat->text();
    m_ok->setEnabled(same);
    if (!same && !m_repeat->text().isEmpty()) {
        setError(tr("The two new passphrases differ."));
    } else if (m_new->text().isEmpty()) {
        setError(tr("With an empty passphrase the key is stored unprotected."));
    } else {
        setError(QString());
    }
}

void PassphraseDialog::done(int result)
{
    if (result == QDialog::Accepted) {
        m_currentValue = takeText(m_current);
        m_newValue = takeText(m_new);
        takeText(m_repeat);
    } else {
        takeText(m_current);
        takeText(m_new);
        takeText(m_repeat);
    }
    QDialog::done(result);
}

QByteArray PassphraseDialog::takeCurrentPassphrase()
{
    return std::exchange(m_currentValue, QByteArray());
}

QByteArray PassphraseDialog::takeNewPassphrase()
{
    return std::exchange(m_newValue, QByteArray());
}

} // namespace QuietWire::Gui
