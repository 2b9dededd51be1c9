#pragma once

#include "FileTransfer.h"

#include <QWidget>

class QToolButton;
class QTreeView;

namespace QuietWire {
class FileClient;
}

namespace QuietWire::Gui {

class TransferModel;

/// The transfers pane of the Files tab: a view over TransferModel (progress painted by
/// ProgressBarDelegate), with Cancel and Retry for the selected transfers.
class TransferList : public QWidget
{
    Q_OBJECT

public:
    explicit TransferList(QWidget* parent = nullptr);
    ~TransferList() override;

    TransferModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    void setFileClient(FileClient* client);
    void startUpload(const QString& localPath, const QString& remotePath);
    void startDownload(const QString& remotePath, const QString& localPath);
    /// A whole folder (TreeTransfer): one row with the total, its files below it.
    void startTreeUpload(const QString& localDir, const QString& remoteDir);
    void startTreeDownload(const QString& remoteDir, const QString& localDir);
    /// Resumes every transfer a lost connection interrupted.
    void resumeInterrupted();
    int runningCount() const;

signals:
    void transferFinished(
        QuietWire::FileTransfer::Direction direction, const QString& localPath, const QString& remotePath);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    QList<int> selectedRows() const;
    void updateButtons();
    void cancelSelected();
    void retrySelected();

    TransferModel* m_model;
    QTreeView* m_view;
    QToolButton* m_cancel;
    QToolButton* m_retry;
};

} // namespace QuietWire::Gui
