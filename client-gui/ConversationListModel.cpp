#include "ConversationListModel.h"

#include "ChatClient.h"

#include <QFont>
#include <QLocale>
#include <algorithm>
#include <limits>

namespace QuietWire::Gui {

using ChatProtocol::ConversationKind;
using ChatProtocol::ConversationSummary;

namespace {
/// A topic comes from the network: a tooltip would take "<b>" in it for markup, so it is
/// escaped into rich text of its own, line breaks kept.
QString plainToolTip(const QString& text)
{
    return QStringLiteral("<p style='white-space:pre-wrap'>%1</p>").arg(text.toHtmlEscaped());
}
} // namespace

ConversationListModel::ConversationListModel(QObject* parent)
    : QAbstractListModel(parent)
{
    rebuild();
}

void ConversationListModel::setClient(ChatClient* chat)
{
    if (m_chat) {
        m_chat->disconnect(this);
    }
    m_chat = chat;
    clear();
    if (!chat) {
        return;
    }
    connect(chat, &ChatClient::conversationsReceived, this, &ConversationListModel::setConversations);
    connect(chat, &ChatClient::conversationUpdated, this, &ConversationListModel::update);
    connect(
        chat, &ChatClient::roomGone, this, [this](const ChatProtocol::RoomGone& gone) { remove(gone.conversation); });
    connect(chat, &ChatClient::disconnected, this, &ConversationListModel::clear);
    if (chat->sessionVersion() >= ChatProtocol::Version2 && !chat->conversations().isEmpty()) {
        setConversations(chat->conversations());
    }
}

void ConversationListModel::clear()
{
    m_conversations.clear();
    m_available.clear();
    rebuild();
}

void ConversationListModel::add(const ConversationSummary& conversation)
{
    if (!this->conversation(conversation.id)) {
        update(conversation);
    }
}

void ConversationListModel::setConversations(const QList<ConversationSummary>& conversations)
{
    m_conversations = conversations;
    rebuild();
    for (const auto& conversation : std::as_const(m_conversations)) {
        emit conversationChanged(conversation.id, false);
    }
}

void ConversationListModel::setAvailableRooms(const QList<ChatProtocol::RoomInfo>& rooms)
{
    m_available.clear();
    for (const auto& room : rooms) {
        if (!room.joined) {
            m_available << room;
        }
    }
    rebuild();
}

void ConversationListModel::update(const ConversationSummary& conversation)
{
    auto known = std::find_if(m_conversations.begin(), m_conversations.end(),
        [&](const ConversationSummary& entry) { return entry.id == conversation.id; });
    if (known == m_conversations.end()) {
        m_conversations << conversation;
        rebuild();
    } else {
        const bool moved = known->name != conversation.name || known->kind != conversation.kind;
        *known = conversation;
        if (moved) {
            rebuild();
        } else {
            const QModelIndex row = indexOf(conversation.id);
            emit dataChanged(row, row);
            updateTotal();
        }
    }
    emit conversationChanged(conversation.id, false);
}

void ConversationListModel::remove(qint64 conversationId)
{
    if (m_conversations.removeIf([&](const ConversationSummary& entry) { return entry.id == conversationId; }) > 0) {
        rebuild();
        emit conversationChanged(conversationId, true);
    }
}

void ConversationListModel::rebuild()
{
    beginResetModel();
    QList<int> rooms;
    QList<int> directs;
    for (int i = 0; i < m_conversations.size(); ++i) {
        (m_conversations.at(i).kind == ConversationKind::Room ? rooms : directs) << i;
    }
    const auto byName = [this](int a, int b) {
        const QString& nameA = m_conversations.at(a).name;
        const QString& nameB = m_conversations.at(b).name;
        const bool generalA = nameA == QLatin1String("general");
        const bool generalB = nameB == QLatin1String("general");
        if (generalA != generalB) {
            return generalA;
        }
        return QString::localeAwareCompare(nameA, nameB) < 0;
    };
    std::sort(rooms.begin(), rooms.end(), byName);
    std::sort(directs.begin(), directs.end(), byName);
    QList<int> available;
    for (int i = 0; i < m_available.size(); ++i) {
        const qint64 id = m_available.at(i).id;
        if (std::none_of(m_conversations.cbegin(), m_conversations.cend(),
                [id](const ConversationSummary& entry) { return entry.id == id; })) {
            available << i;
        }
    }
    std::sort(available.begin(), available.end(), [this](int a, int b) {
        return QString::localeAwareCompare(m_available.at(a).name, m_available.at(b).name) < 0;
    });

    m_rows.clear();
    m_rows << Row { RowKind::Header, static_cast<int>(RowKind::Room) };
    for (int i : rooms) {
        m_rows << Row { RowKind::Room, i };
    }
    if (!available.isEmpty()) {
        m_rows << Row { RowKind::Header, static_cast<int>(RowKind::AvailableRoom) };
        for (int i : available) {
            m_rows << Row { RowKind::AvailableRoom, i };
        }
    }
    if (!directs.isEmpty()) {
        m_rows << Row { RowKind::Header, static_cast<int>(RowKind::Direct) };
        for (int i : directs) {
            m_rows << Row { RowKind::Direct, i };
        }
    }
    endResetModel();
    updateTotal();
}

void ConversationListModel::updateTotal()
{
    qint64 total = 0;
    for (const auto& conversation : std::as_const(m_conversations)) {
        if (!m_muted.contains(keyOf(conversation))) {
            total += conversation.unread;
        }
    }
    const int clamped = static_cast<int>(std::min<qint64>(total, std::numeric_limits<int>::max()));
    if (clamped != m_totalUnread) {
        m_totalUnread = clamped;
        emit totalUnreadChanged(m_totalUnread);
    }
}

QModelIndex ConversationListModel::indexOf(qint64 conversationId) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        const Row& entry = m_rows.at(row);
        if ((entry.kind == RowKind::Room || entry.kind == RowKind::Direct)
            && m_conversations.at(entry.index).id == conversationId) {
            return index(row);
        }
    }
    return QModelIndex();
}

