#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

namespace QuietWire::Bench {

/// Everything the subcommands of quietwire-bench take from the command line.
struct BenchOptions
{
    QString command;
    QStringList arguments; // positional arguments after the command (e.g. the size)

    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 7400;
    QString keysDir; // keygen writes here; the other commands load identities from here
    QString workDir; // local files (a tmpfs directory)
    QString sourceFile; // upload: send this file instead of a generated one
    int count = 1; // keygen
    int parallel = 1; // transfers at once
    int repeat = 3; // timed runs
    int clients = 16; // handshakes: concurrent loops
    double seconds = 5; // handshakes, fanout steady phase, idle hold time (0: until stdin closes)
    int members = 500; // fanout
    int messages = 100; // fanout: one-at-a-time messages
    QList<double> rates; // fanout: messages per second of each steady phase (none: skip them)
    int sessions = 1000; // idle
    int sources = 1; // local addresses 127.0.0.1 .. 127.0.0.250, 127.0.1.1 ... (N in all) to spread connections over
    int connectBatch = 32; // chat: connections being set up at once (the session port pool is finite)
    int intervalMs = 5; // stall: timer period
    int settleMs = 0; // fanout-members: joins are over once no member list changed for this long (0: once
                      // every member heard of all the others, which nodes that share a store do not tell)
    bool resume = false; // stall: stop the transfer at half (untimed), then measure its resume (prefix hash included)
    int textBytes = 64; // fanout: length of each chat text
    int first = 0; // fanout-members, irc-members: the first key (nick) of this process's members
    qint64 chatVersion = 1; // fanout-members: the chat version the members ask for (1: ChatClient's default)
    bool send = false; // fanout-members, irc-members: member 0 runs the sender's schedule
    int gapMs = 100; // fanout-members, irc-members: time between the one-at-a-time messages
    QString goFile; // fanout-members, irc-members with --send: start sending once this file exists
    QString stopFile; // fanout-members, irc-members: hold the members until this file exists
    quint16 ircPort = 0; // irc-members: the IRC server's TLS port on --host
    QString ircCa; // irc-members: its certificate (PEM), trusted for the name localhost
    QString service = QStringLiteral("chat"); // idle: chat or files
    bool keep = false; // upload: leave the uploaded files on the server
    qint64 stored = 100000; // store: messages to fill the store with
    int conversations = 50; // store: conversations they are spread over
    int queries = 1000; // store, chat-query: timed history pages and searches (each)
    int senders = 100; // chat-load: sessions sending, each with its own key
    int window = 10; // chat-load: messages each sender keeps unanswered
    QString target = QStringLiteral("ring"); // chat-load: ring, self or general
    int backoffFirstMs = 0; // storm: the clients' Backoff schedule (0: Backoff's own, as the real clients)
    int backoffMaxMs = 0;
    double backoffJitter = -1;
    int backoffLoadMaxMs = 0; // 0: Backoff's own
    double backoffLoadJitter = -1;
    QList<qint64> serverPids; // chat-load: the local quietwired(s), to read their threads' CPU time (none: not)
    QList<qint64> databasePids; // chat-load: the database's processes (a local PostgreSQL), for its CPU time

    /// Local address number i (0-based) of the --sources pool.
    QHostAddress sourceAddress(int i) const;
};

/// Parses "4096", "4K", "64KiB", "1M", "1G", "10G" (binary units); -1 when malformed.
qint64 parseSize(const QString& text);
/// "4K", "1M", "1G" for exact binary multiples, the byte count otherwise.
QString sizeLabel(qint64 bytes);

} // namespace QuietWire::Bench
