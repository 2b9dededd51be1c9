#pragma once

#include <QString>
#include <QStringList>
#include <functional>

namespace QuietWire {

/// `quietwired console [COMMAND...]`: the console of the server running on a data dir (the
/// service), through <data-dir>/console.sock.
namespace RemoteConsole {

/// With a command: runs it, prints the reply, and returns 1 if the reply is an error. Without:
/// an interactive console on standard input until end of input or `quit`. fail reports why the
/// console could not be reached (then 1).
int run(const QStringList& args, const QString& dataDir, const std::function<void(const QString&)>& fail);

} // namespace RemoteConsole

} // namespace QuietWire
