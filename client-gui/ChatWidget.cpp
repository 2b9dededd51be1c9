#include "ChatWidget.h"

#include "ChatModel.h"
#include "ConversationDelegate.h"
#include "ConversationFiles.h"
#include "ConversationListModel.h"
#include "ConversationView.h"
#include "FilesWidget.h"
#include "MessageEdit.h"
#include "Outbox.h"
#include "RoomCreateDialog.h"
#include "SearchPanel.h"
#include "ServerConnection.h"
#include "TransferList.h"
#include "UnreadTracker.h"

#include <QEvent>
#include <QGridLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

namespace QuietWire::Gui {

using ChatProtocol::ConversationKind;

ChatWidget::ChatWidget(ServerConnection* connection, QWidget* parent)
    : QWidget(parent)
    , m_connection(connection)
    , m_conversations(new ConversationListModel(this))
    , m_sidebar(new QListView(this))
    , m_newRoom(new QPushButton(this))
    , m_join(new QPushButton(this))
    , m_leave(new QPushButton(this))
    , m_invite(new QPushButton(this))
    , m_topic(new QPushButton(this))
    , m_directName(new QLineEdit(this))
    , m_status(new QLabel(this))
    , m_view(new ConversationView(this))
    , m_search(new SearchPanel(this))
    , m_membersLabel(new QLabel(this))
    , m_members(new QListWidget(this))
    , m_files(new ConversationFiles(connection, this))
    , m_roomsTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("chatTab"));
    m_sidebar->setObjectName(QStringLiteral("conversationList"));
    m_sidebar->setModel(m_conversations);
    m_sidebar->setItemDelegate(new ConversationDelegate(m_sidebar));
    m_sidebar->setSelectionMode(QAbstractItemView::SingleSelection);
    m_sidebar->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_sidebar, &QListView::customContextMenuRequested, this, [this](const QPoint& position) {
        const QModelIndex row = m_sidebar->indexAt(position);
        const auto kind
            = static_cast<ConversationListModel::RowKind>(row.data(ConversationListModel::RowKindRole).toInt());
        if (!m_muteKeeper || !row.isValid()
            || (kind != ConversationListModel::RowKind::Room && kind != ConversationListModel::RowKind::Direct)) {
            return;
        }
        const qint64 id = row.data(ConversationListModel::ConversationIdRole).toLongLong();
        const bool muted = row.data(ConversationListModel::MutedRole).toBool();
        auto* menu = new QMenu(this);
        menu->setObjectName(QStringLiteral("conversationMenu"));
        menu->setAttribute(Qt::WA_DeleteOnClose);
        QAction* mute = menu->addAction(muted ? tr("Unmute") : tr("Mute"));
        mute->setObjectName(QStringLiteral("muteAction"));
        connect(mute, &QAction::triggered, this, [this, id, muted] { setConversationMuted(id, !muted); });
        menu->popup(m_sidebar->viewport()->mapToGlobal(position));
    });
    m_sidebar->setUniformItemSizes(true);
    m_newRoom->setObjectName(QStringLiteral("newRoomButton"));
    m_join->setObjectName(QStringLiteral("joinRoomButton"));
    m_leave->setObjectName(QStringLiteral("leaveRoomButton"));
    m_invite->setObjectName(QStringLiteral("inviteButton"));
    m_topic->setObjectName(QStringLiteral("topicButton"));
    m_directName->setObjectName(QStringLiteral("directNameEdit"));
    m_directName->setClearButtonEnabled(true);
    m_status->setObjectName(QStringLiteral("chatStatus"));
    m_status->setTextFormat(Qt::PlainText); // server messages and names
    m_status->setWordWrap(true);
    m_members->setObjectName(QStringLiteral("memberList"));
    m_search->setConversationNamer([this](qint64 id) {
        const auto conversation = m_conversations->conversation(id);
        return conversation ? conversation->name : tr("conversation %1").arg(id);
    });

    auto* buttons = new QGridLayout;
    buttons->addWidget(m_newRoom, 0, 0);
    buttons->addWidget(m_join, 0, 1);
    buttons->addWidget(m_leave, 0, 2);
    buttons->addWidget(m_invite, 1, 0);
    buttons->addWidget(m_topic, 1, 1);
    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_sidebar, 1);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(m_directName);
    leftLayout->addWidget(m_status);

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_search, 3);
    rightLayout->addWidget(m_membersLabel);
    rightLayout->addWidget(m_members, 1);

    auto* splitter = new QSplitter(this);
    splitter->addWidget(left);
    splitter->addWidget(m_view);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 4);
    splitter->setStretchFactor(2, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    m_roomsTimer->setInterval(RoomsRefreshMs);
    connect(m_roomsTimer, &QTimer::timeout, this, &ChatWidget::refreshRooms);
    connect(m_sidebar, &QListView::activated, this, &ChatWidget::onSidebarActivated);
    connect(
        m_sidebar->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex& current) {
            if (m_syncing || !current.isValid()) {
                return;
            }
            const auto kind
                = static_cast<ConversationListModel::RowKind>(current.data(ConversationListModel::RowKindRole).toInt());
            if (kind == ConversationListModel::RowKind::Room || kind == ConversationListModel::RowKind::Direct) {
                openConversation(current.data(ConversationListModel::ConversationIdRole).toLongLong());
            }
            updateButtons();
        });
    connect(m_conversations, &ConversationListModel::modelReset, this, &ChatWidget::syncSidebar);
    connect(m_conversations, &ConversationListModel::conversationChanged, this, [this](qint64 id, bool gone) {
        if (gone && id == m_view->conversationId()) {
            m_view->close();
            const auto general = m_conversations->find(ConversationKind::Room, QStringLiteral("general"));
            if (general) {
                openConversation(general->id);
            }
        } else if (const auto conversation = m_conversations->conversation(id)) {
            m_view->updateConversation(*conversation);
            if (id == m_openWhenListed) {
                m_openWhenListed = 0;
                openConversation(id);
            }
        }
        updateButtons();
    });
    connect(m_newRoom, &QPushButton::clicked, this, &ChatWidget::showCreateRoomDialog);
    connect(m_join, &QPushButton::clicked, this, [this] {
        const QModelIndex current = m_sidebar->currentIndex();
        if (current.data(ConversationListModel::RowKindRole).toInt()
            == static_cast<int>(ConversationListModel::RowKind::AvailableRoom)) {
            joinRoom(current.data(ConversationListModel::NameRole).toString());
        }
    });
    connect(m_leave, &QPushButton::clicked, this, [this] { leaveRoom(m_view->conversation().name); });
    connect(m_invite, &QPushButton::clicked, this, &ChatWidget::showInviteDialog);
    connect(m_topic, &QPushButton::clicked, this, &ChatWidget::showTopicDialog);
    connect(m_directName, &QLineEdit::returnPressed, this, [this] {
        const QString name = m_directName->text().trimmed();
        if (!name.isEmpty()) {
            openDirect(name);
        }
    });
    connect(m_members, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
        if (!item->data(Qt::UserRole + 1).toBool()) { // not ourselves
            openDirect(item->data(Qt::UserRole).toString());
        }
    });
    connect(m_view, &ConversationView::sendRequested, this, [this](const QString& text) {
        if (text.trimmed().isEmpty()) {
            return;
        }
        if (sendMessage(destination(), text)) {
            m_view->clearInput();
        }
    });
    connect(m_view, &ConversationView::attachRequested, this, [this](const QStringList& paths) {
        for (const QString& path : paths) {
            m_files->attach(path, destination());
        }
    });
    connect(m_view, &ConversationView::downloadRequested, this, &ChatWidget::download);
    connect(
        m_view, &ConversationView::errorOccurred, this, [this](const QString& message) { setStatus(message, true); });
    connect(m_files, &ConversationFiles::readyToPost, this,
        [this](const ChatClient::Destination& to, const ChatProtocol::Attachment& attachment) {
            sendMessage(to, QString(), attachment);
        });
    connect(m_files, &ConversationFiles::failed, this, [this](const QString& message) { setStatus(message, true); });
    connect(m_search, &SearchPanel::hitActivated, this, &ChatWidget::openHit);
    connect(m_connection, &ServerConnection::stateChanged, this, &ChatWidget::onStateChanged);
    connect(m_connection, &ServerConnection::connectionLost, this,
        [this](const QString& message) { m_view->addSystem(tr("Disconnected: %1").arg(message)); });
    connect(m_connection, &ServerConnection::clientsReplaced, this, &ChatWidget::attachClient);
    connect(m_connection->outbox(), &Outbox::lost, this, [this](const Outbox::Entry& entry, const QString& reason) {
        m_view->addSystem(tr("Your message “%1” was not delivered: %2").arg(entry.text.left(80), reason));
    });
    attachClient();
    retranslateUi();
    onStateChanged();
}

