#include "TransferList.h"

#include "ProgressBarDelegate.h"
#include "TransferModel.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace QuietWire::Gui {

TransferList::TransferList(QWidget* parent)
    : QWidget(parent)
    , m_model(new TransferModel(this))
    , m_view(new QTreeView(this))
    , m_cancel(new QToolButton(this))
    , m_retry(new QToolButton(this))
{
    setObjectName(QStringLiteral("transferList"));
    m_view->setObjectName(QStringLiteral("transferView"));
    m_view->setModel(m_model);
    m_view->setItemDelegateForColumn(
        TransferModel::ProgressColumn, new ProgressBarDelegate(TransferModel::ProgressRole, m_view));
    m_view->setRootIsDecorated(true); // a folder's files open below its row
    m_view->setUniformRowHeights(true);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    QHeaderView* header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(TransferModel::NameColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(TransferModel::ProgressColumn, QHeaderView::Interactive);
    header->setSectionResizeMode(TransferModel::StateColumn, QHeaderView::Stretch);
    m_view->setColumnWidth(TransferModel::ProgressColumn, 160);
    m_view->setColumnWidth(TransferModel::RateColumn, 90);
    m_view->setColumnWidth(TransferModel::TimeLeftColumn, 90);

    m_cancel->setObjectName(QStringLiteral("cancelTransferButton"));
    m_cancel->setIcon(QIcon(QStringLiteral(":/icons/cancel.png")));
    m_cancel->setAutoRaise(true);
    m_retry->setObjectName(QStringLiteral("retryTransferButton"));
    m_retry->setIcon(QIcon(QStringLiteral(":/icons/retry.png")));
    m_retry->setAutoRaise(true);
    connect(m_cancel, &QToolButton::clicked, this, &TransferList::cancelSelected);
    connect(m_retry, &QToolButton::clicked, this, &TransferList::retrySelected);
    connect(m_view, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex& index) {
        if (!index.parent().isValid()) {
            m_model->retry(index.row()); // a double-click retries a transfer that stopped
        }
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TransferList::updateButtons);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &TransferList::updateButtons);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex& folder, int, int last) {
        if (!folder.isValid()) {
            m_view->scrollTo(m_model->index(last, 0));
        }
    });
    connect(m_model, &TransferModel::transferFinished, this, &TransferList::transferFinished);

    auto* buttons = new QVBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_retry);
    buttons->addStretch();
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);
    retranslateUi();
    updateButtons();
}

TransferList::~TransferList() = default;

void TransferList::retranslateUi()
{
    m_cancel->setToolTip(tr("Cancel the selected transfers (what arrived is kept for a later resume)"));
    m_retry->setToolTip(tr("Try the selected transfers again, continuing where they stopped"));
    m_model->retranslate();
}

void TransferList::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QWidget::changeEvent(event);
}

void TransferList::setFileClient(FileClient* client)
{
    m_model->setFileClient(client);
}

void TransferList::startUpload(const QString& localPath, const QString& remotePath)
{
    m_model->startUpload(localPath, remotePath);
}

void TransferList::startDownload(const QString& remotePath, const QString& localPath)
{
    m_model->startDownload(remotePath, localPath);
}

void TransferList::startTreeUpload(const QString& localDir, const QString& remoteDir)
{
    m_model->startTreeUpload(localDir, remoteDir);
}

void TransferList::startTreeDownload(const QString& remoteDir, const QString& localDir)
{
    m_model->startTreeDownload(remoteDir, localDir);
}

void TransferList::resumeInterrupted()
{
    m_model->resumeInterrupted();
}

int TransferList::runningCount() const
{
    return m_model->runningCount();
}

QList<int> TransferList::selectedRows() const
{
    QList<int> rows;
    for (const QModelIndex& index : m_view->selectionModel()->selectedRows()) {
        // A file of a folder acts through its folder's row.
        const QModelIndex top = index.parent().isValid() ? index.parent() : index;
        if (!rows.contains(top.row())) {
            rows << top.row();
        }
    }
    return rows;
}

void TransferList::updateButtons()
{
    bool canCancel = false;
    bool canRetry = false;
    for (int row : selectedRows()) {
        const QModelIndex index = m_model->index(row, 0);
        canCancel = canCancel || index.data(TransferModel::CanCancelRole).toBool();
        canRetry = canRetry || index.data(TransferModel::CanRetryRole).toBool();
    }
    m_cancel->setEnabled(canCancel);
    m_retry->setEnabled(canRetry);
}

void TransferList::cancelSelected()
{
    for (int row : selectedRows()) {
        m_model->cancel(row);
    }
}

void TransferList::retrySelected()
{
    for (int row : selectedRows()) {
        m_model->retry(row);
    }
}

} // namespace QuietWire::Gui
