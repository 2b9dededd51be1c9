#include "TransferModel.h"

#include "FileClient.h"
#include "Format.h"
#include "UploadTransfer.h"

#include <QFileInfo>
#include <QIcon>

namespace QuietWire::Gui {

namespace {
bool isActive(FileTransfer::State state)
{
    return state == FileTransfer::State::Running || state == FileTransfer::State::Connecting
        || state == FileTransfer::State::Idle || state == FileTransfer::State::Queued;
}

/// The rate column of a file's or a folder's row: while it runs and once it is done.
QString rateText(FileTransfer::State state, double rate)
{
    return state == FileTransfer::State::Running || state == FileTransfer::State::Finished ? Format::rate(rate)
                                                                                           : QString();
}

/// The time-left column: only while it runs at a known rate.
QString timeLeftText(FileTransfer::State state, double rate, qint64 done, qint64 total)
{
    if (state == FileTransfer::State::Running && rate > 0 && total >= done) {
        return Format::duration(static_cast<qint64>(static_cast<double>(total - done) / rate));
    }
    return QString();
}
} // namespace

TransferModel::TransferModel(QObject* parent)
    : QAbstractItemModel(parent)
{
    m_refreshTimer.setInterval(RefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &TransferModel::refresh);
}

TransferModel::~TransferModel() = default;

// Internal ids: 0 for a top-level row, N + 1 for a file of the folder in top-level row N.
QModelIndex TransferModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount) {
        return {};
    }
    if (!parent.isValid()) {
        return row < rowCount() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    }
    if (parent.internalId() != 0 || row >= rowCount(parent)) {
        return {};
    }
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex TransferModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == 0) {
        return {};
    }
    return createIndex(static_cast<int>(child.internalId() - 1), 0, quintptr(0));
}

int TransferModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid()) {
        return static_cast<int>(m_rows.size());
    }
    if (parent.internalId() != 0 || parent.column() != 0 || parent.row() >= static_cast<int>(m_rows.size())) {
        return 0;
    }
    return m_rows.at(static_cast<size_t>(parent.row()))->children;
}

int TransferModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() && parent.internalId() != 0 ? 0 : ColumnCount; // a folder's files have the same columns
}

QVariant TransferModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case NameColumn:
        return tr("File");
    case ProgressColumn:
        return tr("Progress");
    case RateColumn:
        return tr("Speed");
    case TimeLeftColumn:
        return tr("Time left");
    case StateColumn:
        return tr("State");
    default:
        return {};
    }
}

FileTransfer::State TransferModel::stateOf(const Row& row) const
{
    if (row.folder) {
        return treeState(row);
    }
    return row.transfer ? row.transfer->state() : FileTransfer::State::Cancelled;
}

QString TransferModel::stateText(const Row& row) const
{
    const FileTransfer* transfer = row.transfer;
    if (!transfer && !row.notice.isEmpty()) {
        return row.notice;
    }
    switch (stateOf(row)) {
    case FileTransfer::State::Queued:
        return tr("Waiting: %1 transfers run at a time").arg(m_client ? m_client->maxParallelTransfers() : 0);
    case FileTransfer::State::Idle:
    case FileTransfer::State::Connecting:
        return tr("Connecting…");
    case FileTransfer::State::Running:
        return transfer->resumedFrom() > 0
            ? tr("%1 of %2, resumed at %3")
                  .arg(Format::size(row.done), Format::size(row.total), Format::size(transfer->resumedFrom()))
            : tr("%1 of %2").arg(Format::size(row.done), Format::size(row.total));
    case FileTransfer::State::Finished:
        return tr("Done: %1, SHA-256 verified").arg(Format::size(row.total));
    case FileTransfer::State::Failed:
        return row.interrupted ? tr("Interrupted: %1 (Retry, or reconnect, resumes it)").arg(transfer->errorString())
                               : tr("Failed: %1").arg(transfer->errorString());
    case FileTransfer::State::Cancelled:
        return tr("Cancelled (Retry resumes it)");
    }
    return {};
}

