#pragma once

#include <QDialog>

class QCheckBox;
class QLineEdit;
class QPushButton;

namespace QuietWire::Gui {

/// Asks for a new room: its name (letters, digits, '.', '_', '-'), a topic and whether it is
/// private (only invited people see it). Opened with open(); accepted() when Create is pressed.
class RoomCreateDialog : public QDialog
{
    Q_OBJECT

public:
    explicit RoomCreateDialog(QWidget* parent = nullptr);

    QString name() const;
    QString topic() const;
    bool isPrivate() const;

private:
    void updateButtons();

    QLineEdit* m_name;
    QLineEdit* m_topic;
    QCheckBox* m_private;
    QPushButton* m_create;
};

} // namespace QuietWire::Gui
