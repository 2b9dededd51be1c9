#include "LocalPane.h"

#include "FileListView.h"

#include <QApplication>
#include <QBoxLayout>
#include <QDir>
#include <QFileIconProvider>
#include <QFileSystemModel>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QStyle>
#include <QToolButton>

namespace QuietWire::Gui {

namespace {
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
} // namespace

LocalPane::LocalPane(QWidget* parent)
    : FilePane(new FileListView(FileListView::Side::Local, parent), parent)
    , m_iconProvider(std::make_unique<StyleIconProvider>())
    , m_model(new QFileSystemModel(this))
    , m_home(new QToolButton(parent))
{
    // A row like the server pane's (its places), so both lists line up.
    m_home->setObjectName(QStringLiteral("localHomeButton"));
    auto* places = new QHBoxLayout;
    places->setContentsMargins(0, 0, 0, 0);
    places->addWidget(m_home);
    places->addStretch(1);
    addControlRow(places);
    connect(m_home, &QToolButton::clicked, this, [this] { setDirectory(QDir::homePath()); });
    m_model->setFilter(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::AllDirs);
    m_model->setReadOnly(true);
    m_model->setIconProvider(m_iconProvider.get());
    m_view->setObjectName(QStringLiteral("localView"));
    m_view->setModel(m_model);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(0, Qt::AscendingOrder);
    m_view->hideColumn(2); // the type column says little
    m_view->header()->resizeSection(0, 240);
    m_pathEdit->setObjectName(QStringLiteral("localPathEdit"));
    connect(m_pathEdit, &QLineEdit::returnPressed, this, [this] { setDirectory(m_pathEdit->text()); });
    connect(m_view, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        if (m_model->isDir(index)) {
            setDirectory(m_model->filePath(index));
        } else {
            emit fileActivated();
        }
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FilePane::changed);
}

LocalPane::~LocalPane()
{
    // The model goes first: it uses the icon provider until it is gone.
    delete m_model;
}

void LocalPane::retranslateUi()
{
    m_title->setText(tr("This computer"));
    m_home->setText(tr("Home folder"));
    m_home->setToolTip(tr("Your home folder on this computer"));
    m_view->setToolTip(tr("Drop server files here to download them"));
}

bool LocalPane::setDirectory(const QString& path)
{
    const QFileInfo info(path);
    if (!info.isDir()) {
        emit statusMessage(tr("%1 is not a folder on this computer").arg(path), true);
        m_pathEdit->setText(m_dir);
        return false;
    }
    m_dir = info.absoluteFilePath();
    m_model->setRootPath(m_dir);
    m_view->setRootIndex(m_model->index(m_dir));
    m_pathEdit->setText(QDir::toNativeSeparators(m_dir));
    emit directoryChanged(m_dir);
    emit changed();
    return true;
}

bool LocalPane::canGoUp() const
{
    return !QDir(m_dir).isRoot();
}

void LocalPane::goUp()
{
    QDir dir(m_dir);
    if (dir.cdUp()) {
        setDirectory(dir.absolutePath());
    }
}

void LocalPane::refresh()
{
    // QFileSystemModel watches the folder; a new root makes it read the folder again.
    m_model->setRootPath(QString());
    setDirectory(m_dir);
}

QList<FilePane::Item> LocalPane::selectedItems() const
{
    QList<Item> items;
    for (const QModelIndex& index : m_view->selectionModel()->selectedRows()) {
        const QFileInfo info(m_model->filePath(index));
        items.append({ info.fileName(), info.absoluteFilePath(), info.isDir() });
    }
    return items;
}

QString LocalPane::newFolderLabel() const
{
    return tr("Name of the new folder in %1:").arg(m_dir);
}

void LocalPane::makeDirectory(const QString& name)
{
    if (!QDir(m_dir).mkdir(name)) {
        emit statusMessage(
            tr("Cannot create the folder %1 in %2: it exists already, or the folder is read-only").arg(name, m_dir),
            true);
    }
}

void LocalPane::rename(const Item& item, const QString& newName)
{
    const QString target = QFileInfo(item.path).dir().filePath(newName);
    if (QFileInfo::exists(target) || !QFile::rename(item.path, target)) {
        emit statusMessage(
            tr("Cannot rename %1 to %2: the name is taken, or the folder is read-only").arg(item.path, newName), true);
    }
}

QString LocalPane::deleteQuestion(const QStringList& names) const
{
    return tr("Delete %1 from this computer for good?").arg(names.join(QStringLiteral(", ")));
}

void LocalPane::remove(const QList<Item>& items)
{
    for (const Item& item : items) {
        const bool removed = item.directory ? QDir(item.path).removeRecursively() : QFile::remove(item.path);
        if (!removed) {
            emit statusMessage(tr("Cannot delete %1: it is read-only or in use").arg(item.path), true);
        }
    }
}

} // namespace QuietWire::Gui
