#include "ChatRequests.h"

#include "MessageFields.h"

#include <QCborArray>

namespace QuietWire::ChatProtocol {

namespace {
// The wire keys of the version-2 messages; nothing outside this file spells them.
constexpr char TypeKey[] = "type";
constexpr char SeqKey[] = "seq";
constexpr char ConversationKey[] = "conversation";
constexpr char ConversationsKey[] = "conversations";
constexpr char RoomKey[] = "room";
constexpr char WithKey[] = "with";
constexpr char BeforeKey[] = "before";
constexpr char LimitKey[] = "limit";
constexpr char TextKey[] = "text";
constexpr char UpToKey[] = "up_to";
constexpr char MemberKey[] = "member";
constexpr char TopicKey[] = "topic";
constexpr char PrivateKey[] = "private";
constexpr char IdKey[] = "id";
constexpr char KindKey[] = "kind";
constexpr char NameKey[] = "name";
constexpr char RoleKey[] = "role";
constexpr char UnreadKey[] = "unread";
constexpr char LastReadKey[] = "last_read";
constexpr char LastKey[] = "last";
constexpr char MessagesKey[] = "messages";
constexpr char HitsKey[] = "hits";
constexpr char RoomsKey[] = "rooms";
constexpr char MembersKey[] = "members";
constexpr char MoreKey[] = "more";
constexpr char FromKey[] = "from";
constexpr char FingerprintKey[] = "fingerprint";
constexpr char TimeKey[] = "time";
constexpr char SnippetKey[] = "snippet";
constexpr char MarksKey[] = "marks";
constexpr char AttachmentKey[] = "attachment";
constexpr char JoinedKey[] = "joined";
constexpr char ReasonKey[] = "reason";

using Protocol::Decoded;
using Protocol::fieldsError;
using Protocol::typedMap;
using Protocol::typeError;

// Words for the enums on the wire.
constexpr const char* KindNames[] = { "room", "direct" };
constexpr const char* RoleNames[] = { "member", "owner" };
constexpr const char* ReasonNames[] = { "left", "removed", "deleted" };
constexpr const char* ActionTypes[] = { "room_create", "room_join", "room_leave", "room_invite", "room_remove",
    "room_topic", "room_delete", "room_members" };

template <std::size_t N>
int indexOf(const char* const (&names)[N], const QString& text)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (text == QLatin1String(names[i])) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

/// An enum read from a text field: a word of names, else the field is rejected (expected says what).
template <typename Enum, std::size_t N>
Enum readWord(MessageFields& fields, const char* key, const char* const (&names)[N], const char* expected)
{
    const QString text = fields.text(key);
    const int index = indexOf(names, text);
    if (fields.ok() && index < 0) {
        fields.reject(key, expected);
    }
    return static_cast<Enum>(qMax(0, index));
}

void insertTarget(QCborMap& map, const Target& target)
{
    if (target.conversation) {
        map.insert(QLatin1String(ConversationKey), *target.conversation);
    }
    if (target.room) {
        map.insert(QLatin1String(RoomKey), *target.room);
    }
    if (target.with) {
        map.insert(QLatin1String(WithKey), *target.with);
    }
}

/// At most one of conversation, room, with (and exactly one when required); names not empty.
Target readTarget(MessageFields& fields, bool required)
{
    Target target;
    if (fields.has(ConversationKey)) {
        target.conversation = fields.unsignedInteger(ConversationKey);
    }
    if (fields.has(RoomKey)) {
        target.room = fields.text(RoomKey);
        if (fields.ok() && target.room->isEmpty()) {
            fields.reject(RoomKey, "a room's name");
        }
    }
    if (fields.has(WithKey)) {
        target.with = fields.text(WithKey);
        if (fields.ok() && target.with->isEmpty()) {
            fields.reject(WithKey, "a person's name");
        }
    }
    const int given = (target.conversation ? 1 : 0) + (target.room ? 1 : 0) + (target.with ? 1 : 0);
    if (fields.ok() && (given > 1 || (required && given == 0))) {
        fields.reject(required ? ConversationKey : RoomKey,
            "one of \"conversation\" (an id), \"room\" (a name) or \"with\" (a person's name)");
    }
    return target;
}

/// limit, from 1 to maximum (range says so in words: "from 1 to 200").
qint64 readLimit(MessageFields& fields, qint64 defaultValue, qint64 maximum, const char* range)
{
    const qint64 limit = fields.optionalUnsigned(LimitKey, defaultValue);
    if (fields.ok() && (limit < 1 || limit > maximum)) {
        fields.reject(LimitKey, range);
    }
    return limit;
}

std::optional<qint64> readBefore(MessageFields& fields)
{
    if (!fields.has(BeforeKey)) {
        return std::nullopt;
    }
    return fields.unsignedInteger(BeforeKey);
}

QCborMap summaryMap(const ConversationSummary& summary)
{
    QCborMap map;
    map.insert(QLatin1String(IdKey), summary.id);
    map.insert(QLatin1String(KindKey), QLatin1String(KindNames[static_cast<int>(summary.kind)]));
    map.insert(QLatin1String(NameKey), summary.name);
    map.insert(QLatin1String(TopicKey), summary.topic);
    map.insert(QLatin1String(PrivateKey), summary.isPrivate);
    map.insert(QLatin1String(RoleKey), QLatin1String(RoleNames[static_cast<int>(summary.role)]));
    map.insert(QLatin1String(UnreadKey), summary.unread);
    map.insert(QLatin1String(LastReadKey), summary.lastRead);
    if (summary.last) {
        map.insert(QLatin1String(LastKey), summary.last->toCbor());
    }
    return map;
}

/// A nested map read with its own fields; a problem in it rejects key of the outer message.
template <typename Read>
auto readNested(MessageFields& outer, const char* key, const QCborValue& value, const char* expected, Read read)
{
    MessageFields inner(value.toMap());
    auto result = read(inner);
    if (outer.ok() && (!value.isMap() || !inner.ok())) {
        outer.reject(key, expected);
    }
    return result;
}

ConversationSummary readSummary(MessageFields& fields)
{
    ConversationSummary summary;
    summary.id = fields.unsignedInteger(IdKey);
    summary.kind = readWord<ConversationKind>(fields, KindKey, KindNames, "\"room\" or \"direct\"");
    summary.name = fields.text(NameKey);
    summary.topic = fields.text(TopicKey);
    summary.isPrivate = fields.optionalBool(PrivateKey, false);
    summary.role = readWord<Role>(fields, RoleKey, RoleNames, "\"member\" or \"owner\"");
    summary.unread = fields.unsignedInteger(UnreadKey);
    summary.lastRead = fields.unsignedInteger(LastReadKey);
    if (fields.has(LastKey)) {
        const auto last = Message::decode(fields.map(LastKey));
        if (fields.ok() && !last.ok()) {
            fields.reject(LastKey, "a message map");
        }
        summary.last = last.value;
    }
    return summary;
}

const char SummaryShape[] = "an array of conversation maps (docs/PROTOCOL.md section 7)";

} // namespace

bool seqUsable(const std::optional<Protocol::DecodeError>& error)
{
    // seq is the first field every request reads after the type.
    return !error || (error->field != QLatin1String(SeqKey) && error->field != QLatin1String(TypeKey));
}

QCborMap Conversations::toCbor() const
{
    QCborMap map = typedMap(Type);
    QCborArray array;
    for (const ConversationSummary& summary : conversations) {
        array.append(summaryMap(summary));
    }
    map.insert(QLatin1String(ConversationsKey), array);
    return map;
}

Decoded<Conversations> Conversations::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    Conversations message;
    for (const QCborValue& value : fields.array(ConversationsKey)) {
        message.conversations << readNested(fields, ConversationsKey, value, SummaryShape, readSummary);
    }
    return { message, fieldsError(fields) };
}

