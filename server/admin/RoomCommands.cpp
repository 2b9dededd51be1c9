#include "RoomCommands.h"

#include "ChatRequests.h"
#include "ChatStore.h"

#include <QMap>

namespace QuietWire::RoomCommands {

namespace {

constexpr char PrivateOption[] = "--private";
constexpr char TopicOption[] = "--topic";
constexpr char OwnerOption[] = "--owner";

const QStringList& options()
{
    static const QStringList list { QLatin1String(PrivateOption), QLatin1String(TopicOption),
        QLatin1String(OwnerOption) };
    return list;
}

Result failed(Error error, const QString& message)
{
    Result result;
    result.error = error;
    result.message = message;
    return result;
}

Result storeFailed(const ChatStore& store)
{
    return failed(Error::Store, store.failure().message);
}

QString roleName(MemberRole role)
{
    return role == MemberRole::Owner ? QStringLiteral("owner") : QStringLiteral("member");
}

Result checkRoomName(const QString& name)
{
    if (ChatStore::isValidRoomName(name)) {
        return {};
    }
    return failed(Error::BadName,
        QStringLiteral("\"%1\" is not a room name: up to %2 letters, digits, '.', '_' and '-'")
            .arg(name.left(80))
            .arg(ChatStore::MaxRoomNameLength));
}

/// The room called name, or why there is none.
std::optional<Conversation> findRoom(ChatStore& store, const QString& name, Result* failure)
{
    if (*failure = checkRoomName(name); failure->error != Error::None) {
        return std::nullopt;
    }
    auto room = store.room(name);
    if (!room) {
        *failure = store.failure().error == StoreError::NotFound
            ? failed(Error::UnknownRoom, QStringLiteral("there is no room named %1 (`rooms` lists them)").arg(name))
            : storeFailed(store);
    }
    return room;
}

bool isGeneral(const Conversation& room)
{
    return room.name == QLatin1String(ChatStore::GeneralRoom);
}

Result checkOnWhitelist(const QString& name, const QSet<QString>& whitelistNames)
{
    if (whitelistNames.contains(name)) {
        return {};
    }
    return failed(Error::UnknownMember,
        QStringLiteral("%1 is not a name on the whitelist (`whitelist` lists them)").arg(name.left(80)));
}

Result checkTopic(const QString& topic)
{
    for (qsizetype i = 0; i < topic.size(); ++i) {
        const char16_t c = topic.at(i).unicode();
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            return failed(Error::BadTopic,
                QStringLiteral("the topic holds the control character U+%1 at position %2")
                    .arg(uint(c), 4, 16, QLatin1Char('0'))
                    .arg(i + 1));
        }
    }
    if (topic.toUtf8().size() > ChatProtocol::MaxTopicBytes) {
        return failed(
            Error::BadTopic, QStringLiteral("the topic is longer than %1 bytes").arg(ChatProtocol::MaxTopicBytes));
    }
    return {};
}

QString describe(const Conversation& room)
{
    return QStringLiteral("%1 (%2)").arg(
        room.name, room.isPrivate ? QStringLiteral("private") : QStringLiteral("public"));
}

Result list(ChatStore& store)
{
    const auto rooms = store.rooms();
    if (!rooms) {
        return storeFailed(store);
    }
    Result result;
    for (const Conversation& room : *rooms) {
        const auto members = store.members(room.id);
        if (!members) {
            return storeFailed(store);
        }
        result.lines << QStringLiteral("%1  %2  %3 %4  %5")
                            .arg(room.name, -20)
                            .arg(room.isPrivate ? QStringLiteral("private") : QStringLiteral("public "))
                            .arg(members->size(), 4)
                            .arg(members->size() == 1 ? QStringLiteral("member ") : QStringLiteral("members"))
                            .arg(room.topic)
                            .trimmed();
    }
    const auto direct = store.directConversationCount();
    if (!direct) {
        return storeFailed(store);
    }
    result.lines << QStringLiteral("%1 direct %2")
                        .arg(*direct)
                        .arg(*direct == 1 ? QStringLiteral("conversation") : QStringLiteral("conversations"));
    return result;
}

Result create(ChatStore& store, const Command& command, const QSet<QString>& whitelistNames, qint64 nowMs)
{
    Result result = checkRoomName(command.room);
    if (result.error != Error::None) {
        return result;
    }
    if (!command.member.isEmpty()) {
        if (result = checkOnWhitelist(command.member, whitelistNames); result.error != Error::None) {
            return result;
        }
    }
    if (result = checkTopic(command.topic); result.error != Error::None) {
        return result;
    }
    const auto room = store.createRoom(command.room, command.topic, command.isPrivate, command.member, nowMs);
    if (!room) {
        return store.failure().error == StoreError::Exists
            ? failed(Error::Exists, QStringLiteral("a room named %1 exists already").arg(command.room))
            : storeFailed(store);
    }
    result.changed = room->id;
    result.logLine = QStringLiteral("room %1 created%2%3")
                         .arg(describe(*room))
                         .arg(command.member.isEmpty() ? QString() : QStringLiteral(", owner ") + command.member)
                         .arg(command.topic.isEmpty() ? QString() : QStringLiteral(", topic: ") + command.topic);
    result.lines << result.logLine;
    return result;
}

} // namespace

