#pragma once

#include <QStyledItemDelegate>

namespace QuietWire::Gui {

/// Paints a progress bar in a cell from the model's progress role (0..100) and its display text,
/// the way qBittorrent's transfer list does: one delegate for every row, no widget per row.
class ProgressBarDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    ProgressBarDelegate(int progressRole, QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    int m_progressRole;
};

} // namespace QuietWire::Gui