QVariant TransferModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid()) {
        return {};
    }
    if (index.internalId() != 0) {
        const Row& folder = *m_rows.at(static_cast<size_t>(index.internalId() - 1));
        if (!folder.tree || index.row() >= folder.tree->fileCount()) {
            return {};
        }
        return fileData(*folder.tree, index.row(), index.column(), role);
    }
    if (index.row() >= rowCount()) {
        return {};
    }
    const Row& row = *m_rows.at(static_cast<size_t>(index.row()));
    if (row.folder) {
        return treeData(row, index.column(), role);
    }
    const FileTransfer::State state = stateOf(row);
    const bool upload = row.direction == FileTransfer::Direction::Upload;
    const int percent = row.total > 0 ? static_cast<int>(row.done * 100 / row.total)
                                      : (state == FileTransfer::State::Finished ? 100 : 0);
    const double rate = row.transfer ? row.transfer->bytesPerSecond() : 0.0;
    switch (role) {
    case ProgressRole:
        return percent;
    case StateRole:
        return QVariant::fromValue(state);
    case CanCancelRole:
        return isActive(state) && row.transfer;
    case CanRetryRole:
        return !isActive(state) && state != FileTransfer::State::Finished;
    case Qt::DecorationRole:
        if (index.column() == NameColumn) {
            return QIcon(upload ? QStringLiteral(":/icons/upload.png") : QStringLiteral(":/icons/download.png"));
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == NameColumn) {
            return upload ? tr("Upload of %1 to %2").arg(row.localPath, row.remotePath)
                          : tr("Download of %1 to %2").arg(row.remotePath, row.localPath);
        }
        if (index.column() == StateColumn) {
            return stateText(row);
        }
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case NameColumn:
        return QFileInfo(upload ? row.localPath : row.remotePath).fileName();
    case ProgressColumn:
        return tr("%1%").arg(percent);
    case RateColumn:
        return rateText(state, rate);
    case TimeLeftColumn:
        return timeLeftText(state, rate, row.done, row.total);
    case StateColumn:
        return stateText(row);
    default:
        return {};
    }
}

void TransferModel::retranslate()
{
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!m_rows.empty()) {
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    }
}

void TransferModel::setFileClient(FileClient* client)
{
    m_client = client;
}

void TransferModel::startUpload(const QString& localPath, const QString& remotePath, bool replaceExisting)
{
    add(FileTransfer::Direction::Upload, localPath, remotePath, false, replaceExisting);
}

void TransferModel::startDownload(const QString& remotePath, const QString& localPath)
{
    add(FileTransfer::Direction::Download, localPath, remotePath);
}

void TransferModel::startTreeUpload(const QString& localDir, const QString& remoteDir)
{
    add(FileTransfer::Direction::Upload, localDir, remoteDir, true);
}

void TransferModel::startTreeDownload(const QString& remoteDir, const QString& localDir)
{
    add(FileTransfer::Direction::Download, localDir, remoteDir, true);
}

TreeTransfer* TransferModel::treeOf(int row) const
{
    return row >= 0 && row < rowCount() ? m_rows.at(static_cast<size_t>(row))->tree.data() : nullptr;
}

void TransferModel::add(FileTransfer::Direction direction, const QString& localPath, const QString& remotePath,
    bool folder, bool replaceExisting)
{
    auto row = std::make_unique<Row>();
    row->direction = direction;
    row->localPath = localPath;
    row->remotePath = remotePath;
    row->folder = folder;
    row->replace = replaceExisting;
    Row* raw = row.get();
    beginInsertRows(QModelIndex(), rowCount(), rowCount());
    m_rows.push_back(std::move(row));
    endInsertRows();
    if (folder) {
        startTree(raw);
        return;
    }
    // A .part left by an earlier run is continued after its hash is checked.
    start(raw, true);
}

void TransferModel::setChildren(Row* row, int count)
{
    const int at = rowOf(row);
    if (at < 0 || count == row->children) {
        return;
    }
    const QModelIndex parent = index(at, 0);
    if (row->children > 0) {
        beginRemoveRows(parent, 0, row->children - 1);
        row->children = 0;
        endRemoveRows();
    }
    if (count > 0) {
        beginInsertRows(parent, 0, count - 1);
        row->children = count;
        endInsertRows();
    }
}

