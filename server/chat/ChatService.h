#pragma once

#include "ChatMessages.h"
#include "ChatStore.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <functional>

namespace QuietWire {

struct Session;
class StoreThread;

/// The chat of a server (docs/PROTOCOL.md section 7): rooms and direct conversations kept in the
/// store, messages accepted only once committed and then sent to the online sessions of the
/// conversation's members, history, search, read markers and the room requests of version 2, and
/// version 1's one room ("general", a replay of its newest messages on join) for older clients.
///
/// The store is the authority: every request is served on the store's thread, in the order it was
/// posted, and checks membership there (a removal served before a request is honoured by it). The
/// service keeps a cache of rooms and members on the server's thread for fan-out and quick refusals.
///
/// Usage:
///     auto* chat = new ChatService(storeThread, [whitelist](const QString& name) { ... }, this);
///     if (!chat->load(&error)) { ... }           // the rooms and members into the cache
///     chat->join(session, helloVersion);          // welcome ...
///     chat->handleMessage(session, map, &fatal);  // every message of a chat session
///     chat->leave(session);
///     chat->reload(conversationId);               // after the administrator changed a room
class ChatService : public QObject
{
    Q_OBJECT

public:
    /// Whether name is on the whitelist now (a direct message's recipient, an invitee).
    using NameCheck = std::function<bool(const QString& name)>;

    ChatService(StoreThread* store, NameCheck isKnownName, QObject* parent = nullptr);

    /// Reads the rooms and their members from the store (waits for it); false with error set when
    /// the store cannot be read.
    bool load(QString* error);

    /// A chat session starts: welcome, members and (version 1) the replay of general or (version
    /// 2) the user's conversations, then history_end. version is the hello's (absent: 1).
    void join(Session* session, qint64 helloVersion);
    void leave(Session* session);
    /// Decodes and handles one message of a session. False when the session must end: fatalError
    /// then says why (a message without a usable seq cannot be answered with "rejected").
    bool handleMessage(Session* session, const QCborMap& message, QString* fatalError);
    /// The administrator's notice to everyone: stored in general, sent to every session.
    void notice(const QString& text);

    /// Re-reads conversation id and its members from the store and tells the sessions concerned
    /// what changed (room, room_gone): after the administrator changed it through the store.
    void reload(qint64 conversationId);

    StoreThread* store() const { return m_store; }
    int sessionCount() const { return static_cast<int>(m_sessions.size()); }

private:
    struct SessionState
    {
        Session* session = nullptr;
        qint64 version = 1;
        bool joining = true; // welcome sent, the replay or conversations not yet
        QList<ChatProtocol::Message> queued; // live messages while joining
        QSet<qint64> replayed; // version 1: ids in the replay (not sent again live)
        qint64 snapshotId = 0; // version 2: the newest id when the conversations were read
    };
    struct Room
    {
        Conversation conversation;
        QHash<QString, MemberRole> members;
    };
    /// What a request to the store gives back when it cannot be served.
    struct Refusal
    {
        ErrorCode code = ErrorCode::None;
        QString message;
        explicit operator bool() const { return code != ErrorCode::None; }
    };

    void send(Session* session, const QByteArray& encoded);
    void sendMap(Session* session, const QCborMap& message);
    void reject(Session* session, qint64 seq, ErrorCode code, const QString& reason);
    void finishJoin(qint64 sessionId, const QList<ChatProtocol::Message>& replay,
        const QList<ChatProtocol::ConversationSummary>& conversations, qint64 snapshotId);
    SessionState* stateOf(qint64 sessionId);

    // Messages.
    void post(Session* session, const ChatProtocol::Send& request);
    void accepted(qint64 sessionId, qint64 seq, const ChatStore::NewMessage& message, const QString& to,
        const ChatStore::Appended& result, const StoreFailure& failure);
    void deliver(const ChatProtocol::Message& message, const QStringList& recipients);
    ChatProtocol::Message wireMessage(const StoredMessage& stored, const Conversation& conversation) const;
    /// The name of the other member of a direct conversation as user sees it.
    static QString otherOf(const Conversation& direct, const QString& user);

    // Version-2 requests.
    void history(Session* session, const ChatProtocol::HistoryRequest& request);
    void search(Session* session, const ChatProtocol::SearchRequest& request);
    void markRead(Session* session, const ChatProtocol::ReadRequest& request);
    void rooms(Session* session, const ChatProtocol::RoomsRequest& request);
    void room(Session* session, const ChatProtocol::RoomRequest& request);
    void answer(qint64 sessionId, const ChatProtocol::Done& done);
    void refuse(qint64 sessionId, qint64 seq, const Refusal& refusal);

    // Cache and events.
    void cacheRoom(const Conversation& conversation, const QList<std::pair<QString, MemberRole>>& members);
    void applyReload(qint64 id, const std::optional<Conversation>& conversation,
        const QList<std::pair<QString, MemberRole>>& members);
    void tellUser(const QString& name, const QCborMap& event, qint64 minimumVersion = 2);
    ChatProtocol::ConversationSummary summaryOf(const Room& room, const QString& user) const;
    QList<Session*> sessionsOf(const QString& name) const;

    StoreThread* m_store;
    NameCheck m_isKnownName;
    QHash<Session*, SessionState> m_sessions;
    QHash<qint64, Room> m_rooms; // rooms by conversation id
    QHash<QString, qint64> m_roomIds; // rooms by name
    qint64 m_generalId = 0;
};

} // namespace QuietWire
