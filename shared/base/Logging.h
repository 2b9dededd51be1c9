#pragma once

#include <QLoggingCategory>
#include <QString>

namespace QuietWire {
Q_DECLARE_LOGGING_CATEGORY(lcNet)
Q_DECLARE_LOGGING_CATEGORY(lcServer)
Q_DECLARE_LOGGING_CATEGORY(lcAuth)
Q_DECLARE_LOGGING_CATEGORY(lcChat)
Q_DECLARE_LOGGING_CATEGORY(lcFiles)

namespace Logging {

/// An untrusted string (a service name, a path, a name from a key line) made fit for one log
/// line: control characters and the Unicode characters that break or reorder lines are shown as
/// escapes (\n, \r, \t, \\, \x1b, \u2028, ...), so nothing a peer sends can start a line of its own
/// or drive the administrator's terminal; past maxChars characters it is cut and says how much
/// was left out. Every untrusted string that reaches a log goes through here.
QString escaped(const QString& text, int maxChars = 120);

} // namespace Logging
} // namespace QuietWire
