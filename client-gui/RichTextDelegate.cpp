#include "RichTextDelegate.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QPainter>
#include <QTextDocument>

namespace QuietWire::Gui {

namespace {
constexpr int Margin = 4;
constexpr int MinimumWidth = 80;
constexpr qsizetype MaxCachedSizes = 100000;
} // namespace

RichTextDelegate::RichTextDelegate(QObject* parent)
    : QStyledItemDelegate(parent)
{ }

int RichTextDelegate::textWidth(const QStyleOptionViewItem& option)
{
    int width = option.rect.width();
    if (const auto* view = qobject_cast<const QAbstractItemView*>(option.widget)) {
        width = view->viewport()->width();
    }
    return qMax(MinimumWidth, width);
}

void RichTextDelegate::layout(QTextDocument& document, const QStyleOptionViewItem& option, const QString& html) const
{
    document.setDefaultFont(option.font);
    document.setDocumentMargin(Margin);
    document.setHtml(html);
    document.setTextWidth(textWidth(option));
}

qint64 RichTextDelegate::sizeKey(const QModelIndex&) const
{
    return 0;
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
    layout(document, option, html(index));
    painter->save();
    painter->translate(option.rect.topLeft());
    document.drawContents(painter, QRectF(0, 0, option.rect.width(), option.rect.height()));
    painter->restore();
}

QSize RichTextDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const int width = textWidth(option);
    const QString font = option.font.key();
    if (width != m_sizesWidth || font != m_sizesFont || m_sizes.size() >= MaxCachedSizes
        || m_keyedSizes.size() >= MaxCachedSizes) {
        m_sizes.clear();
        m_keyedSizes.clear();
        m_sizesWidth = width;
        m_sizesFont = font;
    }
    const qint64 key = sizeKey(index);
    if (key != 0) {
        if (const auto known = m_keyedSizes.constFind(key); known != m_keyedSizes.cend()) {
            return *known;
        }
    }
    const QString text = html(index);
    QSize size;
    if (const auto known = m_sizes.constFind(text); known != m_sizes.cend()) {
        size = *known;
    } else {
        QTextDocument document;
        layout(document, option, text);
        size = QSize(static_cast<int>(document.idealWidth()), static_cast<int>(document.size().height()));
        m_sizes.insert(text, size);
    }
    if (key != 0) {
        m_keyedSizes.insert(key, size);
    }
    return size;
}

} // namespace QuietWire::Gui