QCborMap HistoryRequest::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(SeqKey), seq);
    insertTarget(map, target);
    if (before) {
        map.insert(QLatin1String(BeforeKey), *before);
    }
    map.insert(QLatin1String(LimitKey), limit);
    return map;
}

Decoded<HistoryRequest> HistoryRequest::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    HistoryRequest request;
    request.seq = fields.unsignedInteger(SeqKey);
    request.target = readTarget(fields, true);
    request.before = readBefore(fields);
    request.limit = readLimit(fields, DefaultHistoryLimit, MaxHistoryLimit, "from 1 to 200");
    return { request, fieldsError(fields) };
}

QCborMap SearchRequest::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(SeqKey), seq);
    map.insert(QLatin1String(TextKey), text);
    insertTarget(map, target);
    if (before) {
        map.insert(QLatin1String(BeforeKey), *before);
    }
    map.insert(QLatin1String(LimitKey), limit);
    return map;
}

Decoded<SearchRequest> SearchRequest::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    SearchRequest request;
    request.seq = fields.unsignedInteger(SeqKey);
    request.text = fields.text(TextKey);
    if (fields.ok() && (request.text.trimmed().isEmpty() || request.text.toUtf8().size() > MaxSearchBytes)) {
        fields.reject(TextKey, "words to find, at most 256 bytes");
    }
    request.target = readTarget(fields, false);
    request.before = readBefore(fields);
    request.limit = readLimit(fields, DefaultSearchLimit, MaxSearchLimit, "from 1 to 100");
    return { request, fieldsError(fields) };
}

