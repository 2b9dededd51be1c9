#include "TransferList.h"

#include "FileClient.h"
#include "Format.h"

#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QProgressBar>
#include <QToolButton>

namespace QuietWire::Gui {

namespace {
// Failures a new session can get past: the connection, not the file, was the problem.
bool isInterruption(const QString& code)
{
    static const QStringList codes {QStringLiteral("connection"),  QStringLiteral("ConnectionFailed"),
                                    QStringLiteral("NetworkError"), QStringLiteral("RemoteClosed"),
                                    QStringLiteral("Timeout"),     QStringLiteral("SessionPortUnreachable"),
                                    QStringLiteral("shutdown"),    QStringLiteral("busy")};
    return codes.contains(code);
}
} // namespace

TransferList::TransferList(QWidget* parent)
    : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("transferList"));
    setColumnCount(ColumnCount);
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setSelectionMode(QAbstractItemView::NoSelection);
    header()->setStretchLastSection(false);
    header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    header()->setSectionResizeMode(ProgressColumn, QHeaderView::Interactive);
    header()->setSectionResizeMode(StateColumn, QHeaderView::Stretch);
    setColumnWidth(ProgressColumn, 160);
    setColumnWidth(RateColumn, 90);
    setColumnWidth(TimeLeftColumn, 90);
    setColumnWidth(ActionsColumn, 70);
    m_refreshTimer.setInterval(RefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &TransferList::refresh);
    retranslateUi();
}

TransferList::~TransferList() = default;

void TransferList::retranslateUi()
{
    setHeaderLabels({tr("File"), tr("Progress"), tr("Speed"), tr("Time left"), tr("State"), QString()});
    for (const auto& entry : m_entries) {
        entry->cancel->setToolTip(tr("Cancel this transfer (what arrived is kept for a later resume)"));
        entry->retry->setToolTip(tr("Try again, continuing where it stopped"));
        show(entry.get());
    }
}

void TransferList::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QTreeWidget::changeEvent(event);
}

void TransferList::setFileClient(FileClient* client)
{
    m_client = client;
}

void TransferList::startUpload(const QString& localPath, const QString& remotePath)
{
    add(FileTransfer::Direction::Upload, localPath, remotePath);
}

void TransferList::startDownload(const QString& remotePath, const QString& localPath)
{
    add(FileTransfer::Direction::Download, localPath, remotePath);
}

void TransferList::add(FileTransfer::Direction direction, const QString& localPath, const QString& remotePath)
{
    auto entry = std::make_unique<Entry>();
    entry->direction = direction;
    entry->localPath = localPath;
    entry->remotePath = remotePath;
    const bool upload = direction == FileTransfer::Direction::Upload;
    entry->item = new QTreeWidgetItem(this);
    entry->item->setText(NameColumn, QFileInfo(upload ? localPath : remotePath).fileName());
    entry->item->setIcon(NameColumn, QIcon(upload ? QStringLiteral(":/icons/upload.png")
                                                  : QStringLiteral(":/icons/download.png")));
    entry->item->setToolTip(NameColumn, upload ? tr("Upload of %1 to %2").arg(localPath, remotePath)
                                               : tr("Download of %1 to %2").arg(remotePath, localPath));

    entry->bar = new QProgressBar(this);
    entry->bar->setObjectName(QStringLiteral("transferProgress"));
    entry->bar->setRange(0, 100);
    entry->bar->setValue(0);
    setItemWidget(entry->item, ProgressColumn, entry->bar);

    auto* actions = new QWidget(this);
    auto* layout = new QHBoxLayout(actions);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    entry->cancel = new QToolButton(actions);
    entry->cancel->setObjectName(QStringLiteral("cancelTransferButton"));
    entry->cancel->setIcon(QIcon(QStringLiteral(":/icons/cancel.png")));
    entry->cancel->setAutoRaise(true);
    entry->retry = new QToolButton(actions);
    entry->retry->setObjectName(QStringLiteral("retryTransferButton"));
    entry->retry->setIcon(QIcon(QStringLiteral(":/icons/retry.png")));
    entry->retry->setAutoRaise(true);
    layout->addWidget(entry->cancel);
    layout->addWidget(entry->retry);
    layout->addStretch();
    setItemWidget(entry->item, ActionsColumn, actions);
    entry->cancel->setToolTip(tr("Cancel this transfer (what arrived is kept for a later resume)"));
    entry->retry->setToolTip(tr("Try again, continuing where it stopped"));

    Entry* raw = entry.get();
    connect(entry->cancel, &QToolButton::clicked, this, [this, raw] { cancel(raw); });
    connect(entry->retry, &QToolButton::clicked, this, [this, raw] { start(raw, true); });
    m_entries.push_back(std::move(entry));
    // A .part left by an earlier run is continued after its hash is checked.
    start(raw, true);
    scrollToItem(raw->item);
}

