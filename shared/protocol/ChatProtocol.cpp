#include "ChatProtocol.h"

#include "MessageFields.h"

#include <QCborArray>
#include <QLocale>

namespace QuietWire::ChatProtocol {

namespace {
// The wire keys of the chat messages; nothing outside this file spells them.
constexpr char TypeKey[] = "type"; // checked by Protocol::typeError()
constexpr char NameKey[] = "name";
constexpr char FingerprintKey[] = "fingerprint";
constexpr char MembersKey[] = "members";
constexpr char JoinedKey[] = "joined";
constexpr char LeftKey[] = "left";
constexpr char IdKey[] = "id";
constexpr char FromKey[] = "from";
constexpr char ToKey[] = "to";
constexpr char TextKey[] = "text";
constexpr char TimeKey[] = "time";
constexpr char HistoryKey[] = "history";
constexpr char SeqKey[] = "seq";
constexpr char CodeKey[] = "code";
constexpr char MessageKey[] = "message";
constexpr char VersionKey[] = "version";
constexpr char ConversationKey[] = "conversation";
constexpr char RoomKey[] = "room";
constexpr char ClientIdKey[] = "client_id";
constexpr char DuplicateKey[] = "duplicate";
constexpr char WaitingKey[] = "waiting";
constexpr char AttachmentKey[] = "attachment";
constexpr char PathKey[] = "path";
constexpr char SizeKey[] = "size";
constexpr char Sha256Key[] = "sha256";
constexpr char RemovedKey[] = "removed";

using Protocol::Decoded;
using Protocol::fieldsError;
using Protocol::typedMap;
using Protocol::typeError;

QCborMap memberMap(const Member& member)
{
    return QCborMap { { QLatin1String(NameKey), member.name }, { QLatin1String(FingerprintKey), member.fingerprint } };
}

QCborArray memberArray(const QList<Member>& members)
{
    QCborArray array;
    for (const Member& member : members) {
        array.append(memberMap(member));
    }
    return array;
}

Member readMember(MessageFields& fields)
{
    Member member;
    member.name = fields.text(NameKey);
    member.fingerprint = fields.text(FingerprintKey);
    return member;
}

QList<Member> readMembers(MessageFields& fields, const char* key = MembersKey)
{
    QList<Member> members;
    const QCborArray array = fields.array(key);
    for (const QCborValue& value : array) {
        MessageFields item(value.toMap());
        const Member member = readMember(item);
        if (!value.isMap() || !item.ok()) {
            fields.reject(key, "an array of maps {\"name\": text, \"fingerprint\": text}");
            return {};
        }
        members.append(member);
    }
    return members;
}

} // namespace

QCborMap Attachment::toCbor(bool serverSide) const
{
    const Attachment& attachment = *this;
    QCborMap map { { QLatin1String(PathKey), attachment.path }, { QLatin1String(SizeKey), attachment.size },
        { QLatin1String(Sha256Key), attachment.sha256 } };
    if (serverSide) {
        map.insert(QLatin1String(NameKey), attachment.name);
        if (attachment.removed) {
            map.insert(QLatin1String(RemovedKey), true);
        }
    }
    return map;
}

Attachment Attachment::read(MessageFields& fields, bool serverSide)
{
    Attachment attachment;
    MessageFields item(fields.map(AttachmentKey));
    if (!fields.ok()) {
        return attachment;
    }
    attachment.path = item.text(PathKey);
    attachment.size = item.unsignedInteger(SizeKey);
    attachment.sha256 = item.bytes(Sha256Key);
    if (item.ok() && attachment.sha256.size() != 32) {
        item.reject(Sha256Key, "the 32 bytes of a SHA-256 digest");
    }
    if (item.ok() && attachment.path.isEmpty()) {
        item.reject(PathKey, "a path in the conversation's shared folder");
    }
    if (serverSide) {
        attachment.name = item.text(NameKey);
        attachment.removed = item.optionalBool(RemovedKey, false);
    }
    if (!item.ok()) {
        const QByteArray field = QByteArray(AttachmentKey) + '.' + item.failedField().toLatin1();
        const QString expected = item.error().section(QLatin1String(" must be "), 1);
        fields.reject(field.constData(), expected.toUtf8().constData());
    }
    return attachment;
}

QCborMap Welcome::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(NameKey), name);
    map.insert(QLatin1String(FingerprintKey), fingerprint);
    map.insert(QLatin1String(MembersKey), memberArray(members));
    if (version) {
        map.insert(QLatin1String(VersionKey), *version);
    }
    return map;
}