ChatModel* ChatWidget::model() const
{
    return m_view->model();
}

void ChatWidget::setFilesWidget(FilesWidget* files)
{
    m_filesWidget = files;
    m_files->setTransferModel(files->transfers()->model());
}

void ChatWidget::setMuteKeeper(UnreadTracker* tracker)
{
    m_muteKeeper = tracker;
    // The list shows what the keeper holds: for each conversation as it is listed, and each change.
    const auto showMute = [this](qint64 id) {
        if (const auto conversation = m_conversations->conversation(id); conversation && m_muteKeeper) {
            m_conversations->setMuted(ConversationListModel::keyOf(*conversation), m_muteKeeper->isMuted(id));
        }
    };
    connect(tracker, &UnreadTracker::mutedChanged, this, showMute);
    connect(m_conversations, &ConversationListModel::conversationChanged, this, [showMute](qint64 id, bool gone) {
        if (!gone) {
            showMute(id);
        }
    });
    connect(m_conversations, &ConversationListModel::modelReset, this, [this, showMute] {
        for (int row = 0; row < m_conversations->rowCount(); ++row) {
            showMute(m_conversations->index(row).data(ConversationListModel::ConversationIdRole).toLongLong());
        }
    });
}

void ChatWidget::setConversationMuted(qint64 conversationId, bool muted)
{
    if (m_muteKeeper) {
        m_muteKeeper->setMuted(conversationId, muted);
    }
}

