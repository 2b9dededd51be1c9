#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace QuietWire::Gui {

/// Asks for the private key's passphrase: Unlock (at start, for an encrypted identity.key) or
/// Change (in the key manager: the current one when there is one, the new one twice; an empty
/// new passphrase removes the protection). The take*() calls hand the text over once and clear
/// the fields, so the passphrase does not linger in widgets.
class PassphraseDialog : public QDialog
{
    Q_OBJECT

public:
    enum class Mode { Unlock, Change };

    PassphraseDialog(Mode mode, const QString& keyPath, bool currentlyEncrypted, QWidget* parent = nullptr);
    ~PassphraseDialog() override;

    void setError(const QString& message);
    QByteArray takeCurrentPassphrase();
    QByteArray takeNewPassphrase();

protected:
    void done(int result) override;

private:
    void validate();

    Mode m_mode;
    QLineEdit* m_current = nullptr;
    QLineEdit* m_new = nullptr;
    QLineEdit* m_repeat = nullptr;
    QLabel* m_error;
    QPushButton* m_ok;
    QByteArray m_currentValue;
    QByteArray m_newValue;
};

} // namespace QuietWire::Gui
