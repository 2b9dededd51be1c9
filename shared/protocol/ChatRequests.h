#pragma once

#include "ChatProtocol.h"

#include <QCborMap>
#include <QList>
#include <QString>
#include <optional>

/// The chat service's version-2 messages (docs/PROTOCOL.md section 7, "Version 2"): the
/// conversations a session starts with, requests for history, search, read markers and rooms,
/// their one answer `done`, and the events that tell every session of a user what changed. Like
/// the rest of ChatProtocol, each has one encoder (toCbor) and one decoder (decode).
///
/// Usage (server):
///     const auto request = ChatProtocol::HistoryRequest::decode(map);
///     if (!ChatProtocol::hasSeq(request)) { endSession(request.error->message); }
///     else if (!request.ok()) { reject(request.value.seq, request.error->code, request.error->message); }
///     ...
///     ChatProtocol::Done done { request.value.seq };
///     done.messages = page;
///     send(done.toCbor());
namespace QuietWire::ChatProtocol {

inline constexpr qint64 DefaultHistoryLimit = 50;
inline constexpr qint64 MaxHistoryLimit = 200;
inline constexpr qint64 DefaultSearchLimit = 20;
inline constexpr qint64 MaxSearchLimit = 100;
/// Longest search text, in UTF-8 bytes.
inline constexpr int MaxSearchBytes = 256;
/// Longest room topic, in UTF-8 bytes.
inline constexpr int MaxTopicBytes = 1024;

/// What a request points at: a conversation by id, a room by name, or the direct conversation
/// with a person (at most one of the three).
struct Target
{
    std::optional<qint64> conversation {};
    std::optional<QString> room {};
    std::optional<QString> with {};

    bool isEmpty() const { return !conversation && !room && !with; }
    bool operator==(const Target&) const = default;
};

enum class ConversationKind { Room, Direct };
enum class Role { Member, Owner };

/// One conversation as its member sees it.
struct ConversationSummary
{
    qint64 id = 0;
    ConversationKind kind = ConversationKind::Room;
    QString name; // a room's name; a direct conversation: the other person's name
    QString topic;
    bool isPrivate = false;
    Role role = Role::Member;
    qint64 unread = 0;
    qint64 lastRead = 0;
    std::optional<Message> last {}; // the newest message

    bool operator==(const ConversationSummary&) const = default;
};

/// After welcome (version 2): the user's conversations, as many of these as it takes.
struct Conversations
{
    static constexpr char Type[] = "conversations";
    QList<ConversationSummary> conversations;

    QCborMap toCbor() const;
    static Protocol::Decoded<Conversations> decode(const QCborMap& map);
    bool operator==(const Conversations&) const = default;
};

// Requests. Each carries seq, the client's counter shared with "message", answered by exactly one
// "done" or "rejected" with that seq; seq is read first (hasSeq()).

struct HistoryRequest
{
    static constexpr char Type[] = "history";
    qint64 seq = 0;
    Target target; // exactly one
    std::optional<qint64> before {}; // only messages with a smaller id; absent: the newest
    qint64 limit = DefaultHistoryLimit; // 1 to MaxHistoryLimit

    QCborMap toCbor() const;
    static Protocol::Decoded<HistoryRequest> decode(const QCborMap& map);
    bool operator==(const HistoryRequest&) const = default;
};

struct SearchRequest
{
    static constexpr char Type[] = "search";
    qint64 seq = 0;
    QString text; // the words, 1 to MaxSearchBytes bytes
    Target target; // at most one; empty: every conversation of the user
    std::optional<qint64> before {};
    qint64 limit = DefaultSearchLimit; // 1 to MaxSearchLimit

    QCborMap toCbor() const;
    static Protocol::Decoded<SearchRequest> decode(const QCborMap& map);
    bool operator==(const SearchRequest&) const = default;
};

/// The user has read conversation up to (and with) message upTo.
struct ReadRequest
{
    static constexpr char Type[] = "read";
    qint64 seq = 0;
    qint64 conversation = 0;
    qint64 upTo = 0;

