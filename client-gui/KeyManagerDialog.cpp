#include "KeyManagerDialog.h"

#include "KnownServers.h"
#include "PassphraseDialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace QuietWire::Gui {

KeyManagerDialog::KeyManagerDialog(const Identity& identity, const QString& configDir, QWidget* parent)
    : QDialog(parent)
    , m_identity(identity)
    , m_configDir(configDir)
    , m_keyLine(new QLineEdit(this))
    , m_fingerprint(new QLabel(this))
    , m_passphraseState(new QLabel(this))
    , m_status(new QLabel(this))
    , m_servers(new QTreeWidget(this))
    , m_removeServer(new QPushButton(tr("&Remove"), this))
{
    setObjectName(QStringLiteral("keyManagerDialog"));
    setWindowTitle(tr("Keys"));

    auto* keyBox = new QGroupBox(tr("Your key"), this);
    auto* keyIntro = new QLabel(tr("Servers let you in by this public key line. Give it to each server's "
                                   "administrator; it is not secret."),
        keyBox);
    keyIntro->setWordWrap(true);
    m_keyLine->setObjectName(QStringLiteral("publicKeyLineEdit"));
    m_keyLine->setReadOnly(true);
    m_keyLine->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_fingerprint->setObjectName(QStringLiteral("fingerprintLabel"));
    m_fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_passphraseState->setObjectName(QStringLiteral("passphraseStateLabel"));

    auto* copy = new QPushButton(tr("&Copy"), keyBox);
    copy->setObjectName(QStringLiteral("copyKeyButton"));
    auto* exportButton = new QPushButton(tr("&Export .pub…"), keyBox);
    exportButton->setObjectName(QStringLiteral("exportKeyButton"));
    auto* regenerateButton = new QPushButton(tr("Re&generate…"), keyBox);
    regenerateButton->setObjectName(QStringLiteral("regenerateButton"));
    auto* passphrase = new QPushButton(tr("&Passphrase…"), keyBox);
    passphrase->setObjectName(QStringLiteral("passphraseButton"));
    connect(copy, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(m_identity.publicKeyLine());
        setStatus(tr("The public key line is on the clipboard."));
    });
    connect(exportButton, &QPushButton::clicked, this, &KeyManagerDialog::exportPublicKey);
    connect(regenerateButton, &QPushButton::clicked, this, &KeyManagerDialog::confirmRegenerate);
    connect(passphrase, &QPushButton::clicked, this, [this] { changePassphrase(false); });

    auto* keyButtons = new QHBoxLayout;
    keyButtons->addWidget(copy);
    keyButtons->addWidget(exportButton);
    keyButtons->addStretch();
    keyButtons->addWidget(passphrase);
    keyButtons->addWidget(regenerateButton);
    auto* keyLayout = new QVBoxLayout(keyBox);
    keyLayout->addWidget(keyIntro);
    keyLayout->addWidget(m_keyLine);
    keyLayout->addWidget(m_fingerprint);
    keyLayout->addWidget(m_passphraseState);
    keyLayout->addLayout(keyButtons);

    auto* serverBox = new QGroupBox(tr("Trusted servers"), this);
    auto* serverIntro = new QLabel(tr("Keys of the servers you trusted. Remove one only when its administrator "
                                      "confirmed that the server has a new key."),
        serverBox);
    serverIntro->setWordWrap(true);
    m_servers->setObjectName(QStringLiteral("trustedServerList"));
    m_servers->setRootIsDecorated(false);
    m_servers->setHeaderLabels({ tr("Server"), tr("Key fingerprint") });
    m_servers->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_removeServer->setObjectName(QStringLiteral("removeServerButton"));
    connect(m_removeServer, &QPushButton::clicked, this, &KeyManagerDialog::removeTrustedServer);
    connect(m_servers, &QTreeWidget::itemSelectionChanged, this,
        [this] { m_removeServer->setEnabled(!m_servers->selectedItems().isEmpty()); });
    auto* serverButtons = new QHBoxLayout;
    serverButtons->addStretch();
    serverButtons->addWidget(m_removeServer);
    auto* serverLayout = new QVBoxLayout(serverBox);
    serverLayout->addWidget(serverIntro);
    serverLayout->addWidget(m_servers);
    serverLayout->addLayout(serverButtons);

    m_status->setObjectName(QStringLiteral("keyStatusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(keyBox);
    layout->addWidget(serverBox, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    showIdentity();
    loadTrustedServers();
    resize(680, 520);
}

QString KeyManagerDialog::keyPath() const
{
    return QDir(m_configDir).filePath(QLatin1String(Identity::PrivateKeyFile));
}

void KeyManagerDialog::showIdentity()
{
    m_keyLine->setText(m_identity.publicKeyLine());
    m_keyLine->setCursorPosition(0);
    m_fingerprint->setText(tr("Fingerprint: %1").arg(m_identity.fingerprint()));
    m_passphraseState->setText(Identity::isEncrypted(m_configDir)
            ? tr("The private key in %1 is protected by a passphrase.").arg(keyPath())
            : tr("The private key in %1 is not protected by a passphrase.").arg(keyPath()));
}

void KeyManagerDialog::showTrustedServers()
{
    m_servers->setFocus();
    if (m_servers->topLevelItemCount() > 0 && m_servers->selectedItems().isEmpty()) {
        m_servers->setCurrentItem(m_servers->topLevelItem(0));
    }
}

void KeyManagerDialog::loadTrustedServers()
{
    m_servers->clear();
    QString error;
    const auto entries = KnownServers(QDir(m_configDir).filePath(QStringLiteral("known_servers"))).entries(&error);
    if (!entries) {
        setStatus(error, true);
    } else {
        for (const auto& entry : *entries) {
            auto* item = new QTreeWidgetItem(m_servers, { entry.hostPort, Identity::fingerprint(entry.key) });
            item->setData(0, Qt::UserRole, entry.hostPort);
        }
    }
    m_removeServer->setEnabled(!m_servers->selectedItems().isEmpty());
}

void KeyManagerDialog::exportPublicKey()
{
    const QString suggested
        = QDir(QStandardPaths::writableLocation(QStandardPaths::HomeLocation))
              .filePath(m_identity.comment().section(QLatin1Char('@'), 0, 0) + QStringLiteral("-quietwire.pub"));
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export public key"), suggested, tr("Public key (*.pub);;All files (*)"));
    if (path.isEmpty()) {
        return;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_identity.publicKeyLine().toUtf8() + '\n') < 0
        || !file.commit()) {
        setStatus(tr("Cannot write %1: %2. Choose another folder.").arg(path, file.errorString()), true);
        return;
    }
    setStatus(tr("Saved the public key line to %1.").arg(path));
}

void KeyManagerDialog::confirmRegenerate()
{
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Make a new key?"),
        tr("A new key pair replaces your current one."), QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("regenerateConfirmBox"));
    box->setInformativeText(tr("No server will let you in with the new key until its administrator allows it: "
                               "send them the new public key line. You will be disconnected. The old key is kept "
                               "as a backup (identity.key.bak-…) in %1.")
                                .arg(m_configDir));
    QPushButton* yes = box->addButton(tr("&Make a new key"), QMessageBox::DestructiveRole);
    yes->setObjectName(QStringLiteral("confirmRegenerateButton"));
    QPushButton* no = box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(no);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, yes](QAbstractButton* button) {
        if (button == yes) {
            regenerate();
        }
    });
    box->open();
}