QStringList Command::words() const
{
    switch (action) {
    case Action::List:
        return {};
    case Action::Create: {
        QStringList words { QStringLiteral("create"), room };
        if (isPrivate) {
            words << QLatin1String(PrivateOption);
        }
        if (!member.isEmpty()) {
            words << QLatin1String(OwnerOption) << member;
        }
        if (!topic.isEmpty()) {
            words << QLatin1String(TopicOption) << topic;
        }
        return words;
    }
    case Action::Delete:
        return { QStringLiteral("delete"), room };
    case Action::Topic:
        return topic.isEmpty() ? QStringList { QStringLiteral("topic"), room }
                               : QStringList { QStringLiteral("topic"), room, topic };
    case Action::Members:
        return { QStringLiteral("members"), room };
    case Action::Add:
        return owner ? QStringList { QStringLiteral("add"), room, member, QLatin1String(OwnerOption) }
                     : QStringList { QStringLiteral("add"), room, member };
    case Action::Remove:
        return { QStringLiteral("remove"), room, member };
    }
    return {};
}

QString usage()
{
    return QStringLiteral(
        "usage: rooms | room create NAME [--private] [--owner MEMBER] [--topic TEXT] | room delete NAME | "
        "room topic NAME [TEXT] | room members NAME | room add NAME MEMBER [--owner] | room remove NAME MEMBER");
}

bool parse(const QString& name, const QStringList& words, Command* command, QString* error)
{
    *command = Command();
    *error = usage();
    if (name == QLatin1String("rooms")) {
        return words.isEmpty();
    }
    if (name != QLatin1String("room") || words.size() < 2) {
        return false;
    }
    const QString action = words.at(0);
    command->room = words.at(1);
    const QStringList rest = words.mid(2);
    // The topic: the words as one text, runs of white space as one space.
    const auto text = [](const QStringList& parts) { return parts.join(QLatin1Char(' ')).simplified(); };
    if (action == QLatin1String("create")) {
        command->action = Command::Action::Create;
        for (qsizetype i = 0; i < rest.size(); ++i) {
            if (rest.at(i) == QLatin1String(PrivateOption)) {
                command->isPrivate = true;
            } else if (rest.at(i) == QLatin1String(OwnerOption) && i + 1 < rest.size()
                && !options().contains(rest.at(i + 1))) {
                command->member = rest.at(++i);
            } else if (rest.at(i) == QLatin1String(TopicOption)) {
                // Its words run to the next option (or the end), so quoting it is not needed.
                qsizetype end = i + 1;
                while (end < rest.size() && !options().contains(rest.at(end))) {
                    ++end;
                }
                command->topic = text(rest.mid(i + 1, end - i - 1));
                i = end - 1;
            } else {
                return false;
            }
        }
        return true;
    }
    if (action == QLatin1String("topic")) {
        command->action = Command::Action::Topic;
        command->topic = text(rest);
        return true;
    }
    const QMap<QString, Command::Action> simple { { QStringLiteral("delete"), Command::Action::Delete },
        { QStringLiteral("members"), Command::Action::Members } };
    if (simple.contains(action)) {
        command->action = simple.value(action);
        return rest.isEmpty();
    }
    if (action == QLatin1String("add") || action == QLatin1String("remove")) {
        command->action = action == QLatin1String("add") ? Command::Action::Add : Command::Action::Remove;
        if (rest.isEmpty() || rest.first().startsWith(QLatin1String("--"))) {
            return false;
        }
        command->member = rest.first();
        for (const QString& word : rest.mid(1)) {
            if (command->action != Command::Action::Add || word != QLatin1String(OwnerOption)) {
                return false;
            }
            command->owner = true;
        }
        return true;
    }
    return false;
}

