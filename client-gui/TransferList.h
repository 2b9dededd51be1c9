#pragma once

#include "FileTransfer.h"

#include <QPointer>
#include <QTimer>
#include <QTreeWidget>

#include <memory>
#include <vector>

class QProgressBar;
class QToolButton;

namespace QuietWire {
class FileClient;
}

namespace QuietWire::Gui {

/// The transfers of this run: name, progress bar, rate, time left, state, and per transfer
/// Cancel and Retry. Retry (and reconnecting after a broken connection) resumes from the
/// .part file. Progress is redrawn a few times a second, never per chunk, so a
/// multi-gigabyte transfer does not keep the window busy.
class TransferList : public QTreeWidget
{
    Q_OBJECT

public:
    enum Column { NameColumn, ProgressColumn, RateColumn, TimeLeftColumn, StateColumn, ActionsColumn, ColumnCount };
    static constexpr int RefreshIntervalMs = 250;

    explicit TransferList(QWidget* parent = nullptr);
    ~TransferList() override;

    void setFileClient(FileClient* client);
    void startUpload(const QString& localPath, const QString& remotePath);
    void startDownload(const QString& remotePath, const QString& localPath);
    /// Resumes every transfer a lost connection interrupted.
    void resumeInterrupted();
    int runningCount() const;

signals:
    void transferFinished(QuietWire::FileTransfer::Direction direction, const QString& localPath,
                          const QString& remotePath);

protected:
    void changeEvent(QEvent* event) override;

private:
    struct Entry
    {
        QTreeWidgetItem* item = nullptr;
        QPointer<FileTransfer> transfer;
        FileTransfer::Direction direction = FileTransfer::Direction::Upload;
        QString localPath;
        QString remotePath;
        QProgressBar* bar = nullptr;
        QToolButton* cancel = nullptr;
        QToolButton* retry = nullptr;
        qint64 done = 0;
        qint64 total = 0;
        bool dirty = false;
        bool interrupted = false;
    };

    void retranslateUi();
    void add(FileTransfer::Direction direction, const QString& localPath, const QString& remotePath);
    void start(Entry* entry, bool resume);
    void refresh();
    void show(Entry* entry);
    void cancel(Entry* entry);

    QPointer<FileClient> m_client;
    std::vector<std::unique_ptr<Entry>> m_entries;
    QTimer m_refreshTimer;
};

} // namespace QuietWire::Gui
