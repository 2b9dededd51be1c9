#pragma once

#include <QSet>
#include <QString>
#include <QStringList>

namespace QuietWire {

class ChatStore;

/// The administrator's room commands (`rooms`, `room create|delete|topic|members|add|remove`):
/// the words parsed into a Command, then the Command run on a ChatStore. Offline the caller opens
/// the store itself (holding the data dir's lock); on the console of a running server it runs on
/// the server's StoreThread and the chat reloads the conversation the result names. The whitelist
/// names come from the caller (the file offline, the server's Whitelist on the console).
///
/// Usage:
///     RoomCommands::Command command;
///     QString error;
///     if (!RoomCommands::parse(action, words, &command, &error)) { fail(error); }
///     const RoomCommands::Result result = RoomCommands::run(store, command, names, nowMs);
///     if (result.error != RoomCommands::Error::None) { fail(result.message); }
///     for (const QString& line : result.lines) { print(line); }
///     if (result.changed) { chat->reload(result.changed); }
namespace RoomCommands {

struct Command
{
    enum class Action { List, Create, Delete, Topic, Members, Add, Remove };

    Action action = Action::List;
    QString room;
    /// Add, Remove: the member; Create: the owner (empty: none).
    QString member;
    /// Create (--topic), Topic; white space runs are one space.
    QString topic;
    bool isPrivate = false; // Create: --private
    bool owner = false; // Add: --owner

    /// The command as words for the console (parse() reads them back to the same Command).
    QStringList words() const;
};

enum class Error {
    None,
    Usage, // the words do not make a command
    BadName, // not a room name (ChatStore::isValidRoomName)
    BadTopic, // control characters, or longer than ChatProtocol::MaxTopicBytes
    UnknownRoom,
    UnknownMember, // not a name on the whitelist
    NotMember, // remove: not a member of the room
    Exists, // create: a room of that name exists
    General, // general cannot be deleted, nor anyone removed from it
    Store, // the store failed (its message says why)
};

struct Result
{
    Error error = Error::None;
    /// Why it failed (error != None), for the administrator.
    QString message;
    /// What to print.
    QStringList lines;
    /// The conversation the command changed (0: none): the running server's chat reloads it.
    qint64 changed = 0;
    /// One line for the server's log saying what changed (empty when nothing did).
    QString logLine;
};

/// The usage lines of both commands.
QString usage();
/// Reads `rooms` (name "rooms", no words) or `room ACTION ...` (name "room"). False with error set
/// (the usage) when the words do not make a command.
bool parse(const QString& name, const QStringList& words, Command* command, QString* error);
/// Runs command on store. whitelistNames: the names on the whitelist, which members and owners
/// must be. nowMs: a new room's creation time.
Result run(ChatStore& store, const Command& command, const QSet<QString>& whitelistNames, qint64 nowMs);

} // namespace RoomCommands

} // namespace QuietWire
