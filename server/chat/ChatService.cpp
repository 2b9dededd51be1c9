#include "ChatService.h"

#include "EncryptedTcpSocket.h"
#include "FileArea.h"
#include "FilePaths.h"
#include "Logging.h"
#include "Protocol.h"
#include "Session.h"
#include "StoreThread.h"

#include <QDateTime>
#include <QTimer>
#include <algorithm>

namespace QuietWire {

using namespace ChatProtocol;

namespace {

// A member whose unread backlog grows past this is too slow to keep: it would hold the
// server's memory hostage. It is disconnected and may reconnect.
constexpr qint64 MaxBacklogBytes = 16 * 1024 * 1024;
// Lists (history pages, hits, rooms, conversations) are cut to stay this far below the transport
// message's limit, which leaves room for the envelope around them.
constexpr qsizetype MaxListBytes = Protocol::MaxPayload - 1024;

// How much one session may have waiting for the store: beyond it, `busy` until answers come.
constexpr int MaxPendingMessages = 1000;
constexpr int MaxPendingRequests = 32;

// Version 3's presence: the starts and ends of sessions are sent at the next turn of the event loop,
// but at most once per this window, so that a storm of reconnecting clients costs one message per
// member per window instead of one per member per newcomer.
constexpr int PresenceWindowMs = 100;

// Around each hit in a search snippet: control characters, which no stored text can hold (the
// server refuses them in chat text), so they cannot be confused with the text's own characters.
const QString HitStart = QString(QChar(0x02));
const QString HitEnd = QString(QChar(0x03));

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

Role wireRole(MemberRole role)
{
    return role == MemberRole::Owner ? Role::Owner : Role::Member;
}

qsizetype encodedSize(const QCborMap& map)
{
    return Protocol::encode(map).size();
}

/// The key of the direct conversation of two names in the store (ChatStore: sorted, one space).
QString directKey(const QString& a, const QString& b)
{
    return a < b ? a + QLatin1Char(' ') + b : b + QLatin1Char(' ') + a;
}

/// A snippet with the hit markers taken out, and where they were, in code points.
std::pair<QString, QList<std::pair<qint64, qint64>>> markedSnippet(const QString& marked)
{
    QString plain;
    QList<std::pair<qint64, qint64>> marks;
    qint64 codePoints = 0;
    qint64 start = -1;
    for (qsizetype i = 0; i < marked.size(); ++i) {
        const QChar c = marked.at(i);
        if (c == HitStart.at(0)) {
            start = codePoints;
            continue;
        }
        if (c == HitEnd.at(0)) {
            if (start >= 0) {
                marks.append({ start, codePoints });
            }
            start = -1;
            continue;
        }
        plain.append(c);
        if (!c.isHighSurrogate()) {
            ++codePoints;
        }
    }
    return { plain, marks };
}

} // namespace

ChatService::ChatService(StoreThread* store, NameCheck isKnownName, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_isKnownName(std::move(isKnownName))
{
    m_checks.setMaxThreadCount(2);
    m_presenceTimer.setSingleShot(true);
    connect(&m_presenceTimer, &QTimer::timeout, this, &ChatService::flushPresence);
}

ChatService::~ChatService()
{
    m_checks.waitForDone();
}

// ---- The cache ------------------------------------------------------------------------------

bool ChatService::load(QString* error)
{
    using Loaded = QList<std::pair<Conversation, QList<std::pair<QString, MemberRole>>>>;
    StoreFailure failure;
    const auto loaded = m_store->call([&failure](ChatStore& store) -> std::optional<Loaded> {
        const auto rooms = store.rooms();
        if (!rooms) {
            failure = store.failure();
            return std::nullopt;
        }
        Loaded result;
        for (const Conversation& room : *rooms) {
            const auto members = store.members(room.id);
            if (!members) {
                failure = store.failure();
                return std::nullopt;
            }
            result.append({ room, *members });
        }
        return result;
    });
    if (!loaded) {
        *error = failure.message;
        return false;
    }
    for (const auto& [room, members] : *loaded) {
        cacheRoom(room, members);
    }
    m_lastDelivered = m_store->call([](ChatStore& store) { return store.lastMessageId(); }).value_or(0);
    m_generalId = m_roomIds.value(QLatin1String(ChatStore::GeneralRoom));
    if (m_generalId == 0) {
        *error = QStringLiteral("The chat store has no room \"general\"; restore it from a backup");
        return false;
    }
    return true;
}

void ChatService::cacheRoom(const Conversation& conversation, const QList<std::pair<QString, MemberRole>>& members)
{
    Room& room = m_rooms[conversation.id];
    room.conversation = conversation;
    room.members.clear();
    for (const auto& [name, role] : members) {
        room.members.insert(name, role);
    }
    m_roomIds.insert(conversation.name, conversation.id);
}

QList<Session*> ChatService::sessionsOf(const QString& name) const
{
    return m_byName.values(name);
}

ChatService::SessionState* ChatService::stateOf(qint64 sessionId)
{
    Session* session = m_byId.value(sessionId);
    if (!session) {
        return nullptr;
    }
    auto found = m_sessions.find(session);
    return found == m_sessions.end() ? nullptr : &found.value();
}

// ---- Sending --------------------------------------------------------------------------------

void ChatService::send(Session* session, const QByteArray& encoded, Delivery delivery)
{
    EncryptedTcpSocket* socket = session->socket;
    if (!socket || !socket->isReady()) {
        return;
    }
    if (socket->bytesToWrite() > MaxBacklogBytes) {
        if (!socket->property("quietwire.dropping").toBool()) {
            qCWarning(lcChat).noquote() << "session" << session->id << session->name
                                        << "does not read its messages; disconnecting it";
            socket->setProperty("quietwire.dropping", true);
            // From the event loop: the caller may still be going through a list with this session.
            QMetaObject::invokeMethod(socket, &EncryptedTcpSocket::abort, Qt::QueuedConnection);
        }
        return;
    }
    const bool firstKept = delivery == Delivery::Broadcast && !socket->hasQueued();
    const bool sent = delivery == Delivery::Broadcast ? socket->queueMessage(encoded) : socket->sendMessage(encoded);
    if (!sent) {
        qCWarning(lcChat).noquote() << "could not send to session" << session->id << session->name << "-"
                                    << socket->errorString();
        return;
    }
    if (firstKept) {
        // Written once the broadcast (and any other message delivered in this turn of the event loop) is
        // encrypted for every member: one write() per member, several messages in one.
        if (m_unflushed.isEmpty()) {
            QMetaObject::invokeMethod(this, &ChatService::flushBroadcast, Qt::QueuedConnection);
        }
        m_unflushed.append(socket);
    }
}

void ChatService::flushBroadcast()
{
    const QList<QPointer<EncryptedTcpSocket>> sockets = std::exchange(m_unflushed, {});
    for (const QPointer<EncryptedTcpSocket>& socket : sockets) {
        if (socket) {
            socket->flushQueued();
        }
    }
}

void ChatService::sendMap(Session* session, const QCborMap& message)
{
    send(session, Protocol::encode(message));
}

void ChatService::reject(Session* session, qint64 seq, ErrorCode code, const QString& reason)
{
    sendMap(session, Rejected { seq, code, reason }.toCbor());
}

void ChatService::answer(qint64 sessionId, const Done& done)
{
    if (Session* session = m_byId.value(sessionId)) {
        sendMap(session, done.toCbor());
    }
}

void ChatService::refuse(qint64 sessionId, qint64 seq, const Refusal& refusal)
{
    if (Session* session = m_byId.value(sessionId)) {
        reject(session, seq, refusal.code, refusal.message);
    }
}

void ChatService::tellUser(const QString& name, const QCborMap& event)
{
    const QByteArray encoded = Protocol::encode(event);
    for (Session* session : sessionsOf(name)) {
        const SessionState& state = m_sessions[session];
        // A session still joining reads its conversations after this change: it knows it already.
        if (state.version >= 2 && !state.joining) {
            send(session, encoded);
        }
    }
}

// ---- Sessions -------------------------------------------------------------------------------

void ChatService::join(Session* session, qint64 helloVersion)
{
    SessionState state;
    state.session = session;
    state.version = helloVersion >= Version3 ? Version3 : helloVersion >= Version2 ? Version2 : Version1;
    state.presenceSince = ++m_presenceClock;

    // The member list goes in chunks that each fit one transport message: the welcome carries
    // the first, "members" messages the rest (a room of thousands would not fit in one).
    QList<QList<Member>> chunks(1);
    for (const Session* member : m_sessions.keys()) {
        if (chunks.last().size() >= MembersPerMessage) {
            chunks.append(QList<Member>());
        }
        chunks.last().append(Member { member->name, member->fingerprint });
    }
    m_sessions.insert(session, state);
    m_byId.insert(session->id, session);
    m_byName.insert(session->name, session);
    if (state.version < Version3) {
        m_announced.insert(session);
    }

    Welcome welcome { session->name, session->fingerprint, chunks.first() };
    if (state.version >= 2) {
        welcome.version = state.version;
    }
    sendMap(session, welcome.toCbor());
    for (qsizetype i = 1; i < chunks.size(); ++i) {
        sendMap(session, Members { chunks.at(i) }.toCbor());
    }
    // The newcomer learns of itself from "welcome"; the others from "join" or "presence".
    const Member member { session->name, session->fingerprint };
    announce(session, Protocol::encode(Join { member }.toCbor()));
    notePresence(member, true, state.presenceSince);
    qCInfo(lcChat).noquote() << Logging::escaped(session->name, 60) << "joined the chat (session" << session->id
                             << ", version" << state.version << ")";

    // Everybody is in general: the store learns of a new user before anything else of its session.
    Room& general = m_rooms[m_generalId];
    const bool addToGeneral = !general.members.contains(session->name);
    if (addToGeneral) {
        general.members.insert(session->name, MemberRole::Member);
    }
    struct Start
    {
        StoreFailure failure;
        QList<StoredMessage> replay; // version 1, newest first
        QList<QuietWire::ConversationSummary> conversations; // version 2 (the store's)
        qint64 snapshotId = 0;
    };
    const qint64 generalId = m_generalId;
    const QString name = session->name;
    const qint64 version = state.version;
    m_store->post(
        this,
        [=](ChatStore& store) {
            Start start;
            if (addToGeneral && !store.roleOf(generalId, name)
                && !store.addMember(generalId, name, MemberRole::Member)) {
                start.failure = store.failure();
            }
            start.snapshotId = store.lastMessageId().value_or(0);
            if (version >= 2) {
                if (auto conversations = store.conversationsOf(name)) {
                    start.conversations = *conversations;
                } else {
                    start.failure = store.failure();
                }
            } else if (auto page = store.history(generalId, 0, HistorySize)) {
                start.replay = *page;
            } else {
                start.failure = store.failure();
            }
            return start;
        },
        [this, sessionId = session->id](const Start& start) {
            if (start.failure.error != StoreError::None) {
                qCWarning(lcChat).noquote()
                    << "session" << sessionId << "starts without its history:" << start.failure.message;
            }
            finishJoin(sessionId, start.replay, start.conversations, start.snapshotId);
        });
}

void ChatService::finishJoin(qint64 sessionId, const QList<StoredMessage>& replay,
    const QList<QuietWire::ConversationSummary>& conversations, qint64 snapshotId)
{
    SessionState* state = stateOf(sessionId);
    if (!state) {
        return;
    }
    Session* session = state->session;
    state->snapshotId = snapshotId;
    if (state->version >= 2) {
        Conversations list;
        qsizetype bytes = 0;
        for (const QuietWire::ConversationSummary& stored : conversations) {
            ChatProtocol::ConversationSummary summary = wireSummary(stored, session->name);
            const qsizetype size = encodedSize(Conversations { { summary } }.toCbor());
            if (!list.conversations.isEmpty() && bytes + size > MaxListBytes) {
                sendMap(session, list.toCbor());
                list.conversations.clear();
                bytes = 0;
            }
            list.conversations.append(summary);
            bytes += size;
        }
        sendMap(session, list.toCbor());
    } else {
        const Room& general = m_rooms[m_generalId];
        for (auto it = replay.crbegin(); it != replay.crend(); ++it) {
            Message message = versionOne(wireMessage(*it, general.conversation, session->name));
            message.history = true;
            sendMap(session, message.toCbor());
        }
    }
    sendMap(session, HistoryEnd {}.toCbor());
    state->joining = false;
    // What arrived meanwhile: messages committed before the snapshot are in the replay or in the
    // conversations' counts; version 1 sees direct messages only live, so those wait here.
    const QList<QByteArray> queued = std::exchange(state->queued, {});
    for (const QByteArray& message : queued) {
        send(session, message);
    }
}

void ChatService::announce(Session* except, const QByteArray& encoded)
{
    // Over a copy: send() may abort a slow session, whose leave() then edits m_sessions.
    const QList<Session*> sessions = m_announced.values();
    for (Session* session : sessions) {
        auto state = m_sessions.find(session);
        if (session == except || state == m_sessions.end()) {
            continue;
        }
        if (state->joining) {
            state->queued.append(encoded); // nothing but the start before history_end
        } else {
            send(session, encoded);
        }
    }
}

void ChatService::leave(Session* session)
{
    if (!m_sessions.remove(session)) {
        return;
    }
    m_byId.remove(session->id);
    m_byName.remove(session->name, session);
    m_announced.remove(session);
    qCInfo(lcChat).noquote() << Logging::escaped(session->name, 60) << "left the chat (session" << session->id << ")";
    // Announced after the messages it sent last are stored and sent: through the store's queue. A session
    // that starts meanwhile did not have it in its welcome: version 3 does not tell it (at).
    const Member member { session->name, session->fingerprint };
    const qint64 at = ++m_presenceClock;
    m_store->post(
        this, [](ChatStore&) { return 0; },
        [this, member, at](int) {
            announce(nullptr, Protocol::encode(Leave { member }.toCbor()));
            notePresence(member, false, at);
        });
}

void ChatService::notePresence(const Member& member, bool joined, qint64 at)
{
    m_presence.append(PresenceEvent { member, joined, at });
    if (m_presenceTimer.isActive()) {
        return;
    }
    const qint64 since = m_sincePresence.isValid() ? m_sincePresence.elapsed() : PresenceWindowMs;
    m_presenceTimer.start(static_cast<int>(qMax<qint64>(0, PresenceWindowMs - since)));
}

QList<QByteArray> ChatService::encodePresence(const QList<PresenceEvent>& events, qint64 since)
{
    // Sessions counted by member (name and key), in the order members first appear: a start and an
    // end of the same member cancel out.
    QHash<QString, qsizetype> index; // name and key -> place in counted
    QList<std::pair<Member, int>> counted;
    for (const PresenceEvent& event : events) {
        if (event.at <= since) {
            continue; // before the welcome, which listed (or left out) that session already
        }
        const QString key = event.member.name + QLatin1Char('\n') + event.member.fingerprint;
        const qsizetype at = index.value(key, counted.size());
        if (at == counted.size()) {
            index.insert(key, at);
            counted.append({ event.member, 0 });
        }
        counted[at].second += event.joined ? 1 : -1;
    }
    QList<QByteArray> messages;
    Presence presence;
    const auto add = [&](QList<Member>& list, const Member& member) {
        if (presence.joined.size() + presence.left.size() >= MembersPerMessage) {
            messages.append(Protocol::encode(presence.toCbor()));
            presence = Presence {};
        }
        list.append(member);
    };
    for (const auto& [member, n] : std::as_const(counted)) {
        for (int i = 0; i < n; ++i) {
            add(presence.joined, member);
        }
        for (int i = 0; i > n; --i) {
            add(presence.left, member);
        }
    }
    if (!presence.joined.isEmpty() || !presence.left.isEmpty()) {
        messages.append(Protocol::encode(presence.toCbor()));
    }
    return messages;
}

void ChatService::flushPresence()
{
    m_presenceTimer.stop();
    if (m_presence.isEmpty()) {
        return;
    }
    const QList<PresenceEvent> events = std::exchange(m_presence, {});
    m_sincePresence.start();
    qint64 first = events.first().at;
    for (const PresenceEvent& event : events) {
        first = qMin(first, event.at);
    }
    // Every session that was there before the window gets the same messages, encoded once; one that
    // started within it, those of the events after its welcome.
    std::optional<QList<QByteArray>> common;
    // Over a copy: send() may abort a slow session, whose leave() then edits m_sessions.
    const QList<Session*> sessions = m_sessions.keys();
    for (Session* session : sessions) {
        auto state = m_sessions.find(session);
        if (state == m_sessions.end() || state->version < Version3) {
            continue;
        }
        QList<QByteArray> own;
        if (state->presenceSince < first) {
            if (!common) {
                common = encodePresence(events, state->presenceSince);
            }
        } else {
            own = encodePresence(events, state->presenceSince);
        }
        for (const QByteArray& message : state->presenceSince < first ? *common : own) {
            if (state->joining) {
                state->queued.append(message); // nothing but the start before history_end
            } else {
                send(session, message, Delivery::Broadcast);
            }
        }
    }
}

bool ChatService::handleMessage(Session* session, const QCborMap& map, QString* fatalError)
{
    const auto decoded = decodeClientMessage(map);
    const auto seq = seqOf(decoded);
    if (!decoded.ok() && !seq) {
        // Without a usable seq there is nothing to answer "rejected" to: the session ends.
        *fatalError = decoded.error->message;
        return false;
    }
    SessionState& state = m_sessions[session];
    if (state.checking) {
        // An attachment is being checked: this waits, so it cannot overtake that message.
        if (state.held.size() < MaxPendingMessages) {
            state.held.append(map);
        } else if (seq) {
            reject(session, *seq, ErrorCode::Busy,
                QStringLiteral("Too many messages wait behind an attachment being checked (at most %1); wait for "
                               "the answers, then send again")
                    .arg(MaxPendingMessages));
        }
        return true;
    }
    if (!decoded.ok()) {
        reject(session, *seq, decoded.error->code, decoded.error->message);
        return true;
    }
    const bool isMessage = std::holds_alternative<Send>(decoded.value);
    if (isMessage
            ? state.pendingMessages >= MaxPendingMessages
            : (state.pendingRequests >= MaxPendingRequests && !std::holds_alternative<std::monostate>(decoded.value))) {
        reject(session, *seqOf(decoded), ErrorCode::Busy,
            QStringLiteral("Too many %1 waiting for answers (at most %2); wait for them, then send again")
                .arg(isMessage ? QStringLiteral("messages") : QStringLiteral("requests"))
                .arg(isMessage ? MaxPendingMessages : MaxPendingRequests));
        return true;
    }
    std::visit(
        [this, session](const auto& message) {
            using T = std::decay_t<decltype(message)>;
            if constexpr (std::is_same_v<T, Send>) {
                post(session, message);
            } else if constexpr (std::is_same_v<T, HistoryRequest>) {
                history(session, message);
            } else if constexpr (std::is_same_v<T, SearchRequest>) {
                search(session, message);
            } else if constexpr (std::is_same_v<T, ReadRequest>) {
                markRead(session, message);
            } else if constexpr (std::is_same_v<T, RoomsRequest>) {
                rooms(session, message);
            } else if constexpr (std::is_same_v<T, RoomRequest>) {
                room(session, message);
            }
            // std::monostate: a type this server does not know is ignored (section 4).
        },
        decoded.value);
    return true;
}

// ---- Messages -------------------------------------------------------------------------------

std::optional<ChatProtocol::Attachment> ChatService::wireAttachment(
    const StoredAttachment& stored, const Conversation& conversation, const QString& viewer) const
{
    if (stored.isEmpty()) {
        return std::nullopt;
    }
    Attachment attachment;
    attachment.path = stored.path;
    attachment.size = stored.size;
    attachment.sha256 = stored.sha256;
    const auto where = FilePaths::resolve(FilePaths::Location::inHome(), stored.path);
    attachment.name = where && !where->components.isEmpty() ? where->components.last() : stored.path;
    if (where && conversation.kind == Conversation::Kind::Direct) {
        FilePaths::Location viewed = *where;
        viewed.folder = otherOf(conversation, viewer);
        attachment.path = FilePaths::toVirtual(viewed);
    }
    const qint64 conversationId = conversation.id;
    attachment.removed = !where || m_roomsRoot.isEmpty()
        || !AttachmentFile::present(
            FileArea::sharedFolderPath(m_roomsRoot, conversationId), where->components, stored.size);
    return attachment;
}

Message ChatService::wireMessage(
    const StoredMessage& stored, const Conversation& conversation, const QString& viewer) const
{
    Message message;
    message.id = stored.id;
    message.from = stored.sender;
    message.fingerprint = stored.fingerprint;
    message.text = stored.text;
    message.time = QDateTime::fromMSecsSinceEpoch(stored.timeMs, Qt::UTC);
    message.notice = stored.notice;
    message.conversation = conversation.id;
    message.clientId = stored.clientId;
    message.attachment = wireAttachment(stored.attachment, conversation, viewer);
    if (conversation.kind == Conversation::Kind::Room) {
        message.room = conversation.name;
    } else {
        message.to = otherOf(conversation, stored.sender);
    }
    return message;
}

Message ChatService::versionOne(Message message)
{
    message.conversation.reset();
    message.room.clear();
    message.clientId.clear();
    if (message.attachment) {
        // Version 1 knows no attachments: the file is named in the text (section 7, Attachments).
        const QString line = attachmentLine(*message.attachment);
        message.text = message.text.isEmpty() ? line : message.text + QLatin1Char('\n') + line;
        message.attachment.reset();
    }
    return message;
}

QString ChatService::otherOf(const Conversation& direct, const QString& user)
{
    const QStringList names = direct.name.split(QLatin1Char(' '));
    if (names.size() != 2) {
        return user; // a note to oneself
    }
    return names.at(0) == user ? names.at(1) : names.at(0);
}

ChatProtocol::ConversationSummary ChatService::wireSummary(
    const QuietWire::ConversationSummary& stored, const QString& user) const
{
    ChatProtocol::ConversationSummary summary;
    summary.id = stored.conversation.id;
    summary.kind
        = stored.conversation.kind == Conversation::Kind::Room ? ConversationKind::Room : ConversationKind::Direct;
    summary.name
        = summary.kind == ConversationKind::Room ? stored.conversation.name : otherOf(stored.conversation, user);
    summary.topic = stored.conversation.topic;
    summary.isPrivate = stored.conversation.isPrivate || summary.kind == ConversationKind::Direct;
    const auto room = m_rooms.constFind(stored.conversation.id);
    summary.role = room != m_rooms.cend() ? wireRole(room->members.value(user, MemberRole::Member)) : Role::Member;
    summary.unread = stored.unread;
    summary.lastRead = stored.lastRead;
    if (stored.last.id != 0) {
        summary.last = wireMessage(stored.last, stored.conversation, user);
    }
    return summary;
}

void ChatService::post(Session* session, const Send& request)
{
    const qint64 seq = request.seq;
    qsizetype position = -1;
    const auto textError = checkText(request.text, &position);
    // With an attachment the text may be empty (or white space); the rest of the rule holds.
    if (const auto error = request.attachment && textError == TextError::Empty ? TextError::None : textError;
        error != TextError::None) {
        reject(session, seq, ErrorCode::BadRequest, describe(error, request.text, position));
        return;
    }
    ChatStore::NewMessage message;
    message.sender = session->name;
    message.fingerprint = session->fingerprint;
    message.clientId = request.clientId.value_or(QString());
    message.timeMs = nowMs();
    message.text = request.text;

    if (request.to) {
        const QString to = *request.to;
        if (!m_isKnownName(to)) {
            reject(session, seq, ErrorCode::NotFound,
                QStringLiteral("Nobody is called %1 on this server").arg(Logging::escaped(to, 60)));
            return;
        }
        if (request.attachment) {
            postAttachment(session, request, message, QString());
            return;
        }
        const QString key = directKey(session->name, to);
        const qint64 known = m_directIds.value(key);
        if (known != 0) {
            message.conversation = known;
            ++m_sessions[session].pendingMessages; // until accepted() answers it
            appendTo(session, seq, message, m_directs.value(known));
            return;
        }
        // The first message between the two: the conversation is made in the same turn of the
        // store's queue as the message, so the order of the sender's messages holds.
        struct First
        {
            std::optional<Conversation> conversation;
            ChatStore::Appended appended;
            StoreFailure failure;
        };
        const QString me = session->name;
        ++m_sessions[session].pendingMessages;
        m_store->post(
            this,
            [=](ChatStore& store) {
                First first;
                first.conversation = store.directConversation(me, to, message.timeMs);
                if (!first.conversation) {
                    first.failure = store.failure();
                    return first;
                }
                ChatStore::NewMessage stored = message;
                stored.conversation = first.conversation->id;
                const auto appended = store.append({ stored });
                if (!appended) {
                    first.failure = store.failure();
                } else {
                    first.appended = appended->first();
                }
                return first;
            },
            [this, sessionId = session->id, seq, message](const First& first) {
                if (first.conversation) {
                    m_directs.insert(first.conversation->id, *first.conversation);
                    m_directIds.insert(first.conversation->name, first.conversation->id);
                }
                ChatStore::NewMessage stored = message;
                stored.conversation = first.conversation ? first.conversation->id : 0;
                accepted(
                    sessionId, seq, stored, first.conversation.value_or(Conversation()), first.appended, first.failure);
            });
        return;
    }
    const QString roomName = request.room.value_or(QLatin1String(ChatStore::GeneralRoom));
    const auto room = m_rooms.constFind(m_roomIds.value(roomName));
    if (room == m_rooms.cend() || (room->conversation.isPrivate && !room->members.contains(session->name))) {
        reject(session, seq, ErrorCode::NotFound, noSuchRoom(roomName));
        return;
    }
    if (!room->members.contains(session->name)) {
        reject(session, seq, ErrorCode::Permission, notJoined(roomName));
        return;
    }
    message.conversation = room->conversation.id;
    // Checked again at the commit: a removal served before this message is honoured.
    message.requireMember = true;
    if (request.attachment) {
        postAttachment(session, request, message, roomName);
        return;
    }
    ++m_sessions[session].pendingMessages;
    appendTo(session, seq, message, room->conversation);
}

void ChatService::postAttachment(
    Session* session, const Send& request, ChatStore::NewMessage message, const QString& roomName)
{
    using Area = FilePaths::Location::Area;
    const Attachment& attachment = *request.attachment;
    QString error;
    const auto where = FilePaths::resolve(FilePaths::Location::inHome(), attachment.path, &error);
    const bool direct = request.to.has_value();
    const QString expected = direct ? QStringLiteral("/direct/") + *request.to : QStringLiteral("/rooms/") + roomName;
    if (!where || where->area != (direct ? Area::Direct : Area::Room)
        || where->folder != (direct ? *request.to : roomName) || where->components.isEmpty()) {
        reject(session, request.seq, ErrorCode::BadPath,
            QStringLiteral("The attachment %1 is not a file in the conversation's shared folder %2%3")
                .arg(Logging::escaped(attachment.path, 120), Logging::escaped(expected, 80),
                    error.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(error)));
        return;
    }
    message.attachment = { attachment.path, attachment.size, attachment.sha256 };
    SessionState& state = m_sessions[session];
    state.checking = true; // from here on, the session's messages wait for this one
    ++state.pendingMessages; // until accepted() or the refusal answers it
    const qint64 seq = request.seq;
    const QStringList components = where->components;
    if (!direct) {
        checkAttachment(session->id, seq, message, m_rooms.value(message.conversation).conversation, components);
        return;
    }
    // The direct conversation's id names its folder: made (or found) in the store first, as the
    // first message to a person does.
    const QString me = session->name;
    const QString to = *request.to;
    m_store->post(
        this, [me, to, now = message.timeMs](ChatStore& store) { return store.directConversation(me, to, now); },
        [this, sessionId = session->id, seq, message, components](const std::optional<Conversation>& conversation) {
            if (!conversation) {
                attachmentChecked(sessionId, seq, message, Conversation(),
                    { AttachmentFile::Result::Io,
                        QStringLiteral("The server could not store your message just now; "
                                       "nothing was stored, send it again") });
                return;
            }
            m_directs.insert(conversation->id, *conversation);
            m_directIds.insert(conversation->name, conversation->id);
            ChatStore::NewMessage stored = message;
            stored.conversation = conversation->id;
            checkAttachment(sessionId, seq, stored, *conversation, components);
        });
}

void ChatService::checkAttachment(qint64 sessionId, qint64 seq, const ChatStore::NewMessage& message,
    const Conversation& conversation, const QStringList& components)
{
    const QString folder = m_roomsRoot.isEmpty() ? QString() : FileArea::sharedFolderPath(m_roomsRoot, conversation.id);
    // On a worker thread: it reads the whole file. The pool is waited for before this object goes,
    // and the answer is queued to this object's thread (dropped if it is gone by then).
    m_checks.start([this, sessionId, seq, message, conversation, components, folder] {
        const StoredAttachment& attachment = message.attachment;
        const AttachmentFile::Verdict verdict = folder.isEmpty()
            ? AttachmentFile::Verdict { AttachmentFile::Result::NotFound,
                  QStringLiteral("There is no file %1").arg(attachment.path) }
            : AttachmentFile::verify(
                folder, components, attachment.size, attachment.sha256, Logging::escaped(attachment.path, 200));
        QMetaObject::invokeMethod(
            this,
            [this, sessionId, seq, message, conversation, verdict] {
                attachmentChecked(sessionId, seq, message, conversation, verdict);
            },
            Qt::QueuedConnection);
    });
}

void ChatService::attachmentChecked(qint64 sessionId, qint64 seq, const ChatStore::NewMessage& message,
    const Conversation& conversation, const AttachmentFile::Verdict& verdict)
{
    SessionState* state = stateOf(sessionId);
    if (!state) {
        return; // the session ended meanwhile: nothing is stored for it
    }
    Session* session = state->session;
    if (verdict.result == AttachmentFile::Result::Ok) {
        appendTo(session, seq, message, conversation); // accepted() answers it, in the store's order
    } else {
        --state->pendingMessages;
        const ErrorCode code = verdict.result == AttachmentFile::Result::NotFound ? ErrorCode::NotFound
            : verdict.result == AttachmentFile::Result::Mismatch                  ? ErrorCode::Mismatch
                                                                                  : ErrorCode::Unavailable;
        reject(session, seq, code, verdict.message);
    }
    releaseHeld(sessionId);
}

void ChatService::releaseHeld(qint64 sessionId)
{
    SessionState* state = stateOf(sessionId);
    if (!state) {
        return;
    }
    state->checking = false;
    // Looked up again after each: handling one may end the session or start another check.
    while ((state = stateOf(sessionId)) && !state->checking && !state->held.isEmpty()) {
        const QCborMap next = state->held.takeFirst();
        QString fatalError;
        Session* session = state->session;
        if (!handleMessage(session, next, &fatalError)) {
            // Held only with a usable seq, so this does not happen; should it, the message is dropped.
            qCWarning(lcChat).noquote() << "session" << sessionId
                                        << "held a message it could not answer:" << fatalError;
        }
    }
}

QString ChatService::noSuchRoom(const QString& name)
{
    return QStringLiteral("There is no room %1 that you may see; `rooms` lists them").arg(Logging::escaped(name, 70));
}

QString ChatService::notJoined(const QString& name)
{
    return QStringLiteral("You are not in room %1; join it first (room_join)").arg(Logging::escaped(name, 70));
}

void ChatService::appendTo(
    Session* session, qint64 seq, const ChatStore::NewMessage& message, const Conversation& conversation)
{
    m_store->append(message, this,
        [this, sessionId = session ? session->id : 0, seq, message, conversation](const ChatStore::Appended& result,
            const StoreFailure& failure) { accepted(sessionId, seq, message, conversation, result, failure); });
}

void ChatService::accepted(qint64 sessionId, qint64 seq, const ChatStore::NewMessage& message,
    const Conversation& conversation, const ChatStore::Appended& result, const StoreFailure& failure)
{
    SessionState* state = sessionId != 0 ? stateOf(sessionId) : nullptr;
    Session* sender = state ? state->session : nullptr;
    if (state) {
        --state->pendingMessages;
    }
    if (failure.error != StoreError::None || result.id == 0) {
        qCWarning(lcChat).noquote() << "a message of" << Logging::escaped(message.sender, 60) << "was not stored:"
                                    << (failure.message.isEmpty() ? QStringLiteral("refused") : failure.message);
        if (!sender) {
            return;
        }
        if (result.error == StoreError::NotMember) {
            reject(sender, seq, ErrorCode::Permission,
                QStringLiteral("You are no longer a member of %1").arg(conversation.name));
        } else if (result.error == StoreError::NotFound) {
            reject(sender, seq, ErrorCode::NotFound, QStringLiteral("The conversation was deleted"));
        } else {
            reject(sender, seq, ErrorCode::Unavailable,
                QStringLiteral("The server could not store your message just now; nothing was stored, send it again"));
        }
        return;
    }
    const bool direct = conversation.kind == Conversation::Kind::Direct;
    if (sender) {
        Accepted answer { seq, result.id };
        if (state->version >= 2) {
            answer.conversation = conversation.id;
            answer.duplicate = result.duplicate;
            answer.waiting = direct && sessionsOf(otherOf(conversation, message.sender)).isEmpty();
        }
        // "accepted" always goes out before the echo of the same message (section 7).
        sendMap(sender, answer.toCbor());
    }
    if (result.duplicate) {
        return; // stored and sent when it first came
    }
    if (m_shared) {
        return; // delivered with what the other nodes committed, in id order (fetchCommitted)
    }
    StoredMessage stored;
    stored.id = result.id;
    stored.conversation = conversation.id;
    stored.sender = message.sender;
    stored.fingerprint = message.fingerprint;
    stored.clientId = message.clientId;
    stored.timeMs = message.timeMs;
    stored.text = message.text;
    stored.notice = message.notice;
    stored.attachment = message.attachment;
    deliver(wireMessage(stored, conversation, stored.sender), conversation);
}

void ChatService::fetchCommitted()
{
    if (m_fetching) {
        m_fetchAgain = true; // once this read is delivered
        return;
    }
    m_fetching = true;
    m_fetchAgain = false;
    constexpr int Page = 500;
    struct Committed
    {
        std::optional<QList<StoredMessage>> messages;
        // Conversations this node has not cached (made on another node), with a room's members.
        QHash<qint64, Conversation> conversations;
        QHash<qint64, QList<std::pair<QString, MemberRole>>> members;
    };
    QSet<qint64> known;
    for (auto it = m_rooms.cbegin(); it != m_rooms.cend(); ++it) {
        known.insert(it.key());
    }
    for (auto it = m_directs.cbegin(); it != m_directs.cend(); ++it) {
        known.insert(it.key());
    }
    m_store->post(
        this,
        [after = m_lastDelivered, known](ChatStore& store) {
            Committed committed;
            committed.messages = store.messagesAfter(after, Page);
            for (const StoredMessage& message : committed.messages.value_or(QList<StoredMessage>())) {
                const qint64 id = message.conversation;
                if (known.contains(id) || committed.conversations.contains(id)) {
                    continue;
                }
                if (const auto conversation = store.conversation(id)) {
                    committed.conversations.insert(id, *conversation);
                    if (conversation->kind == Conversation::Kind::Room) {
                        committed.members.insert(
                            id, store.members(id).value_or(QList<std::pair<QString, MemberRole>>()));
                    }
                }
            }
            return committed;
        },
        [this](const Committed& committed) {
            m_fetching = false;
            if (!committed.messages) {
                // The store cannot be read now (its server restarting): try again shortly, as the
                // store reconnects; the messages wait there.
                QTimer::singleShot(ChatStore::ReconnectIntervalMs, this, &ChatService::fetchCommitted);
                return;
            }
            for (auto it = committed.conversations.cbegin(); it != committed.conversations.cend(); ++it) {
                if (it->kind == Conversation::Kind::Room) {
                    cacheRoom(*it, committed.members.value(it.key()));
                } else {
                    m_directs.insert(it.key(), *it);
                }
            }
            for (const StoredMessage& stored : *committed.messages) {
                m_lastDelivered = stored.id;
                Conversation conversation;
                if (const auto room = m_rooms.constFind(stored.conversation); room != m_rooms.cend()) {
                    conversation = room->conversation;
                } else if (const auto direct = m_directs.constFind(stored.conversation); direct != m_directs.cend()) {
                    conversation = *direct;
                } else {
                    continue; // deleted meanwhile
                }
                deliver(wireMessage(stored, conversation, stored.sender), conversation);
            }
            if (m_fetchAgain || committed.messages->size() == Page) {
                fetchCommitted();
            }
        });
}

void ChatService::resync()
{
    fetchCommitted();
    const QList<qint64> rooms = m_rooms.keys();
    for (const qint64 id : rooms) {
        reload(id);
    }
}

void ChatService::deliver(const Message& message, const Conversation& conversation)
{
    // A member's start is told before anything of theirs arrives.
    flushPresence();
    // Who may see it: everybody (general), a room's members, the two of a direct conversation.
    QList<Session*> recipients;
    const bool general = conversation.id == m_generalId;
    const bool direct = conversation.kind == Conversation::Kind::Direct;
    if (general) {
        recipients = m_sessions.keys();
    } else if (direct) {
        recipients = sessionsOf(message.from);
        const QString other = otherOf(conversation, message.from);
        if (other != message.from) {
            recipients += sessionsOf(other);
        }
    } else {
        const auto room = m_rooms.constFind(conversation.id);
        if (room == m_rooms.cend()) {
            return;
        }
        for (auto it = room->members.cbegin(); it != room->members.cend(); ++it) {
            recipients += sessionsOf(it.key());
        }
    }
    // In a direct conversation the other person names the attachment's folder by the sender.
    Message forOther = message;
    if (direct && message.attachment) {
        if (auto where = FilePaths::resolve(FilePaths::Location::inHome(), message.attachment->path)) {
            where->folder = message.from;
            forOther.attachment->path = FilePaths::toVirtual(*where);
        }
    }
    QByteArray encoded[2]; // [the sender's view, the other's]
    QByteArray versionOneEncoded[2];
    for (Session* recipient : std::as_const(recipients)) {
        auto found = m_sessions.find(recipient);
        if (found == m_sessions.end()) {
            continue; // ended meanwhile (a slow reader is aborted in send())
        }
        SessionState& state = found.value();
        if (!state.joining && message.id != 0 && message.id <= state.snapshotId) {
            continue; // in what the join read (shared: committed on another node before that read)
        }
        const int view = direct && recipient->name != message.from ? 1 : 0;
        const Message& seen = view ? forOther : message;
        if (state.version < 2) {
            if (!general && !direct) {
                continue; // version 1 knows one room
            }
            if (state.joining) {
                if (direct) {
                    state.queued.append(Protocol::encode(versionOne(seen).toCbor())); // not in the replay
                }
                continue;
            }
            if (versionOneEncoded[view].isEmpty()) {
                versionOneEncoded[view] = Protocol::encode(versionOne(seen).toCbor());
            }
            send(recipient, versionOneEncoded[view], Delivery::Broadcast);
            continue;
        }
        if (state.joining) {
            continue; // committed before its conversations were read: counted there
        }
        if (encoded[view].isEmpty()) {
            encoded[view] = Protocol::encode(seen.toCbor());
        }
        send(recipient, encoded[view], Delivery::Broadcast);
    }
}

void ChatService::notice(const QString& text)
{
    ChatStore::NewMessage message;
    message.conversation = m_generalId;
    message.timeMs = nowMs();
    message.text = text;
    message.notice = true;
    appendTo(nullptr, 0, message, m_rooms.value(m_generalId).conversation);
}

// ---- Version-2 requests ---------------------------------------------------------------------

ChatService::Resolved ChatService::resolve(ChatStore& store, const Target& target, const QString& user, qint64 nowMs)
{
    Resolved resolved;
    std::optional<Conversation> conversation;
    QString what;
    if (target.conversation) {
        conversation = store.conversation(*target.conversation);
        what = QStringLiteral("There is no conversation %1 that you may see").arg(*target.conversation);
    } else if (target.room) {
        conversation = store.room(*target.room);
        what = noSuchRoom(*target.room);
    } else if (target.with) {
        // Both names are on the whitelist (checked by the caller): made on first use.
        conversation = store.directConversation(user, *target.with, nowMs);
        what = QStringLiteral("There is no direct conversation with %1").arg(Logging::escaped(*target.with, 60));
    }
    if (!conversation) {
        const bool failed = store.failure().error != StoreError::None && store.failure().error != StoreError::NotFound;
        resolved.refusal
            = failed ? Refusal { ErrorCode::Unavailable, unavailable() } : Refusal { ErrorCode::NotFound, what };
        return resolved;
    }
    const auto role = store.roleOf(conversation->id, user);
    if (!role) {
        if (store.failure().error != StoreError::NotFound) {
            resolved.refusal = { ErrorCode::Unavailable, unavailable() };
        } else if (conversation->kind == Conversation::Kind::Room && !conversation->isPrivate) {
            resolved.refusal = { ErrorCode::Permission, notJoined(conversation->name) };
        } else {
            resolved.refusal = { ErrorCode::NotFound, what };
        }
        return resolved;
    }
    resolved.conversation = *conversation;
    resolved.role = *role;
    return resolved;
}

QString ChatService::unavailable()
{
    return QStringLiteral("The server's store cannot answer just now; try again");
}

bool ChatService::checkTarget(Session* session, qint64 seq, const Target& target)
{
    if (target.with && !m_isKnownName(*target.with)) {
        reject(session, seq, ErrorCode::NotFound,
            QStringLiteral("Nobody is called %1 on this server").arg(Logging::escaped(*target.with, 60)));
        return false;
    }
    return true;
}

void ChatService::history(Session* session, const HistoryRequest& request)
{
    if (!checkTarget(session, request.seq, request.target)) {
        return;
    }
    struct Page
    {
        Resolved resolved;
        QList<StoredMessage> messages;
    };
    serve(
        session,
        [user = session->name, request](ChatStore& store) {
            Page page;
            page.resolved = resolve(store, request.target, user, nowMs());
            if (page.resolved.refusal) {
                return page;
            }
            const auto messages = store.history(
                page.resolved.conversation.id, request.before.value_or(0), static_cast<int>(request.limit + 1));
            if (!messages) {
                page.resolved.refusal = { ErrorCode::Unavailable, unavailable() };
            } else {
                page.messages = *messages;
            }
            return page;
        },
        [this, sessionId = session->id, user = session->name, request](const Page& page) {
            if (page.resolved.refusal) {
                refuse(sessionId, request.seq, page.resolved.refusal);
                return;
            }
            Done done { request.seq };
            done.conversation = page.resolved.conversation.id;
            QList<Message> messages;
            done.more = page.messages.size() > request.limit;
            qsizetype bytes = 0;
            for (const StoredMessage& stored : page.messages.mid(0, request.limit)) {
                Message message = wireMessage(stored, page.resolved.conversation, user);
                message.history = true;
                const qsizetype size = encodedSize(message.toCbor());
                if (bytes + size > MaxListBytes) {
                    done.more = true; // the rest did not fit this answer: ask again from here
                    break;
                }
                bytes += size;
                messages.append(message);
            }
            done.messages = std::move(messages);
            answer(sessionId, done);
        });
}

void ChatService::search(Session* session, const SearchRequest& request)
{
    if (!checkTarget(session, request.seq, request.target)) {
        return;
    }
    struct Found
    {
        Resolved resolved;
        QList<QuietWire::SearchHit> hits;
        QHash<qint64, Conversation> withFiles; // the conversations of hits with an attachment
    };
    serve(
        session,
        [user = session->name, request](ChatStore& store) {
            Found found;
            qint64 conversation = 0;
            if (!request.target.isEmpty()) {
                found.resolved = resolve(store, request.target, user, nowMs());
                if (found.resolved.refusal) {
                    return found;
                }
                conversation = found.resolved.conversation.id;
            }
            // Only conversations user is a member of at this moment (the store's own condition).
            const auto hits = store.search(user, request.text, conversation, request.before.value_or(0),
                static_cast<int>(request.limit + 1), HitStart, HitEnd);
            if (!hits) {
                found.resolved.refusal = { ErrorCode::Unavailable, unavailable() };
            } else {
                found.hits = *hits;
                for (const QuietWire::SearchHit& hit : found.hits) {
                    const qint64 id = hit.message.conversation;
                    if (!hit.message.attachment.isEmpty() && !found.withFiles.contains(id)) {
                        Conversation unknown;
                        unknown.id = id; // a room's attachment path needs no name; a direct one keeps the sender's
                        found.withFiles.insert(id, store.conversation(id).value_or(unknown));
                    }
                }
            }
            return found;
        },
        [this, sessionId = session->id, user = session->name, request](const Found& found) {
            if (found.resolved.refusal) {
                refuse(sessionId, request.seq, found.resolved.refusal);
                return;
            }
            Done done { request.seq };
            QList<ChatProtocol::SearchHit> hits;
            done.more = found.hits.size() > request.limit;
            qsizetype bytes = 0;
            for (const QuietWire::SearchHit& stored : found.hits.mid(0, request.limit)) {
                ChatProtocol::SearchHit hit;
                hit.id = stored.message.id;
                hit.conversation = stored.message.conversation;
                hit.from = stored.message.sender;
                hit.fingerprint = stored.message.fingerprint;
                hit.time = QDateTime::fromMSecsSinceEpoch(stored.message.timeMs, Qt::UTC);
                std::tie(hit.snippet, hit.marks) = markedSnippet(stored.snippet);
                hit.attachment = wireAttachment(
                    stored.message.attachment, found.withFiles.value(stored.message.conversation), user);
                const qsizetype size = hit.snippet.size() * 3 + hit.marks.size() * 20 + 300;
                if (bytes + size > MaxListBytes) {
                    done.more = true;
                    break;
                }
                bytes += size;
                hits.append(hit);
            }
            done.hits = std::move(hits);
            answer(sessionId, done);
        });
}

void ChatService::markRead(Session* session, const ReadRequest& request)
{
    struct Marker
    {
        Resolved resolved;
        qint64 lastRead = 0;
        qint64 unread = 0;
    };
    serve(
        session,
        [user = session->name, request](ChatStore& store) {
            Marker marker;
            marker.resolved = resolve(store, Target { request.conversation, {}, {} }, user, nowMs());
            if (marker.resolved.refusal) {
                return marker;
            }
            // Never past the newest message: a marker from the future would hide what comes next.
            const auto newest = store.history(request.conversation, 0, 1);
            const qint64 upTo = std::min(request.upTo, newest && !newest->isEmpty() ? newest->first().id : qint64(0));
            const auto lastRead = store.markRead(user, request.conversation, upTo)
                ? store.lastRead(user, request.conversation)
                : std::nullopt;
            const auto unread = lastRead ? store.unreadCount(user, request.conversation) : std::nullopt;
            if (!lastRead || !unread) {
                marker.resolved.refusal = { ErrorCode::Unavailable, unavailable() };
                return marker;
            }
            marker.lastRead = *lastRead;
            marker.unread = *unread;
            return marker;
        },
        [this, sessionId = session->id, user = session->name, request](const Marker& marker) {
            if (marker.resolved.refusal) {
                refuse(sessionId, request.seq, marker.resolved.refusal);
                return;
            }
            answer(sessionId, Done { request.seq });
            tellUser(user, ReadMarker { request.conversation, marker.lastRead, marker.unread }.toCbor());
        });
}

void ChatService::rooms(Session* session, const RoomsRequest& request)
{
    QList<RoomInfo> list;
    for (const Room& room : std::as_const(m_rooms)) {
        const bool joined = room.members.contains(session->name);
        if (room.conversation.isPrivate && !joined) {
            continue;
        }
        list.append(RoomInfo { room.conversation.id, room.conversation.name, room.conversation.topic,
            room.conversation.isPrivate, room.members.size(), joined });
    }
    std::sort(list.begin(), list.end(), [](const RoomInfo& a, const RoomInfo& b) { return a.name < b.name; });
    Done done { request.seq };
    QList<RoomInfo> listed;
    qsizetype bytes = 0;
    for (const RoomInfo& info : std::as_const(list)) {
        const qsizetype size = (info.name.size() + info.topic.size()) * 3 + 100;
        if (bytes + size > MaxListBytes) {
            done.more = true; // cut to one answer
            break;
        }
        bytes += size;
        listed.append(info);
    }
    done.rooms = std::move(listed);
    sendMap(session, done.toCbor());
}

// ---- Shared folders (the files service asks) -------------------------------------------------

void ChatService::checkFolder(const QString& user, const FilePaths::Location& where, QObject* context,
    std::function<void(const FolderGrant&)> done)
{
    using Area = FilePaths::Location::Area;
    // The whitelist lives on this thread: asked here, the answer travels with the work.
    const bool knownPeer = where.area == Area::Direct && m_isKnownName(where.folder);
    m_store->post(
        context,
        [user, where, knownPeer, generalId = m_generalId, now = nowMs()](ChatStore& store) {
            FolderGrant grant;
            // Every user is in general, added the first time they come (as a chat session does),
            // also when they come to the files first.
            const bool touchesGeneral = where.area == Area::Rooms
                || (where.area == Area::Room && where.folder == QLatin1String(ChatStore::GeneralRoom));
            if (touchesGeneral && generalId != 0 && !store.roleOf(generalId, user)
                && store.failure().error == StoreError::NotFound) {
                store.addMember(generalId, user, MemberRole::Member);
            }
            if (where.area == Area::Rooms || where.area == Area::Directs) {
                const auto conversations = store.conversationsOf(user);
                if (!conversations) {
                    grant.code = ErrorCode::Unavailable;
                    grant.message = unavailable();
                    return grant;
                }
                const auto kind = where.area == Area::Rooms ? Conversation::Kind::Room : Conversation::Kind::Direct;
                for (const QuietWire::ConversationSummary& summary : *conversations) {
                    const Conversation& conversation = summary.conversation;
                    if (conversation.kind == kind) {
                        grant.folders.append(
                            { kind == Conversation::Kind::Room ? conversation.name : otherOf(conversation, user),
                                conversation.createdMs });
                    }
                }
                return grant;
            }
            if (where.area == Area::Direct && !knownPeer) {
                grant.code = ErrorCode::NotFound;
                grant.message
                    = QStringLiteral("Nobody is called %1 on this server").arg(Logging::escaped(where.folder, 60));
                return grant;
            }
            Target target;
            if (where.area == Area::Room) {
                target.room = where.folder;
            } else {
                target.with = where.folder; // the direct conversation, made on first use as for a message
            }
            const Resolved resolved = resolve(store, target, user, now);
            grant.code = resolved.refusal.code;
            grant.message = resolved.refusal.message;
            grant.conversation = resolved.conversation;
            return grant;
        },
        std::move(done));
}

void ChatService::fileNotice(
    const Conversation& conversation, const QString& user, const QString& fingerprint, const QString& text)
{
    ChatStore::NewMessage message;
    message.conversation = conversation.id;
    message.sender = user;
    message.fingerprint = fingerprint;
    message.timeMs = nowMs();
    message.text = text;
    message.notice = true;
    appendTo(nullptr, 0, message, conversation);
}

} // namespace QuietWire
