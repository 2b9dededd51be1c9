#include "FilesWidget.h"

#include "FileListView.h"
#include "LocalPane.h"
#include "RemoteFileModel.h"
#include "RemotePane.h"
#include "ServerConnection.h"
#include "ToolBarAction.h"
#include "TransferList.h"

#include <QAction>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QToolBar>
#include <QVBoxLayout>

namespace QuietWire::Gui {

namespace {
bool isValidName(const QString& name)
{
    return !name.isEmpty() && name != QLatin1String(".") && name != QLatin1String("..")
        && !name.contains(QLatin1Char('/')) && !name.contains(QLatin1Char('\\'));
}

QStringList pathsOf(const QList<FilePane::Item>& items)
{
    QStringList paths;
    for (const FilePane::Item& item : items) {
        paths << item.path;
    }
    return paths;
}
} // namespace

FilesWidget::FilesWidget(ServerConnection* connection, QWidget* parent)
    : QWidget(parent)
    , m_connection(connection)
    , m_toolBar(new QToolBar(this))
    , m_local(new LocalPane(this))
    , m_remote(new RemotePane(connection, this))
    , m_active(m_local)
    , m_status(new QLabel(this))
    , m_transfersTitle(new QLabel(this))
    , m_transfers(new TransferList(this))
{
    setObjectName(QStringLiteral("filesTab"));
    m_toolBar->setObjectName(QStringLiteral("filesToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->setIconSize(QSize(20, 20));
    m_up = ToolBarAction::add(m_toolBar, QStringLiteral("upAction"), QStringLiteral("up"));
    m_refresh = ToolBarAction::add(m_toolBar, QStringLiteral("refreshAction"), QStringLiteral("refresh"));
    m_toolBar->addSeparator();
    m_newFolder = ToolBarAction::add(m_toolBar, QStringLiteral("newFolderAction"), QStringLiteral("new-folder"));
    m_rename = ToolBarAction::add(m_toolBar, QStringLiteral("renameAction"), QStringLiteral("rename"));
    m_delete = ToolBarAction::add(m_toolBar, QStringLiteral("deleteAction"), QStringLiteral("delete"));
    m_toolBar->addSeparator();
    m_upload = ToolBarAction::add(m_toolBar, QStringLiteral("uploadAction"), QStringLiteral("upload"));
    m_download = ToolBarAction::add(m_toolBar, QStringLiteral("downloadAction"), QStringLiteral("download"));
    m_up->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Up));
    m_refresh->setShortcut(QKeySequence::Refresh);
    m_rename->setShortcut(QKeySequence(Qt::Key_F2));
    m_delete->setShortcut(QKeySequence::Delete);
    for (QAction* action : { m_up, m_refresh, m_rename, m_delete }) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    }
    connect(m_up, &QAction::triggered, this, [this] { m_active->goUp(); });
    connect(m_refresh, &QAction::triggered, this, [this] { m_active->refresh(); });
    connect(m_newFolder, &QAction::triggered, this, &FilesWidget::newFolder);
    connect(m_rename, &QAction::triggered, this, &FilesWidget::renameSelected);
    connect(m_delete, &QAction::triggered, this, &FilesWidget::deleteSelected);
    connect(m_upload, &QAction::triggered, this, &FilesWidget::uploadSelected);
    connect(m_download, &QAction::triggered, this, &FilesWidget::downloadSelected);

    for (FilePane* pane : { static_cast<FilePane*>(m_local), static_cast<FilePane*>(m_remote) }) {
        connect(pane, &FilePane::focused, this, [this, pane] { setActivePane(pane); });
        connect(pane, &FilePane::changed, this, &FilesWidget::updateActions);
        connect(pane, &FilePane::statusMessage, this, &FilesWidget::setStatus);
    }
    connect(m_local, &FilePane::fileActivated, this, [this] {
        setActivePane(m_local);
        uploadSelected();
    });
    connect(m_remote, &FilePane::fileActivated, this, [this] {
        setActivePane(m_remote);
        downloadSelected();
    });
    connect(m_local, &LocalPane::directoryChanged, this, &FilesWidget::localDirectoryChanged);
    connect(m_local->view(), &FileListView::remotePathsDropped, this, &FilesWidget::download);
    connect(m_remote->view(), &FileListView::localFilesDropped, this, &FilesWidget::upload);

    auto* panes = new QSplitter(Qt::Horizontal, this);
    panes->addWidget(m_local->widget());
    panes->addWidget(m_remote->widget());

