#pragma once

#include <QString>
#include <QStringView>

namespace QuietWire {

/// Every error a QuietWire program reports, in one enum: the codes that travel on the wire (the
/// fatal `error` of docs/PROTOCOL.md section 4, chat's `rejected`, files' `failed`) and the
/// client's own failures, which never do. The wire spelling of each code is in one table
/// (ErrorCode.cpp); nothing else spells a code as a string. Programs switch on the enum.
///
/// Usage:
///     const ErrorCode code = errorCodeFromWire(fields.text("code")); // Unknown if not in the table
///     if (code == ErrorCode::Revoked) { ... }
///     out.insert(QStringLiteral("code"), wireName(ErrorCode::NotFound));   // "not_found"
enum class ErrorCode {
    None,
    // Fatal errors (section 4).
    Unauthorized,
    Busy, // also files: another upload to the same name is running
    BadRequest, // also chat and files
    UnknownService,
    Revoked,
    Kicked,
    Shutdown,
    TooManySessions,
    // Chat `rejected` and files `failed` (sections 7, 8).
    NotFound,
    Exists,
    NotEmpty,
    Permission,
    Quota,
    BadPath,
    Io,
    Mismatch,
    BadName, // chat: a room name outside the rule (letters, digits, "._-", 1 to 64)
    Unavailable, // chat: the server's store cannot take or serve it now (nothing was stored); try again
    /// A code this program does not know (a newer server sent it); the message still says what.
    Unknown,
    // The client's own, never on the wire.
    ConnectionLost, // the connection failed, or closed before the answer came
    LocalFile, // a file on this machine could not be read or written
    ServerKeyNotTrusted, // the server's key is not pinned yet, or not the pinned one (nothing was sent)
};

/// "not_found" for NotFound; empty for None, Unknown and the client's own kinds.
QString wireName(ErrorCode code);
/// The code spelled text on the wire; Unknown for any text not in the table (None for none).
ErrorCode errorCodeFromWire(QStringView text);
/// False for None, Unknown and the client's own kinds.
bool isWireCode(ErrorCode code);

/// A failed request or session as a client sees it: a code and a message for a person.
struct Failure
{
    ErrorCode code = ErrorCode::None;
    QString message;

    bool failed() const { return code != ErrorCode::None; }
    /// The connection, not the request, was the problem: a new session may get past it
    /// (ConnectionLost, Shutdown, Busy).
    bool isInterruption() const;
};

} // namespace QuietWire