Decoded<Welcome> Welcome::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    Welcome welcome;
    welcome.name = fields.text(NameKey);
    welcome.fingerprint = fields.text(FingerprintKey);
    welcome.members = readMembers(fields);
    if (fields.has(VersionKey)) {
        welcome.version = fields.unsignedInteger(VersionKey);
    }
    return { welcome, fieldsError(fields) };
}

QCborMap Members::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(MembersKey), memberArray(members));
    return map;
}

Decoded<Members> Members::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    Members members;
    members.members = readMembers(fields);
    return { members, fieldsError(fields) };
}

QCborMap Message::toCbor() const
{
    QCborMap map = typedMap(notice ? NoticeType : Type);
    map.insert(QLatin1String(IdKey), id);
    map.insert(QLatin1String(TextKey), text);
    map.insert(QLatin1String(TimeKey), time.toMSecsSinceEpoch());
    if (!notice) {
        map.insert(QLatin1String(FromKey), from);
        map.insert(QLatin1String(FingerprintKey), fingerprint);
    }
    if (!to.isEmpty()) {
        map.insert(QLatin1String(ToKey), to);
    }
    if (history) {
        map.insert(QLatin1String(HistoryKey), true);
    }
    if (conversation) {
        map.insert(QLatin1String(ConversationKey), *conversation);
    }
    if (!room.isEmpty()) {
        map.insert(QLatin1String(RoomKey), room);
    }
    if (!clientId.isEmpty()) {
        map.insert(QLatin1String(ClientIdKey), clientId);
    }
    if (attachment) {
        map.insert(QLatin1String(AttachmentKey), attachment->toCbor(true));
    }
    return map;
}

Decoded<Message> Message::decode(const QCborMap& map)
{
    Message message;
    message.notice = Protocol::typeOf(map) == QLatin1String(NoticeType);
    if (auto error = message.notice ? std::nullopt : typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    message.id = fields.unsignedInteger(IdKey);
    if (!message.notice) {
        message.from = fields.text(FromKey);
        message.fingerprint = fields.text(FingerprintKey);
    }
    message.text = fields.text(TextKey);
    message.time = QDateTime::fromMSecsSinceEpoch(fields.unsignedInteger(TimeKey), Qt::UTC);
    message.to = fields.optionalText(ToKey);
    message.history = fields.optionalBool(HistoryKey, false);
    if (fields.has(ConversationKey)) {
        message.conversation = fields.unsignedInteger(ConversationKey);
    }
    message.room = fields.optionalText(RoomKey);
    message.clientId = fields.optionalText(ClientIdKey);
    if (fields.has(AttachmentKey)) {
        message.attachment = Attachment::read(fields, true);
    }
    return { message, fieldsError(fields) };
}

QCborMap HistoryEnd::toCbor() const
{
    return typedMap(Type);
}

Decoded<HistoryEnd> HistoryEnd::decode(const QCborMap& map)
{
    return { HistoryEnd {}, typeError(map, Type) };
}

QCborMap Join::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(NameKey), member.name);
    map.insert(QLatin1String(FingerprintKey), member.fingerprint);
    return map;
}

Decoded<Join> Join::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    Join join { readMember(fields) };
    return { join, fieldsError(fields) };
}

QCborMap Leave::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(NameKey), member.name);
    map.insert(QLatin1String(FingerprintKey), member.fingerprint);
    return map;
}

Decoded<Leave> Leave::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    Leave leave { readMember(fields) };
    return { leave, fieldsError(fields) };
}

QCborMap Presence::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(JoinedKey), memberArray(joined));
    map.insert(QLatin1String(LeftKey), memberArray(left));
    return map;
}

Decoded<Presence> Presence::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    Presence presence;
    presence.joined = readMembers(fields, JoinedKey);
    presence.left = readMembers(fields, LeftKey);
    return { presence, fieldsError(fields) };
}

QCborMap Accepted::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(SeqKey), seq);
    map.insert(QLatin1String(IdKey), id);
    if (conversation) {
        map.insert(QLatin1String(ConversationKey), *conversation);
    }
    if (duplicate) {
        map.insert(QLatin1String(DuplicateKey), true);
    }
    if (waiting) {
        map.insert(QLatin1String(WaitingKey), true);
    }
    return map;
}

Decoded<Accepted> Accepted::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    Accepted accepted;
    accepted.seq = fields.unsignedInteger(SeqKey);
    accepted.id = fields.unsignedInteger(IdKey);
    if (fields.has(ConversationKey)) {
        accepted.conversation = fields.unsignedInteger(ConversationKey);
    }
    accepted.duplicate = fields.optionalBool(DuplicateKey, false);
    accepted.waiting = fields.optionalBool(WaitingKey, false);
    return { accepted, fieldsError(fields) };
}