void TransferModel::startTree(Row* row)
{
    if (row->tree && row->tree->isRunning()) {
        return;
    }
    setChildren(row, 0);
    if (row->tree) {
        row->tree->disconnect(this);
        row->tree->deleteLater();
        row->tree = nullptr;
    }
    row->interrupted = false;
    row->notice.clear();
    row->done = row->total = 0;
    row->filesDone = row->files = 0;
    if (!m_client || !m_client->isConnected()) {
        row->notice = tr("Not connected: connect to the server, then retry");
        changed(row);
        return;
    }
    // A child of the client: it lists and makes folders on the client's session, and goes with it.
    auto* tree = new TreeTransfer(m_client, m_client);
    row->tree = tree;
    row->clock.start();
    connect(tree, &TreeTransfer::listed, this, [this, row, tree] { setChildren(row, tree->fileCount()); });
    connect(tree, &TreeTransfer::progress, this, [row](int filesDone, int files, qint64 done, qint64 total) {
        // Only remember: refresh() tells the view, a few times a second.
        row->filesDone = filesDone;
        row->files = files;
        row->done = done;
        row->total = total;
        row->dirty = true;
    });
    connect(tree, &TreeTransfer::fileChanged, this, [row] { row->dirty = true; });
    connect(tree, &TreeTransfer::failed, this, [row](const QString& message) { row->notice = message; });
    connect(tree, &TreeTransfer::finished, this, [this, row, tree] {
        for (int i = 0; i < tree->fileCount() && !row->interrupted; ++i) {
            // A new session can get past it: the connection, not the file, was the problem.
            row->interrupted = tree->file(i).state == TreeTransfer::State::Failed
                && Failure { tree->file(i).code, QString() }.isInterruption();
        }
        changed(row);
        refresh();
        emit transferFinished(row->direction, row->localPath, row->remotePath);
    });
    connect(tree, &QObject::destroyed, this, [this, row] {
        setChildren(row, 0);
        row->notice = tr("Interrupted: the connection was replaced (Retry continues it)");
        row->interrupted = true;
        changed(row);
    });
    if (row->direction == FileTransfer::Direction::Upload) {
        tree->upload(row->localPath, row->remotePath);
    } else {
        tree->download(row->remotePath, row->localPath);
    }
    changed(row);
    m_refreshTimer.start();
}

FileTransfer::State TransferModel::treeState(const Row& row) const
{
    if (!row.tree) {
        return FileTransfer::State::Cancelled;
    }
    if (row.tree->isRunning()) {
        return row.tree->fileCount() == 0 ? FileTransfer::State::Connecting : FileTransfer::State::Running;
    }
    const TreeTransfer::Summary summary = row.tree->summary();
    if (summary.cancelled) {
        return FileTransfer::State::Cancelled;
    }
    return summary.failed > 0 || !row.notice.isEmpty() ? FileTransfer::State::Failed : FileTransfer::State::Finished;
}

QString TransferModel::treeStateText(const Row& row) const
{
    if (!row.tree) {
        return row.notice;
    }
    const TreeTransfer::Summary summary = row.tree->summary();
    const QString skipped
        = summary.skipped > 0 ? tr(", %1 skipped (see the files below)").arg(summary.skipped) : QString();
    switch (treeState(row)) {
    case FileTransfer::State::Idle:
    case FileTransfer::State::Queued:
    case FileTransfer::State::Connecting:
        return tr("Listing the folder…");
    case FileTransfer::State::Running:
        return tr("%1 of %2 files, %3 of %4%5")
            .arg(row.filesDone)
            .arg(row.files)
            .arg(Format::size(row.done), Format::size(row.total), skipped);
    case FileTransfer::State::Finished:
        return tr("Done: %1 files (%2 sent, %3 already there), SHA-256 verified%4")
            .arg(summary.transferred + summary.upToDate)
            .arg(summary.transferred)
            .arg(summary.upToDate)
            .arg(skipped);
    case FileTransfer::State::Failed:
        if (!row.notice.isEmpty()) {
            return tr("Failed: %1").arg(row.notice);
        }
        return tr("%1 of %2 files failed%3 (Retry continues it)").arg(summary.failed).arg(summary.files).arg(skipped);
    case FileTransfer::State::Cancelled:
        return tr("Stopped at %1 of %2 files (Retry continues it)").arg(row.filesDone).arg(row.files);
    }
    return {};
}

