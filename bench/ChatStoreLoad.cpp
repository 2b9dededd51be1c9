#include "ChatStoreLoad.h"

#include "EventLoop.h"
#include "Report.h"
#include "StoreBench.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSet>
#include <QSocketNotifier>
#include <QTimer>
#include <cmath>
#include <unistd.h>

namespace QuietWire::Bench {

namespace {
constexpr qint64 DrainTimeoutMs = 60000;
constexpr qint64 AnswerTimeoutMs = 60000;

/// Seconds each thread of some processes ran, and waited to run (runnable, but no core free), by
/// thread name, summed over the processes, from /proc/PID/task/*/schedstat; the store's thread is
/// "QuietWire::Stor" there (names are cut at 15 characters). Empty without processes.
struct ThreadTimes
{
    double cpu = 0;
    double wait = 0;
};
QHash<QString, ThreadTimes> threadTimes(const QStringList& pids)
{
    QHash<QString, ThreadTimes> times;
    for (const QString& pid : pids) {
        const QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
        for (const QString& task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            QFile comm(tasks.filePath(task + QStringLiteral("/comm")));
            QFile schedstat(tasks.filePath(task + QStringLiteral("/schedstat")));
            if (!comm.open(QIODevice::ReadOnly) || !schedstat.open(QIODevice::ReadOnly)) {
                continue;
            }
            const QList<QByteArray> fields = schedstat.readAll().trimmed().split(' ');
            if (fields.size() < 2) {
                continue;
            }
            ThreadTimes& t = times[QString::fromUtf8(comm.readAll().trimmed())];
            t.cpu += static_cast<double>(fields.at(0).toLongLong()) / 1e9;
            t.wait += static_cast<double>(fields.at(1).toLongLong()) / 1e9;
        }
    }
    return times;
}
QStringList pidStrings(const QList<qint64>& pids)
{
    QStringList strings;
    for (const qint64 pid : pids) {
        strings << QString::number(pid);
    }
    return strings;
}

/// after - before, summed over the threads whose name starts with prefix (or all others, with
/// others set).
ThreadTimes used(const QHash<QString, ThreadTimes>& before, const QHash<QString, ThreadTimes>& after,
    const QString& prefix, bool others = false)
{
    ThreadTimes sum;
    for (auto it = after.cbegin(); it != after.cend(); ++it) {
        if (it.key().startsWith(prefix) == others) {
            continue;
        }
        sum.cpu += it.value().cpu - before.value(it.key()).cpu;
        sum.wait += it.value().wait - before.value(it.key()).wait;
    }
    return sum;
}
} // namespace

ChatStoreLoad::ChatStoreLoad(const BenchOptions& options, QList<Identity> keys, QObject* parent)
    : QObject(parent)
    , m_options(options)
    , m_keys(std::move(keys))
{
    m_clock.start();
    m_runTag = QString::number(QDateTime::currentMSecsSinceEpoch(), 36);
    m_padding = QString(qMax(0, options.textBytes - 24), QLatin1Char('x'));
}

bool ChatStoreLoad::sendOne(int index)
{
    Sender& sender = m_senders[index];
    ChatProtocol::Send send;
    send.seq = sender.nextSeq++;
    send.clientId = QStringLiteral("%1-%2-%3").arg(m_runTag).arg(index).arg(send.seq);
    send.text = QStringLiteral("load %1 %2 ").arg(index).arg(send.seq) + m_padding;
    send.to = sender.to;
    if (!sender.session->send(send.toCbor())) {
        return false; // the session ended: failed() counts it
    }
    sender.outstanding.insert(send.seq, { m_clock.nsecsElapsed(), *send.clientId });
    ++sender.sent;
    return true;
}

void ChatStoreLoad::pump(int index)
{
    while (m_senders.at(index).outstanding.size() < m_options.window && m_clock.nsecsElapsed() < m_endNs) {
        if (!sendOne(index)) {
            return;
        }
    }
}

std::optional<ChatProtocol::Done> ChatStoreLoad::ask(
    ChatSessionV2* session, const QCborMap& request, qint64 seq, double* ms, QString* error)
{
    std::optional<ChatProtocol::Done> answer;
    bool refused = false;
    QObject scope;
    connect(session, &ChatSessionV2::done, &scope, [&](const ChatProtocol::Done& done) {
        if (done.seq == seq) {
            answer = done;
        }
    });
    connect(session, &ChatSessionV2::rejected, &scope, [&](qint64 rejectedSeq, const QString& what) {
        if (rejectedSeq == seq) {
            refused = true;
            *error = what;
        }
    });
    connect(session, &ChatSessionV2::failed, &scope, [&](const QString& why) {
        refused = true;
        *error = why;
    });
    const qint64 start = m_clock.nsecsElapsed();
    if (!session->send(request)) {
        *error = QStringLiteral("the session is not open");
        return std::nullopt;
    }
    if (!spinUntil([&] { return answer || refused; }, AnswerTimeoutMs) && !refused) {
        *error = QStringLiteral("no answer in %1 s").arg(AnswerTimeoutMs / 1000);
    }
    if (ms) {
        *ms = static_cast<double>(m_clock.nsecsElapsed() - start) / 1e6;
    }
    return answer;
}

int ChatStoreLoad::load()
{
    const int count = m_options.senders;
    if (m_keys.size() < count) {
        note(QStringLiteral("chat-load needs %1 keys (one per sender), %2 found").arg(count).arg(m_keys.size()));
        return 2;
    }
    QString error;
    const QList<ChatSessionV2*> sessions = ChatSessionV2::openMany(m_options, m_keys, count, this, &error);
    if (sessions.isEmpty()) {
        note(error);
        return 1;
    }
    const QString target = m_options.target;
    QObject scope; // the connections below use locals: they end with this function
    qint64 lost = 0;
    qint64 rejected = 0;
    QString lastRejection;
    QList<double> latencies;
    QList<Stored> accepted;
    QHash<qint64, int> senderOf; // conversation -> a sender in it (reads its history back)
    QList<qint64> perSecond;
    qint64 inWindow = 0;
    qint64 startNs = 0;
    for (int i = 0; i < count; ++i) {
        Sender sender;
        sender.session = sessions.at(i);
        if (target == QLatin1String("ring")) {
            sender.to = sessions.at((i + 1) % count)->name();
        } else if (target == QLatin1String("self")) {
            sender.to = sessions.at(i)->name();
        }
        m_senders << sender;
        connect(sender.session, &ChatSessionV2::failed, &scope, [&lost] { ++lost; });
        connect(sender.session, &ChatSessionV2::accepted, &scope, [&, i](const ChatProtocol::Accepted& answer) {
            Sender& s = m_senders[i];
            const auto it = s.outstanding.constFind(answer.seq);
            if (it == s.outstanding.cend()) {
                return;
            }
            const qint64 now = m_clock.nsecsElapsed();
            const qint64 sentNs = it->first;
            accepted << Stored { answer.id, it->second };
            senderOf.insert(answer.conversation.value_or(0), i);
            s.outstanding.erase(it);
            if (startNs == 0) {
                return; // the warm-up
            }
            latencies << static_cast<double>(now - sentNs) / 1e6;
            if (now < m_endNs) {
                ++inWindow;
                const auto second = static_cast<qsizetype>((now - startNs) / 1000000000);
                if (perSecond.size() <= second) {
                    perSecond.resize(second + 1);
                }
                ++perSecond[second];
            }
            pump(i);
        });
        connect(sender.session, &ChatSessionV2::rejected, &scope, [&, i](qint64 seq, const QString& what) {
            if (m_senders[i].outstanding.remove(seq)) {
                ++rejected;
                lastRejection = what;
                pump(i);
            }
        });
    }

    // Warm-up, not timed: one message from each sender, all answered before the clock starts. The
    // first message into a new direct conversation creates it in a transaction of its own.
    const auto allAnswered = [this] {
        for (const Sender& s : std::as_const(m_senders)) {
            if (!s.outstanding.isEmpty()) {
                return false;
            }
        }
        return true;
    };
    const qint64 warmStart = m_clock.nsecsElapsed();
    for (int i = 0; i < count; ++i) {
        sendOne(i);
    }
    if (!spinUntil(allAnswered, DrainTimeoutMs)) {
        note(QStringLiteral("the warm-up messages were not all answered"));
        return 1;
    }
    const double warmSeconds = static_cast<double>(m_clock.nsecsElapsed() - warmStart) / 1e9;

    const QStringList serverPids = pidStrings(m_options.serverPids);
    const QStringList databasePids = pidStrings(m_options.databasePids);
    const QHash<QString, ThreadTimes> serverBefore = threadTimes(serverPids);
    const QHash<QString, ThreadTimes> databaseBefore = threadTimes(databasePids);
    const QHash<QString, ThreadTimes> benchBefore = threadTimes({ QStringLiteral("self") });
    startNs = m_clock.nsecsElapsed();
    m_endNs = startNs + static_cast<qint64>(m_options.seconds * 1e9);
    for (int i = 0; i < count; ++i) {
        pump(i);
    }
    spinUntil([&] { return m_clock.nsecsElapsed() >= m_endNs; }, -1);
    const double seconds = static_cast<double>(m_clock.nsecsElapsed() - startNs) / 1e9;
    const QHash<QString, ThreadTimes> serverAfter = threadTimes(serverPids);
    const QHash<QString, ThreadTimes> databaseAfter = threadTimes(databasePids);
    const QHash<QString, ThreadTimes> benchAfter = threadTimes({ QStringLiteral("self") });
    const QString storeThread = QStringLiteral("QuietWire::Stor");
    const ThreadTimes serverStore = used(serverBefore, serverAfter, storeThread);
    const ThreadTimes serverOther = used(serverBefore, serverAfter, storeThread, true);
    const ThreadTimes database = used(databaseBefore, databaseAfter, QString());
    const ThreadTimes bench = used(benchBefore, benchAfter, QString());
    // CPU per message accepted in the timed phase: what the machine's load hardly changes.
    const auto perMessageUs
        = [&](double cpuSeconds) { return inWindow > 0 ? cpuSeconds / static_cast<double>(inWindow) * 1e6 : 0.0; };
    const bool drained = spinUntil(allAnswered, DrainTimeoutMs);
    qint64 sent = 0;
    qint64 unanswered = 0;
    for (const Sender& s : std::as_const(m_senders)) {
        sent += s.sent;
        unanswered += s.outstanding.size();
    }
    if (!drained) {
        note(QStringLiteral("%1 messages still unanswered %2 s after the load")
                 .arg(unanswered)
                 .arg(DrainTimeoutMs / 1000));
    }
    if (rejected > 0) {
        note(QStringLiteral("%1 messages rejected, the last: %2").arg(rejected).arg(lastRejection));
    }
    // Whole seconds only: the last, partial one would read low.
    QList<double> wholeSeconds;
    for (qsizetype s = 0; s < perSecond.size() && s + 1 <= static_cast<qsizetype>(seconds); ++s) {
        wholeSeconds << static_cast<double>(perSecond.at(s));
    }
    const Stats latency(latencies);
    const Stats secondStats(wholeSeconds);
    Report(QStringLiteral("chat_load"))
        .add(QStringLiteral("senders"), count)
        .add(QStringLiteral("window"), m_options.window)
        .add(QStringLiteral("target"), target)
        .add(QStringLiteral("durable"), QStringLiteral("synchronous=FULL_group_commits"))
        .add(QStringLiteral("seconds"), seconds, 3)
        .add(QStringLiteral("warmup_seconds"), warmSeconds, 3)
        .add(QStringLiteral("sent"), sent)
        .add(QStringLiteral("accepted"), static_cast<qint64>(accepted.size()))
        .add(QStringLiteral("rejected"), rejected)
        .add(QStringLiteral("unanswered"), unanswered)
        .add(QStringLiteral("per_s"), static_cast<double>(inWindow) / seconds, 0)
        .add(QStringLiteral("slowest_second"), secondStats.min(), 0)
        .add(QStringLiteral("fastest_second"), secondStats.max(), 0)
        .add(QStringLiteral("p50_ms"), latency.median())
        .add(QStringLiteral("p99_ms"), latency.percentile(99))
        .add(QStringLiteral("max_ms"), latency.max())
        .add(QStringLiteral("lost_sessions"), lost)
        .add(QStringLiteral("store_thread_us_per_msg"), perMessageUs(serverStore.cpu), 1)
        .add(QStringLiteral("server_other_us_per_msg"), perMessageUs(serverOther.cpu), 1)
        .add(QStringLiteral("database_us_per_msg"), perMessageUs(database.cpu), 1)
        .add(QStringLiteral("bench_us_per_msg"), perMessageUs(bench.cpu), 1)
        .add(QStringLiteral("store_thread_ran"), serverStore.cpu / seconds, 2)
        .add(QStringLiteral("store_thread_waited"), serverStore.wait / seconds, 2)
        .add(QStringLiteral("server_other_ran"), serverOther.cpu / seconds, 2)
        .add(QStringLiteral("server_other_waited"), serverOther.wait / seconds, 2)
        .add(QStringLiteral("database_ran"), database.cpu / seconds, 2)
        .add(QStringLiteral("database_waited"), database.wait / seconds, 2)
        .add(QStringLiteral("bench_ran"), bench.cpu / seconds, 2)
        .add(QStringLiteral("bench_waited"), bench.wait / seconds, 2)
        .print();
    for (Sender& s : m_senders) {
        s.session->disconnect(&scope); // the history read-back below has its own
    }
    return checkStored(accepted, senderOf) && lost == 0 && unanswered == 0 ? 0 : 1;
}

bool ChatStoreLoad::checkStored(const QList<Stored>& accepted, const QHash<qint64, int>& senderOfConversation)
{
    // Every conversation the load wrote to, read back newest first down to the first id of this run.
    qint64 firstId = std::numeric_limits<qint64>::max();
    QHash<QString, qint64> acceptedIds; // client id -> id
    for (const Stored& s : accepted) {
        firstId = qMin(firstId, s.id);
        acceptedIds.insert(s.clientId, s.id);
    }
    const QString prefix = m_runTag + QLatin1Char('-');
    QHash<QString, int> seen; // client id -> times stored
    qint64 unexpected = 0;
    qint64 pages = 0;
    qint64 seq = 1000000000;
    QString error;
    for (auto it = senderOfConversation.cbegin(); it != senderOfConversation.cend(); ++it) {
        ChatSessionV2* session = m_senders.at(it.value()).session;
        std::optional<qint64> before;
        while (true) {
            ChatProtocol::HistoryRequest request;
            request.seq = ++seq;
            request.target.conversation = it.key();
            request.before = before;
            request.limit = ChatProtocol::MaxHistoryLimit;
            const auto page = ask(session, request.toCbor(), request.seq, nullptr, &error);
            if (!page || !page->messages) {
                note(QStringLiteral("history of conversation %1: %2").arg(it.key()).arg(error));
                return false;
            }
            ++pages;
            bool older = false;
            for (const ChatProtocol::Message& m : *page->messages) {
                if (m.id < firstId) {
                    older = true;
                    continue;
                }
                if (!m.clientId.startsWith(prefix)) {
                    continue;
                }
                ++seen[m.clientId];
                if (acceptedIds.value(m.clientId) != m.id) {
                    ++unexpected; // stored, but not accepted (or accepted under another id)
                }
            }
            if (!page->more || older || page->messages->isEmpty()) {
                break;
            }
            before = page->messages->last().id;
        }
    }
    qint64 missing = 0;
    qint64 twice = 0;
    for (auto it = acceptedIds.cbegin(); it != acceptedIds.cend(); ++it) {
        const int times = seen.value(it.key());
        missing += times == 0 ? 1 : 0;
        twice += times > 1 ? 1 : 0;
    }
    Report(QStringLiteral("chat_load_check"))
        .add(QStringLiteral("accepted"), static_cast<qint64>(accepted.size()))
        .add(QStringLiteral("distinct_client_ids"), static_cast<qint64>(acceptedIds.size()))
        .add(QStringLiteral("stored"), static_cast<qint64>(seen.size()))
        .add(QStringLiteral("missing"), missing)
        .add(QStringLiteral("stored_twice"), twice)
        .add(QStringLiteral("not_accepted"), unexpected)
        .add(QStringLiteral("history_pages"), pages)
        .print();
    return missing == 0 && twice == 0 && unexpected == 0 && acceptedIds.size() == accepted.size();
}

bool ChatStoreLoad::timeJoins(const QString& record)
{
    QList<double> times;
    qint64 unread = -1;
    int conversations = 0;
    ChatSessionV2 session(m_keys.first());
    for (int i = 0; i < m_options.repeat; ++i) {
        bool failed = false;
        QObject scope;
        connect(&session, &ChatSessionV2::failed, &scope, [&] { failed = true; });
        session.start(m_options.host, m_options.port, m_options.sourceAddress(i));
        if (!spinUntil([&] { return session.isJoined() || failed; }, AnswerTimeoutMs) || failed) {
            note(QStringLiteral("join %1: %2").arg(i).arg(failed ? session.lastError() : QStringLiteral("timed out")));
            return false;
        }
        times << session.joinMs();
        unread = 0;
        for (const auto& summary : session.conversations()) {
            unread += summary.unread;
        }
        conversations = static_cast<int>(session.conversations().size());
        session.close();
    }
    const Stats stats(times);
    Report(record)
        .add(QStringLiteral("joins"), static_cast<qint64>(times.size()))
        .add(QStringLiteral("conversations"), conversations)
        .add(QStringLiteral("unread"), unread)
        .add(QStringLiteral("p50_ms"), stats.median())
        .add(QStringLiteral("min_ms"), stats.min())
        .add(QStringLiteral("max_ms"), stats.max())
        .print();
    return true;
}

int ChatStoreLoad::query()
{
    const int count = m_options.sessions;
    QString error;
    const qint64 connectStart = m_clock.elapsed();
    const QList<ChatSessionV2*> sessions = ChatSessionV2::openMany(m_options, m_keys, count, this, &error);
    if (sessions.isEmpty()) {
        note(error);
        return 1;
    }
    QList<double> joins;
    for (const ChatSessionV2* s : sessions) {
        joins << s->joinMs();
    }
    const Stats joinStats(joins);
    Report(QStringLiteral("chat_sessions"))
        .add(QStringLiteral("sessions"), count)
        .add(QStringLiteral("seconds"), static_cast<double>(m_clock.elapsed() - connectStart) / 1000.0, 3)
        .add(QStringLiteral("join_p50_ms"), joinStats.median())
        .add(QStringLiteral("join_max_ms"), joinStats.max())
        .print();
    if (!timeJoins(QStringLiteral("chat_join"))) {
        return 1;
    }

    ChatSessionV2* first = sessions.first();
    const QList<ChatProtocol::ConversationSummary> conversations = first->conversations();
    if (conversations.isEmpty()) {
        note(QStringLiteral("the first session has no conversations"));
        return 1;
    }
    qint64 lastId = 1;
    for (const auto& summary : conversations) {
        lastId = qMax(lastId, summary.last ? summary.last->id : 0);
    }
    QRandomGenerator random(7);
    qint64 seq = 0;
    // History pages of 100: the newest page, or one from a random point (as StoreBench does).
    QList<double> history;
    qint64 messages = 0;
    for (int i = 0; i < m_options.queries; ++i) {
        ChatProtocol::HistoryRequest request;
        request.seq = ++seq;
        request.target.conversation = conversations.at(random.bounded(static_cast<int>(conversations.size()))).id;
        if (i % 2 == 0) {
            request.before = 1 + static_cast<qint64>(random.bounded(static_cast<quint32>(lastId)));
        }
        request.limit = 100;
        double ms = 0;
        const auto done = ask(first, request.toCbor(), request.seq, &ms, &error);
        if (!done) {
            note(QStringLiteral("history: ") + error);
            return 1;
        }
        history << ms;
        messages += done->messages ? done->messages->size() : 0;
    }
    const Stats historyStats(history);
    Report(QStringLiteral("chat_history"))
        .add(QStringLiteral("queries"), static_cast<qint64>(history.size()))
        .add(QStringLiteral("messages"), messages)
        .add(QStringLiteral("p50_ms"), historyStats.median())
        .add(QStringLiteral("p99_ms"), historyStats.percentile(99))
        .add(QStringLiteral("max_ms"), historyStats.max())
        .print();

    // Searches of 50 hits in every conversation of the user: a rare word, a common one, or both.
    QList<double> search;
    qint64 hits = 0;
    for (int i = 0; i < m_options.queries; ++i) {
        ChatProtocol::SearchRequest request;
        request.seq = ++seq;
        request.text = StoreBench::searchWords(i, random, m_options.stored);
        request.limit = 50;
        double ms = 0;
        const auto done = ask(first, request.toCbor(), request.seq, &ms, &error);
        if (!done) {
            note(QStringLiteral("search: ") + error);
            return 1;
        }
        search << ms;
        hits += done->hits ? done->hits->size() : 0;
    }
    const Stats searchStats(search);
    Report(QStringLiteral("chat_search"))
        .add(QStringLiteral("queries"), static_cast<qint64>(search.size()))
        .add(QStringLiteral("hits"), hits)
        .add(QStringLiteral("p50_ms"), searchStats.median())
        .add(QStringLiteral("p99_ms"), searchStats.percentile(99))
        .add(QStringLiteral("max_ms"), searchStats.max())
        .print();

    // The user reads everything; joins again show no unread.
    for (const auto& summary : conversations) {
        if (!summary.last) {
            continue;
        }
        ChatProtocol::ReadRequest request;
        request.seq = ++seq;
        request.conversation = summary.id;
        request.upTo = summary.last->id;
        if (!ask(first, request.toCbor(), request.seq, nullptr, &error)) {
            note(QStringLiteral("read: ") + error);
            return 1;
        }
    }
    if (!timeJoins(QStringLiteral("chat_join_read"))) {
        return 1;
    }

    Report(QStringLiteral("chat_query_ready")).add(QStringLiteral("sessions"), count).print();
    bool stdinClosed = false;
    QSocketNotifier notifier(STDIN_FILENO, QSocketNotifier::Read);
    notifier.setEnabled(m_options.seconds <= 0);
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        char buffer[256];
        if (::read(STDIN_FILENO, buffer, sizeof buffer) <= 0) {
            stdinClosed = true;
            notifier.setEnabled(false);
        }
    });
    spinUntil([&] { return stdinClosed; }, m_options.seconds > 0 ? static_cast<qint64>(m_options.seconds * 1000) : -1);
    return 0;
}

} // namespace QuietWire::Bench
