#include "ServerOptions.h"

#include "AdminCommands.h"
#include "AuthorizedKeys.h"
#include "FileArea.h"
#include "Protocol.h"
#include "StoreUrl.h"
#include "Version.h"

#include <QCommandLineParser>
#include <QDir>
#include <QSet>
#include <QStandardPaths>
#include <functional>
#include <limits>
#include <pwd.h>
#include <unistd.h>

namespace QuietWire {

QString ServerOptions::defaultDataDir()
{
    const passwd* user = ::getpwuid(::geteuid());
    if (::geteuid() == 0 || (user && qstrcmp(user->pw_name, "quietwired") == 0)) {
        return QStringLiteral(QUIETWIRED_SYSTEM_DATA_DIR);
    }
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

bool ServerOptions::parsePortRange(const QString& text, quint16* first, quint16* last)
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

namespace {

/// Commands with options of their own (`room create plans --private`, `console room add ...`):
/// quietwired's parser would refuse them as unknown options, so they stay among the command's words.
const QStringList CommandsWithOwnOptions { QStringLiteral("room"), QStringLiteral("console") };

/// Splits arguments for such a command: what quietwired's parser reads (everything before the
/// command, the command, and quietwired's own options after it, with their values), and the
/// command's words in their order. False when the command is not one of them.
bool splitCommandWords(const QStringList& arguments, const QList<QCommandLineOption>& options,
    QStringList* parserArguments, QStringList* words)
{
    QSet<QString> flags;
    QSet<QString> valued;
    for (const QCommandLineOption& option : options) {
        for (const QString& name : option.names()) {
            (option.valueName().isEmpty() ? flags : valued).insert(name);
        }
    }
    // The option's name in "--name", "--name=value", "-n".
    const auto nameOf = [](const QString& word) {
        return word.mid(word.startsWith(QLatin1String("--")) ? 2 : 1).section(QLatin1Char('='), 0, 0);
    };
    const auto takesNext = [&](const QString& word) { return valued.contains(nameOf(word)) && !word.contains('='); };
    qsizetype command = 1;
    while (command < arguments.size() && arguments.at(command).startsWith(QLatin1Char('-'))
        && arguments.at(command) != QLatin1String("--")) {
        command += takesNext(arguments.at(command)) ? 2 : 1;
    }
    if (command >= arguments.size() || !CommandsWithOwnOptions.contains(arguments.at(command))) {
        return false;
    }
    *parserArguments = arguments.mid(0, command + 1);
    words->clear();
    for (qsizetype i = command + 1; i < arguments.size(); ++i) {
        const QString& word = arguments.at(i);
        const bool ours = word.startsWith(QLatin1Char('-')) && word.size() > 1
            && (flags.contains(nameOf(word)) || valued.contains(nameOf(word)));
        if (!ours) {
            *words << word;
            continue;
        }
        *parserArguments << word;
        if (takesNext(word) && i + 1 < arguments.size()) {
            *parserArguments << arguments.at(++i);
        }
    }
    return true;
}

} // namespace

ServerOptions ServerOptions::parse(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("QuietWire server: encrypted chat for the keys on its whitelist.\n\n"
                       "Without a command it runs the server with an admin console on standard input (`help` there\n"
                       "lists the console commands).\n\n"
                       "Offline commands, for scripts and for a server running as a service (the running server "
                       "picks\n"
                       "whitelist edits up within a second, or at once on SIGHUP / systemctl reload quietwired):\n")
        + AdminCommands::offlineHelp()
        + QStringLiteral(
            "\n"
            "Data dir: identity.key (the server's private key, 0600), identity.pub, authorized_keys (the\n"
            "whitelist, one `KEY NAME` per line), known_clients (keys seen per client IP), files/ (users'\n"
            "folders), console.sock (the running server's console). Without --data-dir: " QUIETWIRED_SYSTEM_DATA_DIR
            " for root and the user quietwired\n"
            "(the service), else the user's data folder. Run as root on a data dir owned by another user,\n"
            "quietwired acts as that user, so `sudo quietwired allow ...` keeps the service's files its own.\n\n"
            "Signals: SIGHUP re-reads the whitelist; SIGINT and SIGTERM stop the server cleanly.\n"
            "Exit status: 0 success, 1 failure (the reason is printed)."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = addVersionOption(parser);
    const QCommandLineOption listenOption(QStringLiteral("listen"),
        QStringLiteral("Address to listen on (default: all addresses)."), QStringLiteral("ADDR"));
    const QCommandLineOption portOption(QStringLiteral("port"),
        QStringLiteral("Handshake port (default %1).").arg(Protocol::DefaultPort), QStringLiteral("N"),
        QString::number(Protocol::DefaultPort));
    const QCommandLineOption sessionPortsOption(QStringLiteral("session-ports"),
        QStringLiteral("Pool of session ports (default %1-%2).")
            .arg(Protocol::DefaultSessionPortFirst)
            .arg(Protocol::DefaultSessionPortLast),
        QStringLiteral("A-B"),
        QStringLiteral("%1-%2").arg(Protocol::DefaultSessionPortFirst).arg(Protocol::DefaultSessionPortLast));
    const QCommandLineOption dataDirOption(QStringLiteral("data-dir"),
        QStringLiteral("Data directory (default: " QUIETWIRED_SYSTEM_DATA_DIR " for root and the user quietwired, "
                       "else ~/.local/share/QuietWire/quietwired, or QuietWire/quietwired in $XDG_DATA_HOME)."),
        QStringLiteral("DIR"));
    const QCommandLineOption ticketTimeoutOption(QStringLiteral("ticket-timeout"),
        QStringLiteral("Milliseconds a client has to redeem its session ticket (default %1).")
            .arg(Protocol::TicketTimeoutMs),
        QStringLiteral("MS"), QString::number(Protocol::TicketTimeoutMs));
    const QCommandLineOption handshakeTimeoutOption(QStringLiteral("handshake-timeout"),
        QStringLiteral("Milliseconds a client has to finish the handshake (default %1).")
            .arg(Protocol::HandshakeTimeoutMs),
        QStringLiteral("MS"), QString::number(Protocol::HandshakeTimeoutMs));
    const QCommandLineOption trustedProxyOption(QStringLiteral("trusted-proxy"),
        QStringLiteral("A load balancer (an address or network, e.g. 10.0.0.5 or 10.0.0.0/24; comma-separated or "
                       "repeated) whose connections start with a PROXY protocol version 2 header naming the client "
                       "(HAProxy's send-proxy-v2). Nobody else may send one. See docs/SCALING.md."),
        QStringLiteral("ADDR"));
    const QCommandLineOption storeOption(QStringLiteral("store"),
        QStringLiteral("The chat store on PostgreSQL, shared by several nodes: postgresql://USER@HOST[:PORT]/DATABASE"
                       "[?passfile=FILE&sslmode=...] (default: the SQLite file <data-dir>/quietwire.db). See "
                       "docs/SCALING.md."),
        QStringLiteral("URL"));
    const QCommandLineOption filesRootOption(QStringLiteral("files-root"),
        QStringLiteral("Folder that holds the users' file folders (default: "
                       "<data-dir>/files)."),
        QStringLiteral("DIR"));
    const QCommandLineOption roomsRootOption(QStringLiteral("rooms-root"),
        QStringLiteral("Folder that holds the rooms' and direct conversations' shared folders (default: "
                       "<data-dir>/rooms; several nodes: on the shared storage, docs/SCALING.md)."),
        QStringLiteral("DIR"));
    const QCommandLineOption quotaOption(QStringLiteral("quota"),
        QStringLiteral("Disk quota of each user's file folder, e.g. 500M or 2G "
                       "(default 1G)."),
        QStringLiteral("SIZE"), QStringLiteral("1G"));
    const QCommandLineOption roomQuotaOption(QStringLiteral("room-quota"),
        QStringLiteral("Disk quota of each room's (and direct conversation's) shared folder, e.g. 500M or 2G "
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
    const QCommandLineOption idleTimeoutOption(QStringLiteral("idle-timeout"),
        QStringLiteral("Close a session after this many seconds without any data or keepalive (default %1; clients "
                       "are asked to send keepalives at a quarter of it).")
            .arg(Protocol::IdleTimeoutMs / 1000),
        QStringLiteral("S"), QString::number(Protocol::IdleTimeoutMs / 1000));
    const QCommandLineOption maxHandshakesOption(QStringLiteral("max-handshakes"),
        QStringLiteral("Handshakes in progress at once (default 64)."), QStringLiteral("N"), QStringLiteral("64"));
    const QCommandLineOption maxHandshakesPerIpOption(QStringLiteral("max-handshakes-per-ip"),
        QStringLiteral("Handshakes in progress from one source: an IPv4 address (or /N network, see "
                       "--handshake-prefix-v4) or an IPv6 /64 (default 8)."),
        QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption handshakePrefixV4Option(QStringLiteral("handshake-prefix-v4"),
        QStringLiteral("IPv4 clients in one /N network count as one source for --max-handshakes-per-ip and "
                       "--max-tickets-per-ip, 8-32 (default 32: each address; 24 groups a /24). IPv6 clients count "
                       "per /64."),
        QStringLiteral("N"), QStringLiteral("32"));
    const QCommandLineOption maxTicketsPerKeyOption(QStringLiteral("max-tickets-per-key"),
        QStringLiteral("Session tickets one client key may hold not yet redeemed (default 8); they also count "
                       "toward --max-sessions-per-key."),
        QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption maxTicketsPerIpOption(QStringLiteral("max-tickets-per-ip"),
        QStringLiteral("Session tickets not yet redeemed from one source (as for --max-handshakes-per-ip; "
                       "default 16)."),
        QStringLiteral("N"), QStringLiteral("16"));
    const QCommandLineOption maxSessionsPerKeyOption(QStringLiteral("max-sessions-per-key"),
        QStringLiteral("Sessions one client key may have open (default 32)."), QStringLiteral("N"),
        QStringLiteral("32"));
    const QCommandLineOption retentionDaysOption(QStringLiteral("retention-days"),
        QStringLiteral("Delete chat messages older than N days, in the background (default 0: keep everything)."),
        QStringLiteral("N"), QStringLiteral("0"));
    parser.addOptions({ listenOption, portOption, sessionPortsOption, dataDirOption, storeOption, trustedProxyOption,
        filesRootOption, roomsRootOption, quotaOption, roomQuotaOption, ticketTimeoutOption, handshakeTimeoutOption,
        idleTimeoutOption, maxHandshakesOption, maxHandshakesPerIpOption, handshakePrefixV4Option,
        maxTicketsPerKeyOption, maxTicketsPerIpOption, maxSessionsPerKeyOption, retentionDaysOption });
    // allow's confirmation, here so the parser knows it; the allow command reads it among its words.
    const QCommandLineOption samePersonOption(QString::fromLatin1(AuthorizedKeys::SamePersonOption).mid(2),
        QStringLiteral("allow: NAME already has a key, and this is another "
                       "device of the same person."));
    parser.addOption(samePersonOption);
    parser.addOptions({ maxDepthOption, maxEntriesOption });
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("Optional offline command (see above)."),
        QStringLiteral("[command [args...]]"));
    QStringList parserArguments = arguments;
    QStringList commandWords;
    const bool ownOptions = splitCommandWords(arguments,
        { helpOption, versionOption, listenOption, portOption, sessionPortsOption, dataDirOption, storeOption,
            trustedProxyOption, filesRootOption, roomsRootOption, quotaOption, roomQuotaOption, ticketTimeoutOption,
            handshakeTimeoutOption, idleTimeoutOption, maxHandshakesOption, maxHandshakesPerIpOption,
            handshakePrefixV4Option, maxTicketsPerKeyOption, maxTicketsPerIpOption, maxSessionsPerKeyOption,
            retentionDaysOption, samePersonOption, maxDepthOption, maxEntriesOption },
        &parserArguments, &commandWords);
    parser.process(parserArguments);

    ServerOptions options;
    if (parser.isSet(versionOption)) {
        options.mode = Mode::Version;
        return options;
    }
    options.dataDir = QDir(parser.isSet(dataDirOption) ? parser.value(dataDirOption) : defaultDataDir()).absolutePath();
    QString storeError;
    if (parser.isSet(storeOption)) {
        if (const auto store = storeOptionsFromUrl(parser.value(storeOption), &storeError)) {
            options.store = *store;
        }
    }
    if (parser.isSet(roomsRootOption)) {
        options.roomsRoot = QDir(parser.value(roomsRootOption)).absolutePath();
    }
    const QStringList positional = parser.positionalArguments();
    if (parser.isSet(samePersonOption) && positional.value(0) != QLatin1String("allow")) {
        options.usageError = QStringLiteral("--same-person goes with allow only (quietwired allow 'KEY LINE' NAME "
                                            "--same-person)");
    }
    if (!positional.isEmpty()) {
        options.mode = Mode::Command;
        if (options.usageError.isEmpty()) {
            options.usageError = storeError; // the offline commands open the store too
        }
        options.command = positional.first();
        options.arguments = ownOptions ? commandWords : positional.mid(1);
        if (parser.isSet(samePersonOption)) {
            options.arguments.append(QLatin1String(AuthorizedKeys::SamePersonOption));
        }
        return options;
    }

    // The server's options; the first that does not parse is the error.
    ServerApp::Options& server = options.server;
    server.dataDir = options.dataDir;
    server.store = options.store;
    const auto fail = [&options](const QString& message) {
        options.error = message;
        return options;
    };
    if (!storeError.isEmpty()) {
        return fail(storeError);
    }
    if (parser.isSet(listenOption)) {
        server.network.address = QHostAddress(parser.value(listenOption));
        if (server.network.address.isNull()) {
            return fail(QStringLiteral("--listen %1 is not an IP address").arg(parser.value(listenOption)));
        }
    }
    bool ok = false;
    const uint port = parser.value(portOption).toUInt(&ok);
    if (!ok || port > 65535) {
        return fail(QStringLiteral("--port %1 is not a port number (1-65535, or 0 for any free port)")
                        .arg(parser.value(portOption)));
    }
    server.network.port = static_cast<quint16>(port);
    if (!parsePortRange(
            parser.value(sessionPortsOption), &server.network.sessionPortFirst, &server.network.sessionPortLast)) {
        return fail(QStringLiteral("--session-ports %1 is not a port range like 7401-7464")
                        .arg(parser.value(sessionPortsOption)));
    }
    if (parser.isSet(filesRootOption)) {
        server.filesRoot = QDir(parser.value(filesRootOption)).absolutePath();
    }
    for (const QString& value : parser.values(trustedProxyOption)) {
        for (const QString& item : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString text = item.trimmed();
            std::pair<QHostAddress, int> network;
            if (text.contains(QLatin1Char('/'))) {
                network = QHostAddress::parseSubnet(text);
            } else if (const QHostAddress address(text); !address.isNull()) {
                network = { address, address.protocol() == QAbstractSocket::IPv6Protocol ? 128 : 32 };
            }
            if (network.first.isNull() || network.second < 0) {
                return fail(QStringLiteral("--trusted-proxy %1 is not an address or network (10.0.0.5, 10.0.0.0/24)")
                                .arg(text));
            }
            server.network.trustedProxies.append(network);
        }
    }
    server.roomsRoot = options.roomsRoot;
    server.quotaBytes = FileArea::parseSize(parser.value(quotaOption));
    if (server.quotaBytes < 0) {
        return fail(QStringLiteral("--quota %1 is not a size like 500M or 2G").arg(parser.value(quotaOption)));
    }
    server.roomQuotaBytes = FileArea::parseSize(parser.value(roomQuotaOption));
    if (server.roomQuotaBytes < 0) {
        return fail(QStringLiteral("--room-quota %1 is not a size like 500M or 2G").arg(parser.value(roomQuotaOption)));
    }
    const double idleSeconds = parser.value(idleTimeoutOption).toDouble(&ok);
    if (!ok || idleSeconds < 0.2 || idleSeconds > 86400) {
        return fail(QStringLiteral("--idle-timeout needs a number of seconds between 0.2 and 86400"));
    }
    server.network.idleTimeoutMs = static_cast<int>(idleSeconds * 1000);
    server.network.keepaliveMs = server.network.idleTimeoutMs / 4;
    // The integer options: each must be a whole number from min to max; the error names it.
    constexpr qint64 IntMax = std::numeric_limits<int>::max();
    const auto toInt = [](int* target) { return [target](qint64 value) { *target = static_cast<int>(value); }; };
    const struct
    {
        const QCommandLineOption& option;
        qint64 min;
        qint64 max;
        const char* needs;
        std::function<void(qint64)> store;
    } integers[] = {
        { maxDepthOption, 1, 1000, "a number of folders between 1 and 1000", toInt(&server.maxDepth) },
        { maxEntriesOption, 1, std::numeric_limits<qint64>::max(), "a positive number",
            [&server](qint64 value) { server.maxEntries = value; } },
        { ticketTimeoutOption, 1, IntMax, "a positive number of milliseconds", toInt(&server.network.ticketTimeoutMs) },
        { handshakeTimeoutOption, 1, IntMax, "a positive number of milliseconds",
            toInt(&server.network.handshakeTimeoutMs) },
        { maxHandshakesOption, 1, IntMax, "a positive number", toInt(&server.network.maxHandshakes) },
        { maxHandshakesPerIpOption, 1, IntMax, "a positive number", toInt(&server.network.maxHandshakesPerAddress) },
        { maxTicketsPerKeyOption, 1, IntMax, "a positive number", toInt(&server.network.maxTicketsPerKey) },
        { maxTicketsPerIpOption, 1, IntMax, "a positive number", toInt(&server.network.maxTicketsPerSource) },
        { maxSessionsPerKeyOption, 1, IntMax, "a positive number", toInt(&server.maxSessionsPerKey) },
        { retentionDaysOption, 0, ServerApp::MaxRetentionDays, "a number of days from 0 (keep everything) to 36500",
            toInt(&server.retentionDays) },
    };
    for (const auto& integer : integers) {
        const qint64 value = parser.value(integer.option).toLongLong(&ok);
        if (!ok || value < integer.min || value > integer.max) {
            return fail(
                QStringLiteral("--%1 needs %2").arg(integer.option.names().constFirst(), QLatin1String(integer.needs)));
        }
        integer.store(value);
    }
    server.network.handshakeIpv4Prefix = parser.value(handshakePrefixV4Option).toInt(&ok);
    if (!ok || server.network.handshakeIpv4Prefix < 8 || server.network.handshakeIpv4Prefix > 32) {
        return fail(QStringLiteral("--handshake-prefix-v4 %1 is not a prefix length from 8 to 32 (32: each IPv4 "
                                   "address is a source of its own; 24: each /24 network)")
                        .arg(parser.value(handshakePrefixV4Option)));
    }
    return options;
}

} // namespace QuietWire
