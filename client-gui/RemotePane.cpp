#include "RemotePane.h"

#include "FileListView.h"
#include "RemoteFileModel.h"
#include "ServerConnection.h"

#include <QBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>

namespace QuietWire::Gui {

RemotePane::RemotePane(ServerConnection* connection, QWidget* parent)
    : FilePane(new FileListView(FileListView::Side::Remote, parent), parent)
    , m_connection(connection)
    , m_model(new RemoteFileModel(this))
    , m_home(new QToolButton(parent))
    , m_shared(new QToolButton(parent))
{
    m_home->setObjectName(QStringLiteral("remoteHomeButton"));
    m_shared->setObjectName(QStringLiteral("remoteSharedButton"));
    auto* places = new QHBoxLayout;
    places->setContentsMargins(0, 0, 0, 0);
    places->addWidget(m_home);
    places->addWidget(m_shared);
    places->addStretch(1);
    addControlRow(places);
    connect(m_home, &QToolButton::clicked, this, [this] { setDirectory(QStringLiteral("~")); });
    connect(m_shared, &QToolButton::clicked, this, [this] { setDirectory(QStringLiteral("/rooms")); });
    m_view->setObjectName(QStringLiteral("remoteView"));
    m_view->setModel(m_model);
    m_view->header()->resizeSection(0, 240);
    m_pathEdit->setObjectName(QStringLiteral("remotePathEdit"));
    connect(m_pathEdit, &QLineEdit::returnPressed, this, [this] { setDirectory(m_pathEdit->text().trimmed()); });
    connect(m_view, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        if (index.data(RemoteFileModel::IsDirectoryRole).toBool()) {
            setDirectory(index.data(RemoteFileModel::PathRole).toString());
        } else {
            emit fileActivated();
        }
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FilePane::changed);
    connect(m_model, &QAbstractItemModel::modelReset, this, &FilePane::changed);
    connect(m_connection, &ServerConnection::stateChanged, this, &RemotePane::onConnectionStateChanged);
    connect(m_connection, &ServerConnection::filesConnected, this, [this] { setDirectory(m_wantedDir); });
    connect(m_connection, &ServerConnection::clientsReplaced, this, &RemotePane::attachClient);
    attachClient();
}

void RemotePane::attachClient()
{
    FileClient* files = m_connection->files();
    connect(files, &FileClient::replyReceived, this, &RemotePane::onReply);
    connect(files, &FileClient::errorOccurred, this, [this](const QString& message) {
        if (m_connection->state() == ServerConnection::State::Connected) {
            emit statusMessage(message, true);
        }
    });
}

void RemotePane::retranslateUi()
{
    m_view->setToolTip(tr("Drop files here to upload them"));
    m_home->setText(tr("My files"));
    m_home->setToolTip(tr("Your own folder on the server (~)"));
    m_shared->setText(tr("Room folders"));
    m_shared->setToolTip(tr("The shared folders of your rooms and direct conversations (/rooms, /direct)"));
    onConnectionStateChanged();
}

void RemotePane::onConnectionStateChanged()
{
    const bool connected = m_connection->state() == ServerConnection::State::Connected;
    if (connected) {
        m_title->setText(tr("Server %1").arg(m_connection->hostPort()));
    } else {
        m_title->setText(tr("Server (not connected)"));
        m_model->clear();
        m_pathEdit->clear();
        m_requests.clear();
    }
    m_pathEdit->setEnabled(connected);
    m_home->setEnabled(connected);
    m_shared->setEnabled(connected);
    emit changed();
}

QString RemotePane::directory() const
{
    return m_model->path();
}

void RemotePane::setDirectory(const QString& path)
{
    m_wantedDir = path.isEmpty() ? QStringLiteral("~") : path;
    if (!m_connection->filesReady()) {
        return;
    }
    m_listRequest = m_connection->files()->list(m_wantedDir);
    m_requests.insert(m_listRequest, Request::List);
}

void RemotePane::onReply(const FileClient::Reply& reply)
{
    if (!m_requests.contains(reply.id)) {
        return;
    }
    const Request request = m_requests.take(reply.id);
    if (!reply.ok) {
        if (request == Request::List && reply.id == m_listRequest) {
            m_pathEdit->setText(m_model->path());
            m_wantedDir = m_model->path().isEmpty() ? QStringLiteral("~") : m_model->path();
        }
        emit statusMessage(tr("The server said: %1").arg(reply.message), true);
        return;
    }
    if (request == Request::List) {
        if (reply.id != m_listRequest) {
            return; // an older listing, overtaken by a newer one
        }
        m_model->setListing(reply.path, reply.entries);
        m_pathEdit->setText(reply.path);
        m_wantedDir = reply.path;
        return;
    }
    refresh();
}

bool RemotePane::isReady() const
{
    return m_connection->filesReady() && !m_model->path().isEmpty();
}

bool RemotePane::canGoUp() const
{
    // The home and the shared tree's top are where going up ends.
    return m_model->path() != QLatin1String("~") && m_model->path() != QLatin1String("/");
}

void RemotePane::goUp()
{
    if (canGoUp()) {
        setDirectory(RemoteFileModel::parentOf(m_model->path()));
    }
}

void RemotePane::refresh()
{
    setDirectory(m_model->path().isEmpty() ? m_wantedDir : m_model->path());
}

QList<FilePane::Item> RemotePane::selectedItems() const
{
    QList<Item> items;
    for (const QModelIndex& index : m_view->selectionModel()->selectedRows()) {
        const FileProtocol::Entry& entry = m_model->entry(index.row());
        items.append({ entry.name, m_model->pathOf(entry), entry.type == FileProtocol::Entry::Type::Directory });
    }
    return items;
}

QString RemotePane::newFolderLabel() const
{
    return tr("Name of the new folder in %1 on the server:").arg(m_model->path());
}

void RemotePane::makeDirectory(const QString& name)
{
    m_requests.insert(
        m_connection->files()->makeDirectory(m_model->path() + QLatin1Char('/') + name), Request::MakeDirectory);
}

void RemotePane::rename(const Item& item, const QString& newName)
{
    m_requests.insert(
        m_connection->files()->rename(item.path, RemoteFileModel::parentOf(item.path) + QLatin1Char('/') + newName),
        Request::Rename);
}

QString RemotePane::deleteQuestion(const QStringList& names) const
{
    return tr("Delete %1 from the server for good?").arg(names.join(QStringLiteral(", ")));
}

void RemotePane::remove(const QList<Item>& items)
{
    FileClient* files = m_connection->files();
    for (const Item& item : items) {
        m_requests.insert(
            item.directory ? files->removeDirectory(item.path, true) : files->remove(item.path), Request::Remove);
    }
}

} // namespace QuietWire::Gui