    auto* transfersBox = new QWidget(this);
    auto* transfersLayout = new QVBoxLayout(transfersBox);
    transfersLayout->setContentsMargins(0, 0, 0, 0);
    transfersLayout->addWidget(m_transfersTitle);
    transfersLayout->addWidget(m_transfers, 1);
    auto* vertical = new QSplitter(Qt::Vertical, this);
    vertical->addWidget(panes);
    vertical->addWidget(transfersBox);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 1);

    m_status->setObjectName(QStringLiteral("filesStatusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_toolBar);
    layout->addWidget(vertical, 1);
    layout->addWidget(m_status);

    connect(m_transfers, &TransferList::transferFinished, this,
        [this](FileTransfer::Direction direction, const QString&, const QString& remotePath) {
            if (direction == FileTransfer::Direction::Upload
                && RemoteFileModel::parentOf(remotePath) == m_remote->directory()) {
                m_remote->refresh();
            }
        });
    // After the server pane has asked for its folder (it connected to this signal first).
    connect(m_connection, &ServerConnection::filesConnected, m_transfers, &TransferList::resumeInterrupted);
    connect(m_connection, &ServerConnection::clientsReplaced, this,
        [this] { m_transfers->setFileClient(m_connection->files()); });
    m_transfers->setFileClient(m_connection->files());
    retranslateUi();
}

FilesWidget::~FilesWidget() = default;

void FilesWidget::retranslateUi()
{
    m_up->setText(tr("Up"));
    m_up->setToolTip(tr("Go to the parent folder of the active pane"));
    m_refresh->setText(tr("Refresh"));
    m_newFolder->setText(tr("New folder"));
    m_newFolder->setToolTip(tr("Create a folder in the active pane"));
    m_rename->setText(tr("Rename"));
    m_delete->setText(tr("Delete"));
    m_upload->setText(tr("Upload"));
    m_upload->setToolTip(
        tr("Send the selected files and folders of this computer to the server folder on the right (a folder goes "
           "whole, with everything in it)"));
    m_download->setText(tr("Download"));
    m_download->setToolTip(tr("Fetch the selected server files and folders into the folder on the left"));
    m_transfersTitle->setText(tr("Transfers"));
    m_local->retranslateUi();
    m_remote->retranslateUi();
}

void FilesWidget::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QWidget::changeEvent(event);
}

void FilesWidget::setLocalDirectory(const QString& path)
{
    m_local->setDirectory(path);
}

QString FilesWidget::localDirectory() const
{
    return m_local->directory();
}

void FilesWidget::setRemoteDirectory(const QString& path)
{
    m_remote->setDirectory(path);
}

QString FilesWidget::remoteDirectory() const
{
    return m_remote->directory();
}

void FilesWidget::refreshRemote()
{
    m_remote->refresh();
}

RemoteFileModel* FilesWidget::remoteModel() const
{
    return m_remote->model();
}

QFileSystemModel* FilesWidget::localModel() const
{
    return m_local->model();
}

void FilesWidget::setActivePane(FilePane* pane)
{
    m_active = pane;
    updateActions();
}

void FilesWidget::updateActions()
{
    const bool ready = m_active->isReady();
    const bool hasSelection = !m_active->selectedItems().isEmpty();
    const bool remoteReady = m_remote->isReady();
    m_up->setEnabled(ready && m_active->canGoUp());
    m_refresh->setEnabled(ready);
    m_newFolder->setEnabled(ready);
    m_rename->setEnabled(hasSelection && ready);
    m_delete->setEnabled(hasSelection && ready);
    m_upload->setEnabled(remoteReady && !m_local->selectedItems().isEmpty());
    m_download->setEnabled(remoteReady && !m_remote->selectedItems().isEmpty());
}

void FilesWidget::askName(
    const QString& title, const QString& label, const QString& initial, const std::function<void(const QString&)>& then)
{
    auto* dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("nameDialog"));
    dialog->setWindowTitle(title);
    dialog->setLabelText(label);
    dialog->setTextValue(initial);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QInputDialog::textValueSelected, this, [this, then](const QString& text) {
        const QString name = text.trimmed();
        if (!isValidName(name)) {
            setStatus(tr("\"%1\" is not a valid name: it must not be empty or contain / or \\").arg(name), true);
            return;
        }
        then(name);
    });
    dialog->open();
}

void FilesWidget::newFolder()
{
    FilePane* pane = m_active;
    askName(tr("New folder"), pane->newFolderLabel(), QString(),
        [pane](const QString& name) { pane->makeDirectory(name); });
}

void FilesWidget::renameSelected()
{
    FilePane* pane = m_active;
    const QList<FilePane::Item> items = pane->selectedItems();
    if (items.size() != 1) {
        setStatus(tr("Select one item to rename"), true);
        return;
    }
    const FilePane::Item item = items.first();
    askName(tr("Rename"), tr("New name for %1:").arg(item.name), item.name,
        [pane, item](const QString& name) { pane->rename(item, name); });
}

