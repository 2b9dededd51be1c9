#include "FileListView.h"

#include "RemoteFileModel.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>

namespace QuietWire::Gui {

FileListView::FileListView(Side side, QWidget* parent)
    : QTreeView(parent)
    , m_side(side)
{
    setRootIsDecorated(false);
    setItemsExpandable(false);
    setUniformRowHeights(true);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setDragEnabled(true);
    setAcceptDrops(true);
    setDropIndicatorShown(true);
    setDragDropMode(QAbstractItemView::DragDrop);
    setDefaultDropAction(Qt::CopyAction);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
}

bool FileListView::accepts(const QMimeData* mime, const QObject* source) const
{
    if (source == this || !mime) {
        return false;
    }
    if (m_side == Side::Local) {
        return mime->hasFormat(QLatin1String(RemoteFileModel::MimeType));
    }
    if (!mime->hasUrls()) {
        return false;
    }
    for (const QUrl& url : mime->urls()) {
        if (url.isLocalFile()) {
            return true;
        }
    }
    return false;
}

void FileListView::dragEnterEvent(QDragEnterEvent* event)
{
    if (accepts(event->mimeData(), event->source())) {
        event->setDropAction(Qt::CopyAction);
        event->accept();
    } else {
        event->ignore();
    }
}

void FileListView::dragMoveEvent(QDragMoveEvent* event)
{
    if (accepts(event->mimeData(), event->source())) {
        event->setDropAction(Qt::CopyAction);
        event->accept();
    } else {
        event->ignore();
    }
}

void FileListView::dropEvent(QDropEvent* event)
{
    // Never the base class: the models must not copy or move files on their own.
    const QMimeData* mime = event->mimeData();
    if (!accepts(mime, event->source())) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::CopyAction);
    event->accept();
    if (m_side == Side::Local) {
        const QString text = QString::fromUtf8(mime->data(QLatin1String(RemoteFileModel::MimeType)));
        emit remotePathsDropped(text.split(QLatin1Char('\n'), Qt::SkipEmptyParts));
    } else {
        QStringList paths;
        for (const QUrl& url : mime->urls()) {
            if (url.isLocalFile()) {
                paths << url.toLocalFile();
            }
        }
        emit localFilesDropped(paths);
    }
}

void FileListView::focusInEvent(QFocusEvent* event)
{
    QTreeView::focusInEvent(event);
    emit focused();
}

} // namespace QuietWire::Gui
