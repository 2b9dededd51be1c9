#include "TransferModel.h"

#include "FileClient.h"
#include "Format.h"

#include <QFileInfo>
#include <QIcon>

namespace QuietWire::Gui {

namespace {
bool isActive(FileTransfer::State state)
{
    return state == FileTransfer::State::Running || state == FileTransfer::State::Connecting
        || state == FileTransfer::State::Idle || state == FileTransfer::State::Queued;
}
} // namespace

TransferModel::TransferModel(QObject* parent)
    : QAbstractTableModel(parent)
{
    m_refreshTimer.setInterval(RefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &TransferModel::refresh);
}

TransferModel::~TransferModel() = default;

int TransferModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int TransferModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
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
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const Row& row = *m_rows.at(static_cast<size_t>(index.row()));
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
        return state == FileTransfer::State::Running || state == FileTransfer::State::Finished ? Format::rate(rate)
                                                                                               : QString();
    case TimeLeftColumn:
        if (state == FileTransfer::State::Running && rate > 0 && row.total >= row.done) {
            return Format::duration(static_cast<qint64>(static_cast<double>(row.total - row.done) / rate));
        }
        return QString();
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

void TransferModel::startUpload(const QString& localPath, const QString& remotePath)
{
    add(FileTransfer::Direction::Upload, localPath, remotePath);
}

void TransferModel::startDownload(const QString& remotePath, const QString& localPath)
{
    add(FileTransfer::Direction::Download, localPath, remotePath);
}

void TransferModel::add(FileTransfer::Direction direction, const QString& localPath, const QString& remotePath)
{
    auto row = std::make_unique<Row>();
    row->direction = direction;
    row->localPath = localPath;
    row->remotePath = remotePath;
    Row* raw = row.get();
    beginInsertRows(QModelIndex(), rowCount(), rowCount());
    m_rows.push_back(std::move(row));
    endInsertRows();
    // A .part left by an earlier run is continued after its hash is checked.
    start(raw, true);
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
    if (row->transfer) {
        row->transfer->cancel();
    }
    changed(row);
}

void TransferModel::retry(int at)
{
    if (at >= 0 && at < rowCount() && data(index(at, 0), CanRetryRole).toBool()) {
        start(m_rows[static_cast<size_t>(at)].get(), true);
    }
}

void TransferModel::resumeInterrupted()
{
    for (const auto& row : m_rows) {
        if (row->interrupted) {
            start(row.get(), true);
        }
    }
}

int TransferModel::runningCount() const
{
    int count = 0;
    for (const auto& row : m_rows) {
        if (row->transfer
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
        }
    }
    if (runningCount() == 0) {
        m_refreshTimer.stop();
    }
}

} // namespace QuietWire::Gui