void ChatWidget::attachClient()
{
    ChatClient* chat = m_connection->chat();
    m_pending.clear();
    m_conversations->setClient(chat);
    m_view->setClient(chat, m_connection->identity().fingerprint());
    m_search->setClient(chat);
    connect(chat, &ChatClient::joined, this, &ChatWidget::onJoined);
    connect(chat, &ChatClient::conversationsReceived, this, &ChatWidget::onConversationsReceived);
    connect(chat, &ChatClient::messageReceived, this, &ChatWidget::onMessage);
    connect(chat, &ChatClient::membersChanged, this, &ChatWidget::refreshMembers);
    connect(chat, &ChatClient::requestDone, this, &ChatWidget::onDone);
    connect(chat, &ChatClient::requestRejected, this, &ChatWidget::onRejected);
    connect(chat, &ChatClient::memberJoined, this,
        [this](const ChatProtocol::Member& member) { m_view->addSystem(tr("%1 joined").arg(member.name)); });
    connect(chat, &ChatClient::memberLeft, this,
        [this](const ChatProtocol::Member& member) { m_view->addSystem(tr("%1 left").arg(member.name)); });
    connect(chat, &ChatClient::messageRejected, this, [this](const ChatProtocol::Rejected& rejected) {
        m_view->addSystem(tr("Your message was not delivered: %1").arg(rejected.message));
    });
    connect(chat, &ChatClient::roomGone, this, [this](const ChatProtocol::RoomGone& gone) {
        switch (gone.reason) {
        case ChatProtocol::RoomGone::Reason::Left:
            setStatus(tr("You left the room %1").arg(gone.room), false);
            break;
        case ChatProtocol::RoomGone::Reason::Removed:
            setStatus(tr("You were removed from the room %1").arg(gone.room), false);
            break;
        case ChatProtocol::RoomGone::Reason::Deleted:
            setStatus(tr("The room %1 was deleted").arg(gone.room), false);
            break;
        }
        refreshRooms();
    });
}