QCborMap ReadRequest::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(SeqKey), seq);
    map.insert(QLatin1String(ConversationKey), conversation);
    map.insert(QLatin1String(UpToKey), upTo);
    return map;
}

Decoded<ReadRequest> ReadRequest::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    ReadRequest request;
    request.seq = fields.unsignedInteger(SeqKey);
    request.conversation = fields.unsignedInteger(ConversationKey);
    request.upTo = fields.unsignedInteger(UpToKey);
    return { request, fieldsError(fields) };
}

QCborMap RoomsRequest::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(SeqKey), seq);
    return map;
}

Decoded<RoomsRequest> RoomsRequest::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    RoomsRequest request;
    request.seq = fields.unsignedInteger(SeqKey);
    return { request, fieldsError(fields) };
}

QString RoomRequest::typeName(Action action)
{
    return QLatin1String(ActionTypes[static_cast<int>(action)]);
}

std::optional<RoomRequest::Action> RoomRequest::actionOf(QStringView type)
{
    for (std::size_t i = 0; i < std::size(ActionTypes); ++i) {
        if (type == QLatin1String(ActionTypes[i])) {
            return static_cast<Action>(i);
        }
    }
    return std::nullopt;
}

QCborMap RoomRequest::toCbor() const
{
    QCborMap map = typedMap(ActionTypes[static_cast<int>(action)]);
    map.insert(QLatin1String(SeqKey), seq);
    map.insert(QLatin1String(RoomKey), room);
    if (action == Action::Invite || action == Action::Remove) {
        map.insert(QLatin1String(MemberKey), member);
    }
    if (action == Action::Topic || (action == Action::Create && !topic.isEmpty())) {
        map.insert(QLatin1String(TopicKey), topic);
    }
    if (action == Action::Create && isPrivate) {
        map.insert(QLatin1String(PrivateKey), true);
    }
    return map;
}

