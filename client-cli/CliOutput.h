#pragma once

#include "ErrorCode.h"

#include <QString>
#include <QTextStream>

namespace QuietWire::Cli {

inline QTextStream& out()
{
    static QTextStream stream(stdout);
    return stream;
}

inline QTextStream& err()
{
    static QTextStream stream(stderr);
    return stream;
}

inline int fail(const QString& message, int code = 1)
{
    err() << "quietwire-cli: " << message << Qt::endl;
    return code;
}

/// " (not_found)" after an error message: the server's code, for scripts and bug reports. The
/// client's own failures (connection lost, a local file) have no wire code; their message says it.
inline QString codeSuffix(ErrorCode code)
{
    const QString name = wireName(code);
    return name.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(name);
}

} // namespace QuietWire::Cli
