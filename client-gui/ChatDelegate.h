#pragma once

#include <QStyledItemDelegate>

class QTextDocument;

namespace QuietWire::Gui {

/// Draws a chat line: the time in grey, the sender in bold (one colour per key), the text
/// wrapped to the view's width; system lines in grey italics.
class ChatDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit ChatDelegate(QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    void layout(QTextDocument& document, const QStyleOptionViewItem& option, const QModelIndex& index) const;
};

} // namespace QuietWire::Gui