void FilesWidget::deleteSelected()
{
    FilePane* pane = m_active;
    const QList<FilePane::Item> items = pane->selectedItems();
    if (items.isEmpty()) {
        return;
    }
    QStringList names;
    bool directories = false;
    for (const FilePane::Item& item : items) {
        names << item.name;
        directories = directories || item.directory;
    }
    auto* box
        = new QMessageBox(QMessageBox::Warning, tr("Delete"), pane->deleteQuestion(names), QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("deleteConfirmBox"));
    if (directories) {
        box->setInformativeText(tr("Folders are deleted with everything in them."));
    }
    QPushButton* yes = box->addButton(tr("&Delete"), QMessageBox::DestructiveRole);
    yes->setObjectName(QStringLiteral("confirmDeleteButton"));
    box->setDefaultButton(box->addButton(QMessageBox::Cancel));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [pane, yes, items](QAbstractButton* button) {
        if (button == yes) {
            pane->remove(items);
        }
    });
    box->open();
}

void FilesWidget::confirmReplace(const QStringList& names, const std::function<void()>& then)
{
    if (names.isEmpty()) {
        then();
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Question, tr("Replace files?"),
        tr("These files exist already and will be replaced: %1").arg(names.join(QStringLiteral(", "))),
        QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("replaceConfirmBox"));
    QPushButton* yes = box->addButton(tr("&Replace"), QMessageBox::AcceptRole);
    yes->setObjectName(QStringLiteral("confirmReplaceButton"));
    box->setDefaultButton(box->addButton(QMessageBox::Cancel));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [yes, then](QAbstractButton* button) {
        if (button == yes) {
            then();
        }
    });
    box->open();
}

void FilesWidget::upload(const QStringList& localPaths)
{
    if (!m_remote->isReady()) {
        setStatus(tr("Connect to a server to upload files"), true);
        return;
    }
    QStringList files;
    QStringList folders;
    QStringList skipped;
    QStringList existing;
    for (const QString& path : localPaths) {
        const QFileInfo info(path);
        if (info.isSymLink() || (!info.isFile() && !info.isDir())) {
            skipped << info.fileName();
            continue;
        }
        (info.isDir() ? folders : files) << info.absoluteFilePath();
        if (m_remote->model()->rowOf(info.fileName()) >= 0) {
            existing << info.fileName();
        }
    }
    if (!skipped.isEmpty()) {
        setStatus(tr("Only files and folders are uploaded, not links or devices: %1 skipped")
                      .arg(skipped.join(QStringLiteral(", "))),
            true);
    }
    const QString target = m_remote->directory();
    confirmReplace(existing, [this, files, folders, target] {
        for (const QString& file : files) {
            m_transfers->startUpload(file, target + QLatin1Char('/') + QFileInfo(file).fileName());
        }
        // A folder goes whole; into an existing one of its name, files already there identically stay.
        for (const QString& folder : folders) {
            m_transfers->startTreeUpload(folder, target + QLatin1Char('/') + QFileInfo(folder).fileName());
        }
    });
}

void FilesWidget::download(const QStringList& remotePaths)
{
    if (!m_connection->filesReady()) {
        setStatus(tr("Connect to a server to download files"), true);
        return;
    }
    const RemoteFileModel* model = m_remote->model();
    QStringList files;
    QStringList folders;
    QStringList skipped;
    QStringList existing;
    for (const QString& path : remotePaths) {
        const QString name = path.section(QLatin1Char('/'), -1);
        const int row = RemoteFileModel::parentOf(path) == model->path() ? model->rowOf(name) : -1;
        const auto type = row >= 0 ? model->entry(row).type : FileProtocol::Entry::Type::File;
        if (type == FileProtocol::Entry::Type::Other) {
            skipped << name;
            continue;
        }
        (type == FileProtocol::Entry::Type::Directory ? folders : files) << path;
        if (QFileInfo::exists(QDir(m_local->directory()).filePath(name))) {
            existing << name;
        }
    }
    if (!skipped.isEmpty()) {
        setStatus(
            tr("Only files and folders are downloaded: %1 skipped").arg(skipped.join(QStringLiteral(", "))), true);
    }
    const QString target = m_local->directory();
    confirmReplace(existing, [this, files, folders, target] {
        for (const QString& file : files) {
            m_transfers->startDownload(file, QDir(target).filePath(file.section(QLatin1Char('/'), -1)));
        }
        for (const QString& folder : folders) {
            m_transfers->startTreeDownload(folder, QDir(target).filePath(folder.section(QLatin1Char('/'), -1)));
        }
    });
}

void FilesWidget::uploadSelected()
{
    upload(pathsOf(m_local->selectedItems()));
}

void FilesWidget::downloadSelected()
{
    download(pathsOf(m_remote->selectedItems()));
}

void FilesWidget::setStatus(const QString& message, bool error)
{
    m_status->setStyleSheet(error ? QStringLiteral("color: #b00020") : QString());
    m_status->setText(message);
}

} // namespace QuietWire::Gui
