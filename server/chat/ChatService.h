#pragma once

#include "AttachmentFile.h"
#include "ChatMessages.h"
#include "ChatStore.h"
#include "Session.h"
#include "SharedFolderAccess.h"
#include "StoreThread.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QThreadPool>
#include <QTimer>
#include <functional>

namespace QuietWire {

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
    /// Waits for the attachment checks still running (they read files, never this object's state).
    ~ChatService() override;

    /// Where the shared folders are on this host (FileArea::roomsRoot()): the files of attachments
    /// are checked there. Without it, every attachment is refused (not_found).
    void setRoomsRoot(const QString& roomsRoot) { m_roomsRoot = roomsRoot; }

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

    /// Several nodes on one store (ClusterEvents): messages are delivered to this node's sessions
    /// only as fetchCommitted() reads them from the store, in id order, whichever node accepted
    /// them (the sender's `accepted` still comes at once). Call before the first session.
    void setShared(bool shared) { m_shared = shared; }
    /// Reads the messages committed after the last one delivered (by any node) and delivers them.
    void fetchCommitted();
    /// After the store's notifications were lost for a while: the messages and every room again.
    void resync();

    StoreThread* store() const { return m_store; }
    int sessionCount() const { return static_cast<int>(m_sessions.size()); }

    /// The files service's question (FolderAccess::check): may user open the shared folder where
    /// names (or, for "/rooms" and "/direct", which folders may they open)? Decided on the store's
    /// thread against membership at that moment; done runs later on this thread.
    void checkFolder(const QString& user, const FilePaths::Location& where, QObject* context,
        std::function<void(const FolderGrant&)> done);
    /// A change in a shared folder, posted into its conversation as a notice from user.
    void fileNotice(
        const Conversation& conversation, const QString& user, const QString& fingerprint, const QString& text);

signals:
    /// The members of conversation id changed (a room request, or the administrator's reload), or
    /// it was deleted (deleted true, members empty). Emitted once the change is in the store.
    void conversationChanged(qint64 conversationId, const QStringList& members, bool deleted);

private:
    struct SessionState
    {
        Session* session = nullptr;
        qint64 version = 1;
        bool joining = true; // welcome sent, the replay or the conversations not yet
        QList<QByteArray> queued; // while joining: join, leave and (version 1) direct messages
        qint64 snapshotId = 0; // the newest id when the replay or the conversations were read
        qint64 presenceSince = 0; // m_presenceClock at the welcome: later presence events are news to it
        int pendingMessages = 0; // sent to the store, not yet answered
        int pendingRequests = 0;
        /// A message's attachment is being checked: the session's later messages wait in held,
        /// and are handled in order once the check has an answer (none overtakes it).
        bool checking = false;
        QList<QCborMap> held;
    };
    struct Room
    {
        Conversation conversation;
        QHash<QString, MemberRole> members;
    };
    /// Why a request cannot be served (a `rejected` code and message).
    struct Refusal
    {
        ErrorCode code = ErrorCode::None;
        QString message;
        explicit operator bool() const { return code != ErrorCode::None; }
    };
    /// A request's target found in the store, with the user's role in it.
    struct Resolved
    {
        Refusal refusal;
        Conversation conversation;
        MemberRole role = MemberRole::Member;
    };
    struct RoomOutcome;

    // Sending.
    enum class Delivery {
        Now, // queued in the session's socket at once
        Broadcast, // one of many copies: kept in the socket, written by flushBroadcast() from the event loop
    };
    void send(Session* session, const QByteArray& encoded, Delivery delivery = Delivery::Now);
    /// Writes the copies of this turn's broadcasts, socket by socket (EncryptedTcpSocket::flushQueued).
    void flushBroadcast();
    void sendMap(Session* session, const QCborMap& message);
    void reject(Session* session, qint64 seq, ErrorCode code, const QString& reason);
    void answer(qint64 sessionId, const ChatProtocol::Done& done);
    void refuse(qint64 sessionId, qint64 seq, const Refusal& refusal);
    /// An event to every version-2 session of name (not to one still joining: it reads it).
    void tellUser(const QString& name, const QCborMap& event);
    QList<Session*> sessionsOf(const QString& name) const;
    SessionState* stateOf(qint64 sessionId);
    /// Presence for versions 1 and 2 (join, leave) to every other session of those versions, at once;
    /// one still joining gets it after history_end.
    void announce(Session* except, const QByteArray& encoded);
    /// Presence for version 3: a session started (joined) or ended, told with the others of the window.
    struct PresenceEvent
    {
        ChatProtocol::Member member;
        bool joined = true;
        qint64 at = 0; // m_presenceClock when the session started or ended
    };
    void notePresence(const ChatProtocol::Member& member, bool joined, qint64 at);
    /// Sends every version-3 session the presence events it has not seen (those after its welcome), a
    /// session's start and end netted out, in as few `presence` messages as fit.
    void flushPresence();
    static QList<QByteArray> encodePresence(const QList<PresenceEvent>& events, qint64 since);
    void finishJoin(qint64 sessionId, const QList<StoredMessage>& replay,
        const QList<ConversationSummary>& conversations, qint64 snapshotId);