QModelIndex ConversationListModel::indexOfAvailableRoom(const QString& name) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        const Row& entry = m_rows.at(row);
        if (entry.kind == RowKind::AvailableRoom && m_available.at(entry.index).name == name) {
            return index(row);
        }
    }
    return QModelIndex();
}

std::optional<ConversationSummary> ConversationListModel::conversation(qint64 conversationId) const
{
    for (const auto& entry : m_conversations) {
        if (entry.id == conversationId) {
            return entry;
        }
    }
    return std::nullopt;
}

std::optional<ConversationSummary> ConversationListModel::find(ConversationKind kind, const QString& name) const
{
    for (const auto& entry : m_conversations) {
        if (entry.kind == kind && entry.name == name) {
            return entry;
        }
    }
    return std::nullopt;
}

QString ConversationListModel::keyOf(const ConversationSummary& conversation)
{
    return (conversation.kind == ConversationKind::Room ? QStringLiteral("room:") : QStringLiteral("direct:"))
        + conversation.name;
}

void ConversationListModel::setMuted(const QString& key, bool muted)
{
    if (muted == m_muted.contains(key)) {
        return;
    }
    if (muted) {
        m_muted.insert(key);
    } else {
        m_muted.remove(key);
    }
    for (const auto& entry : std::as_const(m_conversations)) {
        if (keyOf(entry) == key) {
            const QModelIndex row = indexOf(entry.id);
            emit dataChanged(row, row, { MutedRole });
        }
    }
    updateTotal();
}

int ConversationListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QString ConversationListModel::headerText(RowKind group) const
{
    switch (group) {
    case RowKind::Room:
        return tr("Rooms");
    case RowKind::AvailableRoom:
        return tr("Rooms to join");
    case RowKind::Direct:
        return tr("Direct conversations");
    case RowKind::Header:
        break;
    }
    return QString();
}

QVariant ConversationListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) {
        return QVariant();
    }
    const Row& row = m_rows.at(index.row());
    if (role == RowKindRole) {
        return static_cast<int>(row.kind);
    }
    if (row.kind == RowKind::Header) {
        if (role == Qt::DisplayRole || role == Qt::AccessibleTextRole) {
            return headerText(static_cast<RowKind>(row.index));
        }
        return QVariant();
    }
    if (row.kind == RowKind::AvailableRoom) {
        const ChatProtocol::RoomInfo& room = m_available.at(row.index);
        switch (role) {
        case Qt::DisplayRole:
        case NameRole:
            return room.name;
        case Qt::AccessibleTextRole:
            return tr("%1, a room to join").arg(room.name);
        case Qt::ToolTipRole:
            return plainToolTip(room.topic.isEmpty()
                    ? tr("Members: %1; double-click to join").arg(room.members)
                    : tr("%1\nMembers: %2; double-click to join").arg(room.topic).arg(room.members));
        case ConversationIdRole:
            return room.id;
        case TopicRole:
            return room.topic;
        case PrivateRole:
            return room.isPrivate;
        case UnreadRole:
        case LastIdRole:
        case LastReadRole:
            return qint64(0);
        default:
            return QVariant();
        }
    }
    const ConversationSummary& conversation = m_conversations.at(row.index);
    const QDateTime lastTime = conversation.last ? conversation.last->time.toLocalTime() : QDateTime();
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return conversation.name;
    case Qt::AccessibleTextRole:
        return conversation.unread > 0 ? tr("%1, unread: %2").arg(conversation.name).arg(conversation.unread)
                                       : conversation.name;
    case Qt::ToolTipRole:
        if (!conversation.topic.isEmpty()) {
            return plainToolTip(conversation.topic);
        }
        return lastTime.isValid() ? tr("Last message %1").arg(QLocale().toString(lastTime, QLocale::LongFormat))
                                  : tr("No messages yet");
    case Qt::FontRole:
        if (conversation.unread > 0) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return QVariant();
    case ConversationIdRole:
        return conversation.id;
    case TopicRole:
        return conversation.topic;
    case UnreadRole:
        return conversation.unread;
    case LastTimeRole:
        return lastTime;
    case LastIdRole:
        return conversation.last ? conversation.last->id : qint64(0);
    case LastReadRole:
        return conversation.lastRead;
    case MutedRole:
        return m_muted.contains(keyOf(conversation));
    case OwnerRole:
        return conversation.role == ChatProtocol::Role::Owner;
    case PrivateRole:
        return conversation.isPrivate;
    case KeyRole:
        return keyOf(conversation);
    default:
        return QVariant();
    }
}

bool ConversationListModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != MutedRole || !index.isValid() || index.row() >= m_rows.size()) {
        return false;
    }
    const Row& row = m_rows.at(index.row());
    if (row.kind != RowKind::Room && row.kind != RowKind::Direct) {
        return false;
    }
    setMuted(keyOf(m_conversations.at(row.index)), value.toBool());
    return true;
}

Qt::ItemFlags ConversationListModel::flags(const QModelIndex& index) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) {
        return Qt::NoItemFlags;
    }
    return m_rows.at(index.row()).kind == RowKind::Header ? Qt::ItemIsEnabled
                                                          : Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

} // namespace QuietWire::Gui