void ChatWidget::retranslateUi()
{
    m_membersLabel->setText(tr("Connected now"));
    m_members->setToolTip(tr("Double-click someone to open your direct conversation"));
    m_newRoom->setText(tr("&New room…"));
    m_newRoom->setToolTip(tr("Make a room; you become its owner"));
    m_join->setText(tr("&Join"));
    m_join->setToolTip(tr("Join the room chosen under \"Rooms to join\""));
    m_leave->setText(tr("&Leave"));
    m_leave->setToolTip(tr("Leave the open room"));
    m_invite->setText(tr("&Invite…"));
    m_invite->setToolTip(tr("Add someone to the open room (owners)"));
    m_topic->setText(tr("&Topic…"));
    m_topic->setToolTip(tr("Change the open room's topic (owners)"));
    m_directName->setPlaceholderText(tr("Direct conversation with… (a name, Enter)"));
    refreshMembers();
}

void ChatWidget::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QWidget::changeEvent(event);
}

void ChatWidget::onStateChanged()
{
    const bool connected = m_connection->state() == ServerConnection::State::Connected;
    // Reconnecting: typed messages wait in the outbox (docs/CLIENT.md, Reconnection).
    m_view->setInputEnabled(m_connection->acceptsMessages());
    if (connected) {
        m_roomsTimer->start();
    } else {
        m_roomsTimer->stop();
        m_members->clear();
    }
    updateButtons();
}

void ChatWidget::onJoined(const QString& myName)
{
    m_view->addSystem(tr("Connected to %1 as %2").arg(m_connection->hostPort(), myName));
    if (m_connection->chat()->sessionVersion() < ChatProtocol::Version2) {
        m_view->openVersion1();
        setStatus(tr("This server speaks version 1 of the chat protocol: one room, no history or search"), false);
    }
    refreshMembers();
    updateButtons();
    m_view->input()->setFocus();
}

void ChatWidget::onConversationsReceived()
{
    m_view->setInputEnabled(m_connection->state() == ServerConnection::State::Connected);
    if (m_view->isOpen()) {
        if (const auto open = m_conversations->conversation(m_view->conversationId())) {
            // A reconnection: what was said meanwhile.
            m_view->updateConversation(*open);
            m_view->catchUp();
            syncSidebar();
        } else {
            m_view->close();
        }
    }
    if (!m_view->isOpen()) {
        const auto general = m_conversations->find(ConversationKind::Room, QStringLiteral("general"));
        if (general) {
            openConversation(general->id);
        } else if (!m_conversations->conversations().isEmpty()) {
            openConversation(m_conversations->conversations().constFirst().id);
        }
    }
    refreshRooms();
    updateButtons();
}

void ChatWidget::onMessage(const ChatProtocol::Message& message)
{
    if (m_connection->chat()->sessionVersion() < ChatProtocol::Version2) {
        m_view->addLive(message);
        return;
    }
    if (message.conversation && *message.conversation == m_view->conversationId() && !message.history) {
        m_view->addLive(message);
    }
}

bool ChatWidget::openConversation(qint64 conversationId)
{
    const auto conversation = m_conversations->conversation(conversationId);
    if (!conversation) {
        return false;
    }
    if (conversationId != m_view->conversationId()) {
        m_view->open(*conversation);
    }
    m_search->setCurrentConversation(conversationId);
    syncSidebar();
    updateButtons();
    emit conversationOpened(conversationId);
    return true;
}