    // Messages.
    void post(Session* session, const ChatProtocol::Send& request);
    void appendTo(Session* session, qint64 seq, const ChatStore::NewMessage& message, const Conversation& conversation);
    void accepted(qint64 sessionId, qint64 seq, const ChatStore::NewMessage& message, const Conversation& conversation,
        const ChatStore::Appended& result, const StoreFailure& failure);
    void deliver(const ChatProtocol::Message& message, const Conversation& conversation);
    /// stored as viewer sees it (viewer names the folder of a direct conversation's attachment).
    ChatProtocol::Message wireMessage(
        const StoredMessage& stored, const Conversation& conversation, const QString& viewer) const;
    /// A stored attachment as viewer gets it, removed when its file is gone (no hashing). In a
    /// direct conversation each of the two names the folder by the other: "/direct/bob/..." is
    /// "/direct/alice/..." for bob.
    std::optional<ChatProtocol::Attachment> wireAttachment(
        const StoredAttachment& stored, const Conversation& conversation, const QString& viewer) const;
    /// Checks request's attachment (where its path leads), then the file on a worker thread; the
    /// message is stored only after that, the session's later messages waiting meanwhile.
    void postAttachment(
        Session* session, const ChatProtocol::Send& request, ChatStore::NewMessage message, const QString& roomName);
    void checkAttachment(qint64 sessionId, qint64 seq, const ChatStore::NewMessage& message,
        const Conversation& conversation, const QStringList& components);
    void attachmentChecked(qint64 sessionId, qint64 seq, const ChatStore::NewMessage& message,
        const Conversation& conversation, const AttachmentFile::Verdict& verdict);
    /// The check of a session's attachment ended (refused, or sent to the store): its held
    /// messages are handled, in order, until one of them starts another check.
    void releaseHeld(qint64 sessionId);
    /// The same message as a version-1 session sees it (no conversation, room, client id).
    static ChatProtocol::Message versionOne(ChatProtocol::Message message);
    /// The other member of a direct conversation, as user sees it (user itself for a note to self).
    static QString otherOf(const Conversation& direct, const QString& user);
    ChatProtocol::ConversationSummary wireSummary(const ConversationSummary& stored, const QString& user) const;
    static QString noSuchRoom(const QString& name);
    static QString notJoined(const QString& name);
    static QString unavailable();

    /// Runs work on the store's thread for session's request, then done with its result here,
    /// counting the session's requests in flight (a session may not queue the store full).
    template <typename Work, typename Done>
    void serve(Session* session, Work work, Done done)
    {
        ++m_sessions[session].pendingRequests;
        m_store->post(
            this, std::move(work), [this, sessionId = session->id, done = std::move(done)](const auto& result) {
                if (SessionState* state = stateOf(sessionId)) {
                    --state->pendingRequests;
                }
                done(result);
            });
    }

    // Version-2 requests. The parts that run on the store's thread are static: they touch nothing
    // of this object.
    bool checkTarget(Session* session, qint64 seq, const ChatProtocol::Target& target);
    static Resolved resolve(ChatStore& store, const ChatProtocol::Target& target, const QString& user, qint64 nowMs);
    void history(Session* session, const ChatProtocol::HistoryRequest& request);
    void search(Session* session, const ChatProtocol::SearchRequest& request);
    void markRead(Session* session, const ChatProtocol::ReadRequest& request);
    void rooms(Session* session, const ChatProtocol::RoomsRequest& request);
    void room(Session* session, const ChatProtocol::RoomRequest& request);
    static RoomOutcome serveRoomRequest(
        ChatStore& store, const QString& user, const ChatProtocol::RoomRequest& request);
    static bool readBack(ChatStore& store, RoomOutcome& outcome, const QStringList& tell);
    static std::optional<ConversationSummary> summaryIn(
        ChatStore& store, const Conversation& conversation, const QString& user);
    void applyOutcome(const RoomOutcome& outcome);

    // The cache.
    void cacheRoom(const Conversation& conversation, const QList<std::pair<QString, MemberRole>>& members);

    StoreThread* m_store;
    NameCheck m_isKnownName;
    QHash<Session*, SessionState> m_sessions;
    QHash<qint64, Session*> m_byId;
    QMultiHash<QString, Session*> m_byName;
    QHash<qint64, Room> m_rooms; // rooms by conversation id
    QHash<QString, qint64> m_roomIds; // rooms by name
    QHash<qint64, Conversation> m_directs; // direct conversations seen since the start
    QHash<QString, qint64> m_directIds; // by the store's name of the pair
    qint64 m_generalId = 0;
    QString m_roomsRoot;
    bool m_shared = false;
    qint64 m_lastDelivered = 0; // shared: the newest id delivered (or committed before the start)
    bool m_fetching = false;
    bool m_fetchAgain = false;
    QSet<qint64> m_reloading; // shared: conversations being read again (reload), at most one read each
    QSet<qint64> m_reloadAgain; // shared: changed again meanwhile, read once more when that read is done
    QList<QPointer<EncryptedTcpSocket>> m_unflushed; // sockets holding broadcast copies (send(), Broadcast)
    QSet<Session*> m_announced; // sessions of versions 1 and 2: a join or leave each, at once
    qint64 m_presenceClock = 0; // counts session starts and ends
    QList<PresenceEvent> m_presence; // for version 3, not sent yet
    QTimer m_presenceTimer; // sends m_presence, at most once per PresenceWindowMs
    QElapsedTimer m_sincePresence; // since presence was last sent
    QThreadPool m_checks; // reads and hashes the files of attachments, off the event loop and the store's thread
};

} // namespace QuietWire
