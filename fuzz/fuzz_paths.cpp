// Path resolution: whatever the input, the result never leaves the home folder.
#include "FilePaths.h"

#include <cstdint>
#include <cstdlib>

using namespace QuietWire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    // A '|' splits the input into a current folder and a path.
    const qsizetype bar = text.indexOf(QLatin1Char('|'));
    QStringList cwd;
    if (bar >= 0) {
        const auto base = FilePaths::resolve({}, text.left(bar));
        if (!base) {
            return 0;
        }
        cwd = *base;
    }
    const auto resolved = FilePaths::resolve(cwd, bar >= 0 ? text.mid(bar + 1) : text);
    if (!resolved) {
        return 0;
    }
    for (const QString& component : *resolved) {
        if (component.isEmpty() || component == QLatin1String(".") || component == QLatin1String("..")
            || component.contains(QLatin1Char('/')) || component.contains(QChar(0)) || component == QLatin1String("~")
            || component.contains(QLatin1Char('\\')) || component.toUtf8().size() > FilePaths::MaxNameBytes) {
            abort();
        }
    }
    const QString host = FilePaths::toHost(QStringLiteral("/srv/home"), *resolved);
    if (!(host == QLatin1String("/srv/home") || host.startsWith(QLatin1String("/srv/home/")))) {
        abort();
    }
    return 0;
}
