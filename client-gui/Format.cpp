#include "Format.h"

#include <QLocale>

namespace QuietWire::Gui {

QString Format::size(qint64 bytes)
{
    const QLocale locale;
    if (bytes < 1024) {
        return tr("%1 B").arg(bytes);
    }
    double value = static_cast<double>(bytes) / 1024.0;
    if (value < 1024.0) {
        return tr("%1 KiB").arg(locale.toString(value, 'f', 1));
    }
    value /= 1024.0;
    if (value < 1024.0) {
        return tr("%1 MiB").arg(locale.toString(value, 'f', 1));
    }
    value /= 1024.0;
    return tr("%1 GiB").arg(locale.toString(value, 'f', 2));
}

QString Format::rate(double bytesPerSecond)
{
    return tr("%1/s").arg(size(static_cast<qint64>(bytesPerSecond)));
}

QString Format::duration(qint64 seconds)
{
    if (seconds < 0) {
        return QString();
    }
    if (seconds >= 3600) {
        return tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
    }
    if (seconds >= 60) {
        return tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    }
    return tr("%1 s").arg(seconds);
}

} // namespace QuietWire::Gui