void KeyManagerDialog::regenerate()
{
    const bool wasEncrypted = Identity::isEncrypted(m_configDir);
    QString error;
    QString backup;
    const auto fresh = Identity::regenerate(m_configDir, m_identity.comment(), QByteArray(), &error, &backup);
    if (!fresh) {
        setStatus(tr("No new key was made: %1").arg(error), true);
        return;
    }
    m_identity = *fresh;
    showIdentity();
    setStatus(tr("New key made; the old one is kept in %1. Give the new line above to the administrator of each "
                 "server.")
                  .arg(backup));
    emit identityChanged(m_identity);
    if (wasEncrypted) {
        // The old key had a passphrase; offer one for the new key right away.
        changePassphrase(true);
    }
}

void KeyManagerDialog::changePassphrase(bool newKey)
{
    const bool encrypted = !newKey && Identity::isEncrypted(m_configDir);
    auto* dialog = new PassphraseDialog(PassphraseDialog::Mode::Change, keyPath(), encrypted, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, encrypted] {
        QByteArray current = dialog->takeCurrentPassphrase();
        QByteArray fresh = dialog->takeNewPassphrase();
        QString error;
        if (encrypted) {
            // Proves the user knows the passphrase before replacing it.
            const auto check = Identity::load(m_configDir, current, &error);
            Identity::wipe(current);
            if (!check || check->publicKey() != m_identity.publicKey()) {
                Identity::wipe(fresh);
                setStatus(tr("The passphrase was not changed: the current passphrase is wrong."), true);
                return;
            }
        }
        const bool saved = m_identity.save(m_configDir, fresh, &error);
        const bool protectedNow = !fresh.isEmpty();
        Identity::wipe(fresh);
        if (!saved) {
            setStatus(tr("The passphrase was not changed: %1").arg(error), true);
            return;
        }
        showIdentity();
        setStatus(protectedNow ? tr("Your private key is now protected by the new passphrase.")
                               : tr("Your private key is now stored without a passphrase."));
    });
    dialog->open();
}

void KeyManagerDialog::removeTrustedServer()
{
    const auto items = m_servers->selectedItems();
    if (items.isEmpty()) {
        return;
    }
    const QString hostPort = items.first()->data(0, Qt::UserRole).toString();
    QString error;
    KnownServers known(QDir(m_configDir).filePath(QStringLiteral("known_servers")));
    if (known.remove(hostPort, &error) < 0) {
        setStatus(tr("Cannot remove %1: %2").arg(hostPort, error), true);
        return;
    }
    loadTrustedServers();
    setStatus(tr("Removed the key of %1. The next connection asks you to compare its fingerprint.").arg(hostPort));
    emit trustedServerRemoved(hostPort);
}

void KeyManagerDialog::setStatus(const QString& message, bool error)
{
    m_status->setStyleSheet(error ? QStringLiteral("color: #b00020") : QString());
    m_status->setText(message);
}

} // namespace QuietWire::Gui
