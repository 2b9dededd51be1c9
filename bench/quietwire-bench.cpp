// quietwire-bench: the load tool of bench/run.sh. It drives a running quietwired through the
// shared library (FileClient/FileTransfer, ChatClient, ServiceClient), so it measures the code
// the CLI and the desktop client run. See docs/PERFORMANCE.md for what each figure means.

#include "BenchKeys.h"
#include "BenchOptions.h"
#include "ChatStoreLoad.h"
#include "EpollEventDispatcher.h"
#include "FileLimit.h"
#include "HandshakeBench.h"
#include "HistoryStallBench.h"
#include "IrcMembers.h"
#include "Report.h"
#include "SessionBench.h"
#include "StoreBench.h"
#include "StormBench.h"
#include "TransferBench.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <csignal>

using namespace QuietWire;
using namespace QuietWire::Bench;

namespace {

const char Description[] = R"(Load tool for QuietWire (bench/run.sh runs it; results are `record key=value ...` lines).

Commands:
  keygen --keys DIR --count N        create N client keys and DIR/authorized_keys for the server
  upload SIZE [--parallel N] [--repeat R] [--dir TMPFS] [--file PATH]
  download SIZE [--parallel N] [--repeat R] [--dir TMPFS]
                                     MB/s (10^6 bytes/s) from the start of the transfers to their
                                     verified finish (SHA-256 checked by both ends)
  handshakes --clients N --seconds S [--sources K]
                                     complete session set-ups per second
  fanout --members M --messages K [--rate R[,R...] --seconds S]
                                     time until every member has a room message (p50, p99) and
                                     deliveries per second at a steady rate
  fanout-members --members M [--first K] [--chat-version V] --stop-file F [--settle MS] [--send --go-file G --messages N --gap MS --rate R[,R...] --seconds S]
  irc-members --irc-port P --irc-ca PEM (the same options)
                                     one process of bench/fanout.sh: M QuietWire room members
                                     (keys K..K+M-1) or M IRC clients over TLS in #bench, held until
                                     F exists; `fanmsg` lines say when the last of them had each
                                     message; with --send, member 0 sends N messages MS apart, then
                                     at each rate for S seconds
  storm --clients N [--sources K] [--seconds S]
                                     restart storm: N chat clients join, each reconnecting on its
                                     own Backoff like the real clients; prints storm-ready, then
                                     waits up to S s for the server to restart and S s more until
                                     every client is back (p50, p99, max after the first drop)
  idle --sessions N [--service chat|files] [--seconds S]
                                     hold N sessions (until stdin closes, or S seconds)
  stall-download SIZE / stall-upload SIZE [--interval MS] [--resume]
                                     longest gap between ticks of a MS timer in the thread that
                                     runs the transfer (the GUI's situation); --resume: the
                                     transfer is stopped at half first, and its resume is measured
                                     (the prefix is hashed before the rest flows)
  stall-history [--messages N] [--text-bytes B] [--interval MS]
                                     the same timer while a version-2 ChatClient loads a history
                                     of N messages (it sends them first, untimed) page by page,
                                     200 a page, back to the start
  store --dir DIR [--stored N] [--conversations C] [--queries Q]
                                     the chat store alone (no server): fill rate with durable
                                     group commits, history page and search latency (p50, p99)
  store-fill --dir DATADIR --keys DIR --members M [--stored N] [--conversations C]
                                     fill a server's store (DATADIR/quietwire.db, server stopped):
                                     general and C-1 public rooms, members b0000.. of each
  store-query --dir DATADIR [--queries Q] [--stored N]
                                     store's history pages and searches on DATADIR/quietwire.db
                                     as it is (server stopped), as user b0000
  chat-load [--senders N] [--window W] [--seconds S] [--target ring|self|general] [--sources K]
            [--server-pid PID[,PID...]] [--database-pids PID,...]
                                     accepted messages per second from N version-2 sessions, each
                                     with W unanswered (durable: the server's group commits),
                                     latency to `accepted` (p50, p99), CPU per message; then each
                                     accepted message is looked up in the history, once
  chat-query --sessions N [--queries Q] [--repeat J] [--stored N] [--seconds S]
                                     N version-2 sessions join; join time of one more (J times),
                                     history pages of 100 and searches through the server (p50,
                                     p99); held S seconds (0: until stdin closes) for the memory
SIZE: bytes or 4K, 64K, 1M, 1G, 10G (binary units).)";

} // namespace

int main(int argc, char* argv[])
{
    // Thousands of sessions in one process (the storm, many sessions, the fan-out members): its loop on epoll as
    // quietwired's, so that the harness's own polling does not grow with them; QUIETWIRE_EVENT_DISPATCHER=qt keeps
    // Qt's.
    EpollEventDispatcher::installForMainThread();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("quietwire-bench"));
    QCoreApplication::setApplicationVersion(QStringLiteral(QUIETWIRE_VERSION));
    std::signal(SIGPIPE, SIG_IGN);
    // Thousands of sessions in one process (bench/many-sessions.sh): the soft limit up to the hard one.
    FileLimit::raise();

    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromLatin1(Description));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host(QStringLiteral("host"), QStringLiteral("Server address (127.0.0.1)."),
        QStringLiteral("ADDR"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Server handshake port (7400)."),
        QStringLiteral("N"), QStringLiteral("7400"));
    const QCommandLineOption keys(
        QStringLiteral("keys"), QStringLiteral("Directory of client keys (keygen)."), QStringLiteral("DIR"));
    const QCommandLineOption dir(QStringLiteral("dir"), QStringLiteral("Local work directory, best on tmpfs."),
        QStringLiteral("DIR"), QStringLiteral("/dev/shm"));
    const QCommandLineOption file(
        QStringLiteral("file"), QStringLiteral("upload: send this file."), QStringLiteral("PATH"));
    const QCommandLineOption count(
        QStringLiteral("count"), QStringLiteral("keygen: number of keys."), QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption parallel(
        QStringLiteral("parallel"), QStringLiteral("Transfers at once (1)."), QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption repeat(
        QStringLiteral("repeat"), QStringLiteral("Timed runs (3)."), QStringLiteral("R"), QStringLiteral("3"));
    const QCommandLineOption clients(QStringLiteral("clients"), QStringLiteral("handshakes: concurrent loops (16)."),
        QStringLiteral("N"), QStringLiteral("16"));
    const QCommandLineOption seconds(QStringLiteral("seconds"), QStringLiteral("Duration of a timed phase (5)."),
        QStringLiteral("S"), QStringLiteral("5"));
    const QCommandLineOption members(QStringLiteral("members"), QStringLiteral("fanout: room members (500)."),
        QStringLiteral("N"), QStringLiteral("500"));
    const QCommandLineOption messages(QStringLiteral("messages"),
        QStringLiteral("fanout: messages sent one at a time (100)."), QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption rate(QStringLiteral("rate"),
        QStringLiteral("fanout: messages per second of the steady phases, e.g. 20,50,100."),
        QStringLiteral("R[,R...]"));
    const QCommandLineOption sessions(QStringLiteral("sessions"), QStringLiteral("idle: sessions to hold (1000)."),
        QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption sources(QStringLiteral("sources"),
        QStringLiteral("Spread connections over 127.0.0.1 .. 127.0.0.K (1: no bind)."), QStringLiteral("K"),
        QStringLiteral("1"));
    const QCommandLineOption batch(QStringLiteral("connect-batch"),
        QStringLiteral("Chat: session set-ups in flight at once (32)."), QStringLiteral("N"), QStringLiteral("32"));
    const QCommandLineOption settle(QStringLiteral("settle"),
        QStringLiteral("fanout-members: the joins are over once no member list changed for MS ms (several nodes: "
                       "each tells only of its own members). Default: once every member heard of all the others."),
        QStringLiteral("MS"), QStringLiteral("0"));
    const QCommandLineOption interval(QStringLiteral("interval"), QStringLiteral("stall: timer period in ms (5)."),
        QStringLiteral("MS"), QStringLiteral("5"));
    const QCommandLineOption resume(
        QStringLiteral("resume"), QStringLiteral("stall: stop the transfer at half first, then measure its resume."));
    const QCommandLineOption textBytes(QStringLiteral("text-bytes"),
        QStringLiteral("fanout: length of each chat text (64)."), QStringLiteral("N"), QStringLiteral("64"));
    const QCommandLineOption service(QStringLiteral("service"), QStringLiteral("idle: chat or files (chat)."),
        QStringLiteral("NAME"), QStringLiteral("chat"));
    const QCommandLineOption keep(QStringLiteral("keep"), QStringLiteral("upload: keep the uploaded files."));
    const QCommandLineOption stored(QStringLiteral("stored"),
        QStringLiteral("store: messages to fill the store with (100000)."), QStringLiteral("N"),
        QStringLiteral("100000"));
    const QCommandLineOption conversations(QStringLiteral("conversations"),
        QStringLiteral("store: conversations to spread them over (50)."), QStringLiteral("C"), QStringLiteral("50"));
    const QCommandLineOption queries(QStringLiteral("queries"),
        QStringLiteral("store: timed history pages and searches, each (1000)."), QStringLiteral("Q"),
        QStringLiteral("1000"));
    const QCommandLineOption senders(QStringLiteral("senders"),
        QStringLiteral("chat-load: sending sessions, one key each (100)."), QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption window(QStringLiteral("window"),
        QStringLiteral("chat-load: unanswered messages per sender (10)."), QStringLiteral("W"), QStringLiteral("10"));
    const QCommandLineOption target(QStringLiteral("target"),
        QStringLiteral("chat-load: ring (direct messages to the next sender), self or general (ring)."),
        QStringLiteral("T"), QStringLiteral("ring"));
    const QCommandLineOption serverPid(QStringLiteral("server-pid"),
        QStringLiteral("chat-load: the local quietwired's pid (or the nodes', comma-separated), for their threads' "
                       "CPU time per message."),
        QStringLiteral("PID"));
    const QCommandLineOption databasePids(QStringLiteral("database-pids"),
        QStringLiteral("chat-load: the local database's processes (comma-separated), for their CPU time per message."),
        QStringLiteral("PIDS"));
    const QCommandLineOption first(QStringLiteral("first"),
        QStringLiteral("fanout-members, irc-members: the first key (nick) number (0)."), QStringLiteral("K"),
        QStringLiteral("0"));
    const QCommandLineOption send(
        QStringLiteral("send"), QStringLiteral("fanout-members, irc-members: member 0 sends the schedule."));
    const QCommandLineOption gap(QStringLiteral("gap"),
        QStringLiteral("fanout-members, irc-members: ms between one-at-a-time messages (100)."), QStringLiteral("MS"),
        QStringLiteral("100"));
    const QCommandLineOption stopFile(QStringLiteral("stop-file"),
        QStringLiteral("fanout-members, irc-members: hold the members until this file exists."), QStringLiteral("F"));
    const QCommandLineOption ircPort(
        QStringLiteral("irc-port"), QStringLiteral("irc-members: the IRC server's TLS port."), QStringLiteral("P"));
    const QCommandLineOption ircCa(QStringLiteral("irc-ca"),
        QStringLiteral("irc-members: the IRC server's certificate (PEM)."), QStringLiteral("PEM"));
    const QCommandLineOption goFile(QStringLiteral("go-file"),
        QStringLiteral("fanout-members, irc-members: with --send, start sending once this file exists."),
        QStringLiteral("F"));
    const QCommandLineOption chatVersion(QStringLiteral("chat-version"),
        QStringLiteral("fanout-members: the chat version the members ask for (1; 3: presence, as the real clients)."),
        QStringLiteral("V"), QStringLiteral("1"));
    parser.addOptions({ first, send, gap, goFile, stopFile, ircPort, ircCa, chatVersion });
    const QCommandLineOption backoff(QStringLiteral("backoff"),
        QStringLiteral("storm: try another reconnect schedule, FIRST_MS,MAX_MS,JITTER[,LOAD_MAX_MS,LOAD_JITTER] "
                       "(default: Backoff's own, as the real clients)."),
        QStringLiteral("F,M,J[,L,LJ]"));
    parser.addOptions({ host, port, keys, dir, file, count, parallel, repeat, clients, seconds, members, messages, rate,
        sessions, sources, batch, settle, interval, textBytes, service, keep, stored, conversations, queries, senders,
        window, target, serverPid, databasePids, resume, backoff });
    parser.addPositionalArgument(
        QStringLiteral("command"), QStringLiteral("See above."), QStringLiteral("command [SIZE]"));
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        parser.showHelp(2);
    }
    BenchOptions options;
    options.command = positional.first();
    options.arguments = positional.mid(1);
    options.host = parser.value(host);
    options.port = static_cast<quint16>(parser.value(port).toUInt());
    options.keysDir = parser.value(keys);
    options.workDir = parser.value(dir);
    options.sourceFile = parser.value(file);
    options.count = parser.value(count).toInt();
    options.parallel = qMax(1, parser.value(parallel).toInt());
    options.repeat = qMax(1, parser.value(repeat).toInt());
    options.clients = qMax(1, parser.value(clients).toInt());
    options.seconds = parser.value(seconds).toDouble();
    options.members = qMax(2, parser.value(members).toInt());
    options.chatVersion = qMax<qint64>(1, parser.value(chatVersion).toLongLong());
    options.messages = qMax(1, parser.value(messages).toInt());
    for (const QString& r : parser.value(rate).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (r.toDouble() > 0) {
            options.rates.append(r.toDouble());
        }
    }
    options.sessions = qMax(1, parser.value(sessions).toInt());
    options.sources = qMax(1, parser.value(sources).toInt());
    options.connectBatch = qMax(1, parser.value(batch).toInt());
    options.intervalMs = qMax(1, parser.value(interval).toInt());
    options.settleMs = qMax(0, parser.value(settle).toInt());
    options.resume = parser.isSet(resume);
    options.textBytes = qBound(16, parser.value(textBytes).toInt(), 16000);
    options.service = parser.value(service);
    options.first = qMax(0, parser.value(first).toInt());
    options.send = parser.isSet(send);
    options.gapMs = qMax(1, parser.value(gap).toInt());
    options.goFile = parser.value(goFile);
    options.stopFile = parser.value(stopFile);
    options.ircPort = static_cast<quint16>(parser.value(ircPort).toUInt());
    options.ircCa = parser.value(ircCa);
    options.keep = parser.isSet(keep);
    options.stored = qMax<qint64>(1, parser.value(stored).toLongLong());
    options.conversations = qMax(1, parser.value(conversations).toInt());
    options.queries = qMax(1, parser.value(queries).toInt());
    options.senders = qMax(1, parser.value(senders).toInt());
    options.window = qMax(1, parser.value(window).toInt());
    options.target = parser.value(target);
    const auto pids = [&parser](const QCommandLineOption& option) {
        QList<qint64> list;
        for (const QString& pid : parser.value(option).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            list << pid.toLongLong();
        }
        return list;
    };
    options.serverPids = pids(serverPid);
    options.databasePids = pids(databasePids);
    if (parser.isSet(backoff)) {
        const QStringList parts = parser.value(backoff).split(QLatin1Char(','));
        options.backoffFirstMs = parts.value(0).toInt();
        options.backoffMaxMs = parts.value(1).toInt();
        options.backoffJitter = parts.value(2, QStringLiteral("-1")).toDouble();
        options.backoffLoadMaxMs = parts.value(3, QStringLiteral("0")).toInt();
        options.backoffLoadJitter = parts.value(4, QStringLiteral("-1")).toDouble();
        if ((parts.size() != 3 && parts.size() != 5) || options.backoffFirstMs <= 0
            || options.backoffMaxMs < options.backoffFirstMs || options.backoffJitter < 0
            || options.backoffJitter > 1) {
            note(QStringLiteral("--backoff is FIRST_MS,MAX_MS,JITTER[,LOAD_MAX_MS,LOAD_JITTER], e.g. 1000,60000,0.25"));
            return 2;
        }
    }
    if (options.target != QLatin1String("ring") && options.target != QLatin1String("self")
        && options.target != QLatin1String("general")) {
        note(QStringLiteral("--target is ring, self or general"));
        return 2;
    }

    if (options.command == QLatin1String("store")) {
        return StoreBench(options).run();
    }

    if (options.command == QLatin1String("irc-members")) {
        return IrcMembers(options).run();
    }
    if (options.keysDir.isEmpty()) {
        note(QStringLiteral("--keys DIR is required (quietwire-bench keygen --keys DIR --count N creates them)"));
        return 2;
    }
    QString error;
    if (options.command == QLatin1String("keygen")) {
        if (!BenchKeys::generate(options.keysDir, qMax(1, options.count), &error)) {
            note(error);
            return 1;
        }
        Report(QStringLiteral("keygen")).add(QStringLiteral("keys"), options.count).print();
        return 0;
    }

    const QString command = options.command;
    const bool transfer = command == QLatin1String("upload") || command == QLatin1String("download")
        || command == QLatin1String("stall-upload") || command == QLatin1String("stall-download");
    if (transfer) {
        const qint64 size = parseSize(options.arguments.value(0));
        if (size < 0 && options.sourceFile.isEmpty()) {
            note(QStringLiteral("%1 needs a SIZE such as 4K, 1M or 1G").arg(command));
            return 2;
        }
        const auto identities = BenchKeys::load(options.keysDir, 1, &error);
        if (!identities) {
            note(error);
            return 1;
        }
        QDir().mkpath(options.workDir);
        TransferBench bench(options, identities->first());
        const auto direction = command.endsWith(QLatin1String("upload")) ? FileTransfer::Direction::Upload
                                                                         : FileTransfer::Direction::Download;
        return command.startsWith(QLatin1String("stall")) ? bench.stall(direction, size) : bench.run(direction, size);
    }
    if (command == QLatin1String("stall-history")) {
        const auto identities = BenchKeys::load(options.keysDir, 1, &error);
        if (!identities) {
            note(error);
            return 1;
        }
        return HistoryStallBench(options, identities->first()).run();
    }
    if (command == QLatin1String("handshakes")) {
        const auto identities = BenchKeys::load(options.keysDir, 1, &error);
        if (!identities) {
            note(error);
            return 1;
        }
        HandshakeBench bench(options, identities->first());
        return bench.run();
    }
    if (command == QLatin1String("storm")) {
        auto identities = BenchKeys::load(options.keysDir, 0, &error);
        if (!identities) {
            note(error);
            return 1;
        }
        return StormBench(options, *identities).run();
    }
    if (command == QLatin1String("store-fill")) {
        return StoreBench(options).fill();
    }
    if (command == QLatin1String("store-query")) {
        return StoreBench(options).query();
    }
    if (command == QLatin1String("chat-load") || command == QLatin1String("chat-query")) {
        auto identities = BenchKeys::load(options.keysDir, 0, &error);
        if (!identities) {
            note(error);
            return 1;
        }
        ChatStoreLoad bench(options, *identities);
        return command == QLatin1String("chat-load") ? bench.load() : bench.query();
    }
    if (command == QLatin1String("fanout-members")) {
        auto identities = BenchKeys::load(options.keysDir, 0, &error);
        if (!identities) {
            note(error);
            return 1;
        }
        if (identities->size() < options.first + options.members) {
            note(QStringLiteral("fanout-members: %1 keys, keys %2..%3 wanted")
                     .arg(identities->size())
                     .arg(options.first)
                     .arg(options.first + options.members - 1));
            return 2;
        }
        SessionBench bench(options, identities->mid(options.first, options.members));
        return bench.fanoutMembers();
    }
    if (command == QLatin1String("fanout") || command == QLatin1String("idle")) {
        const int needed = command == QLatin1String("fanout") ? options.members : options.sessions;
        auto identities = BenchKeys::load(options.keysDir, 0, &error);
        if (!identities) {
            note(error);
            return 1;
        }
        if (identities->size() < needed) {
            note(QStringLiteral("note: %1 keys for %2 members; some keys have several sessions")
                     .arg(identities->size())
                     .arg(needed));
        }
        SessionBench bench(options, *identities);
        return command == QLatin1String("fanout") ? bench.fanout() : bench.idle();
    }
    note(QStringLiteral("unknown command \"%1\"; see --help").arg(command));
    return 2;
}
