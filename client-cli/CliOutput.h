#pragma once

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

} // namespace QuietWire::Cli
