// quietwired: the QuietWire server and its offline administration subcommands. The work is in
// quietwired_core; here the command line is parsed and the server or the command started.

#include "AdminCommands.h"
#include "EpollEventDispatcher.h"
#include "LogOutput.h"
#include "Privileges.h"
#include "ServerOptions.h"
#include "ServerRun.h"
#include "Version.h"

#include <QCoreApplication>
#include <QTextStream>

using namespace QuietWire;

namespace {

int fail(const QString& message)
{
    QTextStream(stderr) << "quietwired: " << message << Qt::endl;
    return 1;
}

/// The main thread's loop on epoll (EpollEventDispatcher) unless QUIETWIRE_EVENT_DISPATCHER=qt asks
/// for Qt's own, for a comparison; Qt's stays when epoll cannot be set up.
void installEventDispatcher()
{
    if (qEnvironmentVariable("QUIETWIRE_EVENT_DISPATCHER") == QLatin1String("qt")) {
        return;
    }
    auto* dispatcher = new EpollEventDispatcher;
    if (dispatcher->isValid()) {
        QCoreApplication::setEventDispatcher(dispatcher);
    } else {
        delete dispatcher;
    }
}

} // namespace

int main(int argc, char* argv[])
{
    installEventDispatcher();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("quietwired"));
    QCoreApplication::setOrganizationName(QStringLiteral("QuietWire"));
    QCoreApplication::setApplicationVersion(QStringLiteral(QUIETWIRE_VERSION));
    // Under systemd the journal stamps every line itself (JOURNAL_STREAM is set for its streams).
    LogOutput::install(!qEnvironmentVariableIsSet("JOURNAL_STREAM"));

    const ServerOptions options = ServerOptions::parse(app.arguments());
    if (options.mode == ServerOptions::Mode::Version) {
        QTextStream(stdout) << versionText(QStringLiteral("quietwired")) << Qt::flush;
        return 0;
    }
    QString error;
    if (!Privileges::becomeOwnerOf(options.dataDir, &error)) {
        return fail(error);
    }
    if (!options.usageError.isEmpty()) {
        return fail(options.usageError);
    }
    if (options.mode == ServerOptions::Mode::Command) {
        return AdminCommands::runOffline(options.command, options.arguments, options.dataDir, options.store);
    }
    if (!options.error.isEmpty()) {
        return fail(options.error);
    }
    return runServer(options);
}
