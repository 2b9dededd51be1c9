#include "ErrorCode.h"

#include <iterator>

namespace QuietWire {

namespace {
struct WireCode
{
    ErrorCode code;
    const char* text;
};

// The one table of wire spellings (docs/PROTOCOL.md sections 4, 7 and 8).
constexpr WireCode WireCodes[] = {
    { ErrorCode::Unauthorized, "unauthorized" },
    { ErrorCode::Busy, "busy" },
    { ErrorCode::BadRequest, "bad_request" },
    { ErrorCode::UnknownService, "unknown_service" },
    { ErrorCode::Revoked, "revoked" },
    { ErrorCode::Kicked, "kicked" },
    { ErrorCode::Shutdown, "shutdown" },
    { ErrorCode::TooManySessions, "too_many_sessions" },
    { ErrorCode::NotFound, "not_found" },
    { ErrorCode::Exists, "exists" },
    { ErrorCode::NotEmpty, "not_empty" },
    { ErrorCode::Permission, "permission" },
    { ErrorCode::Quota, "quota" },
    { ErrorCode::BadPath, "bad_path" },
    { ErrorCode::Io, "io" },
    { ErrorCode::Mismatch, "mismatch" },
    { ErrorCode::BadName, "bad_name" },
    { ErrorCode::Unavailable, "unavailable" },
};
} // namespace

QString wireName(ErrorCode code)
{
    for (const WireCode& entry : WireCodes) {
        if (entry.code == code)
            return QString::fromLatin1(entry.text);
    }
    return QString();
}

ErrorCode errorCodeFromWire(QStringView text)
{
    if (text.isEmpty())
        return ErrorCode::None;
    for (const WireCode& entry : WireCodes) {
        if (text == QLatin1String(entry.text))
            return entry.code;
    }
    return ErrorCode::Unknown;
}

bool isWireCode(ErrorCode code)
{
    return !wireName(code).isEmpty();
}

bool Failure::isInterruption() const
{
    return code == ErrorCode::ConnectionLost || code == ErrorCode::Shutdown || code == ErrorCode::Busy;
}

} // namespace QuietWire
