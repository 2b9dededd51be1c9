#include "RichTextDelegate.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QPainter>
#include <QTextDocument>

namespace QuietWire::Gui {

namespace {
constexpr int Margin = 4;
constexpr int MinimumWidth = 80;
} // namespace

RichTextDelegate::RichTextDelegate(QObject* parent)
    : QStyledItemDelegate(parent)
{ }

void RichTextDelegate::layout(
    QTextDocument& document, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    document.setDefaultFont(option.font);
    document.setDocumentMargin(Margin);
    document.setHtml(html(index));
    int width = option.rect.width();
    if (const auto* view = qobject_cast<const QAbstractItemView*>(option.widget)) {
        width = view->viewport()->width();
    }
    document.setTextWidth(qMax(MinimumWidth, width));
}

void RichTextDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    QColor highlight = opt.palette.color(QPalette::Highlight);
    highlight.setAlpha(70);
    opt.palette.setColor(QPalette::Highlight, highlight);
    const QStyle* style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    QTextDocument document;
    layout(document, option, index);
    painter->save();
    painter->translate(option.rect.topLeft());
    document.drawContents(painter, QRectF(0, 0, option.rect.width(), option.rect.height()));
    painter->restore();
}

QSize RichTextDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QTextDocument document;
    layout(document, option, index);
    return QSize(static_cast<int>(document.idealWidth()), static_cast<int>(document.size().height()));
}

} // namespace QuietWire::Gui