void ChatWidget::openDirect(const QString& name)
{
    if (const auto known = m_conversations->find(ConversationKind::Direct, name)) {
        openConversation(known->id);
        m_directName->clear();
        return;
    }
    // A history request with `with` makes the conversation on the server and names it.
    ChatProtocol::HistoryRequest request;
    request.target.with = name;
    request.limit = 1;
    const qint64 seq = m_connection->chat()->request(request);
    if (seq < 0) {
        setStatus(tr("Cannot open the conversation with %1: %2").arg(name, m_connection->chat()->errorString()), true);
        return;
    }
    m_pending.insert(seq, { Action::Direct, name });
}

void ChatWidget::sendRequest(ChatProtocol::RoomRequest request, const PendingRequest& pending)
{
    const qint64 seq = m_connection->chat()->request(std::move(request));
    if (seq < 0) {
        setStatus(m_connection->chat()->errorString(), true);
        return;
    }
    m_pending.insert(seq, pending);
}

void ChatWidget::createRoom(const QString& name, const QString& topic, bool isPrivate)
{
    ChatProtocol::RoomRequest request;
    request.action = ChatProtocol::RoomRequest::Action::Create;
    request.room = name;
    request.topic = topic;
    request.isPrivate = isPrivate;
    sendRequest(request, { Action::Create, name });
}

void ChatWidget::joinRoom(const QString& name)
{
    ChatProtocol::RoomRequest request;
    request.action = ChatProtocol::RoomRequest::Action::Join;
    request.room = name;
    sendRequest(request, { Action::Join, name });
}

void ChatWidget::leaveRoom(const QString& name)
{
    ChatProtocol::RoomRequest request;
    request.action = ChatProtocol::RoomRequest::Action::Leave;
    request.room = name;
    sendRequest(request, { Action::Leave, name });
}

void ChatWidget::inviteToRoom(const QString& room, const QString& member)
{
    ChatProtocol::RoomRequest request;
    request.action = ChatProtocol::RoomRequest::Action::Invite;
    request.room = room;
    request.member = member;
    sendRequest(request, { Action::Invite, member });
}

void ChatWidget::setRoomTopic(const QString& room, const QString& topic)
{
    ChatProtocol::RoomRequest request;
    request.action = ChatProtocol::RoomRequest::Action::Topic;
    request.room = room;
    request.topic = topic;
    sendRequest(request, { Action::Topic, room });
}

void ChatWidget::refreshRooms()
{
    ChatClient* chat = m_connection->chat();
    if (m_connection->state() != ServerConnection::State::Connected
        || chat->sessionVersion() < ChatProtocol::Version2) {
        return;
    }
    const qint64 seq = chat->request(ChatProtocol::RoomsRequest());
    if (seq >= 0) {
        m_pending.insert(seq, { Action::Rooms, QString() });
    }
}

void ChatWidget::onDone(const ChatProtocol::Done& done)
{
    const auto found = m_pending.constFind(done.seq);
    if (found == m_pending.cend()) {
        return;
    }
    const PendingRequest pending = found.value();
    m_pending.erase(found);
    switch (pending.action) {
    case Action::Rooms:
        m_conversations->setAvailableRooms(done.rooms.value_or(QList<ChatProtocol::RoomInfo>()));
        syncSidebar();
        break;
    case Action::Create:
    case Action::Join:
        if (done.conversation) {
            setStatus(pending.action == Action::Create ? tr("Room %1 made").arg(pending.name)
                                                       : tr("You joined the room %1").arg(pending.name),
                false);
            if (!openConversation(*done.conversation)) {
                m_openWhenListed = *done.conversation;
            }
        }
        refreshRooms();
        break;
    case Action::Leave:
        refreshRooms();
        break;
    case Action::Invite:
        setStatus(tr("%1 was invited").arg(pending.name), false);
        break;
    case Action::Topic:
        setStatus(tr("The topic of %1 was changed").arg(pending.name), false);
        break;
    case Action::Direct:
        if (done.conversation) {
            ChatProtocol::ConversationSummary conversation;
            conversation.id = *done.conversation;
            conversation.kind = ConversationKind::Direct;
            conversation.isPrivate = true;
            conversation.name = pending.name;
            if (done.messages && !done.messages->isEmpty()) {
                ChatProtocol::Message last = done.messages->constFirst();
                last.history = false;
                conversation.last = last;
            }
            m_conversations->add(conversation);
            openConversation(conversation.id);
            m_directName->clear();
        }
        break;
    }
}

