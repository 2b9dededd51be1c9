#pragma once

#include <QStyledItemDelegate>

class QTextDocument;

namespace QuietWire::Gui {

/// An item drawn as rich text, wrapped to the view's width: a subclass gives the row's HTML
/// (html(), with every string from the network escaped); this class paints it over the item's
/// background (a pale selection, so the text's own colours stay readable) and sizes the row by it.
class RichTextDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit RichTextDelegate(QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

protected:
    virtual QString html(const QModelIndex& index) const = 0;

private:
    void layout(QTextDocument& document, const QStyleOptionViewItem& option, const QModelIndex& index) const;
};

} // namespace QuietWire::Gui
