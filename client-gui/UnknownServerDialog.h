#pragma once

#include <QDialog>

namespace QuietWire::Gui {

/// First contact with a server: shows its key fingerprint and asks whether to trust it.
/// result() is one of Answer.
class UnknownServerDialog : public QDialog
{
    Q_OBJECT

public:
    enum Answer { Cancel = QDialog::Rejected, TrustOnce = 10, AlwaysTrust = 11 };

    UnknownServerDialog(const QString& hostPort, const QByteArray& key, QWidget* parent = nullptr);

    QString hostPort() const { return m_hostPort; }
    QByteArray key() const { return m_key; }

private:
    QString m_hostPort;
    QByteArray m_key;
};

} // namespace QuietWire::Gui
