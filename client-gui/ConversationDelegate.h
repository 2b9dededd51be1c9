#pragma once

#include <QStyledItemDelegate>

namespace QuietWire::Gui {

/// Paints a row of ConversationListModel: a group's header in small capitals; a conversation
/// with its name (bold while unread), the time of its last message and its unread count at the
/// right (greyed when muted).
class ConversationDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    explicit ConversationDelegate(QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    /// "14:05" today, the date otherwise.
    static QString timeText(const QDateTime& time);
};

} // namespace QuietWire::Gui
