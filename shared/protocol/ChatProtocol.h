#pragma once

#include "ErrorCode.h"
#include "Protocol.h"

#include <QCborMap>
#include <QDateTime>
#include <QList>
#include <QString>
#include <optional>

/// Messages of the "chat" service (docs/PROTOCOL.md, section 7) as structs, encoded and decoded in
/// one place (ChatProtocol.cpp).
///
/// Usage:
///     socket->sendMessage(Protocol::encode(ChatProtocol::Accepted { seq, id }.toCbor()));
///     const auto send = ChatProtocol::Send::decode(map);                   // Decoded<Send> (Decoded.h)
///     if (!send.ok()) { reject(send.value.seq, send.error->message); }     // the error names the field
/// Any message by its type: ChatMessages.h (decodeServerMessage, decodeClientMessage).
namespace QuietWire {
class MessageFields;
}

namespace QuietWire::ChatProtocol {

/// Longest chat text accepted, in UTF-8 bytes.
inline constexpr int MaxTextBytes = 16 * 1024;
inline constexpr int HistorySize = 100;
/// Members listed per welcome / members message, so that each fits one transport message (an
/// entry is at most ~250 bytes: a 32-character name in 4-byte UTF-8, a fingerprint, the keys).
inline constexpr qsizetype MembersPerMessage = 200;
/// The chat protocol versions: 1 (one room, replay on join), 2 (conversations, history and search
/// on request) and 3 (version 2 with presence: the sessions that started and ended, several in one
/// message, instead of a join or leave each). A hello without a version is 1; the server answers
/// with the version it speaks in welcome (absent: 1).
inline constexpr qint64 Version1 = 1;
inline constexpr qint64 Version2 = 2;
inline constexpr qint64 Version3 = 3;
inline constexpr qint64 CurrentVersion = Version3;
/// Longest client id of a message, in UTF-8 bytes.
inline constexpr int MaxClientIdBytes = 64;

struct Member
{
    QString name;
    QString fingerprint;

    bool operator==(const Member&) const = default;
};

/// A file a message refers to, in its conversation's shared folder (section 7, "Attachments").
/// A client sends path, size and sha256; the server sends all of them, with name and removed.
struct Attachment
{
    QString path; // as the file service names it: "/rooms/lab/attachments/2026-12-01/report.pdf"
    qint64 size = 0;
    QByteArray sha256; // the 32 bytes of the SHA-256 digest
    // Server to client:
    QString name; // the path's last component
    bool removed = false; // the file is gone from that path, or no longer has that size

    /// The "attachment" map: path, size, sha256, and (serverSide) name and removed.
    QCborMap toCbor(bool serverSide) const;
    /// Reads the "attachment" map of fields (which has() it), every field type-checked; a problem
    /// is reported on fields, naming the inner field ("attachment.size").
    static Attachment read(MessageFields& fields, bool serverSide);
    bool operator==(const Attachment&) const = default;
};

// Server to client (section 7's first table). Each encodes in toCbor() and decodes in decode(),
// the only places that know its keys; decode() checks the type and gives a Protocol::DecodeError
// (BadRequest, naming the field) for a field missing or of the wrong type.

/// First, right after the hello: who you are and (the first MembersPerMessage of) who is there.
struct Welcome
{
    static constexpr char Type[] = "welcome";
    QString name;
    QString fingerprint;
    QList<Member> members; // the others
    std::optional<qint64> version {}; // the version the server speaks in this session (absent: 1)

    QCborMap toCbor() const;
    static Protocol::Decoded<Welcome> decode(const QCborMap& map);
    bool operator==(const Welcome&) const = default;
};

/// The rest of a long member list, after the welcome.
struct Members
{
    static constexpr char Type[] = "members";
    QList<Member> members;

    QCborMap toCbor() const;
    static Protocol::Decoded<Members> decode(const QCborMap& map);
    bool operator==(const Members&) const = default;
};

/// A room or direct message ("message"), or the administrator's notice ("notice").
struct Message
{
    static constexpr char Type[] = "message";
    static constexpr char NoticeType[] = "notice";
    qint64 id = 0;
    QString from; // whitelist name of the sender ("" for a server notice)
    QString fingerprint; // sender's key fingerprint ("" for a notice)
    QString to; // for a direct message: the recipient's name
    QString text;
    QDateTime time;
    bool history = false; // replayed on join, or a page of a history request
    bool notice = false; // from the administrator, or a change in a conversation's shared folder
    // Version 2 (absent in version 1 sessions):
    std::optional<qint64> conversation {}; // the conversation's id
    QString room; // a room message: the room's name
    QString clientId; // the sender's own id of the message, when it gave one
    std::optional<Attachment> attachment {}; // a file in the conversation's shared folder

