#pragma once

#include "ServerApp.h"

#include <QString>
#include <QStringList>

namespace QuietWire {

/// quietwired's command line, parsed in one place: the QCommandLineParser with every option and
/// the --help text is built here, and its values land in this struct. A value that does not parse
/// is kept as a message (error) for main() to report where the program used to: the offline
/// commands never read the server's options, so a bad --port does not stop `quietwired allow`.
///
/// Usage:
///     const ServerOptions options = ServerOptions::parse(app.arguments()); // --help prints and exits
///     if (options.mode == ServerOptions::Mode::Serve && !options.error.isEmpty()) { fail(options.error); }
struct ServerOptions
{
    enum class Mode {
        Serve, // no command: run the server
        Command, // an offline command (command, arguments)
        Version, // --version
    };

    Mode mode = Mode::Serve;
    QString dataDir; // absolute; the default one when --data-dir is not given
    /// --store URL (serving and the offline commands alike); the SQLite file in dataDir without it.
    ChatStore::Options store;
    /// --rooms-root (absolute), empty without it: the shared folders, for serving and for the
    /// offline `room delete`, which keeps a deleted room's folder aside as the server does.
    QString roomsRoot;
    QString command;
    /// The command's words, with --same-person among them when it was given.
    QStringList arguments;
    /// --same-person without `allow`: reported after the privilege drop, before the command runs.
    QString usageError;
    /// The server's options (Mode::Serve), valid when error is empty.
    ServerApp::Options server;
    QString error;

    /// Parses a command line (arguments[0] is the program), QCoreApplication::arguments() in
    /// quietwired; --help, --version's text and an unknown option print and exit the process, as
    /// QCommandLineParser::process() does.
    static ServerOptions parse(const QStringList& arguments);
    /// The data dir without --data-dir: the service's state directory for root and for the
    /// service's own user (so `sudo quietwired allow ...` administers the installed service), the
    /// user's application data folder for everyone else.
    static QString defaultDataDir();
    /// "7401-7464" or "7401": false when it is not a range of ports.
    static bool parsePortRange(const QString& text, quint16* first, quint16* last);
};

} // namespace QuietWire
