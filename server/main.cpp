// quietwired: the QuietWire server and its offline administration subcommands.

#include "AdminConsole.h"
#include "AuthorizedKeys.h"
#include "FileArea.h"
#include "Identity.h"
#include "Protocol.h"
#include "Logging.h"
#include "ServerApp.h"
#include "Version.h"
#include "Whitelist.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace QuietWire;

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int signal)
{
    const char byte = static_cast<char>(signal);
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1);
}

QTextStream& out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream& err()
{
    static QTextStream stream(stderr);
    return stream;
}

int fail(const QString& message)
{
    err() << "quietwired: " << message << Qt::endl;
    return 1;
}

bool parsePortRange(const QString& text, quint16* first, quint16* last)
{
    const QStringList parts = text.split(QLatin1Char('-'));
    bool ok1 = false;
    bool ok2 = false;
    const uint a = parts.value(0).toUInt(&ok1);
    const uint b = parts.size() == 2 ? parts.value(1).toUInt(&ok2) : a;
    if (parts.size() == 1) {
        ok2 = ok1;
    }
    if (!ok1 || !ok2 || parts.size() > 2 || a == 0 || b > 65535 || a > b) {
        return false;
    }
    *first = static_cast<quint16>(a);
    *last = static_cast<quint16>(b);
    return true;
}

