// ChatService's room requests (room_create ... room_members) and reload(): what changes a room's
// membership or topic, served on the store's thread, then mirrored in the cache and told to the
// sessions concerned (`room`, `room_gone`).

#include "ChatService.h"
#include "Logging.h"
#include "Session.h"
#include "StoreThread.h"

#include <QDateTime>
#include <QScopeGuard>
#include <QSet>

namespace QuietWire {

using namespace ChatProtocol;

namespace {

bool isGeneral(const QString& room)
{
    return room == QLatin1String(ChatStore::GeneralRoom);
}

} // namespace

/// What a room request or a reload did, read back from the store in the same turn of its queue.
struct ChatService::RoomOutcome
{
    Refusal refusal;
    qint64 id = 0;
    QString name;
    std::optional<Conversation> conversation; // after the change; nullopt: deleted
    QList<std::pair<QString, MemberRole>> members; // after the change
    QList<QuietWire::ConversationSummary> told; // a `room` event for each of these users
    QStringList toldUsers;
    QStringList gone; // a `room_gone` event for each of these
    RoomGone::Reason reason = RoomGone::Reason::Left;
    QList<RoomMember> listed; // room_members
};

std::optional<QuietWire::ConversationSummary> ChatService::summaryIn(
    ChatStore& store, const Conversation& conversation, const QString& user)
{
    QuietWire::ConversationSummary summary;
    summary.conversation = conversation;
    const auto lastRead = store.lastRead(user, conversation.id);
    const auto unread = store.unreadCount(user, conversation.id);
    const auto newest = store.history(conversation.id, 0, 1);
    if (!lastRead || !unread || !newest) {
        return std::nullopt;
    }
    summary.lastRead = *lastRead;
    summary.unread = *unread;
    if (!newest->isEmpty()) {
        summary.last = newest->first();
    }
    return summary;
}

/// Reads the room's state after a change into outcome, with a `room` summary for each of tell.
bool ChatService::readBack(ChatStore& store, RoomOutcome& outcome, const QStringList& tell)
{
    outcome.conversation = store.conversation(outcome.id);
    if (!outcome.conversation) {
        return store.failure().error == StoreError::NotFound;
    }
    const auto members = store.members(outcome.id);
    if (!members) {
        return false;
    }
    outcome.members = *members;
    for (const QString& user : tell) {
        const auto summary = summaryIn(store, *outcome.conversation, user);
        if (!summary) {
            return false;
        }
        outcome.told.append(*summary);
        outcome.toldUsers.append(user);
    }
    return true;
}

void ChatService::room(Session* session, const RoomRequest& request)
{
    using Action = RoomRequest::Action;
    const qint64 seq = request.seq;
    if (request.action == Action::Create && !ChatStore::isValidRoomName(request.room)) {
        reject(session, seq, ErrorCode::BadName,
            QStringLiteral("A room name is 1 to %1 letters, digits, \".\", \"_\" or \"-\"")
                .arg(ChatStore::MaxRoomNameLength));
        return;
    }
    if ((request.action == Action::Create || request.action == Action::Topic) && !request.topic.isEmpty()) {
        qsizetype position = -1;
        const auto error = checkText(request.topic, &position);
        if (error == TextError::ControlCharacter) {
            reject(session, seq, ErrorCode::BadRequest,
                QStringLiteral("topic: %1").arg(describe(error, request.topic, position)));
            return;
        }
    }
    if ((request.action == Action::Leave || request.action == Action::Remove || request.action == Action::Delete)
        && isGeneral(request.room)) {
        reject(session, seq, ErrorCode::Permission, QStringLiteral("Everybody stays in general; it cannot be left"));
        return;
    }
    if ((request.action == Action::Invite || request.action == Action::Remove) && !m_isKnownName(request.member)) {
        reject(session, seq, ErrorCode::NotFound,
            QStringLiteral("Nobody is called %1 on this server").arg(Logging::escaped(request.member, 60)));
        return;
    }
    const QString user = session->name;
    serve(
        session, [user, request](ChatStore& store) { return serveRoomRequest(store, user, request); },
        [this, sessionId = session->id, user, request](const RoomOutcome& outcome) {
            if (outcome.refusal) {
                refuse(sessionId, request.seq, outcome.refusal);
                return;
            }
            applyOutcome(outcome);
            Done done { request.seq };
            if (request.action == Action::Create || request.action == Action::Join) {
                done.conversation = outcome.id;
            }
            if (request.action == Action::Members) {
                done.members = outcome.listed;
            }
            answer(sessionId, done);
            if (request.action != Action::Members) {
                qCInfo(lcChat).noquote() << Logging::escaped(user, 60) << RoomRequest::typeName(request.action)
                                         << Logging::escaped(request.room, 70) << Logging::escaped(request.member, 60);
            }
        });
}

ChatService::RoomOutcome ChatService::serveRoomRequest(
    ChatStore& store, const QString& user, const RoomRequest& request)
{
    using Action = RoomRequest::Action;
    RoomOutcome outcome;
    outcome.name = request.room;
    const auto failed = [&outcome] {
        outcome.refusal = { ErrorCode::Unavailable, unavailable() };
        return outcome;
    };
    if (request.action == Action::Create) {
        const auto created = store.createRoom(
            request.room, request.topic, request.isPrivate, user, QDateTime::currentMSecsSinceEpoch());
        if (!created) {
            if (store.failure().error == StoreError::Exists) {
                outcome.refusal = { ErrorCode::Exists,
                    QStringLiteral("A room called %1 exists already").arg(Logging::escaped(request.room, 70)) };
                return outcome;
            }
            return failed();
        }
        outcome.id = created->id;
        return readBack(store, outcome, { user }) ? outcome : failed();
    }
    const auto room = store.room(request.room);
    if (!room) {
        if (store.failure().error != StoreError::NotFound) {
            return failed();
        }
        outcome.refusal = { ErrorCode::NotFound, noSuchRoom(request.room) };
        return outcome;
    }
    outcome.id = room->id;
    const auto role = store.roleOf(room->id, user);
    if (!role && store.failure().error != StoreError::NotFound) {
        return failed();
    }
    // A private room is invisible to those outside it: the same answer as for no room at all.
    if (!role && room->isPrivate) {
        outcome.refusal = { ErrorCode::NotFound, noSuchRoom(request.room) };
        return outcome;
    }
    const bool owner = role == MemberRole::Owner;
    // Only owners change a room; a member is told so, someone outside it to join first.
    const auto ownersOnly = [&outcome, &request, &role] {
        outcome.refusal = { ErrorCode::Permission,
            role ? QStringLiteral("Only an owner of %1 may do that").arg(Logging::escaped(request.room, 70))
                 : notJoined(request.room) };
        return outcome;
    };
    switch (request.action) {
    case Action::Create:
        break;
    case Action::Join:
        if (!role && !store.addMember(room->id, user, MemberRole::Member)) {
            return failed();
        }
        return readBack(store, outcome, { user }) ? outcome : failed();
    case Action::Leave:
        if (!role) {
            outcome.refusal = { ErrorCode::NotFound, notJoined(request.room) };
            return outcome;
        }
        if (!store.removeMember(room->id, user)) {
            return failed();
        }
        outcome.gone = { user };
        outcome.reason = RoomGone::Reason::Left;
        return readBack(store, outcome, {}) ? outcome : failed();
    case Action::Invite: {
        if (!owner) {
            return ownersOnly();
        }
        const auto theirs = store.roleOf(room->id, request.member);
        if (!theirs && !store.addMember(room->id, request.member, MemberRole::Member)) {
            return failed();
        }
        return readBack(store, outcome, theirs ? QStringList() : QStringList { request.member }) ? outcome : failed();
    }
    case Action::Remove: {
        if (!owner && request.member != user) {
            return ownersOnly();
        }
        if (!store.roleOf(room->id, request.member)) {
            if (store.failure().error != StoreError::NotFound) {
                return failed();
            }
            outcome.refusal = { ErrorCode::NotFound,
                QStringLiteral("%1 is not a member of %2")
                    .arg(Logging::escaped(request.member, 60), Logging::escaped(request.room, 70)) };
            return outcome;
        }
        if (!store.removeMember(room->id, request.member)) {
            return failed();
        }
        outcome.gone = { request.member };
        outcome.reason = request.member == user ? RoomGone::Reason::Left : RoomGone::Reason::Removed;
        return readBack(store, outcome, {}) ? outcome : failed();
    }
    case Action::Topic: {
        if (!owner) {
            return ownersOnly();
        }
        if (!store.setTopic(room->id, request.topic)) {
            return failed();
        }
        const auto members = store.members(room->id);
        if (!members) {
            return failed();
        }
        QStringList everyone;
        for (const auto& member : *members) {
            everyone << member.first;
        }
        return readBack(store, outcome, everyone) ? outcome : failed();
    }
    case Action::Delete: {
        if (!owner) {
            return ownersOnly();
        }
        const auto members = store.members(room->id);
        if (!members || !store.deleteConversation(room->id)) {
            return failed();
        }
        for (const auto& member : *members) {
            outcome.gone << member.first;
        }
        outcome.reason = RoomGone::Reason::Deleted;
        outcome.conversation.reset();
        return outcome;
    }
    case Action::Members: {
        const auto members = store.members(room->id);
        if (!members) {
            return failed();
        }
        for (const auto& [name, memberRole] : *members) {
            outcome.listed.append(RoomMember {
                name, memberRole == MemberRole::Owner ? ChatProtocol::Role::Owner : ChatProtocol::Role::Member });
        }
        outcome.conversation = *room;
        outcome.members = *members;
        return outcome;
    }
    }
    return outcome;
}

void ChatService::applyOutcome(const RoomOutcome& outcome)
{
    if (outcome.refusal) {
        return;
    }
    const bool wasCached = m_rooms.contains(outcome.id);
    if (outcome.conversation) {
        cacheRoom(*outcome.conversation, outcome.members);
        QStringList members;
        for (const auto& member : outcome.members) {
            members.append(member.first);
        }
        emit conversationChanged(outcome.id, members, false);
    } else if (auto found = m_rooms.find(outcome.id); found != m_rooms.end()) {
        m_roomIds.remove(found->conversation.name);
        m_rooms.erase(found);
    }
    if (!outcome.conversation && outcome.id != 0 && wasCached) {
        emit conversationChanged(outcome.id, {}, true);
    }
    for (qsizetype i = 0; i < outcome.told.size(); ++i) {
        const QString& user = outcome.toldUsers.at(i);
        tellUser(user, RoomChanged { wireSummary(outcome.told.at(i), user) }.toCbor());
    }
    for (const QString& user : outcome.gone) {
        tellUser(user, RoomGone { outcome.id, outcome.name, outcome.reason }.toCbor());
    }
}

void ChatService::reload(qint64 conversationId)
{
    // One read of a conversation at a time: news of it meanwhile (a burst of first visits to
    // general, one notification each) makes one more read once this one is applied, from the
    // room as this node then knows it.
    if (m_reloading.contains(conversationId)) {
        m_reloadAgain.insert(conversationId);
        return;
    }
    m_reloading.insert(conversationId);
    // The room as this node knew it before the change: to tell those no longer in it, and to tell
    // only those the change concerns, among the users with a session here.
    QStringList before;
    std::optional<Conversation> known;
    if (const auto room = m_rooms.constFind(conversationId); room != m_rooms.cend()) {
        before = room->members.keys();
        known = room->conversation;
    }
    const QString name = known ? known->name : QString();
    const QList<QString> here = m_byName.uniqueKeys();
    const QSet<QString> local(here.cbegin(), here.cend());
    m_store->post(
        this,
        [conversationId, before, known, local](ChatStore& store) {
            RoomOutcome outcome;
            outcome.id = conversationId;
            outcome.conversation = store.conversation(conversationId);
            if (!outcome.conversation) {
                if (store.failure().error != StoreError::NotFound) {
                    outcome.refusal = { ErrorCode::Unavailable, store.failure().message };
                }
                return outcome;
            }
            outcome.name = outcome.conversation->name;
            // As the node where the change was made does: a new member hears of the room; everyone
            // when the room itself changed (name, topic, private) or this node did not know it. A
            // member added to general (someone's first visit) is no news to the others: telling
            // each of them would cost one summary per member per newcomer. Only users with a
            // session on this node are told here (the others are told by their own node, or when
            // they next come).
            const bool roomChanged = !known || known->name != outcome.conversation->name
                || known->topic != outcome.conversation->topic || known->isPrivate != outcome.conversation->isPrivate;
            const QSet<QString> knownMembers(before.cbegin(), before.cend());
            QStringList tell;
            if (const auto members = store.members(conversationId)) {
                for (const auto& member : *members) {
                    if (local.contains(member.first) && (roomChanged || !knownMembers.contains(member.first))) {
                        tell << member.first;
                    }
                }
            }
            if (!readBack(store, outcome, tell)) {
                outcome.refusal = { ErrorCode::Unavailable, store.failure().message };
            }
            return outcome;
        },
        [this, conversationId, before, name](RoomOutcome outcome) {
            m_reloading.remove(conversationId);
            const auto again = qScopeGuard([this, conversationId] {
                if (m_reloadAgain.remove(conversationId)) {
                    reload(conversationId);
                }
            });
            if (outcome.refusal) {
                qCWarning(lcChat).noquote()
                    << "could not re-read conversation" << conversationId << "-" << outcome.refusal.message;
                return;
            }
            if (outcome.name.isEmpty()) {
                outcome.name = name;
            }
            QSet<QString> now;
            for (const auto& member : outcome.members) {
                now.insert(member.first);
            }
            for (const QString& user : before) {
                if (!now.contains(user)) {
                    outcome.gone << user;
                }
            }
            outcome.reason = outcome.conversation ? RoomGone::Reason::Removed : RoomGone::Reason::Deleted;
            applyOutcome(outcome);
        });
}

} // namespace QuietWire
