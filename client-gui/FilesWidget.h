#pragma once

#include <QWidget>
#include <functional>

class QAction;
class QFileSystemModel;
class QLabel;
class QToolBar;

namespace QuietWire::Gui {

class FilePane;
class LocalPane;
class RemoteFileModel;
class RemotePane;
class ServerConnection;
class TransferList;

/// The Files tab: this computer's folder on the left (QFileSystemModel), the server's on the
/// right (RemoteFileModel over FileClient), one toolbar for the pane that has the focus, and
/// the transfers below. Drag files and folders between the panes, or from the desktop onto the server pane.
/// The toolbar acts on the active pane through the FilePane interface; uploads and downloads,
/// which join both panes, are made here.
class FilesWidget : public QWidget
{
    Q_OBJECT

public:
    explicit FilesWidget(ServerConnection* connection, QWidget* parent = nullptr);
    ~FilesWidget() override;

    void setLocalDirectory(const QString& path);
    QString localDirectory() const;
    void setRemoteDirectory(const QString& path);
    QString remoteDirectory() const;
    void refreshRemote();
    TransferList* transfers() const { return m_transfers; }
    RemoteFileModel* remoteModel() const;
    QFileSystemModel* localModel() const;
    /// Uploads local files into the server folder shown (asks before replacing files there).
    void upload(const QStringList& localPaths);
    /// Downloads remote files into the local folder shown (asks before replacing files there).
    void download(const QStringList& remotePaths);

signals:
    void localDirectoryChanged(const QString& path);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void setActivePane(FilePane* pane);
    void updateActions();
    void newFolder();
    void renameSelected();
    void deleteSelected();
    void uploadSelected();
    void downloadSelected();
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
    LocalPane* m_local;
    RemotePane* m_remote;
    /// The pane the toolbar acts on: the one that had the focus last.
    FilePane* m_active;
    QLabel* m_status;
    QLabel* m_transfersTitle;
    TransferList* m_transfers;
};

} // namespace QuietWire::Gui
