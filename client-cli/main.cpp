// quietwire-cli: the headless QuietWire client.

#include "ChatCommand.h"
#include "CliOutput.h"
#include "EncryptedTcpSocket.h"
#include "FilesCommand.h"
#include "Identity.h"
#include "KnownServers.h"
#include "Protocol.h"
#include "RequestCommand.h"
#include "SendFileCommand.h"
#include "Version.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTextStream>
#include <QTimer>
#include <csignal>
#include <iostream>
#include <string>
#include <unistd.h>

using namespace QuietWire;
using namespace QuietWire::Cli;

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    // Shares its configuration directory (identity, known_servers) with the desktop client.
    QCoreApplication::setOrganizationName(QStringLiteral("QuietWire"));
    QCoreApplication::setApplicationName(QStringLiteral("quietwire"));
    QCoreApplication::setApplicationVersion(QStringLiteral(QUIETWIRE_VERSION));
    std::signal(SIGPIPE, SIG_IGN);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "QuietWire command-line client.\n\n"
        "Commands:\n"
        "  key                  print this client's public key line (created on first use); give it to the\n"
        "                       server administrator\n"
        "  chat HOST[:PORT]     chat interactively (/msg NAME TEXT, /who, /quit), or with --send / --listen;\n"
        "                       in the general room, or with --room NAME in a room, with --to NAME with a person\n"
        "  history HOST[:PORT]  print the stored messages of general, --room NAME or --to NAME, oldest first,\n"
        "                       one a line: ID  TIME  SENDER: TEXT (--before ID, --limit N, --all)\n"
        "  send-file HOST[:PORT] (--room NAME | --to NAME) LOCAL [--text TEXT]\n"
        "                       upload LOCAL into the conversation's shared folder (attachments/YYYY-MM-DD/,\n"
        "                       never over an existing name) and send a message referring to it; prints its id\n"
        "  search HOST[:PORT] TEXT\n"
        "                       find messages with these words (each also matches longer words it starts) in\n"
        "                       all your conversations, or in --room NAME / --to NAME; newest first\n"
        "  rooms HOST[:PORT]    list the public rooms and yours: name, members, joined, private, topic\n"
        "  room HOST[:PORT] COMMAND NAME [ARGS]\n"
        "                       one room operation: create NAME [--private] [--topic TEXT], join NAME,\n"
        "                         leave NAME, invite NAME MEMBER, remove NAME MEMBER, topic NAME TEXT,\n"
        "                         delete NAME, members NAME\n"
        "                       (rooms, room, history, search and chat --room/--to need a server that speaks\n"
        "                       version 2 of the chat protocol)\n"
        "  files HOST[:PORT] COMMAND [ARGS]\n"
        "                       one file operation on the server, then exit:\n"
        "                         ls [PATH], stat PATH, cat PATH, mkdir PATH, rm PATH, rmdir PATH [-r],\n"
        "                         mv FROM TO, get REMOTE [LOCAL], put LOCAL [REMOTE] (--resume continues),\n"
        "                         put -r LOCAL_DIR [REMOTE_DIR], get -r REMOTE_DIR [LOCAL_DIR]: a whole folder\n"
        "                         tree (the target folder gets the source's contents; run again, it continues:\n"
        "                         identical files are kept, partial ones resume; links and devices are skipped)\n"
        "                       Remote paths are relative to your home folder on the server.\n"
        "  servers              list the pinned server keys (known_servers)\n"
        "  forget HOST[:PORT]   remove a pinned server key, after the administrator confirmed a new one\n\n"
        "Files (in the config dir, shared with the desktop client quietwire):\n"
        "  identity.key         this client's private key (PKCS#8 PEM, mode 0600); never give it away\n"
        "  identity.pub         its public key line, the one the administrator allows\n"
        "  known_servers        the server keys pinned on first use (HOST:PORT KEY)\n\n"
        "HOST[:PORT]: the server's handshake port, 7400 if left out; [IPv6]:PORT for IPv6.\n"
        "Text output escapes control characters (\\xHH) and starts the further lines of a message with \"  | \".\n"
        "--json prints one JSON object a line instead (times in ISO 8601 UTC, text as sent): a message\n"
        "{type, id, conversation, room or to, from, fingerprint, time, text}; a room {type, id, name, topic,\n"
        "private, members, joined}; a member {type, room, name, role}; a search hit {type, id, conversation,\n"
        "room or with, from, fingerprint, time, snippet, marks}; chat --send's answer {type, id, conversation,\n"
        "duplicate, waiting}; a room change {type: done, action, room, conversation, member}.\n"
        "Exit status: 0 success, 1 failure (the reason is printed on stderr; a server's refusal ends with its\n"
        "code, e.g. \"(not_found)\"), 2 wrong usage."));
    parser.addHelpOption();
    const QCommandLineOption versionOption = addVersionOption(parser);
    const QCommandLineOption configDirOption(QStringLiteral("config-dir"),
        QStringLiteral("Directory with identity.key, identity.pub and known_servers (default: "
                       "~/.config/QuietWire/quietwire, or QuietWire/quietwire in $XDG_CONFIG_HOME)."),
        QStringLiteral("DIR"));
    const QCommandLineOption sendOption(QStringLiteral("send"),
        QStringLiteral("chat: send TEXT, wait until the server took it, exit."), QStringLiteral("TEXT"));
    const QCommandLineOption toOption(QStringLiteral("to"),
        QStringLiteral("chat, history, search: the direct conversation with NAME (a name the server allows, "
                       "connected or not: a message for someone away is kept for them)."),
        QStringLiteral("NAME"));
    const QCommandLineOption roomOption(QStringLiteral("room"),
        QStringLiteral("chat, history, search: the room NAME instead of general (chat: you must be a member)."),
        QStringLiteral("NAME"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
        QStringLiteral("chat, history, search, rooms, room: one JSON object per line on stdout, for scripts."));
    const QCommandLineOption beforeOption(QStringLiteral("before"),
        QStringLiteral("history, search: only messages older than message ID."), QStringLiteral("ID"));
    const QCommandLineOption limitOption(QStringLiteral("limit"),
        QStringLiteral("history: at most N messages (default 50, at most 200; with --all: per request); "
                       "search: at most N hits (default 20, at most 100)."),
        QStringLiteral("N"));
    const QCommandLineOption allOption(
        QStringLiteral("all"), QStringLiteral("history: every stored message, not only the newest page."));
    const QCommandLineOption privateOption(
        QStringLiteral("private"), QStringLiteral("room create: a private room (members join by invitation)."));
    const QCommandLineOption topicOption(
        QStringLiteral("topic"), QStringLiteral("room create: the room's topic."), QStringLiteral("TEXT"));
    const QCommandLineOption listenOption(QStringLiteral("listen"),
        QStringLiteral("chat: print the next N messages, then exit (history and join/leave notices do not count). "
                       "Each message starts a line \"NAME: TEXT\"; the further lines of a message start with \"  | \", "
                       "and control characters are shown as \\xHH."),
        QStringLiteral("N"));
    const QCommandLineOption trustNewOption(QStringLiteral("trust-new"),
        QStringLiteral("Accept and pin the server key if this server is not "
                       "known yet (never overrides a changed key)."));
    const QCommandLineOption bindOption(
        QStringLiteral("bind"), QStringLiteral("Local address to connect from."), QStringLiteral("ADDR"));
    const QCommandLineOption resumeOption(QStringLiteral("resume"),
        QStringLiteral("files get/put: continue an interrupted transfer from its "
                       ".part file (its hash is checked first)."));
    const QCommandLineOption recursiveOption({ QStringLiteral("r"), QStringLiteral("recursive") },
        QStringLiteral("files rmdir: remove the folder with all it holds; files put, get: a whole folder tree."));
    const QCommandLineOption maxOption(QStringLiteral("max"),
        QStringLiteral("files cat: print at most N bytes (default 4096, at most 60000)."), QStringLiteral("N"));
    const QCommandLineOption textOption(QStringLiteral("text"),
        QStringLiteral("send-file: the message's text (none: the file alone)."), QStringLiteral("TEXT"));
    parser.addOptions({ configDirOption, sendOption, toOption, roomOption, listenOption, jsonOption, beforeOption,
        limitOption, allOption, privateOption, topicOption, trustNewOption, bindOption, resumeOption, recursiveOption,
        maxOption, textOption });
    parser.addPositionalArgument(QStringLiteral("command"),
        QStringLiteral("key, chat, history, search, rooms, room, files, send-file, servers or forget."),
        QStringLiteral("command [args...]"));
    parser.process(app);
    if (parser.isSet(versionOption)) {
        out() << versionText(QStringLiteral("quietwire-cli")) << Qt::flush;
        return 0;
    }

    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) {
        return fail(QStringLiteral("no command given; see --help"), 2);
    }
    const QString command = args.first();
    const QString configDir
        = QDir(parser.isSet(configDirOption) ? parser.value(configDirOption)
                                             : QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
              .absolutePath();
    KnownServers knownServers(QDir(configDir).filePath(QStringLiteral("known_servers")));

    if (command == QLatin1String("servers")) {
        QString error;
        const auto entries = knownServers.entries(&error);
        if (!entries) {
            return fail(error);
        }
        for (const auto& entry : *entries) {
            out() << entry.hostPort << "  " << Identity::fingerprint(entry.key) << '\n';
        }
        out().flush();
        return 0;
    }
    if (command == QLatin1String("forget")) {
        QString host;
        quint16 port = 0;
        if (args.size() != 2 || !Protocol::parseHostPort(args.at(1), &host, &port)) {
            return fail(QStringLiteral("usage: quietwire-cli forget HOST[:PORT]"), 2);
        }
        QString error;
        const int removed = knownServers.remove(KnownServers::hostPort(host, port), &error);
        if (removed < 0) {
            return fail(error);
        }
        if (removed == 0) {
            return fail(QStringLiteral("%1 is not in %2").arg(KnownServers::hostPort(host, port), knownServers.path()));
        }
        out() << "Removed the pinned key of " << KnownServers::hostPort(host, port) << Qt::endl;
        return 0;
    }

    QString error;
    bool created = false;
    const auto identity = Identity::loadOrCreate(configDir, Identity::defaultComment(), &error, &created);
    if (!identity) {
        return fail(error);
    }
    if (created) {
        err() << "Created a new key in " << configDir << Qt::endl;
    }

    if (command == QLatin1String("key")) {
        out() << identity->publicKeyLine() << Qt::endl;
        err() << "Fingerprint: " << identity->fingerprint() << Qt::endl;
        return 0;
    }
    QHostAddress bindAddress;
    if (parser.isSet(bindOption)) {
        bindAddress = QHostAddress(parser.value(bindOption));
        if (bindAddress.isNull()) {
            return fail(QStringLiteral("--bind %1 is not an IP address").arg(parser.value(bindOption)), 2);
        }
    }
    QString host;
    quint16 port = 0;
    if (command == QLatin1String("files")) {
        if (args.size() < 3 || !Protocol::parseHostPort(args.at(1), &host, &port)) {
            return fail(QStringLiteral("usage: quietwire-cli files HOST[:PORT] COMMAND [ARGS...]; see --help"), 2);
        }
        FilesOptions options;
        options.trustNew = parser.isSet(trustNewOption);
        options.bindAddress = bindAddress;
        options.resume = parser.isSet(resumeOption);
        options.recursive = parser.isSet(recursiveOption);
        if (parser.isSet(maxOption)) {
            bool ok = false;
            options.catBytes = parser.value(maxOption).toLongLong(&ok);
            if (!ok || options.catBytes < 0) {
                return fail(QStringLiteral("--max needs a number of bytes"), 2);
            }
        }
        return runFiles(*identity, configDir, host, port, args.mid(2), options);
    }
    if (parser.isSet(roomOption) && parser.isSet(toOption)) {
        return fail(QStringLiteral("--room and --to cannot be combined"), 2);
    }
    if (command == QLatin1String("send-file")) {
        if (args.size() != 3 || !Protocol::parseHostPort(args.at(1), &host, &port)
            || (!parser.isSet(roomOption) && !parser.isSet(toOption))) {
            return fail(QStringLiteral(
                            "usage: quietwire-cli send-file HOST[:PORT] (--room NAME | --to NAME) LOCAL [--text TEXT]"),
                2);
        }
        SendFileOptions options;
        options.room = parser.value(roomOption);
        options.to = parser.value(toOption);
        options.local = args.at(2);
        options.text = parser.value(textOption);
        options.json = parser.isSet(jsonOption);
        options.trustNew = parser.isSet(trustNewOption);
        options.bindAddress = bindAddress;
        return runSendFile(*identity, configDir, host, port, options);
    }
    if (command == QLatin1String("rooms") || command == QLatin1String("room") || command == QLatin1String("history")
        || command == QLatin1String("search")) {
        if (args.size() < 2 || !Protocol::parseHostPort(args.at(1), &host, &port)) {
            return fail(QStringLiteral("usage: quietwire-cli %1 HOST[:PORT] ...; see --help").arg(command), 2);
        }
        RequestOptions options;
        options.trustNew = parser.isSet(trustNewOption);
        options.bindAddress = bindAddress;
        options.json = parser.isSet(jsonOption);
        options.room = parser.value(roomOption);
        options.to = parser.value(toOption);
        options.all = parser.isSet(allOption);
        options.isPrivate = parser.isSet(privateOption);
        options.topic = parser.value(topicOption);
        bool ok = true;
        if (parser.isSet(beforeOption)) {
            options.before = parser.value(beforeOption).toLongLong(&ok);
            if (!ok) {
                return fail(QStringLiteral("--before needs a message id"), 2);
            }
        }
        if (parser.isSet(limitOption)) {
            options.limit = parser.value(limitOption).toLongLong(&ok);
            if (!ok) {
                return fail(QStringLiteral("--limit needs a number"), 2);
            }
        }
        return runRequest(*identity, configDir, host, port, command, args.mid(2), options);
    }
    if (command != QLatin1String("chat")) {
        return fail(QStringLiteral("unknown command \"%1\"; see --help").arg(command), 2);
    }
    if (args.size() != 2 || !Protocol::parseHostPort(args.at(1), &host, &port)) {
        return fail(QStringLiteral("usage: quietwire-cli chat HOST[:PORT] [--room NAME | --to NAME] [--send TEXT | "
                                   "--listen N] [--json]"),
            2);
    }
    if (parser.isSet(sendOption) && parser.isSet(listenOption)) {
        return fail(QStringLiteral("--send and --listen cannot be combined"), 2);
    }
    ChatOptions options;
    options.room = parser.value(roomOption);
    options.to = parser.value(toOption);
    options.json = parser.isSet(jsonOption);
    if (parser.isSet(sendOption)) {
        options.mode = ChatOptions::Mode::Send;
        options.sendText = parser.value(sendOption);
    } else if (parser.isSet(listenOption)) {
        options.mode = ChatOptions::Mode::Listen;
        bool ok = false;
        options.listenCount = parser.value(listenOption).toInt(&ok);
        if (!ok || options.listenCount < 0) {
            return fail(QStringLiteral("--listen needs a number of messages"), 2);
        }
    }
    options.trustNew = parser.isSet(trustNewOption);
    options.bindAddress = bindAddress;
    return runChat(*identity, configDir, host, port, options);
}
