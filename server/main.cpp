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

} // namespace

int main(int argc, char* argv[])
{
    EpollEventDispatcher::installForMainThread(); // QUIETWIRE_EVENT_DISPATCHER=qt keeps Qt's own
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
        return AdminCommands::runOffline(options);
    }
    if (!options.error.isEmpty()) {
        return fail(options.error);
    }
    return runServer(options);
}