/// Where the data lives without --data-dir: the service's state directory for root and for the
/// service's own user (so `sudo quietwired allow ...` administers the installed service), the
/// user's application data folder for everyone else.
QString defaultDataDir()
{
    const passwd* user = ::getpwuid(::geteuid());
    if (::geteuid() == 0 || (user && qstrcmp(user->pw_name, "quietwired") == 0)) {
        return QStringLiteral(QUIETWIRED_SYSTEM_DATA_DIR);
    }
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

/// Run as root on a data dir that belongs to another user (the service's), quietwired acts as
/// that user, so every file it writes stays the service's and readable by it; root-owned files in
/// the service's data dir would lock the service out. It takes the user's own groups (its primary
/// group from the user database and its supplementary groups), never the directory's group: a data
/// dir owned by nobody:root must not leave the server in group root.
bool becomeOwnerOf(const QString& dataDir, QString* error)
{
    struct stat info = {};
    if (::geteuid() != 0 || ::stat(QFile::encodeName(dataDir).constData(), &info) != 0 || info.st_uid == 0) {
        return true;
    }
    const passwd* owner = ::getpwuid(info.st_uid);
    if (!owner) {
        *error = QStringLiteral("%1 belongs to user id %2, which has no entry in the user database (/etc/passwd): "
                                "quietwired cannot tell which groups to run with. Give the directory to a real user "
                                "(chown -R quietwired: %1) or run the command as its owner.")
                     .arg(dataDir)
                     .arg(info.st_uid);
        return false;
    }
    const QByteArray userName(owner->pw_name);
    const uid_t uid = owner->pw_uid;
    const gid_t gid = owner->pw_gid;
    const QString name = QString::fromLocal8Bit(userName);
    // initgroups() before setgid()/setuid(): only root may set the supplementary groups.
    if (::initgroups(userName.constData(), gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0
        || ::setuid(0) == 0 || ::setgid(0) == 0 || ::getegid() != gid) {
        *error = QStringLiteral("cannot switch to %1, the owner of %2: %3 (run the command as %1: sudo -u %1 ...)")
                     .arg(name, dataDir, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    return true;
}

/// `quietwired console [COMMAND...]`: the console of the server running on dataDir (the
/// service), through <data-dir>/console.sock. With a command: runs it, prints the reply, exits 1
/// if the reply is an error. Without: an interactive console until end of input or `quit`.
int remoteConsole(const QStringList& args, const QString& dataDir)
{
    const QString path = QDir(dataDir).filePath(QLatin1String(AdminConsole::SocketName));
    QLocalSocket socket;
    socket.connectToServer(path);
    if (!socket.waitForConnected(5000)) {
        return fail(QStringLiteral("no running server answers on %1 (%2): is it running with --data-dir %3? "
                                   "(systemctl status quietwired)")
                        .arg(path, socket.errorString(), dataDir));
    }
    // Sends one line and prints the reply up to its end marker; false if the server went away.
    bool failed = false;
    const auto run = [&](const QString& line) {
        socket.write(line.toUtf8() + '\n');
        QByteArray buffer;
        for (;;) {
            const qsizetype end = buffer.indexOf(QByteArray(1, AdminConsole::EndOfReply) + '\n');
            if (end >= 0) {
                const QByteArray reply = buffer.left(end);
                out() << QString::fromUtf8(reply) << Qt::flush;
                failed = failed || reply.startsWith("error:");
                return true;
            }
            if (socket.state() != QLocalSocket::ConnectedState && socket.bytesAvailable() == 0) {
                out() << QString::fromUtf8(buffer) << Qt::flush;
                return false;
            }
            socket.waitForReadyRead(1000);
            buffer += socket.readAll();
        }
    };
    if (!args.isEmpty()) {
        if (!run(args.join(QLatin1Char(' ')))) {
            return fail(QStringLiteral("the server closed the console"));
        }
        return failed ? 1 : 0;
    }
    const bool interactive = isatty(STDIN_FILENO) == 1;
    if (interactive) {
        out() << "Console of the quietwired running on " << dataDir << "; `help` lists the commands, "
              << "`quit` or Ctrl+D closes the console (the server keeps running)." << Qt::endl;
    }
    QTextStream in(stdin);
    for (;;) {
        if (interactive) {
            out() << "quietwired> " << Qt::flush;
        }
        const QString line = in.readLine();
        if (line.isNull()) {
            return 0;
        }
        if (!run(line)) {
            return 0; // `quit`, or the server stopped
        }
    }
}

int offlineCommand(const QString& command, const QStringList& args, const QString& dataDir)
{
    if (command == QLatin1String("console")) {
        return remoteConsole(args, dataDir);
    }
    const QString authorizedKeys = QDir(dataDir).filePath(QStringLiteral("authorized_keys"));
    QString error;
    if (command == QLatin1String("keygen")) {
        if (QFileInfo::exists(QDir(dataDir).filePath(QLatin1String(Identity::PrivateKeyFile)))) {
            return fail(QStringLiteral("%1 already holds a server key; move identity.key away first if you really "
                                       "want a new one (every client will then see a changed key)")
                            .arg(dataDir));
        }
        const auto identity = Identity::loadOrCreate(dataDir, QStringLiteral("quietwired@%1").arg(QSysInfo::machineHostName()), &error);
        if (!identity) {
            return fail(error);
        }
        out() << identity->publicKeyLine() << '\n' << identity->fingerprint() << Qt::endl;
        return 0;
    }
    if (command == QLatin1String("fingerprint")) {
        const auto identity = Identity::load(dataDir, &error);
        if (!identity) {
            return fail(error + QStringLiteral(" (`quietwired keygen --data-dir %1` creates one)").arg(dataDir));
        }
        out() << identity->publicKeyLine() << '\n' << identity->fingerprint() << Qt::endl;
        return 0;
    }
    if (command == QLatin1String("whitelist")) {
        const auto keys = AuthorizedKeys::load(authorizedKeys, &error);
        if (!keys) {
            return fail(error);
        }
        for (const auto& entry : keys->entries()) {
            out() << QStringLiteral("%1  %2  %3")
                         .arg(AuthorizedKeys::displayName(entry), -16)
                         .arg(Identity::fingerprint(entry.key), Identity::encodePublicKey(entry.key))
                  << '\n';
        }
        out().flush();
        return 0;
    }
    if (command == QLatin1String("allow")) {
        // The key line as `quietwire-cli key` prints it ("KEY COMMENT"), quoted or not, then the
        // name, which the administrator always gives: nothing is taken from the comment.
        AuthorizedKeys::AllowCommand allow;
        const auto parseError = AuthorizedKeys::parseAllowWords(
            args.join(QLatin1Char(' ')).split(QLatin1Char(' '), Qt::SkipEmptyParts), &allow);
        if (parseError != AuthorizedKeys::AllowError::None) {
            return fail(AuthorizedKeys::allowErrorMessage(parseError, allow, AuthorizedKeys::AllowSyntax::CommandLine));
        }
        QDir().mkpath(dataDir);
        if (!AuthorizedKeys::appendKey(authorizedKeys, allow.key, allow.name, &error,
                                       allow.samePerson ? AuthorizedKeys::SharedName::SamePerson
                                                        : AuthorizedKeys::SharedName::Refuse)) {
            return fail(error);
        }
        out() << "allowed " << Identity::fingerprint(allow.key) << " as " << allow.name << Qt::endl;
        return 0;
    }
    if (command == QLatin1String("revoke")) {
        if (args.size() != 1) {
            return fail(QStringLiteral("usage: quietwired revoke --data-dir DIR <key|fingerprint|name>"));
        }
        const auto removed = AuthorizedKeys::removeKeys(authorizedKeys, args.at(0), &error);
        if (!removed) {
            return fail(error);
        }
        for (const auto& entry : *removed) {
            out() << "revoked " << Identity::fingerprint(entry.key) << " (" << AuthorizedKeys::displayName(entry)
                  << ")\n";
        }
        out().flush();
        return 0;
    }
    return fail(QStringLiteral("unknown command \"%1\"; see --help").arg(command));
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("quietwired"));
    QCoreApplication::setOrganizationName(QStringLiteral("QuietWire"));
    QCoreApplication::setApplicationVersion(QStringLiteral(QUIETWIRE_VERSION));
    // Under systemd the journal stamps every line itself (JOURNAL_STREAM is set for its streams).
    qSetMessagePattern(QStringLiteral("%1%{if-warning}warning: %{endif}%{if-critical}error: %{endif}%{message}")
                           .arg(qEnvironmentVariableIsSet("JOURNAL_STREAM") ? QString()
                                                                            : QStringLiteral("%{time yyyy-MM-dd hh:mm:ss.zzz} ")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "QuietWire server: encrypted chat for the keys on its whitelist.\n\n"
        "Without a command it runs the server with an admin console on standard input (`help` there\n"
        "lists the console commands).\n\n"
        "Offline commands, for scripts and for a server running as a service (the running server picks\n"
        "whitelist edits up within a second, or at once on SIGHUP / systemctl reload quietwired):\n"
        "  keygen                       create the server key in the data dir\n"
        "  fingerprint                  print the server's public key line and fingerprint\n"
        "  whitelist                    list the allowed client keys\n"
        "  allow 'KEY LINE' NAME        allow a client key (the line `quietwire-cli key` prints) under the\n"
        "                               NAME you choose (the line's comment never names it); add\n"
        "                               --same-person when NAME already has a key: another device of the\n"
        "                               same person\n"
        "  revoke KEY|FINGERPRINT|NAME  remove a client key; its live sessions are closed\n"
        "  console [COMMAND...]         the running server's console (sessions, kick, say, ...) through\n"
        "                               <data-dir>/console.sock: one command, or interactive\n\n"
        "Data dir: identity.key (the server's private key, 0600), identity.pub, authorized_keys (the\n"
        "whitelist, one `KEY NAME` per line), known_clients (keys seen per client IP), files/ (users'\n"
        "folders), console.sock (the running server's console). Without --data-dir: " QUIETWIRED_SYSTEM_DATA_DIR " for root and the user quietwired\n"
        "(the service), else the user's data folder. Run as root on a data dir owned by another user,\n"
        "quietwired acts as that user, so `sudo quietwired allow ...` keeps the service's files its own.\n\n"
        "Signals: SIGHUP re-reads the whitelist; SIGINT and SIGTERM stop the server cleanly.\n"
        "Exit status: 0 success, 1 failure (the reason is printed)."));
    parser.addHelpOption();
    const QCommandLineOption versionOption = addVersionOption(parser);
    const QCommandLineOption listenOption(QStringLiteral("listen"),
                                          QStringLiteral("Address to listen on (default: all addresses)."),
                                          QStringLiteral("ADDR"));
    const QCommandLineOption portOption(QStringLiteral("port"),
                                        QStringLiteral("Handshake port (default %1).").arg(Protocol::DefaultPort),
                                        QStringLiteral("N"), QString::number(Protocol::DefaultPort));
    const QCommandLineOption sessionPortsOption(
        QStringLiteral("session-ports"),
        QStringLiteral("Pool of session ports (default %1-%2).")
            .arg(Protocol::DefaultSessionPortFirst)
            .arg(Protocol::DefaultSessionPortLast),
        QStringLiteral("A-B"),
        QStringLiteral("%1-%2").arg(Protocol::DefaultSessionPortFirst).arg(Protocol::DefaultSessionPortLast));
    const QCommandLineOption dataDirOption(
        QStringLiteral("data-dir"),
        QStringLiteral("Data directory (default: " QUIETWIRED_SYSTEM_DATA_DIR " for root and the user quietwired, "
                       "else ~/.local/share/QuietWire/quietwired, or QuietWire/quietwired in $XDG_DATA_HOME)."),
        QStringLiteral("DIR"));
    const QCommandLineOption ticketTimeoutOption(
        QStringLiteral("ticket-timeout"),
        QStringLiteral("Milliseconds a client has to redeem its session ticket (default %1).").arg(Protocol::TicketTimeoutMs),
        QStringLiteral("MS"), QString::number(Protocol::TicketTimeoutMs));
    const QCommandLineOption handshakeTimeoutOption(
        QStringLiteral("handshake-timeout"),
        QStringLiteral("Milliseconds a client has to finish the handshake (default %1).").arg(Protocol::HandshakeTimeoutMs),
        QStringLiteral("MS"), QString::number(Protocol::HandshakeTimeoutMs));
    const QCommandLineOption filesRootOption(QStringLiteral("files-root"),
                                             QStringLiteral("Folder that holds the users' file folders (default: "
                                                            "<data-dir>/files)."),
                                             QStringLiteral("DIR"));
    const QCommandLineOption quotaOption(QStringLiteral("quota"),
                                         QStringLiteral("Disk quota of each user's file folder, e.g. 500M or 2G "
                                                        "(default 1G)."),
                                         QStringLiteral("SIZE"), QStringLiteral("1G"));
    // Limits that keep one user's tree cheap to count and to remove; a refusal names the limit.
    const QCommandLineOption maxDepthOption(QStringLiteral("max-depth"),
                                            QStringLiteral("Deepest folder nesting in a user's file folder (default "
                                                           "64)."),
                                            QStringLiteral("N"), QStringLiteral("64"));
    const QCommandLineOption maxEntriesOption(QStringLiteral("max-entries"),
                                              QStringLiteral("Files and folders in a user's file folder, counted "
                                                             "with the quota (default 100000)."),
                                              QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption idleTimeoutOption(
        QStringLiteral("idle-timeout"),
        QStringLiteral("Close a session after this many seconds without any data or keepalive (default %1; clients "
                       "are asked to send keepalives at a quarter of it).")
            .arg(Protocol::IdleTimeoutMs / 1000),
        QStringLiteral("S"), QString::number(Protocol::IdleTimeoutMs / 1000));
    const QCommandLineOption maxHandshakesOption(QStringLiteral("max-handshakes"),
                                                 QStringLiteral("Handshakes in progress at once (default 64)."),
                                                 QStringLiteral("N"), QStringLiteral("64"));
    const QCommandLineOption maxHandshakesPerIpOption(
        QStringLiteral("max-handshakes-per-ip"),
        QStringLiteral("Handshakes in progress from one source: an IPv4 address (or /N network, see "
                       "--handshake-prefix-v4) or an IPv6 /64 (default 8)."),
        QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption handshakePrefixV4Option(
        QStringLiteral("handshake-prefix-v4"),
        QStringLiteral("IPv4 clients in one /N network count as one source for --max-handshakes-per-ip and "
                       "--max-tickets-per-ip, 8-32 (default 32: each address; 24 groups a /24). IPv6 clients count "
                       "per /64."),
        QStringLiteral("N"), QStringLiteral("32"));
    const QCommandLineOption maxTicketsPerKeyOption(
        QStringLiteral("max-tickets-per-key"),
        QStringLiteral("Session tickets one client key may hold not yet redeemed (default 8); they also count "
                       "toward --max-sessions-per-key."),
        QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption maxTicketsPerIpOption(
        QStringLiteral("max-tickets-per-ip"),
        QStringLiteral("Session tickets not yet redeemed from one source (as for --max-handshakes-per-ip; "
                       "default 16)."),
        QStringLiteral("N"), QStringLiteral("16"));
    const QCommandLineOption maxSessionsPerKeyOption(QStringLiteral("max-sessions-per-key"),
                                                     QStringLiteral("Sessions one client key may have open (default 32)."),
                                                     QStringLiteral("N"), QStringLiteral("32"));
    parser.addOptions({listenOption, portOption, sessionPortsOption, dataDirOption, filesRootOption, quotaOption,
                       ticketTimeoutOption, handshakeTimeoutOption, idleTimeoutOption, maxHandshakesOption,
                       maxHandshakesPerIpOption, handshakePrefixV4Option, maxTicketsPerKeyOption,
                       maxTicketsPerIpOption, maxSessionsPerKeyOption});
    // allow's confirmation, here so the parser knows it; offlineCommand() reads it among allow's words.
    const QCommandLineOption samePersonOption(QString::fromLatin1(AuthorizedKeys::SamePersonOption).mid(2),
                                              QStringLiteral("allow: NAME already has a key, and this is another "
                                                             "device of the same person."));
    parser.addOption(samePersonOption);
    parser.addOptions({maxDepthOption, maxEntriesOption});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("Optional offline command (see above)."),
                                 QStringLiteral("[command [args...]]"));
    parser.process(app);
    if (parser.isSet(versionOption)) {
        out() << versionText(QStringLiteral("quietwired")) << Qt::flush;
        return 0;
    }

    const QString dataDir =
        QDir(parser.isSet(dataDirOption) ? parser.value(dataDirOption) : defaultDataDir()).absolutePath();
    QString ownerError;
    if (!becomeOwnerOf(dataDir, &ownerError)) {
        return fail(ownerError);
    }
    const QStringList positional = parser.positionalArguments();
    if (parser.isSet(samePersonOption) && positional.value(0) != QLatin1String("allow")) {
        return fail(QStringLiteral("--same-person goes with allow only (quietwired allow 'KEY LINE' NAME "
                                   "--same-person)"));
    }
    if (!positional.isEmpty()) {
        return offlineCommand(positional.first(),
                              positional.mid(1)
                                  + (parser.isSet(samePersonOption)
                                         ? QStringList {QLatin1String(AuthorizedKeys::SamePersonOption)}
                                         : QStringList()),
                              dataDir);
    }

    ServerApp::Options options;
    options.dataDir = dataDir;
    if (parser.isSet(listenOption)) {
        options.network.address = QHostAddress(parser.value(listenOption));
        if (options.network.address.isNull()) {
            return fail(QStringLiteral("--listen %1 is not an IP address").arg(parser.value(listenOption)));
        }
    }
    bool ok = false;
    const uint port = parser.value(portOption).toUInt(&ok);
    if (!ok || port > 65535) {
        return fail(QStringLiteral("--port %1 is not a port number (1-65535, or 0 for any free port)")
                        .arg(parser.value(portOption)));
    }
    options.network.port = static_cast<quint16>(port);
    if (!parsePortRange(parser.value(sessionPortsOption), &options.network.sessionPortFirst,
                        &options.network.sessionPortLast)) {
        return fail(QStringLiteral("--session-ports %1 is not a port range like 7401-7464")
                        .arg(parser.value(sessionPortsOption)));
    }
    if (parser.isSet(filesRootOption)) {
        options.filesRoot = QDir(parser.value(filesRootOption)).absolutePath();
    }
    options.quotaBytes = FileArea::parseSize(parser.value(quotaOption));
    if (options.quotaBytes < 0) {
        return fail(QStringLiteral("--quota %1 is not a size like 500M or 2G").arg(parser.value(quotaOption)));
    }
    options.maxDepth = parser.value(maxDepthOption).toInt(&ok);
    if (!ok || options.maxDepth < 1 || options.maxDepth > 1000) {
        return fail(QStringLiteral("--max-depth needs a number of folders between 1 and 1000"));
    }
    options.maxEntries = parser.value(maxEntriesOption).toLongLong(&ok);
    if (!ok || options.maxEntries < 1) {
        return fail(QStringLiteral("--max-entries needs a positive number"));
    }
    options.network.ticketTimeoutMs = parser.value(ticketTimeoutOption).toInt(&ok);
    if (!ok || options.network.ticketTimeoutMs <= 0) {
        return fail(QStringLiteral("--ticket-timeout needs a positive number of milliseconds"));
    }
    options.network.handshakeTimeoutMs = parser.value(handshakeTimeoutOption).toInt(&ok);
    if (!ok || options.network.handshakeTimeoutMs <= 0) {
        return fail(QStringLiteral("--handshake-timeout needs a positive number of milliseconds"));
    }
    const double idleSeconds = parser.value(idleTimeoutOption).toDouble(&ok);
    if (!ok || idleSeconds < 0.2 || idleSeconds > 86400) {
        return fail(QStringLiteral("--idle-timeout needs a number of seconds between 0.2 and 86400"));
    }
    options.network.idleTimeoutMs = static_cast<int>(idleSeconds * 1000);
    options.network.keepaliveMs = options.network.idleTimeoutMs / 4;
    const struct
    {
        const QCommandLineOption& option;
        int* target;
    } limits[] = {{maxHandshakesOption, &options.network.maxHandshakes},
                  {maxHandshakesPerIpOption, &options.network.maxHandshakesPerAddress},
                  {maxTicketsPerKeyOption, &options.network.maxTicketsPerKey},
                  {maxTicketsPerIpOption, &options.network.maxTicketsPerSource},
                  {maxSessionsPerKeyOption, &options.maxSessionsPerKey}};
    for (const auto& limit : limits) {
        *limit.target = parser.value(limit.option).toInt(&ok);
        if (!ok || *limit.target < 1) {
            return fail(QStringLiteral("--%1 needs a positive number").arg(limit.option.names().constFirst()));
        }
    }
    options.network.handshakeIpv4Prefix = parser.value(handshakePrefixV4Option).toInt(&ok);
    if (!ok || options.network.handshakeIpv4Prefix < 8 || options.network.handshakeIpv4Prefix > 32) {
        return fail(QStringLiteral("--handshake-prefix-v4 %1 is not a prefix length from 8 to 32 (32: each IPv4 "
                                   "address is a source of its own; 24: each /24 network)")
                        .arg(parser.value(handshakePrefixV4Option)));
    }

    QString error;
    bool created = false;
    const auto identity = Identity::loadOrCreate(
        dataDir, QStringLiteral("quietwired@%1").arg(QSysInfo::machineHostName()), &error, &created);
    if (!identity) {
        return fail(error);
    }

    ServerApp server(*identity, options);
    if (!server.start(&error)) {
        return fail(error);
    }

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) == 0) {
        auto* notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &app, [&server] {
            char byte = 0;
            if (::read(g_signalPipe[0], &byte, 1) != 1) {
                return;
            }
            if (byte == SIGHUP) {
                QString reloadError;
                if (server.whitelist()->reload(&reloadError)) {
                    qCInfo(lcAuth).noquote() << "SIGHUP: whitelist re-read:" << server.whitelist()->keys().entries().size()
                                             << "key(s) from" << server.whitelist()->path();
                } else {
                    qCWarning(lcAuth).noquote() << "SIGHUP: whitelist not reloaded, the previous one stays in force:"
                                                << reloadError;
                }
                return;
            }
            qInfo("signal received, stopping");
            QCoreApplication::quit();
        });
        struct sigaction action = {};
        action.sa_handler = onSignal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        sigaction(SIGINT, &action, nullptr);
        sigaction(SIGTERM, &action, nullptr);
        sigaction(SIGHUP, &action, nullptr);
    }
    std::signal(SIGPIPE, SIG_IGN);
    // Past a file size limit, report the failed write (as for a full disk) instead of dying.
    std::signal(SIGXFSZ, SIG_IGN);

    // The console for `quietwired console`, on a Unix socket only the data dir's owner (and root)
    // can reach: the data dir is 0700 and the socket 0600. It listens before the banner says the
    // server is ready.
    QLocalServer consoleServer;
    consoleServer.setSocketOptions(QLocalServer::UserAccessOption);
    const QString consolePath = QDir(dataDir).filePath(QLatin1String(AdminConsole::SocketName));
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

    out() << "QuietWire server " << QCoreApplication::applicationVersion() << " (pid " << QCoreApplication::applicationPid()
          << ")\n"
          << "Data directory: " << dataDir << (created ? " (new server key created)" : "") << '\n'
          << "Public key:     " << identity->publicKeyLine() << '\n'
          << "Fingerprint:    " << identity->fingerprint() << '\n'
          << "Listening on:   " << options.network.address.toString() << " port " << server.port()
          << " (handshake), session ports " << options.network.sessionPortFirst << '-'
          << options.network.sessionPortLast << '\n'
          << "Protocol:       " << Protocol::NoiseProtocolName << '\n'
          << "Whitelist:      " << server.authorizedKeysPath() << '\n'
          << "Files:          " << server.fileArea()->root() << " (quota " << options.quotaBytes << " bytes per user)\n"
          << "Type `help` for console commands." << Qt::endl;

    AdminConsole console(&server);
    QObject::connect(&console, &AdminConsole::quitRequested, &app, &QCoreApplication::quit, Qt::QueuedConnection);
    const int code = app.exec();
    server.shutdown();
    return code;
}
