#include "FilesWidget.h"

#include "FileListView.h"
#include "RemoteFileModel.h"
#include "ServerConnection.h"
#include "TransferList.h"

#include <QAction>
#include <QApplication>
#include <QFileIconProvider>
#include <QStyle>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QFileSystemModel>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QToolBar>
#include <QVBoxLayout>

namespace QuietWire::Gui {

namespace {
QAction* makeAction(QToolBar* toolBar, const QString& name, const QString& icon)
{
    auto* action = toolBar->addAction(QIcon(QStringLiteral(":/icons/%1.png").arg(icon)), QString());
    action->setObjectName(name);
    if (QWidget* button = toolBar->widgetForAction(action)) {
        button->setObjectName(name + QStringLiteral("Button"));
    }
    return action;
}

// Without an icon theme (a bare desktop, Xvfb) QFileIconProvider draws nothing; the style's
// folder and file icons match the server pane.
class StyleIconProvider : public QFileIconProvider
{
public:
    QIcon icon(const QFileInfo& info) const override
    {
        const QIcon themed = QFileIconProvider::icon(info);
        if (!themed.isNull() && !themed.availableSizes().isEmpty()) {
            return themed;
        }
        return QApplication::style()->standardIcon(info.isDir() ? QStyle::SP_DirIcon : QStyle::SP_FileIcon);
    }
};

bool isValidName(const QString& name)
{
    return !name.isEmpty() && name != QLatin1String(".") && name != QLatin1String("..")
        && !name.contains(QLatin1Char('/')) && !name.contains(QLatin1Char('\\'));
}
} // namespace

FilesWidget::FilesWidget(ServerConnection* connection, QWidget* parent)
    : QWidget(parent)
    , m_connection(connection)
    , m_toolBar(new QToolBar(this))
    , m_localTitle(new QLabel(this))
    , m_remoteTitle(new QLabel(this))
    , m_localPathEdit(new QLineEdit(this))
    , m_remotePathEdit(new QLineEdit(this))
    , m_localModel(new QFileSystemModel(this))
    , m_remoteModel(new RemoteFileModel(this))
    , m_localView(new FileListView(FileListView::Side::Local, this))
    , m_remoteView(new FileListView(FileListView::Side::Remote, this))
    , m_status(new QLabel(this))
    , m_transfersTitle(new QLabel(this))
    , m_transfers(new TransferList(this))
{
    setObjectName(QStringLiteral("filesTab"));
    m_toolBar->setObjectName(QStringLiteral("filesToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->setIconSize(QSize(20, 20));
    m_up = makeAction(m_toolBar, QStringLiteral("upAction"), QStringLiteral("up"));
    m_refresh = makeAction(m_toolBar, QStringLiteral("refreshAction"), QStringLiteral("refresh"));
    m_toolBar->addSeparator();
    m_newFolder = makeAction(m_toolBar, QStringLiteral("newFolderAction"), QStringLiteral("new-folder"));
    m_rename = makeAction(m_toolBar, QStringLiteral("renameAction"), QStringLiteral("rename"));
    m_delete = makeAction(m_toolBar, QStringLiteral("deleteAction"), QStringLiteral("delete"));
    m_toolBar->addSeparator();
    m_upload = makeAction(m_toolBar, QStringLiteral("uploadAction"), QStringLiteral("upload"));
    m_download = makeAction(m_toolBar, QStringLiteral("downloadAction"), QStringLiteral("download"));
    m_up->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Up));
    m_refresh->setShortcut(QKeySequence::Refresh);
    m_rename->setShortcut(QKeySequence(Qt::Key_F2));
    m_delete->setShortcut(QKeySequence::Delete);
    for (QAction* action : {m_up, m_refresh, m_rename, m_delete}) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    }
    connect(m_up, &QAction::triggered, this, &FilesWidget::goUp);
    connect(m_refresh, &QAction::triggered, this, &FilesWidget::refresh);
    connect(m_newFolder, &QAction::triggered, this, &FilesWidget::newFolder);
    connect(m_rename, &QAction::triggered, this, &FilesWidget::renameSelected);
    connect(m_delete, &QAction::triggered, this, &FilesWidget::deleteSelected);
    connect(m_upload, &QAction::triggered, this, &FilesWidget::uploadSelected);
    connect(m_download, &QAction::triggered, this, &FilesWidget::downloadSelected);

