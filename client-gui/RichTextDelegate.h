#pragma once

#include <QHash>
#include <QStyledItemDelegate>

class QTextDocument;

namespace QuietWire::Gui {

/// An item drawn as rich text, wrapped to the view's width: a subclass gives the row's HTML
/// (html(), with every string from the network escaped); this class paints it over the item's
/// background (a pale selection, so the text's own colours stay readable) and sizes the row by it.
/// Sizes are kept by HTML, width and font: a view lays out every row again when rows are added
/// (a page of history), and laying out a document is what costs; the HTML of a row is cheap.
class RichTextDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit RichTextDelegate(QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

protected:
    virtual QString html(const QModelIndex& index) const = 0;
    /// A number that stands for the row's HTML (the same number, the same HTML), so that a known
    /// size is found without making the HTML; 0 (the default): the HTML is the key.
    virtual qint64 sizeKey(const QModelIndex& index) const;

private:
    /// The width the text is wrapped to in option's view.
    static int textWidth(const QStyleOptionViewItem& option);
    void layout(QTextDocument& document, const QStyleOptionViewItem& option, const QString& html) const;

    /// Sizes of the HTML (or of sizeKey()) laid out at m_sizesWidth in m_sizesFont; emptied when
    /// either changes, or when one holds MaxCachedSizes.
    mutable QHash<QString, QSize> m_sizes;
    mutable QHash<qint64, QSize> m_keyedSizes;
    mutable int m_sizesWidth = -1;
    mutable QString m_sizesFont;
};

} // namespace QuietWire::Gui
