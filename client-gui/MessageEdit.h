#pragma once

#include <QPlainTextEdit>

namespace QuietWire::Gui {

/// The chat input: Enter sends (sendRequested()), Shift+Enter starts a new line.
class MessageEdit : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit MessageEdit(QWidget* parent = nullptr);

    QSize sizeHint() const override;

signals:
    void sendRequested();

protected:
    void keyPressEvent(QKeyEvent* event) override;
};

} // namespace QuietWire::Gui