    // This computer.
    m_localModel->setFilter(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::AllDirs);
    m_localModel->setReadOnly(true);
    m_iconProvider = std::make_unique<StyleIconProvider>();
    m_localModel->setIconProvider(m_iconProvider.get());
    m_localView->setObjectName(QStringLiteral("localView"));
    m_localView->setModel(m_localModel);
    m_localView->setSortingEnabled(true);
    m_localView->sortByColumn(0, Qt::AscendingOrder);
    m_localView->hideColumn(2); // the type column says little
    m_localView->header()->resizeSection(0, 240);
    m_localPathEdit->setObjectName(QStringLiteral("localPathEdit"));
    connect(m_localPathEdit, &QLineEdit::returnPressed, this, [this] { setLocalDirectory(m_localPathEdit->text()); });
    connect(m_localView, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        if (m_localModel->isDir(index)) {
            setLocalDirectory(m_localModel->filePath(index));
        } else {
            setActiveSide(Side::Local);
            uploadSelected();
        }
    });
    connect(m_localView, &FileListView::remotePathsDropped, this, &FilesWidget::download);
    connect(m_localView, &FileListView::focused, this, [this] { setActiveSide(Side::Local); });

    // The server.
    m_remoteView->setObjectName(QStringLiteral("remoteView"));
    m_remoteView->setModel(m_remoteModel);
    m_remoteView->header()->resizeSection(0, 240);
    m_remotePathEdit->setObjectName(QStringLiteral("remotePathEdit"));
    connect(m_remotePathEdit, &QLineEdit::returnPressed, this,
            [this] { setRemoteDirectory(m_remotePathEdit->text().trimmed()); });
    connect(m_remoteView, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        if (index.data(RemoteFileModel::IsDirectoryRole).toBool()) {
            setRemoteDirectory(index.data(RemoteFileModel::PathRole).toString());
        } else {
            setActiveSide(Side::Remote);
            downloadSelected();
        }
    });
    connect(m_remoteView, &FileListView::localFilesDropped, this, &FilesWidget::upload);
    connect(m_remoteView, &FileListView::focused, this, [this] { setActiveSide(Side::Remote); });
    for (FileListView* view : {m_localView, m_remoteView}) {
        connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FilesWidget::updateActions);
    }
    connect(m_remoteModel, &QAbstractItemModel::modelReset, this, &FilesWidget::updateActions);

    auto pane = [this](QLabel* title, QLineEdit* path, FileListView* view) {
        auto* widget = new QWidget(this);
        auto* layout = new QVBoxLayout(widget);
        layout->setContentsMargins(0, 0, 0, 0);
        QFont bold = title->font();
        bold.setBold(true);
        title->setFont(bold);
        layout->addWidget(title);
        layout->addWidget(path);
        layout->addWidget(view, 1);
        return widget;
    };
    auto* panes = new QSplitter(Qt::Horizontal, this);
    panes->addWidget(pane(m_localTitle, m_localPathEdit, m_localView));
    panes->addWidget(pane(m_remoteTitle, m_remotePathEdit, m_remoteView));

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
                    && RemoteFileModel::parentOf(remotePath) == m_remoteModel->path()) {
                    refreshRemote();
                }
            });
    connect(m_connection, &ServerConnection::stateChanged, this, &FilesWidget::onStateChanged);
    connect(m_connection, &ServerConnection::filesConnected, this, [this] {
        setRemoteDirectory(m_wantedRemoteDir);
        m_transfers->resumeInterrupted();
    });
    connect(m_connection, &ServerConnection::clientsReplaced, this, &FilesWidget::attachClient);
    attachClient();
    retranslateUi();
    onStateChanged();
}

FilesWidget::~FilesWidget()
{
    // The model goes first: it uses the icon provider until it is gone.
    delete m_localModel;
}

