#pragma once

#include <QString>
#include <QStringList>
#include <functional>

namespace QuietWire {

/// `quietwired console [COMMAND...]`: the console of the server running on a data dir (the
/// service), through <data-dir>/console.sock. forward() is the same connection for an offline
/// command that must go through the running server (`quietwired room ...` while it runs).
///
/// Usage:
///     return RemoteConsole::run(args, dataDir, fail); // the exit status
///     return RemoteConsole::forward("room delete plans", dataDir, print, fail);
namespace RemoteConsole {

/// With a command: runs it, prints the reply, and returns 1 if the reply is an error. Without:
/// an interactive console on standard input until end of input or `quit`. fail reports why the
/// console could not be reached (then 1).
int run(const QStringList& args, const QString& dataDir, const std::function<void(const QString&)>& fail);

/// Runs one command line on the running server's console: the reply's lines go to print, or, when
/// the reply is an error, its message (without "error: ") to fail and the result is 1. fail also
/// reports why the console could not be reached.
int forward(const QString& line, const QString& dataDir, const std::function<void(const QString&)>& print,
    const std::function<void(const QString&)>& fail);

} // namespace RemoteConsole

} // namespace QuietWire