Decoded<RoomRequest> RoomRequest::decode(const QCborMap& map)
{
    const auto action = actionOf(Protocol::typeOf(map));
    if (!action) {
        return { {}, typeError(map, ActionTypes[0]) };
    }
    MessageFields fields(map);
    RoomRequest request;
    request.action = *action;
    request.seq = fields.unsignedInteger(SeqKey);
    request.room = fields.text(RoomKey);
    if (fields.ok() && request.room.isEmpty()) {
        fields.reject(RoomKey, "a room's name");
    }
    if (request.action == Action::Invite || request.action == Action::Remove) {
        request.member = fields.text(MemberKey);
        if (fields.ok() && request.member.isEmpty()) {
            fields.reject(MemberKey, "a person's name");
        }
    }
    if (request.action == Action::Topic) {
        request.topic = fields.text(TopicKey);
    } else if (request.action == Action::Create) {
        request.topic = fields.optionalText(TopicKey);
        request.isPrivate = fields.optionalBool(PrivateKey, false);
    }
    if (fields.ok() && request.topic.toUtf8().size() > MaxTopicBytes) {
        fields.reject(TopicKey, "at most 1024 bytes of text");
    }
    return { request, fieldsError(fields) };
}

QCborMap Done::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(SeqKey), seq);
    if (conversation) {
        map.insert(QLatin1String(ConversationKey), *conversation);
    }
    if (messages) {
        QCborArray array;
        for (const Message& message : *messages) {
            array.append(message.toCbor());
        }
        map.insert(QLatin1String(MessagesKey), array);
    }
    if (hits) {
        QCborArray array;
        for (const SearchHit& hit : *hits) {
            QCborArray marks;
            for (const auto& [start, end] : hit.marks) {
                marks.append(QCborArray { start, end });
            }
            QCborMap item { { QLatin1String(IdKey), hit.id }, { QLatin1String(ConversationKey), hit.conversation },
                { QLatin1String(FromKey), hit.from }, { QLatin1String(FingerprintKey), hit.fingerprint },
                { QLatin1String(TimeKey), hit.time.toMSecsSinceEpoch() }, { QLatin1String(SnippetKey), hit.snippet },
                { QLatin1String(MarksKey), marks } };
            if (hit.attachment) {
                item.insert(QLatin1String(AttachmentKey), hit.attachment->toCbor(true));
            }
            array.append(item);
        }
        map.insert(QLatin1String(HitsKey), array);
    }
    if (rooms) {
        QCborArray array;
        for (const RoomInfo& room : *rooms) {
            array.append(QCborMap { { QLatin1String(IdKey), room.id }, { QLatin1String(NameKey), room.name },
                { QLatin1String(TopicKey), room.topic }, { QLatin1String(PrivateKey), room.isPrivate },
                { QLatin1String(MembersKey), room.members }, { QLatin1String(JoinedKey), room.joined } });
        }
        map.insert(QLatin1String(RoomsKey), array);
    }
    if (members) {
        QCborArray array;
        for (const RoomMember& member : *members) {
            array.append(QCborMap { { QLatin1String(NameKey), member.name },
                { QLatin1String(RoleKey), QLatin1String(RoleNames[static_cast<int>(member.role)]) } });
        }
        map.insert(QLatin1String(MembersKey), array);
    }
    if (more) {
        map.insert(QLatin1String(MoreKey), true);
    }
    return map;
}