void ChatWidget::onRejected(const ChatProtocol::Rejected& rejected)
{
    const auto found = m_pending.constFind(rejected.seq);
    if (found == m_pending.cend()) {
        return;
    }
    const PendingRequest pending = found.value();
    m_pending.erase(found);
    switch (pending.action) {
    case Action::Rooms:
        break;
    case Action::Create:
        setStatus(tr("The room %1 was not made: %2").arg(pending.name, rejected.message), true);
        break;
    case Action::Join:
        setStatus(tr("You could not join %1: %2").arg(pending.name, rejected.message), true);
        break;
    case Action::Leave:
        setStatus(tr("You could not leave %1: %2").arg(pending.name, rejected.message), true);
        break;
    case Action::Invite:
        setStatus(tr("%1 was not invited: %2").arg(pending.name, rejected.message), true);
        break;
    case Action::Topic:
        setStatus(tr("The topic of %1 was not changed: %2").arg(pending.name, rejected.message), true);
        break;
    case Action::Direct:
        setStatus(tr("Cannot open the conversation with %1: %2").arg(pending.name, rejected.message), true);
        break;
    }
}

void ChatWidget::onSidebarActivated(const QModelIndex& index)
{
    const auto kind
        = static_cast<ConversationListModel::RowKind>(index.data(ConversationListModel::RowKindRole).toInt());
    if (kind == ConversationListModel::RowKind::AvailableRoom) {
        joinRoom(index.data(ConversationListModel::NameRole).toString());
    } else if (kind != ConversationListModel::RowKind::Header) {
        openConversation(index.data(ConversationListModel::ConversationIdRole).toLongLong());
    }
}

void ChatWidget::syncSidebar()
{
    m_syncing = true;
    const QModelIndex row = m_conversations->indexOf(m_view->conversationId());
    if (row.isValid()) {
        m_sidebar->setCurrentIndex(row);
    } else {
        m_sidebar->clearSelection();
    }
    m_syncing = false;
    updateButtons();
}

void ChatWidget::updateButtons()
{
    ChatClient* chat = m_connection->chat();
    const bool version2 = m_connection->state() == ServerConnection::State::Connected
        && chat->sessionVersion() >= ChatProtocol::Version2;
    const ChatProtocol::ConversationSummary& open = m_view->conversation();
    const bool room = version2 && m_view->isOpen() && open.kind == ConversationKind::Room;
    const bool owner = room && open.role == ChatProtocol::Role::Owner;
    m_newRoom->setEnabled(version2);
    m_join->setEnabled(version2
        && m_sidebar->currentIndex().data(ConversationListModel::RowKindRole).toInt()
            == static_cast<int>(ConversationListModel::RowKind::AvailableRoom));
    m_leave->setEnabled(room && open.name != QLatin1String("general"));
    m_invite->setEnabled(owner);
    m_topic->setEnabled(owner);
    m_directName->setEnabled(version2);
    m_search->setEnabled(version2);
}