void FilesWidget::attachClient()
{
    FileClient* files = m_connection->files();
    connect(files, &FileClient::replyReceived, this, &FilesWidget::onReply);
    connect(files, &FileClient::errorOccurred, this, [this](const QString& message) {
        if (m_connection->state() == ServerConnection::State::Connected) {
            setStatus(message, true);
        }
    });
    m_transfers->setFileClient(files);
}

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
    m_upload->setToolTip(tr("Send the selected files of this computer to the server folder on the right"));
    m_download->setText(tr("Download"));
    m_download->setToolTip(tr("Fetch the selected server files into the folder on the left"));
    m_localTitle->setText(tr("This computer"));
    m_remoteTitle->setText(tr("Server"));
    m_transfersTitle->setText(tr("Transfers"));
    m_remoteView->setToolTip(tr("Drop files here to upload them"));
    m_localView->setToolTip(tr("Drop server files here to download them"));
    onStateChanged();
}

void FilesWidget::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QWidget::changeEvent(event);
}

void FilesWidget::onStateChanged()
{
    const bool connected = m_connection->state() == ServerConnection::State::Connected;
    if (connected) {
        m_remoteTitle->setText(tr("Server %1").arg(m_connection->hostPort()));
    } else {
        m_remoteTitle->setText(tr("Server (not connected)"));
        m_remoteModel->clear();
        m_remotePathEdit->clear();
        m_requests.clear();
    }
    m_remotePathEdit->setEnabled(connected);
    updateActions();
}

void FilesWidget::setLocalDirectory(const QString& path)
{
    const QFileInfo info(path);
    if (!info.isDir()) {
        setStatus(tr("%1 is not a folder on this computer").arg(path), true);
        m_localPathEdit->setText(m_localDir);
        return;
    }
    m_localDir = info.absoluteFilePath();
    m_localModel->setRootPath(m_localDir);
    m_localView->setRootIndex(m_localModel->index(m_localDir));
    m_localPathEdit->setText(QDir::toNativeSeparators(m_localDir));
    emit localDirectoryChanged(m_localDir);
    updateActions();
}

void FilesWidget::setRemoteDirectory(const QString& path)
{
    m_wantedRemoteDir = path.isEmpty() ? QStringLiteral("~") : path;
    if (!m_connection->filesReady()) {
        return;
    }
    m_listRequest = m_connection->files()->list(m_wantedRemoteDir);
    m_requests.insert(m_listRequest, Request::List);
}

QString FilesWidget::remoteDirectory() const
{
    return m_remoteModel->path();
}

void FilesWidget::refreshRemote()
{
    setRemoteDirectory(m_remoteModel->path().isEmpty() ? m_wantedRemoteDir : m_remoteModel->path());
}

void FilesWidget::onReply(const FileClient::Reply& reply)
{
    if (!m_requests.contains(reply.id)) {
        return;
    }
    const Request request = m_requests.take(reply.id);
    if (!reply.ok) {
        if (request == Request::List && reply.id == m_listRequest) {
            m_remotePathEdit->setText(m_remoteModel->path());
            m_wantedRemoteDir = m_remoteModel->path().isEmpty() ? QStringLiteral("~") : m_remoteModel->path();
        }
        setStatus(tr("The server said: %1").arg(reply.message), true);
        return;
    }
    if (request == Request::List) {
        if (reply.id != m_listRequest) {
            return; // an older listing, overtaken by a newer one
        }
        m_remoteModel->setListing(reply.path, reply.entries);
        m_remotePathEdit->setText(reply.path);
        m_wantedRemoteDir = reply.path;
        return;
    }
    refreshRemote();
}

void FilesWidget::setActiveSide(Side side)
{
    m_active = side;
    updateActions();
}

void FilesWidget::updateActions()
{
    const bool remoteReady = m_connection->filesReady() && !m_remoteModel->path().isEmpty();
    const bool local = m_active == Side::Local;
    const bool hasSelection = local ? !selectedLocalPaths().isEmpty() : !selectedRemoteRows().isEmpty();
    m_up->setEnabled(local ? !QDir(m_localDir).isRoot() : remoteReady && m_remoteModel->path() != QLatin1String("~"));
    m_refresh->setEnabled(local || remoteReady);
    m_newFolder->setEnabled(local || remoteReady);
    m_rename->setEnabled(hasSelection && (local || remoteReady));
    m_delete->setEnabled(hasSelection && (local || remoteReady));
    m_upload->setEnabled(remoteReady && !selectedLocalPaths().isEmpty());
    m_download->setEnabled(remoteReady && !selectedRemoteRows().isEmpty());
}

