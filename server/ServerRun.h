#pragma once

namespace QuietWire {

struct ServerOptions;

/// quietwired without a command: loads (or creates) the server key, starts the server, turns
/// SIGINT/SIGTERM/SIGHUP into a stop and a whitelist reload, opens the console on standard input
/// and on <data-dir>/console.sock, prints the banner and runs the event loop until asked to stop.
/// Needs a QCoreApplication; returns the exit status (1 once the reason is printed on stderr).
int runServer(const ServerOptions& options);

} // namespace QuietWire
