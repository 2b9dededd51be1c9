#pragma once

#include "FileTransfer.h"
#include "TreeTransfer.h"

#include <QAbstractItemModel>
#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>
#include <memory>
#include <vector>

namespace QuietWire {
class FileClient;
}

namespace QuietWire::Gui {

/// The transfers of this run, one row each: name, progress, rate, time left, state. It starts
/// them through FileClient, cancels them, and retries them (a retry, and reconnecting after a
/// broken connection, resumes from the .part file). Progress reaches the view a few times a
/// second, never per chunk, so a multi-gigabyte transfer does not keep the window busy.
/// ProgressBarDelegate paints ProgressColumn from ProgressRole.
///
/// A folder (TreeTransfer) is one row with the total progress (bytes, files done of all); its files are the
/// row's children, each with its own state (waiting, compared, running, done, already there, skipped, failed).
/// Cancel and retry act on the folder; a retry continues it (identical files are kept, partial ones resume).
class TransferModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, ProgressColumn, RateColumn, TimeLeftColumn, StateColumn, ColumnCount };
    enum Role {
        ProgressRole = Qt::UserRole + 1, // int, 0..100
        StateRole, // FileTransfer::State (Cancelled for a row whose transfer is gone)
        CanCancelRole, // bool
        CanRetryRole, // bool
    };
    static constexpr int RefreshIntervalMs = 250;

    explicit TransferModel(QObject* parent = nullptr);
    ~TransferModel() override;

    QModelIndex index(int row, int column, const QModelIndex& parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setFileClient(FileClient* client);
    /// Adds a row and starts it (a .part left by an earlier run is continued after its hash is checked).
    /// replaceExisting false: the server refuses the upload (failed, ErrorCode::Exists) rather than
    /// replace a file of that name (a file posted into a conversation).
    void startUpload(const QString& localPath, const QString& remotePath, bool replaceExisting = true);
    void startDownload(const QString& remotePath, const QString& localPath);
    /// A folder tree (TreeTransfer): localDir into the remote folder remoteDir, or back. Needs the browsing
    /// session of the FileClient (connected).
    void startTreeUpload(const QString& localDir, const QString& remoteDir);
    void startTreeDownload(const QString& remoteDir, const QString& localDir);
    /// The folder transfer of a row (null for a file's row).
    TreeTransfer* treeOf(int row) const;
    void cancel(int row);
    /// Starts the row again, continuing where it stopped.
    void retry(int row);
    /// Resumes every transfer a lost connection interrupted.
    void resumeInterrupted();
    int runningCount() const;
    /// The texts are made in data(): after a language change the view asks again.
    void retranslate();

signals:
    void transferFinished(
        QuietWire::FileTransfer::Direction direction, const QString& localPath, const QString& remotePath);
    /// A file's transfer failed (failure.code: Exists for an upload that may not replace, ...).
    void transferFailed(QuietWire::FileTransfer::Direction direction, const QString& localPath,
        const QString& remotePath, const QuietWire::Failure& failure);

private:
    struct Row
    {
        QPointer<FileTransfer> transfer;
        FileTransfer::Direction direction = FileTransfer::Direction::Upload;
        QString localPath;
        QString remotePath;
        qint64 done = 0;
        qint64 total = 0;
        bool dirty = false;
        bool interrupted = false;
        bool replace = true; // an upload may replace a file of its name
        QString notice; // why it could not start
        bool folder = false; // a TreeTransfer's row
        QPointer<TreeTransfer> tree;
        int children = 0; // the tree's files the view knows of
        int filesDone = 0;
        int files = 0;
        QElapsedTimer clock; // a folder: since its start, for the rate
    };

    void add(FileTransfer::Direction direction, const QString& localPath, const QString& remotePath,
        bool folder = false, bool replaceExisting = true);
    void start(Row* row, bool resume);
    void startTree(Row* row);
    void setChildren(Row* row, int count);
    QVariant treeData(const Row& row, int column, int role) const;
    QVariant fileData(const TreeTransfer& tree, int file, int column, int role) const;
    FileTransfer::State treeState(const Row& row) const;
    QString treeStateText(const Row& row) const;
    void refresh();
    void changed(const Row* row);
    int rowOf(const Row* row) const;
    FileTransfer::State stateOf(const Row& row) const;
    QString stateText(const Row& row) const;

    QPointer<FileClient> m_client;
    std::vector<std::unique_ptr<Row>> m_rows;
    QTimer m_refreshTimer;
};

} // namespace QuietWire::Gui
