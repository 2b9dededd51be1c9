#pragma once

#include <QTreeView>

namespace QuietWire::Gui {

/// A file pane that takes drops from the other pane (and, for the server pane, from the
/// desktop) and turns them into transfer requests instead of moving files itself.
class FileListView : public QTreeView
{
    Q_OBJECT

public:
    enum class Side { Local, Remote };

    FileListView(Side side, QWidget* parent = nullptr);

signals:
    /// Local side: remote paths dropped from the server pane (download them here).
    void remotePathsDropped(const QStringList& remotePaths);
    /// Remote side: local files dropped from this computer (upload them here).
    void localFilesDropped(const QStringList& localPaths);
    void focused();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;

private:
    bool accepts(const QMimeData* data, const QObject* source) const;

    Side m_side;
};

} // namespace QuietWire::Gui