QVariant TransferModel::treeData(const Row& row, int column, int role) const
{
    const FileTransfer::State state = treeState(row);
    const bool upload = row.direction == FileTransfer::Direction::Upload;
    const int percent = row.total > 0 ? static_cast<int>(row.done * 100 / row.total)
                                      : (state == FileTransfer::State::Finished ? 100 : 0);
    const qint64 ms = row.clock.isValid() ? row.clock.elapsed() : 0;
    const double rate = ms > 0 ? static_cast<double>(row.done) * 1000.0 / static_cast<double>(ms) : 0.0;
    switch (role) {
    case ProgressRole:
        return percent;
    case StateRole:
        return QVariant::fromValue(state);
    case CanCancelRole:
        return row.tree && row.tree->isRunning();
    case CanRetryRole:
        return !(row.tree && row.tree->isRunning()) && state != FileTransfer::State::Finished;
    case Qt::DecorationRole:
        if (column == NameColumn) {
            return QIcon(upload ? QStringLiteral(":/icons/upload.png") : QStringLiteral(":/icons/download.png"));
        }
        return {};
    case Qt::ToolTipRole:
        if (column == NameColumn) {
            return upload ? tr("Upload of the folder %1 to %2").arg(row.localPath, row.remotePath)
                          : tr("Download of the folder %1 to %2").arg(row.remotePath, row.localPath);
        }
        return column == StateColumn ? QVariant(treeStateText(row)) : QVariant();
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (column) {
    case NameColumn:
        return QFileInfo(upload ? row.localPath : row.remotePath).fileName() + QLatin1Char('/');
    case ProgressColumn:
        return tr("%1%").arg(percent);
    case RateColumn:
        return rateText(state, rate);
    case TimeLeftColumn:
        return timeLeftText(state, rate, row.done, row.total);
    case StateColumn:
        return treeStateText(row);
    default:
        return {};
    }
}

QVariant TransferModel::fileData(const TreeTransfer& tree, int at, int column, int role) const
{
    const TreeTransfer::File& file = tree.file(at);
    using S = TreeTransfer::State;
    const bool ended = file.state == S::Transferred || file.state == S::UpToDate;
    const int percent = file.size > 0 ? static_cast<int>(file.done * 100 / file.size) : (ended ? 100 : 0);
    FileTransfer::State state = FileTransfer::State::Queued;
    QString text;
    switch (file.state) {
    case S::Waiting:
        text = tr("Waiting");
        break;
    case S::Checking:
        state = FileTransfer::State::Running;
        text = tr("Comparing with the copy there (SHA-256)…");
        break;
    case S::Running:
        state = FileTransfer::State::Running;
        text = file.resumedFrom > 0
            ? tr("%1 of %2, resumed at %3")
                  .arg(Format::size(file.done), Format::size(file.size), Format::size(file.resumedFrom))
            : tr("%1 of %2").arg(Format::size(file.done), Format::size(file.size));
        break;
    case S::Transferred:
        state = FileTransfer::State::Finished;
        text = tr("Done: %1, SHA-256 verified").arg(Format::size(file.size));
        break;
    case S::UpToDate:
        state = FileTransfer::State::Finished;
        text = tr("Already there: the same %1 (SHA-256)").arg(Format::size(file.size));
        break;
    case S::Skipped:
        state = FileTransfer::State::Cancelled;
        text = tr("Skipped: %1").arg(file.message);
        break;
    case S::Failed:
        state = FileTransfer::State::Failed;
        text = tr("Failed: %1").arg(file.message);
        break;
    }
    switch (role) {
    case ProgressRole:
        return percent;
    case StateRole:
        return QVariant::fromValue(state);
    case CanCancelRole:
    case CanRetryRole:
        return false; // the folder's row does both
    case Qt::ToolTipRole:
        return column == StateColumn ? QVariant(text) : QVariant(file.path);
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (column) {
    case NameColumn:
        return file.path + (file.kind == TreeTransfer::Kind::Folder ? QStringLiteral("/") : QString());
    case ProgressColumn:
        return tr("%1%").arg(percent);
    case StateColumn:
        return text;
    default:
        return QString();
    }
}

int TransferModel::rowOf(const Row* row) const
{
    for (size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].get() == row) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

void TransferModel::changed(const Row* row)
{
    const int at = rowOf(row);
    if (at >= 0) {
        emit dataChanged(index(at, 0), index(at, ColumnCount - 1));
    }
}

void TransferModel::start(Row* row, bool resume)
{
    if (row->transfer && isActive(row->transfer->state()) && row->transfer->state() != FileTransfer::State::Idle) {
        return;
    }
    if (row->transfer) {
        row->transfer->disconnect(this);
        row->transfer->deleteLater();
        row->transfer = nullptr;
    }
    row->interrupted = false;
    row->notice.clear();
    if (!m_client) {
        row->notice = tr("Not connected: connect to the server, then retry");
        changed(row);
        return;
    }
    FileTransfer* transfer = row->direction == FileTransfer::Direction::Upload
        ? m_client->upload(row->localPath, row->remotePath, resume)
        : m_client->download(row->remotePath, row->localPath, resume);
    if (auto* upload = qobject_cast<UploadTransfer*>(transfer)) {
        upload->setReplaceExisting(row->replace);
    }
    row->transfer = transfer;
    row->done = transfer->bytesDone();
    row->total = transfer->bytesTotal();
    connect(transfer, &FileTransfer::progress, this, [row](qint64 done, qint64 total) {
        // Only remember: refresh() tells the view, a few times a second.
        row->done = done;
        row->total = total;
        row->dirty = true;
    });
    connect(transfer, &FileTransfer::stateChanged, this, [this, row](FileTransfer::State state) {
        if (state == FileTransfer::State::Finished) {
            row->done = row->total = row->transfer->bytesTotal();
        } else if (state == FileTransfer::State::Failed) {
            // A new session can get past it: the connection, not the file, was the problem.
            row->interrupted = row->transfer->failure().isInterruption();
        }
        changed(row);
        if (state == FileTransfer::State::Finished) {
            emit transferFinished(row->direction, row->localPath, row->remotePath);
        } else if (state == FileTransfer::State::Failed) {
            emit transferFailed(row->direction, row->localPath, row->remotePath, row->transfer->failure());
        }
    });
    changed(row);
    m_refreshTimer.start();
}

void TransferModel::cancel(int at)
{
    if (at < 0 || at >= rowCount()) {
        return;
    }
    Row* row = m_rows[static_cast<size_t>(at)].get();
    if (row->tree) {
        row->tree->cancel();
    }
    if (row->transfer) {
        row->transfer->cancel();
    }
    changed(row);
}

void TransferModel::retry(int at)
{
    if (at >= 0 && at < rowCount() && data(index(at, 0), CanRetryRole).toBool()) {
        Row* row = m_rows[static_cast<size_t>(at)].get();
        if (row->folder) {
            startTree(row);
        } else {
            start(row, true);
        }
    }
}

void TransferModel::resumeInterrupted()
{
    for (const auto& row : m_rows) {
        if (row->interrupted && row->folder) {
            startTree(row.get());
        } else if (row->interrupted) {
            start(row.get(), true);
        }
    }
}

int TransferModel::runningCount() const
{
    int count = 0;
    for (const auto& row : m_rows) {
        if (row->tree && row->tree->isRunning()) {
            ++count;
        } else if (row->transfer
            && (row->transfer->state() == FileTransfer::State::Running
                || row->transfer->state() == FileTransfer::State::Connecting)) {
            ++count;
        }
    }
    return count;
}

void TransferModel::refresh()
{
    for (const auto& row : m_rows) {
        if (row->dirty) {
            row->dirty = false;
            changed(row.get());
            const int at = rowOf(row.get());
            if (row->children > 0 && at >= 0) {
                const QModelIndex parent = index(at, 0);
                emit dataChanged(index(0, 0, parent), index(row->children - 1, ColumnCount - 1, parent));
            }
        }
    }
    if (runningCount() == 0) {
        m_refreshTimer.stop();
    }
}

} // namespace QuietWire::Gui
