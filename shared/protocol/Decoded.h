#pragma once

#include "ErrorCode.h"

#include <QString>
#include <optional>

/// What every wire message's decoder gives (Protocol, ChatProtocol, FileProtocol): the one shape
/// of `static Decoded<X> decode(const QCborMap&)`. A field missing or of the wrong type is a
/// DecodeError naming it (read through MessageFields, never as a default); the wire answer to it
/// is bad_request with its message (docs/PROTOCOL.md section 4).
///
/// Usage:
///     const auto hello = Protocol::Hello::decode(map);
///     if (!hello.ok()) { fail(hello.error->code, hello.error->message); return; }
///     use(hello.value.service);
namespace QuietWire::Protocol {

/// Why a received message could not be read.
struct DecodeError
{
    ErrorCode code = ErrorCode::BadRequest;
    QString message; // names the field and what it must be: "field \"to\" must be a text string"
    QString field; // the first field that was missing or wrong

    bool operator==(const DecodeError&) const = default;
};

/// A decoded message, or the first problem with it.
template <typename Message>
struct Decoded
{
    /// Complete only when ok(). After a failure it holds the fields read before the failed one
    /// (the decoders read a message's fields in the order docs/PROTOCOL.md checks them: a files
    /// request's id and paths, chat's seq first), and nothing may be carried out with it.
    Message value {};
    std::optional<DecodeError> error;

    bool ok() const { return !error.has_value(); }
};

} // namespace QuietWire::Protocol
