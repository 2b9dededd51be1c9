#include "ConversationDelegate.h"

#include "ConversationListModel.h"

#include <QApplication>
#include <QLocale>
#include <QPainter>

namespace QuietWire::Gui {

namespace {
constexpr int Padding = 6;
}

ConversationDelegate::ConversationDelegate(QObject* parent)
    : QStyledItemDelegate(parent)
{ }

QString ConversationDelegate::timeText(const QDateTime& time)
{
    if (!time.isValid()) {
        return QString();
    }
    return time.date() == QDate::currentDate() ? QLocale().toString(time.time(), QLocale::ShortFormat)
                                               : QLocale().toString(time.date(), QLocale::ShortFormat);
}

void ConversationDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const auto kind
        = static_cast<ConversationListModel::RowKind>(index.data(ConversationListModel::RowKindRole).toInt());
    const QString name = opt.text;
    opt.text.clear();
    const QStyle* style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    painter->save();
    const bool selected = opt.state & QStyle::State_Selected;
    const QColor text = opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    QRect area = opt.rect.adjusted(Padding, 0, -Padding, 0);
    if (kind == ConversationListModel::RowKind::Header) {
        QFont font = opt.font;
        font.setBold(true);
        font.setCapitalization(QFont::SmallCaps);
        painter->setFont(font);
        painter->setPen(opt.palette.color(QPalette::PlaceholderText));
        painter->drawText(area, Qt::AlignLeft | Qt::AlignVCenter, name);
        painter->restore();
        return;
    }
    const qint64 unread = index.data(ConversationListModel::UnreadRole).toLongLong();
    const bool muted = index.data(ConversationListModel::MutedRole).toBool();
    QFont font = opt.font;
    font.setBold(unread > 0 && !muted);
    if (kind == ConversationListModel::RowKind::AvailableRoom) {
        font.setItalic(true);
    }
    painter->setFont(font);
    const QFontMetrics metrics(font);

    // Right to left: the unread badge, then the time.
    if (unread > 0) {
        const QString count = unread > 999 ? QStringLiteral("999+") : QString::number(unread);
        const int width = qMax(metrics.height(), metrics.horizontalAdvance(count) + metrics.height() / 2);
        const QRect badge(area.right() - width, area.center().y() - metrics.height() / 2, width, metrics.height());
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(Qt::NoPen);
        painter->setBrush(muted ? QColor(0x99, 0x99, 0x99) : QColor(0x1f, 0x6f, 0xb2));
        painter->drawRoundedRect(badge, badge.height() / 2.0, badge.height() / 2.0);
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, count);
        area.setRight(badge.left() - Padding);
    }
    const QString time = timeText(index.data(ConversationListModel::LastTimeRole).toDateTime());
    if (!time.isEmpty()) {
        QFont small = opt.font;
        small.setPointSizeF(small.pointSizeF() * 0.85);
        painter->setFont(small);
        painter->setPen(opt.palette.color(selected ? QPalette::HighlightedText : QPalette::PlaceholderText));
        const int width = QFontMetrics(small).horizontalAdvance(time);
        painter->drawText(QRect(area.right() - width, area.top(), width, area.height()), Qt::AlignVCenter, time);
        area.setRight(area.right() - width - Padding);
        painter->setFont(font);
    }
    painter->setPen(text);
    const QString prefix = kind == ConversationListModel::RowKind::Direct ? QStringLiteral("@ ") : QStringLiteral("# ");
    painter->drawText(
        area, Qt::AlignLeft | Qt::AlignVCenter, metrics.elidedText(prefix + name, Qt::ElideRight, area.width()));
    painter->restore();
}

QSize ConversationDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(qMax(size.height(), option.fontMetrics.height() + 2 * Padding));
    return size;
}

} // namespace QuietWire::Gui
