#pragma once

#include "ChatRequests.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QSet>
#include <optional>

namespace QuietWire {
class ChatClient;
}

namespace QuietWire::Gui {

/// The Chat tab's sidebar (chat protocol version 2): the user's conversations in three groups,
/// each under a header row: the rooms joined (general first, then by name), the rooms to join
/// (public rooms from a `rooms` answer the user is not in), the direct conversations (by name).
/// Each conversation row has its unread count and the time of its last message; the view shows
/// it bold while unread.
///
/// Usage: setClient(chat) once per ChatClient (again after ServerConnection::clientsReplaced());
/// the list follows conversationsReceived() and conversationUpdated(), roomGone() and the
/// client's disconnection. setAvailableRooms() with a `rooms` answer fills the second group.
/// totalUnread() (and totalUnreadChanged()) counts the unread messages of the conversations that
/// are not muted. Mute is kept by key (keyOf(): "room:NAME", "direct:NAME"), so it outlives
/// reconnections and can be saved in settings: setMuted(key, on), isMuted(key), or setData() of
/// MutedRole on a row.
class ConversationListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum class RowKind { Header, Room, AvailableRoom, Direct };
    Q_ENUM(RowKind)
    enum Role {
        RowKindRole = Qt::UserRole + 1, ///< int: RowKind
        ConversationIdRole, ///< qint64: the conversation's id (an available room's id too)
        NameRole, ///< QString: a room's name, or the other person's name
        TopicRole, ///< QString
        UnreadRole, ///< qint64: unread messages, as the server counts them (0 for headers)
        LastTimeRole, ///< QDateTime: the time of the newest message (invalid when none)
        LastIdRole, ///< qint64: the id of the newest message (0 when none)
        LastReadRole, ///< qint64: the user's read marker
        MutedRole, ///< bool: excluded from totalUnread(); settable
        OwnerRole, ///< bool: the user owns this room
        PrivateRole, ///< bool
        KeyRole, ///< QString: keyOf() the conversation ("" for headers)
    };

    explicit ConversationListModel(QObject* parent = nullptr);

    void setClient(ChatClient* chat);
    /// The answer to a `rooms` request: the rooms not joined become the "rooms to join" group.
    void setAvailableRooms(const QList<ChatProtocol::RoomInfo>& rooms);
    void clear();
    /// A conversation no event announces (the direct conversation a `history` with `with` made);
    /// nothing when it is listed already.
    void add(const ChatProtocol::ConversationSummary& conversation);

    /// The sum of the unread counts of the conversations not muted.
    int totalUnread() const { return m_totalUnread; }
    /// The row of a conversation the user is in, or an invalid index.
    QModelIndex indexOf(qint64 conversationId) const;
    /// The row of a room to join by name, or an invalid index.
    QModelIndex indexOfAvailableRoom(const QString& name) const;
    std::optional<ChatProtocol::ConversationSummary> conversation(qint64 conversationId) const;
    /// A conversation of the user by kind and name (a room, or the direct conversation with name).
    std::optional<ChatProtocol::ConversationSummary> find(
        ChatProtocol::ConversationKind kind, const QString& name) const;
    QList<ChatProtocol::ConversationSummary> conversations() const { return m_conversations; }

    static QString keyOf(const ChatProtocol::ConversationSummary& conversation);
    void setMuted(const QString& key, bool muted);
    bool isMuted(const QString& key) const { return m_muted.contains(key); }
    QSet<QString> mutedKeys() const { return m_muted; }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

signals:
    void totalUnreadChanged(int total);
    /// A conversation the user is in changed, was added (or, with gone set, is gone).
    void conversationChanged(qint64 conversationId, bool gone);

private:
    struct Row
    {
        RowKind kind = RowKind::Header;
        int index = -1; // into m_conversations or m_available; the header's group for headers
    };

    void setConversations(const QList<ChatProtocol::ConversationSummary>& conversations);
    void update(const ChatProtocol::ConversationSummary& conversation);
    void remove(qint64 conversationId);
    /// Sorts and regroups everything (a conversation added or gone, the rooms to join changed).
    void rebuild();
    void updateTotal();
    QString headerText(RowKind group) const;

    QPointer<ChatClient> m_chat;
    QList<ChatProtocol::ConversationSummary> m_conversations;
    QList<ChatProtocol::RoomInfo> m_available;
    QList<Row> m_rows;
    QSet<QString> m_muted;
    int m_totalUnread = 0;
};

} // namespace QuietWire::Gui