QStringList FilesWidget::selectedLocalPaths() const
{
    QStringList paths;
    for (const QModelIndex& index : m_localView->selectionModel()->selectedRows()) {
        paths << m_localModel->filePath(index);
    }
    return paths;
}

QList<int> FilesWidget::selectedRemoteRows() const
{
    QList<int> rows;
    for (const QModelIndex& index : m_remoteView->selectionModel()->selectedRows()) {
        rows << index.row();
    }
    return rows;
}

void FilesWidget::goUp()
{
    if (m_active == Side::Local) {
        QDir dir(m_localDir);
        if (dir.cdUp()) {
            setLocalDirectory(dir.absolutePath());
        }
    } else if (m_remoteModel->path() != QLatin1String("~")) {
        setRemoteDirectory(RemoteFileModel::parentOf(m_remoteModel->path()));
    }
}

void FilesWidget::refresh()
{
    if (m_active == Side::Local) {
        // QFileSystemModel watches the folder; a new root makes it read the folder again.
        m_localModel->setRootPath(QString());
        setLocalDirectory(m_localDir);
    } else {
        refreshRemote();
    }
}

void FilesWidget::askName(const QString& title, const QString& label, const QString& initial,
                          const std::function<void(const QString&)>& then)
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
    const bool local = m_active == Side::Local;
    askName(tr("New folder"), local ? tr("Name of the new folder in %1:").arg(m_localDir)
                                    : tr("Name of the new folder in %1 on the server:").arg(m_remoteModel->path()),
            QString(), [this, local](const QString& name) {
                if (local) {
                    if (!QDir(m_localDir).mkdir(name)) {
                        setStatus(tr("Cannot create the folder %1 in %2: it exists already, or the folder is "
                                     "read-only")
                                      .arg(name, m_localDir),
                                  true);
                    }
                    return;
                }
                m_requests.insert(m_connection->files()->makeDirectory(m_remoteModel->path() + QLatin1Char('/') + name),
                                  Request::MakeDirectory);
            });
}

void FilesWidget::renameSelected()
{
    if (m_active == Side::Local) {
        const QStringList paths = selectedLocalPaths();
        if (paths.size() != 1) {
            setStatus(tr("Select one item to rename"), true);
            return;
        }
        const QString path = paths.first();
        askName(tr("Rename"), tr("New name for %1:").arg(QFileInfo(path).fileName()), QFileInfo(path).fileName(),
                [this, path](const QString& name) {
                    const QString target = QFileInfo(path).dir().filePath(name);
                    if (QFileInfo::exists(target) || !QFile::rename(path, target)) {
                        setStatus(tr("Cannot rename %1 to %2: the name is taken, or the folder is read-only")
                                      .arg(path, name),
                                  true);
                    }
                });
        return;
    }
    const QList<int> rows = selectedRemoteRows();
    if (rows.size() != 1) {
        setStatus(tr("Select one item to rename"), true);
        return;
    }
    const FileProtocol::Entry entry = m_remoteModel->entry(rows.first());
    const QString from = m_remoteModel->pathOf(entry);
    askName(tr("Rename"), tr("New name for %1:").arg(entry.name), entry.name, [this, from](const QString& name) {
        m_requests.insert(m_connection->files()->rename(from, RemoteFileModel::parentOf(from) + QLatin1Char('/') + name),
                          Request::Rename);
    });
}

