#pragma once

#include "FileClient.h"

#include <QHash>
#include <functional>
#include <memory>
#include <QWidget>

class QAction;
class QFileIconProvider;
class QFileSystemModel;
class QLabel;
class QLineEdit;
class QToolBar;

namespace QuietWire::Gui {

class FileListView;
class RemoteFileModel;
class ServerConnection;
class TransferList;

/// The Files tab: this computer's folder on the left (QFileSystemModel), the server's on the
/// right (RemoteFileModel over FileClient), one toolbar for the pane that has the focus, and
/// the transfers below. Drag files between the panes, or from the desktop onto the server pane.
class FilesWidget : public QWidget
{
    Q_OBJECT

public:
    explicit FilesWidget(ServerConnection* connection, QWidget* parent = nullptr);
    ~FilesWidget() override;

    void setLocalDirectory(const QString& path);
    QString localDirectory() const { return m_localDir; }
    void setRemoteDirectory(const QString& path);
    QString remoteDirectory() const;
    void refreshRemote();
    TransferList* transfers() const { return m_transfers; }
    RemoteFileModel* remoteModel() const { return m_remoteModel; }
    QFileSystemModel* localModel() const { return m_localModel; }
    /// Uploads local files into the server folder shown (asks before replacing files there).
    void upload(const QStringList& localPaths);
    /// Downloads remote files into the local folder shown (asks before replacing files there).
    void download(const QStringList& remotePaths);

signals:
    void localDirectoryChanged(const QString& path);

protected:
    void changeEvent(QEvent* event) override;

private:
    enum class Side { Local, Remote };
    enum class Request { List, MakeDirectory, Rename, Remove };

    void retranslateUi();
    void attachClient();
    void onStateChanged();
    void onReply(const FileClient::Reply& reply);
    void setActiveSide(Side side);
    void updateActions();
    void goUp();
    void refresh();
    void newFolder();
    void renameSelected();
    void deleteSelected();
    void uploadSelected();
    void downloadSelected();
    QStringList selectedLocalPaths() const;
    QList<int> selectedRemoteRows() const;
    void setStatus(const QString& message, bool error = false);
    void confirmReplace(const QStringList& names, const std::function<void()>& then);
    void askName(const QString& title, const QString& label, const QString& initial,
                 const std::function<void(const QString&)>& then);

    ServerConnection* m_connection;
    QToolBar* m_toolBar;
    QAction* m_up;
    QAction* m_refresh;
    QAction* m_newFolder;
    QAction* m_rename;
    QAction* m_delete;
    QAction* m_upload;
    QAction* m_download;
    QLabel* m_localTitle;
    QLabel* m_remoteTitle;
    QLineEdit* m_localPathEdit;
    QLineEdit* m_remotePathEdit;
    std::unique_ptr<QFileIconProvider> m_iconProvider;
    QFileSystemModel* m_localModel;
    RemoteFileModel* m_remoteModel;
    FileListView* m_localView;
    FileListView* m_remoteView;
    QLabel* m_status;
    QLabel* m_transfersTitle;
    TransferList* m_transfers;
    QString m_localDir;
    QString m_wantedRemoteDir = QStringLiteral("~");
    Side m_active = Side::Local;
    QHash<qint64, Request> m_requests;
    qint64 m_listRequest = 0;
};

} // namespace QuietWire::Gui
