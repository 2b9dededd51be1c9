#pragma once

#include <QDialog>

namespace QuietWire::Gui {

/// A pinned server offered another key: the connection is blocked. Shows both fingerprints and
/// how to fix it; there is deliberately no button that trusts the new key.
class ServerKeyChangedDialog : public QDialog
{
    Q_OBJECT

public:
    ServerKeyChangedDialog(const QString& hostPort, const QByteArray& pinnedKey, const QByteArray& offeredKey,
        const QString& knownServersPath, QWidget* parent = nullptr);

signals:
    void openKeyManager();
};

} // namespace QuietWire::Gui