void FilesWidget::deleteSelected()
{
    const bool local = m_active == Side::Local;
    QStringList names;
    QStringList paths;
    QList<bool> directories;
    if (local) {
        for (const QString& path : selectedLocalPaths()) {
            names << QFileInfo(path).fileName();
            paths << path;
            directories << QFileInfo(path).isDir();
        }
    } else {
        for (int row : selectedRemoteRows()) {
            const FileProtocol::Entry& entry = m_remoteModel->entry(row);
            names << entry.name;
            paths << m_remoteModel->pathOf(entry);
            directories << (entry.type == FileProtocol::Entry::Type::Directory);
        }
    }
    if (paths.isEmpty()) {
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Delete"),
                                local ? tr("Delete %1 from this computer for good?").arg(names.join(QStringLiteral(", ")))
                                      : tr("Delete %1 from the server for good?").arg(names.join(QStringLiteral(", "))),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("deleteConfirmBox"));
    if (directories.contains(true)) {
        box->setInformativeText(tr("Folders are deleted with everything in them."));
    }
    QPushButton* yes = box->addButton(tr("&Delete"), QMessageBox::DestructiveRole);
    yes->setObjectName(QStringLiteral("confirmDeleteButton"));
    box->setDefaultButton(box->addButton(QMessageBox::Cancel));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, yes, local, paths, directories](QAbstractButton* button) {
        if (button != yes) {
            return;
        }
        for (qsizetype i = 0; i < paths.size(); ++i) {
            if (local) {
                const bool removed = directories.at(i) ? QDir(paths.at(i)).removeRecursively() : QFile::remove(paths.at(i));
                if (!removed) {
                    setStatus(tr("Cannot delete %1: it is read-only or in use").arg(paths.at(i)), true);
                }
            } else {
                FileClient* files = m_connection->files();
                m_requests.insert(directories.at(i) ? files->removeDirectory(paths.at(i), true) : files->remove(paths.at(i)),
                                  Request::Remove);
            }
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
                                tr("These files exist already and will be replaced: %1")
                                    .arg(names.join(QStringLiteral(", "))),
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
    if (!m_connection->filesReady() || m_remoteModel->path().isEmpty()) {
        setStatus(tr("Connect to a server to upload files"), true);
        return;
    }
    QStringList files;
    QStringList skipped;
    QStringList existing;
    for (const QString& path : localPaths) {
        const QFileInfo info(path);
        if (!info.isFile()) {
            skipped << info.fileName();
            continue;
        }
        files << info.absoluteFilePath();
        const int row = m_remoteModel->rowOf(info.fileName());
        if (row >= 0) {
            existing << info.fileName();
        }
    }
    if (!skipped.isEmpty()) {
        setStatus(tr("Only files are uploaded, not folders: %1 skipped. Create the folder on the server and upload "
                     "the files in it.")
                      .arg(skipped.join(QStringLiteral(", "))),
                  true);
    }
    const QString target = m_remoteModel->path();
    confirmReplace(existing, [this, files, target] {
        for (const QString& file : files) {
            m_transfers->startUpload(file, target + QLatin1Char('/') + QFileInfo(file).fileName());
        }
    });
}

void FilesWidget::download(const QStringList& remotePaths)
{
    if (!m_connection->filesReady()) {
        setStatus(tr("Connect to a server to download files"), true);
        return;
    }
    QStringList files;
    QStringList skipped;
    QStringList existing;
    for (const QString& path : remotePaths) {
        const QString name = path.section(QLatin1Char('/'), -1);
        const int row = RemoteFileModel::parentOf(path) == m_remoteModel->path() ? m_remoteModel->rowOf(name) : -1;
        if (row >= 0 && m_remoteModel->entry(row).type != FileProtocol::Entry::Type::File) {
            skipped << name;
            continue;
        }
        files << path;
        if (QFileInfo::exists(QDir(m_localDir).filePath(name))) {
            existing << name;
        }
    }
    if (!skipped.isEmpty()) {
        setStatus(tr("Only files are downloaded, not folders: %1 skipped. Open the folder and download the files "
                     "in it.")
                      .arg(skipped.join(QStringLiteral(", "))),
                  true);
    }
    const QString target = m_localDir;
    confirmReplace(existing, [this, files, target] {
        for (const QString& file : files) {
            m_transfers->startDownload(file, QDir(target).filePath(file.section(QLatin1Char('/'), -1)));
        }
    });
}

void FilesWidget::uploadSelected()
{
    upload(selectedLocalPaths());
}

void FilesWidget::downloadSelected()
{
    QStringList paths;
    for (int row : selectedRemoteRows()) {
        paths << m_remoteModel->pathOf(m_remoteModel->entry(row));
    }
    download(paths);
}

void FilesWidget::setStatus(const QString& message, bool error)
{
    m_status->setStyleSheet(error ? QStringLiteral("color: #b00020") : QString());
    m_status->setText(message);
}

} // namespace QuietWire::Gui
