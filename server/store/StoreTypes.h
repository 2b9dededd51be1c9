#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace QuietWire {

/// Why the store could not do something. Every failure carries one of these and a message that
/// names the file (or server) and the way out.
enum class StoreError {
    None,
    Unavailable, // the database cannot be opened (no driver, no permission, no server)
    Corrupt, // not a QuietWire store, or damaged: restore from a backup
    NewerSchema, // written by a newer quietwired: upgrade, or restore an older backup
    Locked, // another process holds it (another quietwired, or a tool with a write open)
    Io, // a statement failed (disk full, ...)
    NotFound, // no such conversation or message
    NotMember, // the sender is not a member of the conversation (a message that asked for it)
    Exists, // a room of that name exists already
    Unsupported, // the backend cannot do this (e.g. backup of a PostgreSQL store: use pg_dump)
    Refused, // the caller's own check refused the change (editWhitelist): nothing was changed
};

struct StoreFailure
{
    StoreError error = StoreError::None;
    QString message;
};

/// A conversation: a room, or the direct conversation of two names.
struct Conversation
{
    enum class Kind { Room = 1, Direct = 2 };
    qint64 id = 0;
    Kind kind = Kind::Room;
    /// A room's name; for a direct conversation the two whitelist names, sorted, joined by a space.
    QString name;
    QString topic;
    bool isPrivate = false;
    qint64 createdMs = 0;
};

enum class MemberRole { Member = 1, Owner = 2 };

/// A file a message refers to, in its conversation's shared folder (docs/PROTOCOL.md section 7,
/// "Attachments"): the path as the file service names it, and the size and SHA-256 the server
/// checked when the message was sent. An empty path: the message has none.
struct StoredAttachment
{
    QString path; // "/rooms/lab/attachments/2026-12-01/report.pdf"
    qint64 size = 0;
    QByteArray sha256; // the 32 bytes of the digest

    bool isEmpty() const { return path.isEmpty(); }
    bool operator==(const StoredAttachment&) const = default;
};

struct StoredMessage
{
    qint64 id = 0;
    qint64 conversation = 0;
    QString sender; // whitelist name at the time it was sent
    QString fingerprint; // the sender key's fingerprint
    QString clientId; // the sender's own id of the message (empty: none given)
    qint64 timeMs = 0; // server time, ms since the epoch (UTC)
    QString text;
    bool notice = false; // from the administrator, or a change in a shared folder (sender: who made it)
    StoredAttachment attachment; // schema 3; empty: none

    bool operator==(const StoredMessage&) const = default;
};

/// One conversation as a user sees it: unread count and the newest message.
struct ConversationSummary
{
    Conversation conversation;
    qint64 lastRead = 0;
    qint64 unread = 0;
    StoredMessage last; // id 0 when the conversation has no messages
};

struct SearchHit
{
    StoredMessage message;
    QString snippet; // a part of the text around the hits, each hit between the markers asked for
};

} // namespace QuietWire