    QCborMap toCbor() const;
    static Protocol::Decoded<ReadRequest> decode(const QCborMap& map);
    bool operator==(const ReadRequest&) const = default;
};

/// The public rooms and the user's private ones.
struct RoomsRequest
{
    static constexpr char Type[] = "rooms";
    qint64 seq = 0;

    QCborMap toCbor() const;
    static Protocol::Decoded<RoomsRequest> decode(const QCborMap& map);
    bool operator==(const RoomsRequest&) const = default;
};

/// What a user does to a room: one struct, its action in its type ("room_create", ...).
struct RoomRequest
{
    enum class Action { Create, Join, Leave, Invite, Remove, Topic, Delete, Members };
    Action action = Action::Create;
    qint64 seq = 0;
    QString room; // its name
    QString member; // Invite, Remove
    QString topic; // Create (optional), Topic
    bool isPrivate = false; // Create (optional)

    static QString typeName(Action action);
    static std::optional<Action> actionOf(QStringView type);
    QCborMap toCbor() const;
    static Protocol::Decoded<RoomRequest> decode(const QCborMap& map);
    bool operator==(const RoomRequest&) const = default;
};

/// seq of any request was read and is usable (also when another field failed: the answer is then
/// "rejected"); without it the session ends.
bool seqUsable(const std::optional<Protocol::DecodeError>& error);
template <typename Request>
bool hasSeq(const Protocol::Decoded<Request>& decoded)
{
    return seqUsable(decoded.error);
}

// The one answer to a request, and its parts.

struct SearchHit
{
    qint64 id = 0;
    qint64 conversation = 0;
    QString from;
    QString fingerprint;
    QDateTime time;
    QString snippet; // text around the hits
    QList<std::pair<qint64, qint64>> marks; // each hit in snippet: [start, end) in code points
    std::optional<Attachment> attachment {}; // the message's file, as in a message

    bool operator==(const SearchHit&) const = default;
};

struct RoomInfo
{
    qint64 id = 0;
    QString name;
    QString topic;
    bool isPrivate = false;
    qint64 members = 0;
    bool joined = false;

    bool operator==(const RoomInfo&) const = default;
};

struct RoomMember
{
    QString name;
    Role role = Role::Member;

    bool operator==(const RoomMember&) const = default;
};

/// A request was carried out. Which fields it has depends on the request (the client knows what
/// it asked by seq): history: conversation, messages (newest first), more; search: hits, more;
/// rooms: rooms; room_members: members; room_create and room_join: conversation; the rest: none.
struct Done
{
    static constexpr char Type[] = "done";
    qint64 seq = 0;
    std::optional<qint64> conversation {};
    std::optional<QList<Message>> messages {};
    std::optional<QList<SearchHit>> hits {};
    std::optional<QList<RoomInfo>> rooms {};
    std::optional<QList<RoomMember>> members {};
    bool more = false; // history, search: older results exist (ask with before = the last id)

    QCborMap toCbor() const;
    static Protocol::Decoded<Done> decode(const QCborMap& map);
    bool operator==(const Done&) const = default;
};

// Events, to every session of the user concerned.

/// The user's read marker of a conversation moved (from any of its sessions).
struct ReadMarker
{
    static constexpr char Type[] = "read_marker";
    qint64 conversation = 0;
    qint64 lastRead = 0;
    qint64 unread = 0;

    QCborMap toCbor() const;
    static Protocol::Decoded<ReadMarker> decode(const QCborMap& map);
    bool operator==(const ReadMarker&) const = default;
};

/// The user was added to a conversation, or it changed (topic, role).
struct RoomChanged
{
    static constexpr char Type[] = "room";
    ConversationSummary conversation;

    QCborMap toCbor() const;
    static Protocol::Decoded<RoomChanged> decode(const QCborMap& map);
    bool operator==(const RoomChanged&) const = default;
};

/// The user is no longer in a room: left, removed, or the room was deleted.
struct RoomGone
{
    static constexpr char Type[] = "room_gone";
    enum class Reason { Left, Removed, Deleted };
    qint64 conversation = 0;
    QString room;
    Reason reason = Reason::Left;

    QCborMap toCbor() const;
    static Protocol::Decoded<RoomGone> decode(const QCborMap& map);
    bool operator==(const RoomGone&) const = default;
};

} // namespace QuietWire::ChatProtocol
