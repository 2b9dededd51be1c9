#pragma once

#include <QCoreApplication>
#include <QString>

namespace QuietWire::Gui {

/// Sizes, rates and durations for people, in the current language.
class Format
{
    Q_DECLARE_TR_FUNCTIONS(Format)

public:
    static QString size(qint64 bytes);
    static QString rate(double bytesPerSecond);
    /// "1 h 5 min", "3 min 20 s", "12 s"; "" for a negative or unknown duration.
    static QString duration(qint64 seconds);
};

} // namespace QuietWire::Gui
