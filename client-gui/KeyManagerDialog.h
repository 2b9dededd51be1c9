#pragma once

#include "Identity.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace QuietWire::Gui {

/// This client's key (public line, fingerprint, Copy, Export, Regenerate, Passphrase) and the
/// servers it trusts (known_servers, with Remove). identityChanged() after a regeneration.
class KeyManagerDialog : public QDialog
{
    Q_OBJECT

public:
    KeyManagerDialog(const Identity& identity, const QString& configDir, QWidget* parent = nullptr);

    void showTrustedServers();

signals:
    void identityChanged(const QuietWire::Identity& identity);
    void trustedServerRemoved(const QString& hostPort);

private:
    void showIdentity();
    void loadTrustedServers();
    void exportPublicKey();
    void confirmRegenerate();
    void regenerate();
    void changePassphrase(bool newKey);
    void removeTrustedServer();
    void setStatus(const QString& message, bool error = false);
    QString keyPath() const;

    Identity m_identity;
    QString m_configDir;
    QLineEdit* m_keyLine;
    QLabel* m_fingerprint;
    QLabel* m_passphraseState;
    QLabel* m_status;
    QTreeWidget* m_servers;
    QPushButton* m_removeServer;
};

} // namespace QuietWire::Gui