void TransferList::start(Entry* entry, bool resume)
{
    if (entry->transfer && (entry->transfer->state() == FileTransfer::State::Running
                            || entry->transfer->state() == FileTransfer::State::Connecting
                            || entry->transfer->state() == FileTransfer::State::Queued)) {
        return;
    }
    if (entry->transfer) {
        entry->transfer->disconnect(this);
        entry->transfer->deleteLater();
    }
    entry->interrupted = false;
    if (!m_client) {
        entry->item->setText(StateColumn, tr("Not connected: connect to the server, then retry"));
        return;
    }
    FileTransfer* transfer = entry->direction == FileTransfer::Direction::Upload
        ? m_client->upload(entry->localPath, entry->remotePath, resume)
        : m_client->download(entry->remotePath, entry->localPath, resume);
    entry->transfer = transfer;
    entry->done = transfer->bytesDone();
    entry->total = transfer->bytesTotal();
    connect(transfer, &FileTransfer::progress, this, [entry](qint64 done, qint64 total) {
        // Only remember: refresh() draws, a few times a second.
        entry->done = done;
        entry->total = total;
        entry->dirty = true;
    });
    connect(transfer, &FileTransfer::finished, this, [this, entry] {
        entry->done = entry->total = entry->transfer->bytesTotal();
        show(entry);
        emit transferFinished(entry->direction, entry->localPath, entry->remotePath);
    });
    connect(transfer, &FileTransfer::failed, this, [this, entry](const QString& code, const QString&) {
        entry->interrupted = isInterruption(code);
        show(entry);
    });
    show(entry);
    m_refreshTimer.start();
}

void TransferList::cancel(Entry* entry)
{
    if (entry->transfer) {
        entry->transfer->cancel();
    }
    show(entry);
}

void TransferList::resumeInterrupted()
{
    for (const auto& entry : m_entries) {
        if (entry->interrupted) {
            start(entry.get(), true);
        }
    }
}

int TransferList::runningCount() const
{
    int count = 0;
    for (const auto& entry : m_entries) {
        if (entry->transfer && (entry->transfer->state() == FileTransfer::State::Running
                                || entry->transfer->state() == FileTransfer::State::Connecting)) {
            ++count;
        }
    }
    return count;
}

void TransferList::refresh()
{
    for (const auto& entry : m_entries) {
        if (entry->dirty) {
            show(entry.get());
        }
    }
    if (runningCount() == 0) {
        m_refreshTimer.stop();
    }
}

void TransferList::show(Entry* entry)
{
    entry->dirty = false;
    const FileTransfer* transfer = entry->transfer;
    const auto state = transfer ? transfer->state() : FileTransfer::State::Cancelled;
    const int percent = entry->total > 0 ? static_cast<int>(entry->done * 100 / entry->total)
                                         : (state == FileTransfer::State::Finished ? 100 : 0);
    entry->bar->setValue(percent);
    const double rate = transfer ? transfer->bytesPerSecond() : 0.0;
    QString rateText;
    QString timeLeft;
    QString stateText;
    switch (state) {
    case FileTransfer::State::Queued:
        stateText = tr("Waiting: %1 transfers run at a time").arg(m_client ? m_client->maxParallelTransfers() : 0);
        break;
    case FileTransfer::State::Idle:
    case FileTransfer::State::Connecting:
        stateText = tr("Connecting…");
        break;
    case FileTransfer::State::Running:
        rateText = Format::rate(rate);
        if (rate > 0 && entry->total >= entry->done) {
            timeLeft = Format::duration(static_cast<qint64>(static_cast<double>(entry->total - entry->done) / rate));
        }
        stateText = transfer->resumedFrom() > 0
            ? tr("%1 of %2, resumed at %3")
                  .arg(Format::size(entry->done), Format::size(entry->total), Format::size(transfer->resumedFrom()))
            : tr("%1 of %2").arg(Format::size(entry->done), Format::size(entry->total));
        break;
    case FileTransfer::State::Finished:
        rateText = Format::rate(rate);
        stateText = tr("Done: %1, SHA-256 verified").arg(Format::size(entry->total));
        break;
    case FileTransfer::State::Failed:
        stateText = entry->interrupted ? tr("Interrupted: %1 (Retry, or reconnect, resumes it)").arg(transfer->errorString())
                                       : tr("Failed: %1").arg(transfer->errorString());
        break;
    case FileTransfer::State::Cancelled:
        stateText = tr("Cancelled (Retry resumes it)");
        break;
    }
    entry->item->setText(RateColumn, rateText);
    entry->item->setText(TimeLeftColumn, timeLeft);
    entry->item->setText(StateColumn, stateText);
    entry->item->setToolTip(StateColumn, stateText);
    const bool active = state == FileTransfer::State::Running || state == FileTransfer::State::Connecting
        || state == FileTransfer::State::Idle || state == FileTransfer::State::Queued;
    entry->cancel->setEnabled(active && transfer);
    entry->retry->setEnabled(!active && state != FileTransfer::State::Finished);
}

} // namespace QuietWire::Gui
