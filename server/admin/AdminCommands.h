#pragma once

#include "ChatStore.h"
#include "ServerOptions.h"

#include <QString>
#include <QStringList>
#include <functional>

namespace QuietWire {

class ServerApp;

/// Where an administrator's command runs and where its output goes: offline (`quietwired allow
/// ...`: no server, the data dir's files, output on stdout and errors on stderr) or in the console
/// of a running server (its standard input or console.sock: the server's state, errors as
/// "error: ..." replies).
struct AdminContext
{
    enum class Where { Offline, Console };

    Where where = Where::Offline;
    /// The running server (Where::Console), else nullptr.
    ServerApp* server = nullptr;
    /// The data dir (Where::Offline; for the console, the server's).
    QString dataDir;
    /// --store (a PostgreSQL store); without a database name the SQLite file in dataDir.
    ChatStore::Options store;
    /// Offline: the shared folders (--rooms-root, else <dataDir>/rooms), where `room delete`
    /// keeps a deleted room's folder aside.
    QString roomsRoot;
    /// A console on console.sock (`quit` closes it, not the server).
    bool remoteConsole = false;
    /// One line (or lines) of output.
    std::function<void(const QString&)> print;
    /// Reports why the command failed; the command then returns Result::Failed.
    std::function<void(const QString&)> fail;
    /// Console only: a command that returned Result::Pending goes on in the background (the
    /// server keeps serving) and calls this once when it is over, true when it succeeded; the
    /// console takes its next line only then. print and fail stay usable until then.
    std::function<void(bool succeeded)> finish;

    QString authorizedKeysPath() const;
};

/// One administrator's command: its name, where it exists, its help lines and what it does. The
/// table (AdminCommands::all()) is the one list of commands: the offline subcommands, the console,
/// `help` and quietwired --help all read it, so `whitelist`, `allow`, `revoke` and `fingerprint`
/// exist once for both ways in.
struct AdminCommand
{
    enum class Result { Done, Failed, Quit, Pending };
    enum Availability : unsigned { Offline = 1, Console = 2, Both = Offline | Console };

    const char* name;
    const char* alias; // another name (the console's `exit`), or nullptr
    unsigned availability;
    /// Its lines in quietwired --help (offline) and in the console's `help`; nullptr where it has none.
    const char* offlineHelp;
    const char* consoleHelp;
    /// args: the words after the name; text: everything after the name, trimmed (for `say`).
    Result (*execute)(AdminContext& context, const QStringList& args, const QString& text);
};

/// Usage:
///     // offline: quietwired <command> <args...>
///     return AdminCommands::runOffline(ServerOptions::parse(app.arguments()));
///     // console: one line
///     const AdminCommand* command = AdminCommands::find(name, AdminContext::Where::Console);
///     command->execute(context, args, rest);
namespace AdminCommands {

const QList<AdminCommand>& all();
/// The command called name (or by its alias) that exists where; nullptr when there is none.
const AdminCommand* find(const QString& name, AdminContext::Where where);
/// The commands' lines for quietwired --help, and the console's `help` text.
QString offlineHelp();
QString consoleHelp();
/// Runs the offline command of options (Mode::Command: its name, words, data dir, store and rooms
/// root) with output on stdout and errors on stderr: the exit status.
int runOffline(const ServerOptions& options);

} // namespace AdminCommands

} // namespace QuietWire