void ChatWidget::refreshMembers()
{
    m_members->clear();
    if (m_connection->state() != ServerConnection::State::Connected) {
        return;
    }
    ChatClient* chat = m_connection->chat();
    auto* me = new QListWidgetItem(tr("%1 (you)").arg(chat->myName()), m_members);
    me->setData(Qt::UserRole, chat->myName());
    me->setData(Qt::UserRole + 1, true);
    me->setToolTip(tr("Your key: %1").arg(m_connection->identity().fingerprint()));
    QFont bold = me->font();
    bold.setBold(true);
    me->setFont(bold);
    QStringList seen;
    for (const auto& member : chat->members()) {
        const QString id = member.name + QLatin1Char(' ') + member.fingerprint;
        if (seen.contains(id)) {
            continue; // one entry per person, however many sessions they have open
        }
        seen << id;
        auto* item = new QListWidgetItem(member.name, m_members);
        item->setData(Qt::UserRole, member.name);
        item->setToolTip(tr("Key %1\nDouble-click to open your direct conversation").arg(member.fingerprint));
    }
}

void ChatWidget::showCreateRoomDialog()
{
    auto* dialog = new RoomCreateDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
        [this, dialog] { createRoom(dialog->name(), dialog->topic(), dialog->isPrivate()); });
    dialog->open();
}

void ChatWidget::showInviteDialog()
{
    const QString room = m_view->conversation().name;
    auto* dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("inviteDialog"));
    dialog->setWindowTitle(tr("Invite to %1").arg(room));
    dialog->setLabelText(tr("The name of the person to add to %1:").arg(room));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QInputDialog::textValueSelected, this, [this, room](const QString& text) {
        if (!text.trimmed().isEmpty()) {
            inviteToRoom(room, text.trimmed());
        }
    });
    dialog->open();
}

void ChatWidget::showTopicDialog()
{
    const QString room = m_view->conversation().name;
    auto* dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("topicDialog"));
    dialog->setWindowTitle(tr("Topic of %1").arg(room));
    dialog->setLabelText(tr("What %1 is for (empty clears it):").arg(room));
    dialog->setTextValue(m_view->conversation().topic);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QInputDialog::textValueSelected, this,
        [this, room](const QString& text) { setRoomTopic(room, text.trimmed()); });
    dialog->open();
}

void ChatWidget::openHit(const ChatProtocol::SearchHit& hit)
{
    const auto conversation = m_conversations->conversation(hit.conversation);
    if (!conversation) {
        setStatus(tr("That message's conversation is no longer yours"), true);
        return;
    }
    m_view->openAt(*conversation, hit.id);
    m_search->setCurrentConversation(hit.conversation);
    syncSidebar();
    emit conversationOpened(hit.conversation);
}

void ChatWidget::download(const QString& remotePath, const QString& name)
{
    if (!m_filesWidget) {
        return;
    }
    const QString local = m_files->download(remotePath, name, m_filesWidget->localDirectory());
    if (!local.isEmpty()) {
        setStatus(tr("Downloading %1 to %2 (see the Files tab)").arg(name, local), false);
    }
}

void ChatWidget::setStatus(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #b00020") : QString());
}

QString ChatWidget::statusText() const
{
    return m_status->text();
}

ChatClient::Destination ChatWidget::destination() const
{
    const ChatProtocol::ConversationSummary& open = m_view->conversation();
    if (!m_view->isOpen()) {
        return {}; // version 1: general
    }
    return open.kind == ConversationKind::Direct ? ChatClient::Destination { QString(), open.name }
                                                 : ChatClient::Destination { open.name, QString() };
}

bool ChatWidget::sendMessage(const ChatClient::Destination& destination, const QString& text,
    const std::optional<ChatProtocol::Attachment>& attachment)
{
    // Through the outbox: kept while reconnecting, sent once (docs/CLIENT.md, Reconnection).
    if (!m_connection->outbox()->send(text, destination, attachment)) {
        m_view->addSystem(tr("Not sent: %1").arg(m_connection->outbox()->errorString()));
        return false;
    }
    return true;
}

} // namespace QuietWire::Gui
