#include "MessageEdit.h"

#include <QKeyEvent>

namespace QuietWire::Gui {

MessageEdit::MessageEdit(QWidget* parent)
    : QPlainTextEdit(parent)
{
    setTabChangesFocus(true);
}

QSize MessageEdit::sizeHint() const
{
    const QSize hint = QPlainTextEdit::sizeHint();
    return QSize(hint.width(), fontMetrics().lineSpacing() * 3 + 2 * frameWidth() + 8);
}

void MessageEdit::keyPressEvent(QKeyEvent* event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (enter && !(event->modifiers() & (Qt::ShiftModifier | Qt::ControlModifier | Qt::AltModifier))) {
        emit sendRequested();
        event->accept();
        return;
    }
    if (enter) {
        // Shift+Enter: a plain new line (not Qt's line separator U+2028).
        insertPlainText(QStringLiteral("\n"));
        event->accept();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

} // namespace QuietWire::Gui
