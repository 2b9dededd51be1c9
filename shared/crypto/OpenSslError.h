#pragma once

// Internal to the Noise sources: not part of the public API.

#include <QString>
#include <openssl/err.h>

namespace QuietWire::Noise::Detail {

/// "what: <first OpenSSL error>" and an emptied OpenSSL error queue, so a stale entry never
/// gets blamed on a later, unrelated failure in the same thread.
inline QString openSslError(const char* what)
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return QString::fromLatin1(what);
    char buffer[256] = {};
    ERR_error_string_n(code, buffer, sizeof buffer);
    return QStringLiteral("%1: %2").arg(QLatin1String(what), QLatin1String(buffer));
}

} // namespace QuietWire::Noise::Detail
