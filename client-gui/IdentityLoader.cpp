#include "IdentityLoader.h"

#include "PassphraseDialog.h"

#include <QDir>

namespace QuietWire::Gui {

std::optional<Identity> IdentityLoader::load(const QString& configDir, QWidget* parent, bool* created, QString* error)
{
    *created = false;
    error->clear();
    if (!Identity::isEncrypted(configDir)) {
        auto identity = Identity::loadOrCreate(configDir, Identity::defaultComment(), error, created);
        if (!identity) {
            *error = tr("Your key cannot be used: %1").arg(*error);
        }
        return identity;
    }
    const QString keyPath = QDir(configDir).filePath(QLatin1String(Identity::PrivateKeyFile));
    PassphraseDialog dialog(PassphraseDialog::Mode::Unlock, keyPath, true, parent);
    // Before the main window exists, so exec(); nothing else runs yet.
    while (dialog.exec() == QDialog::Accepted) {
        QByteArray passphrase = dialog.takeCurrentPassphrase();
        QString loadError;
        auto identity = Identity::load(configDir, passphrase, &loadError);
        Identity::wipe(passphrase);
        if (identity) {
            return identity;
        }
        dialog.setError(tr("This passphrase does not unlock the key. Check the keyboard layout and Caps Lock, and "
                           "try again."));
    }
    return std::nullopt;
}

} // namespace QuietWire::Gui