QCborMap Rejected::toCbor() const
{
    Q_ASSERT(isWireCode(code));
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(SeqKey), seq);
    map.insert(QLatin1String(CodeKey), wireName(code));
    map.insert(QLatin1String(MessageKey), message);
    return map;
}

Decoded<Rejected> Rejected::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    Rejected rejected;
    rejected.seq = fields.unsignedInteger(SeqKey);
    rejected.code = errorCodeFromWire(fields.text(CodeKey));
    if (rejected.code == ErrorCode::None) {
        rejected.code = ErrorCode::Unknown; // an empty code is still a refusal
    }
    rejected.message = fields.text(MessageKey);
    return { rejected, fieldsError(fields) };
}

QCborMap Send::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(SeqKey), seq);
    map.insert(QLatin1String(TextKey), text);
    if (to) {
        map.insert(QLatin1String(ToKey), *to);
    }
    if (room) {
        map.insert(QLatin1String(RoomKey), *room);
    }
    if (clientId) {
        map.insert(QLatin1String(ClientIdKey), *clientId);
    }
    if (attachment) {
        map.insert(QLatin1String(AttachmentKey), attachment->toCbor(false));
    }
    return map;
}

Decoded<Send> Send::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    Send send;
    send.seq = fields.unsignedInteger(SeqKey); // first: hasSeq() relies on it
    send.text = fields.text(TextKey);
    if (fields.has(ToKey)) {
        send.to = fields.optionalText(ToKey);
        if (fields.ok() && send.to->isEmpty()) {
            // An empty name must not fall back to a room message.
            fields.reject(ToKey, "a member's name; leave it out for a message to the room");
        }
    }
    if (fields.has(RoomKey)) {
        send.room = fields.optionalText(RoomKey);
        if (fields.ok() && send.room->isEmpty()) {
            fields.reject(RoomKey, "a room's name; leave it out for general");
        } else if (fields.ok() && send.to) {
            fields.reject(RoomKey, "left out when \"to\" is given (a message goes to a room or to a person)");
        }
    }
    if (fields.has(ClientIdKey)) {
        send.clientId = fields.optionalText(ClientIdKey);
        if (fields.ok() && !isValidClientId(*send.clientId)) {
            fields.reject(ClientIdKey, "1 to 64 bytes of text without control characters");
        }
    }
    if (fields.has(AttachmentKey)) {
        send.attachment = Attachment::read(fields, false);
    }
    return { send, fieldsError(fields) };
}

bool Send::hasSeq(const Decoded<Send>& decoded)
{
    // seq is the first field read after the type, so a failure of any other field leaves it read.
    return decoded.ok()
        || (decoded.error->field != QLatin1String(SeqKey) && decoded.error->field != QLatin1String(TypeKey));
}

bool isValidClientId(const QString& clientId)
{
    if (clientId.isEmpty() || clientId.toUtf8().size() > MaxClientIdBytes) {
        return false;
    }
    for (const QChar c : clientId) {
        if (c.unicode() < 0x20 || (c.unicode() >= 0x7f && c.unicode() <= 0x9f)) {
            return false;
        }
    }
    return true;
}

TextError checkText(const QString& text, qsizetype* position)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        const bool allowed = c == u'\n' || c == u'\t';
        if (!allowed && (c < 0x20 || (c >= 0x7f && c <= 0x9f))) {
            if (position) {
                *position = i;
            }
            return TextError::ControlCharacter;
        }
    }
    if (text.trimmed().isEmpty()) {
        return TextError::Empty;
    }
    if (text.toUtf8().size() > MaxTextBytes) {
        return TextError::TooLong;
    }
    return TextError::None;
}

QString describe(TextError error, const QString& text, qsizetype position)
{
    switch (error) {
    case TextError::None:
        return {};
    case TextError::Empty:
        return QStringLiteral("The message has no text");
    case TextError::TooLong:
        return QStringLiteral("The message is longer than %1 bytes").arg(MaxTextBytes);
    case TextError::ControlCharacter: {
        const char16_t c = position >= 0 && position < text.size() ? text.at(position).unicode() : 0;
        return QStringLiteral("The message contains the control character U+%1 at position %2; chat text may "
                              "contain line breaks and tabs but no other control characters")
            .arg(QString::number(c, 16).toUpper().rightJustified(4, QLatin1Char('0')))
            .arg(position);
    }
    }
    return {};
}

QString attachmentLine(const Attachment& attachment)
{
    return QStringLiteral("[file %1, %2 bytes%3: %4]")
        .arg(attachment.name, QLocale(QLocale::English).toString(attachment.size),
            attachment.removed ? QStringLiteral(", removed") : QString(), attachment.path);
}

} // namespace QuietWire::ChatProtocol