Decoded<Done> Done::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    Done done;
    done.seq = fields.unsignedInteger(SeqKey);
    if (fields.has(ConversationKey)) {
        done.conversation = fields.unsignedInteger(ConversationKey);
    }
    if (fields.has(MessagesKey)) {
        done.messages.emplace();
        for (const QCborValue& value : fields.array(MessagesKey)) {
            const auto message = Message::decode(value.toMap());
            if (fields.ok() && (!value.isMap() || !message.ok())) {
                fields.reject(MessagesKey, "an array of message maps");
            }
            done.messages->append(message.value);
        }
    }
    if (fields.has(HitsKey)) {
        done.hits.emplace();
        for (const QCborValue& value : fields.array(HitsKey)) {
            done.hits->append(readNested(fields, HitsKey, value, "an array of search hit maps", [](MessageFields& hit) {
                SearchHit result;
                result.id = hit.unsignedInteger(IdKey);
                result.conversation = hit.unsignedInteger(ConversationKey);
                result.from = hit.text(FromKey);
                result.fingerprint = hit.text(FingerprintKey);
                result.time = QDateTime::fromMSecsSinceEpoch(hit.unsignedInteger(TimeKey), Qt::UTC);
                result.snippet = hit.text(SnippetKey);
                for (const QCborValue& mark : hit.array(MarksKey)) {
                    const QCborArray pair = mark.toArray();
                    if (!mark.isArray() || pair.size() != 2 || !pair.at(0).isInteger() || !pair.at(1).isInteger()
                        || pair.at(0).toInteger() < 0 || pair.at(1).toInteger() < pair.at(0).toInteger()) {
                        hit.reject(MarksKey, "an array of [start, end] pairs");
                        break;
                    }
                    result.marks.append({ pair.at(0).toInteger(), pair.at(1).toInteger() });
                }
                if (hit.has(AttachmentKey)) {
                    result.attachment = Attachment::read(hit, true);
                }
                return result;
            }));
        }
    }
    if (fields.has(RoomsKey)) {
        done.rooms.emplace();
        for (const QCborValue& value : fields.array(RoomsKey)) {
            done.rooms->append(readNested(fields, RoomsKey, value, "an array of room maps", [](MessageFields& room) {
                RoomInfo result;
                result.id = room.unsignedInteger(IdKey);
                result.name = room.text(NameKey);
                result.topic = room.text(TopicKey);
                result.isPrivate = room.optionalBool(PrivateKey, false);
                result.members = room.unsignedInteger(MembersKey);
                result.joined = room.optionalBool(JoinedKey, false);
                return result;
            }));
        }
    }
    if (fields.has(MembersKey)) {
        done.members.emplace();
        for (const QCborValue& value : fields.array(MembersKey)) {
            done.members->append(
                readNested(fields, MembersKey, value, "an array of member maps", [](MessageFields& member) {
                    RoomMember result;
                    result.name = member.text(NameKey);
                    result.role = readWord<Role>(member, RoleKey, RoleNames, "\"member\" or \"owner\"");
                    return result;
                }));
        }
    }
    done.more = fields.optionalBool(MoreKey, false);
    return { done, fieldsError(fields) };
}

QCborMap ReadMarker::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(ConversationKey), conversation);
    map.insert(QLatin1String(LastReadKey), lastRead);
    map.insert(QLatin1String(UnreadKey), unread);
    return map;
}

Decoded<ReadMarker> ReadMarker::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    ReadMarker marker;
    marker.conversation = fields.unsignedInteger(ConversationKey);
    marker.lastRead = fields.unsignedInteger(LastReadKey);
    marker.unread = fields.unsignedInteger(UnreadKey);
    return { marker, fieldsError(fields) };
}

QCborMap RoomChanged::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(ConversationKey), summaryMap(conversation));
    return map;
}

Decoded<RoomChanged> RoomChanged::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    RoomChanged changed;
    changed.conversation
        = readNested(fields, ConversationKey, fields.map(ConversationKey), "a conversation map", readSummary);
    return { changed, fieldsError(fields) };
}

QCborMap RoomGone::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(ConversationKey), conversation);
    map.insert(QLatin1String(RoomKey), room);
    map.insert(QLatin1String(ReasonKey), QLatin1String(ReasonNames[static_cast<int>(reason)]));
    return map;
}

Decoded<RoomGone> RoomGone::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    RoomGone gone;
    gone.conversation = fields.unsignedInteger(ConversationKey);
    gone.room = fields.text(RoomKey);
    gone.reason = readWord<Reason>(fields, ReasonKey, ReasonNames, "\"left\", \"removed\" or \"deleted\"");
    return { gone, fieldsError(fields) };
}

} // namespace QuietWire::ChatProtocol
