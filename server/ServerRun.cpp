#include "ServerRun.h"

#include "AdminConsole.h"
#include "DataDirLock.h"
#include "FileArea.h"
#include "FileLimit.h"
#include "Identity.h"
#include "Logging.h"
#include "Protocol.h"
#include "ServerApp.h"
#include "ServerOptions.h"
#include "SignalHandler.h"
#include "Whitelist.h"

#include <QCoreApplication>
#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>
#include <QSysInfo>
#include <QTextStream>

namespace QuietWire {

namespace {

void reloadWhitelist(ServerApp& server)
{
    QString error;
    if (server.whitelist()->reload(&error)) {
        qCInfo(lcAuth).noquote() << "SIGHUP: whitelist re-read:" << server.whitelist()->keys().entries().size()
                                 << "key(s) from" << server.whitelist()->path();
    } else {
        qCWarning(lcAuth).noquote() << "SIGHUP: whitelist not reloaded, the previous one stays in force:" << error;
    }
}

/// "at most N at once (open files: limit L)" for the banner; a warning when the limit could not be
/// raised, or when the whitelist's keys could open more sessions than fit.
QString sessionLine(const FileLimit& limit, qint64 capacity, const ServerApp& server)
{
    if (!limit.error.isEmpty()) {
        qCWarning(lcServer).noquote() << "could not raise the open-files limit from" << limit.before << "to"
                                      << limit.hard << "-" << limit.error;
    }
    if (capacity < 0) {
        return QStringLiteral("no limit on open files");
    }
    const qint64 allowed
        = static_cast<qint64>(server.whitelist()->keys().entries().size()) * server.options().maxSessionsPerKey;
    if (capacity < allowed) {
        qCWarning(lcServer).noquote()
            << "this server can hold" << capacity << "sessions at once (open-files limit" << limit.soft
            << "), fewer than the whitelist's keys may open (" << allowed
            << "); raise the hard limit (LimitNOFILE= in the service unit, or ulimit -Hn) to hold more";
    }
    return QStringLiteral("at most %1 at once (open-files limit %2)").arg(capacity).arg(limit.soft);
}

} // namespace

int runServer(const ServerOptions& options)
{
    QTextStream out(stdout);
    const auto fail = [](const QString& message) {
        QTextStream(stderr) << "quietwired: " << message << Qt::endl;
        return 1;
    };
    // Every session is a socket: the soft limit (1024 by default) would cap the server long before
    // its memory does. Raised before anything is opened.
    const FileLimit fileLimit = FileLimit::raise();
    QString error;
    bool created = false;
    const auto identity = Identity::loadOrCreate(
        options.dataDir, QStringLiteral("quietwired@%1").arg(QSysInfo::machineHostName()), &error, &created);
    if (!identity) {
        return fail(error);
    }

    // One server per data dir.
    DataDirLock running(options.dataDir);
    if (!running.acquire(&error)) {
        return fail(error);
    }

    ServerApp server(*identity, options.server);
    if (!server.start(&error)) {
        return fail(error);
    }

    SignalHandler signalHandler;
    QObject::connect(&signalHandler, &SignalHandler::reloadRequested, &server, [&server] { reloadWhitelist(server); });
    QObject::connect(&signalHandler, &SignalHandler::stopRequested, &server, [] {
        qInfo("signal received, stopping");
        QCoreApplication::quit();
    });
    signalHandler.install();

    // The console for `quietwired console`, on a Unix socket only the data dir's owner (and root)
    // can reach: the data dir is 0700 and the socket 0600. It listens before the banner says the
    // server is ready.
    QLocalServer consoleServer;
    consoleServer.setSocketOptions(QLocalServer::UserAccessOption);
    const QString consolePath = QDir(options.dataDir).filePath(QLatin1String(AdminConsole::SocketName));
    QLocalServer::removeServer(consolePath);
    if (consoleServer.listen(consolePath)) {
        QObject::connect(&consoleServer, &QLocalServer::newConnection, &consoleServer, [&consoleServer, &server] {
            while (QLocalSocket* socket = consoleServer.nextPendingConnection()) {
                new AdminConsole(&server, socket);
            }
        });
    } else {
        qWarning().noquote() << "no console socket at" << consolePath << "(" << consoleServer.errorString()
                             << "); `quietwired console` will not reach this server";
    }

    const ServerApp::Options& settings = options.server;
    // Set aside: a descriptor for every handshake and every session ticket's listener the options allow at once.
    const qint64 reserved
        = settings.network.maxHandshakes + (settings.network.sessionPortLast - settings.network.sessionPortFirst + 1);
    const QString sessions = sessionLine(fileLimit, fileLimit.sessionCapacity(reserved), server);
    out << "QuietWire server " << QCoreApplication::applicationVersion() << " (pid "
        << QCoreApplication::applicationPid() << ")\n"
        << "Data directory: " << options.dataDir << (created ? " (new server key created)" : "") << '\n'
        << "Public key:     " << identity->publicKeyLine() << '\n'
        << "Fingerprint:    " << identity->fingerprint() << '\n'
        << "Listening on:   " << settings.network.address.toString() << " port " << server.port()
        << " (handshake), session ports " << settings.network.sessionPortFirst << '-'
        << settings.network.sessionPortLast << '\n'
        << "Sessions:       " << sessions << '\n'
        << "Protocol:       " << Protocol::NoiseProtocolName << '\n'
        << "Whitelist:      " << server.whitelist()->path() << '\n'
        << "Files:          " << server.fileArea()->root() << " (quota " << settings.quotaBytes << " bytes per user)\n"
        << "Shared folders: " << server.fileArea()->roomsRoot() << " (quota " << settings.roomQuotaBytes
        << " bytes per room)\n"
        << "Type `help` for console commands." << Qt::endl;

    AdminConsole console(&server);
    QObject::connect(&console, &AdminConsole::quitRequested, qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    const int code = QCoreApplication::exec();
    server.shutdown();
    return code;
}

} // namespace QuietWire
