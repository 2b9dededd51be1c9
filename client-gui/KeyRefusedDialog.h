#pragma once

#include <QDialog>

namespace QuietWire {
class Identity;
}

namespace QuietWire::Gui {

/// The server's whitelist does not hold our key: shows the public key line to give to the
/// administrator, with a Copy button. result() is Retry when the user wants to connect again.
class KeyRefusedDialog : public QDialog
{
    Q_OBJECT

public:
    enum Answer { Close = QDialog::Rejected, Retry = 10 };

    KeyRefusedDialog(const QString& hostPort, const Identity& identity, QWidget* parent = nullptr);
};

} // namespace QuietWire::Gui