    QCborMap toCbor() const;
    static Protocol::Decoded<Message> decode(const QCborMap& map);
    bool operator==(const Message&) const = default;
};

/// After welcome, the rest of the member list and the replayed history: what follows is live.
struct HistoryEnd
{
    static constexpr char Type[] = "history_end";

    QCborMap toCbor() const;
    static Protocol::Decoded<HistoryEnd> decode(const QCborMap& map);
    bool operator==(const HistoryEnd&) const = default;
};

/// Another member's session started.
struct Join
{
    static constexpr char Type[] = "join";
    Member member;

    QCborMap toCbor() const;
    static Protocol::Decoded<Join> decode(const QCborMap& map);
    bool operator==(const Join&) const = default;
};

/// Another member's session ended.
struct Leave
{
    static constexpr char Type[] = "leave";
    Member member;

    QCborMap toCbor() const;
    static Protocol::Decoded<Leave> decode(const QCborMap& map);
    bool operator==(const Leave&) const = default;
};

/// Version 3, instead of join and leave: the other sessions that started (joined) and ended (left)
/// since the last presence (or the welcome), at most MembersPerMessage entries in all. A member
/// may be in both (one session ended, another of the same key started): the lists are counts, so
/// apply joined, then left.
struct Presence
{
    static constexpr char Type[] = "presence";
    QList<Member> joined;
    QList<Member> left;

    QCborMap toCbor() const;
    static Protocol::Decoded<Presence> decode(const QCborMap& map);
    bool operator==(const Presence&) const = default;
};

/// The server took your message seq and gave it id (sent before the echo).
struct Accepted
{
    static constexpr char Type[] = "accepted";
    qint64 seq = 0;
    qint64 id = 0;
    // Version 2:
    std::optional<qint64> conversation {}; // where the message was stored
    bool duplicate = false; // a resend of a message already stored under its client id: not sent again
    bool waiting = false; // a direct message to a name with no session now: kept until they come

    QCborMap toCbor() const;
    static Protocol::Decoded<Accepted> decode(const QCborMap& map);
    bool operator==(const Accepted&) const = default;
};

/// Your message seq was not delivered.
struct Rejected
{
    static constexpr char Type[] = "rejected";
    qint64 seq = 0;
    ErrorCode code = ErrorCode::None; // BadRequest, NotFound; Unknown for a code this program does not know
    QString message; // for a person

    QCborMap toCbor() const;
    static Protocol::Decoded<Rejected> decode(const QCborMap& map);
    bool operator==(const Rejected&) const = default;
};

// Client to server (section 7's second table).

/// A message for the room, or for one member when to is set.
struct Send
{
    static constexpr char Type[] = "message";
    qint64 seq = 0; // the client's own counter, echoed in accepted / rejected
    QString text;
    std::optional<QString> to {}; // present: a member's name (never empty); absent: the room
    std::optional<QString> room {}; // version 2: a room by name (not with to); absent: general
    /// Version 2: the client's own id of this message (1 to MaxClientIdBytes bytes, no control
    /// characters), so a resend after a reconnect is recognised and stored once.
    std::optional<QString> clientId {};
    /// Version 2: a file in the conversation's shared folder (path, size, sha256); text may then
    /// be empty.
    std::optional<Attachment> attachment {};

    QCborMap toCbor() const;
    /// Also refuses an empty "to" (it must never pass for a room message); the text's content
    /// (checkText()) is the receiver's to judge. seq is read first: see hasSeq().
    static Protocol::Decoded<Send> decode(const QCborMap& map);
    /// Whether decoded.value.seq was read and is usable, also when another field failed: the
    /// answer is then "rejected" for that seq, and without one the session ends (docs/PROTOCOL.md
    /// section 7).
    static bool hasSeq(const Protocol::Decoded<Send>& decoded);
    bool operator==(const Send&) const = default;
};

/// Why a chat text cannot be sent. The server refuses such text (bad_request), the console's
/// `say` and the clients too, before it goes out.
enum class TextError {
    None,
    Empty, // nothing but white space
    TooLong, // more than MaxTextBytes in UTF-8
    ControlCharacter, // C0 (but newline and tab), DEL or C1: CR, ESC... would let a sender draw
                      // "alice: ..." lines or run escape sequences in other members' terminals
};
/// A client id a message may carry: 1 to MaxClientIdBytes UTF-8 bytes, no control characters.
bool isValidClientId(const QString& clientId);
/// The first problem of text; position gets the index of a control character.
TextError checkText(const QString& text, qsizetype* position = nullptr);
/// A message for a person, naming the problem (and the character: "U+001B at position 5").
QString describe(TextError error, const QString& text, qsizetype position);
/// The line a version-1 client gets for an attachment, appended to the message's text:
/// "[file report.pdf, 12,345 bytes: /rooms/general/attachments/2026-12-01/report.pdf]" (and
/// ", removed" after the size when it is).
QString attachmentLine(const Attachment& attachment);

} // namespace QuietWire::ChatProtocol