Result run(ChatStore& store, const Command& command, const QSet<QString>& whitelistNames, qint64 nowMs)
{
    if (command.action == Command::Action::List) {
        return list(store);
    }
    if (command.action == Command::Action::Create) {
        return create(store, command, whitelistNames, nowMs);
    }
    Result result;
    const auto room = findRoom(store, command.room, &result);
    if (!room) {
        return result;
    }
    switch (command.action) {
    case Command::Action::List:
    case Command::Action::Create:
        break;
    case Command::Action::Delete:
        if (isGeneral(*room)) {
            return failed(Error::General, QStringLiteral("general cannot be deleted: it is every user's room"));
        }
        if (!store.deleteConversation(room->id)) {
            return storeFailed(store);
        }
        result.logLine = QStringLiteral("room %1 deleted").arg(describe(*room));
        break;
    case Command::Action::Topic:
        if (result = checkTopic(command.topic); result.error != Error::None) {
            return result;
        }
        if (!store.setTopic(room->id, command.topic)) {
            return storeFailed(store);
        }
        result.logLine = command.topic.isEmpty()
            ? QStringLiteral("room %1: topic cleared").arg(room->name)
            : QStringLiteral("room %1: topic set to: %2").arg(room->name, command.topic);
        break;
    case Command::Action::Members: {
        const auto members = store.members(room->id);
        if (!members) {
            return storeFailed(store);
        }
        if (members->isEmpty()) {
            result.lines << QStringLiteral("%1 has no members").arg(room->name);
        }
        for (const auto& [name, role] : *members) {
            result.lines << QStringLiteral("%1  %2").arg(name, -32).arg(roleName(role));
        }
        return result;
    }
    case Command::Action::Add:
        if (result = checkOnWhitelist(command.member, whitelistNames); result.error != Error::None) {
            return result;
        }
        if (!store.addMember(room->id, command.member, command.owner ? MemberRole::Owner : MemberRole::Member)) {
            return storeFailed(store);
        }
        result.logLine
            = QStringLiteral("room %1: %2 added as %3")
                  .arg(room->name, command.member, roleName(command.owner ? MemberRole::Owner : MemberRole::Member));
        break;
    case Command::Action::Remove:
        if (isGeneral(*room)) {
            return failed(Error::General, QStringLiteral("nobody is removed from general: it is every user's room"));
        }
        if (!store.removeMember(room->id, command.member)) {
            return store.failure().error == StoreError::NotFound ? failed(Error::NotMember,
                       QStringLiteral("%1 is not a member of %2 (`room members %2` lists them)")
                           .arg(command.member.left(80), room->name))
                                                                 : storeFailed(store);
        }
        result.logLine = QStringLiteral("room %1: %2 removed").arg(room->name, command.member);
        break;
    }
    result.changed = room->id;
    result.lines << result.logLine;
    return result;
}

} // namespace QuietWire::RoomCommands
