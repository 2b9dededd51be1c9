#include "SessionBench.h"

#include "BenchKeys.h"
#include "EventLoop.h"
#include "FailureLabel.h"
#include "FileProtocol.h"
#include "Protocol.h"
#include "Report.h"

#include <QCborMap>
#include <QSocketNotifier>
#include <cmath>
#include <functional>
#include <unistd.h>

namespace QuietWire::Bench {

namespace {
constexpr int MaxConnectAttempts = 5;
constexpr qint64 AttemptTimeoutMs = 15000;
const QLatin1String FanoutPrefix("fanout ");
} // namespace

SessionBench::SessionBench(const BenchOptions& options, QList<Identity> keys, QObject* parent)
    : QObject(parent)
    , m_options(options)
    , m_keys(std::move(keys))
{
    m_clock.start();
    m_padding = QString(qMax(0, options.textBytes - 16), QLatin1Char('x'));
}

bool SessionBench::connectSessions(int count, bool chat)
{
    // At most connectBatch set-ups at once: each holds a port of the server's session port pool
    // until it redeems its ticket.
    QList<int> queue;
    QList<int> attempts(count, 0);
    QList<qint64> startedMs(count, -1); // -1: not in flight
    QList<bool> up(count, false);
    int inFlight = 0;
    int upCount = 0;
    int failedAttempts = 0; // set-ups that failed and were tried again (or given up)
    bool gaveUp = false;
    QString lastError;
    QObject scope; // the connections below use locals: they end with this function
    const std::function<void(int)> startOne = [&](int i) {
        ++attempts[i];
        ++inFlight;
        startedMs[i] = m_clock.elapsed();
        if (chat) {
            m_members.at(i)->connectToServer(m_options.host, m_options.port);
        } else {
            m_sessions.at(i)->connectToService(m_options.host, m_options.port, QLatin1String(Protocol::ServiceFiles));
        }
    };
    const auto launch = [&] {
        while (inFlight < m_options.connectBatch && !queue.isEmpty()) {
            startOne(queue.takeFirst());
        }
    };
    const auto succeeded = [&](int i) {
        if (up[i] || startedMs[i] < 0) {
            return;
        }
        up[i] = true;
        startedMs[i] = -1;
        ++upCount;
        --inFlight;
        launch();
    };
    const auto failed = [&](int i, const QString& error) {
        if (up[i] || startedMs[i] < 0) {
            return;
        }
        startedMs[i] = -1;
        --inFlight;
        ++failedAttempts;
        lastError = error;
        if (attempts[i] >= MaxConnectAttempts) {
            gaveUp = true;
            return;
        }
        QTimer::singleShot(50, &scope, [&, i] {
            queue.append(i);
            launch();
        });
    };
    for (int i = 0; i < count; ++i) {
        const Identity& key = m_keys.at(i % m_keys.size());
        ServiceClient* connection = nullptr;
        if (chat) {
            auto* member = new ChatClient(key, BenchKeys::knownServersPath(m_options.keysDir), this);
            member->setProtocolVersion(m_options.chatVersion);
            connection = member->connection();
            m_members.append(member);
            connect(member, &ChatClient::joined, &scope, [&, i] { succeeded(i); });
            connect(member, &ChatClient::messageReceived, this, &SessionBench::onMessage);
        } else {
            connection = new ServiceClient(key, BenchKeys::knownServersPath(m_options.keysDir), this);
            m_sessions.append(connection);
            connect(connection, &ServiceClient::ready, &scope,
                [connection] { connection->send(FileProtocol::PwdRequest { 1 }.toCbor()); });
            connect(connection, &ServiceClient::messageReceived, &scope, [&, i](const QCborMap& message) {
                if (FileProtocol::replyKind(message) == FileProtocol::ReplyKind::Result) {
                    succeeded(i);
                }
            });
        }
        connection->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
        connection->setLocalAddress(m_options.sourceAddress(i));
        connect(connection, &ServiceClient::errorOccurred, &scope, [&, i, connection](const QString& message) {
            failed(i, failureLabel(*connection) + QStringLiteral(": ") + message);
        });
        connect(connection, &ServiceClient::disconnected, this, [this] { ++m_lost; });
        queue.append(i);
    }
    // A set-up that neither succeeds nor fails is a finding too: say so instead of waiting.
    QTimer watchdog;
    connect(&watchdog, &QTimer::timeout, &scope, [&] {
        for (int i = 0; i < count; ++i) {
            if (startedMs[i] >= 0 && m_clock.elapsed() - startedMs[i] > AttemptTimeoutMs) {
                failed(i,
                    chat ? QStringLiteral("the server never sent its welcome (session open, %1 members in "
                                          "the room)")
                               .arg(upCount)
                         : QStringLiteral("the server never answered the first request"));
            }
        }
    });
    watchdog.start(1000);

    // The first session pins the server key alone, before the crowd checks it.
    startOne(queue.takeFirst());
    spinUntil([&] { return upCount > 0 || gaveUp; }, 30000);
    launch();
    const qint64 started = m_clock.elapsed();
    spinUntil([&] { return upCount == count || gaveUp; }, 600000);
    if (upCount != count) {
        note(QStringLiteral("only %1 of %2 sessions came up; last error: %3").arg(upCount).arg(count).arg(lastError));
        return false;
    }
    const double upSeconds = static_cast<double>(m_clock.elapsed() - started) / 1000.0;
    if (chat) {
        // Every member has heard of every other one (or, with --settle, no member list changed for
        // that long): the join storm is over.
        qint64 lastCheck = -1;
        qint64 heard = -1;
        qint64 heardChangedMs = m_clock.elapsed();
        const bool converged = spinUntil(
            [&] {
                if (m_clock.elapsed() - lastCheck < 50) {
                    return false;
                }
                lastCheck = m_clock.elapsed();
                if (m_options.settleMs > 0) {
                    qint64 total = 0;
                    for (const ChatClient* member : std::as_const(m_members)) {
                        total += member->members().size();
                    }
                    if (total != heard) {
                        heard = total;
                        heardChangedMs = lastCheck;
                    }
                    return lastCheck - heardChangedMs >= m_options.settleMs;
                }
                for (const ChatClient* member : std::as_const(m_members)) {
                    if (member->members().size() < count - 1) {
                        return false;
                    }
                }
                return true;
            },
            300000);
        if (!converged) {
            note(QStringLiteral("the member lists did not converge"));
            return false;
        }
    }
    if (failedAttempts > 0) {
        note(QStringLiteral("%1 set-ups failed and were tried again; last error: %2")
                 .arg(failedAttempts)
                 .arg(lastError));
    }
    Report(QStringLiteral("sessions_connected"))
        .add(QStringLiteral("service"), chat ? QStringLiteral("chat") : QStringLiteral("files"))
        .add(QStringLiteral("sessions"), count)
        .add(QStringLiteral("connect_seconds"), upSeconds, 3)
        .add(QStringLiteral("failed_attempts"), failedAttempts)
        .add(QStringLiteral("settle_seconds"), static_cast<double>(m_clock.elapsed() - started) / 1000.0, 3)
        .print();
    m_lost = 0;
    return true;
}

qint64 SessionBench::sendNumbered(qint64 number)
{
    Pending pending;
    pending.sentNs = m_clock.nsecsElapsed();
    m_pending.insert(number, pending);
    return m_members.first()->sendText(FanoutPrefix + QString::number(number) + QLatin1Char(' ') + m_padding);
}

void SessionBench::onMessage(const ChatProtocol::Message& message)
{
    if (message.history) {
        return;
    }
    if (m_ledger) {
        m_ledger->received(message.text);
        return;
    }
    if (!message.text.startsWith(FanoutPrefix)) {
        return;
    }
    const qsizetype end = message.text.indexOf(QLatin1Char(' '), FanoutPrefix.size());
    const qint64 number = QStringView(message.text).mid(FanoutPrefix.size(), end - FanoutPrefix.size()).toLongLong();
    const auto it = m_pending.find(number);
    if (it == m_pending.end()) {
        return;
    }
    if (++it->received == m_members.size()) {
        it->doneNs = m_clock.nsecsElapsed();
    }
}

int SessionBench::fanout()
{
    const int count = m_options.members;
    if (!connectSessions(count, true)) {
        return 1;
    }

    // One message at a time: the room is otherwise quiet.
    QList<double> latencies;
    int incomplete = 0;
    for (qint64 n = 1; n <= m_options.messages; ++n) {
        if (sendNumbered(n) < 0) {
            note(QStringLiteral("fanout: cannot send: %1").arg(m_members.first()->errorString()));
            return 1;
        }
        const bool done = spinUntil([&] { return m_pending.value(n).doneNs >= 0; }, 10000);
        const Pending p = m_pending.take(n);
        if (!done) {
            ++incomplete;
            continue;
        }
        latencies.append(static_cast<double>(p.doneNs - p.sentNs) / 1e6);
        const qint64 pauseUntil = m_clock.elapsed() + 5;
        spinUntil([&] { return m_clock.elapsed() >= pauseUntil; }, -1);
    }
    const Stats one(latencies);
    Report(QStringLiteral("fanout"))
        .add(QStringLiteral("members"), count)
        .add(QStringLiteral("messages"), static_cast<int>(one.count()))
        .add(QStringLiteral("incomplete"), incomplete)
        .add(QStringLiteral("text_bytes"), m_options.textBytes)
        .add(QStringLiteral("p50_ms"), one.median(), 3)
        .add(QStringLiteral("p90_ms"), one.percentile(90), 3)
        .add(QStringLiteral("p99_ms"), one.percentile(99), 3)
        .add(QStringLiteral("max_ms"), one.max(), 3)
        .add(QStringLiteral("min_ms"), one.min(), 3)
        .add(QStringLiteral("lost_sessions"), m_lost)
        .print();

    for (const double rate : std::as_const(m_options.rates)) {
        steadyPhase(rate);
    }
    return 0;
}

void SessionBench::steadyPhase(double rate)
{
    const int count = static_cast<int>(m_members.size());
    // A steady stream from member 0 at --rate messages per second for --seconds.
    m_pending.clear();
    const qint64 first = 1000000 * ++m_phase; // late arrivals of an earlier phase never match
    qint64 sent = 0;
    const qint64 startNs = m_clock.nsecsElapsed();
    const auto durationNs = static_cast<qint64>(m_options.seconds * 1e9);
    QTimer pacer;
    pacer.setTimerType(Qt::PreciseTimer);
    pacer.setInterval(1);
    connect(&pacer, &QTimer::timeout, this, [&] {
        const qint64 elapsed = qMin(m_clock.nsecsElapsed() - startNs, durationNs);
        const auto due = static_cast<qint64>(std::floor(static_cast<double>(elapsed) / 1e9 * rate)) + 1;
        while (sent < due) {
            sendNumbered(first + sent);
            ++sent;
        }
    });
    pacer.start();
    spinUntil([&] { return m_clock.nsecsElapsed() - startNs >= durationNs; }, -1);
    pacer.stop();
    const qint64 sendEndNs = m_clock.nsecsElapsed();
    spinUntil(
        [&] {
            for (const Pending& p : std::as_const(m_pending)) {
                if (p.doneNs < 0) {
                    return false;
                }
            }
            return true;
        },
        15000);
    qint64 deliveries = 0;
    qint64 lastNs = sendEndNs;
    QList<double> steadyLatencies;
    int steadyIncomplete = 0;
    for (const Pending& p : std::as_const(m_pending)) {
        deliveries += p.received;
        if (p.doneNs >= 0) {
            steadyLatencies.append(static_cast<double>(p.doneNs - p.sentNs) / 1e6);
            lastNs = qMax(lastNs, p.doneNs);
        } else {
            ++steadyIncomplete;
        }
    }
    const double seconds = static_cast<double>(lastNs - startNs) / 1e9;
    const Stats steady(steadyLatencies);
    Report(QStringLiteral("fanout_steady"))
        .add(QStringLiteral("members"), count)
        .add(QStringLiteral("rate"), rate, 1)
        .add(QStringLiteral("messages"), sent)
        .add(QStringLiteral("incomplete"), steadyIncomplete)
        .add(QStringLiteral("deliveries"), deliveries)
        .add(QStringLiteral("seconds"), seconds, 3)
        .add(QStringLiteral("deliveries_per_second"), static_cast<double>(deliveries) / seconds, 0)
        .add(QStringLiteral("offered_per_second"), rate * count, 0)
        .add(QStringLiteral("p50_ms"), steady.median(), 3)
        .add(QStringLiteral("p99_ms"), steady.percentile(99), 3)
        .add(QStringLiteral("max_ms"), steady.max(), 3)
        .add(QStringLiteral("lost_sessions"), m_lost)
        .print();
}

int SessionBench::fanoutMembers()
{
    FanoutLedger ledger(m_options);
    m_ledger = &ledger;
    const int count = m_options.members;
    if (!connectSessions(count, true)) {
        return 1;
    }
    Report(QStringLiteral("members_ready"))
        .add(QStringLiteral("protocol"), QStringLiteral("quietwire"))
        .add(QStringLiteral("members"), count)
        .print();
    const double cpuAtReady = cpuSeconds();
    if (m_options.send) {
        ChatClient* sender = m_members.first();
        ledger.runSchedule([sender](const QString& text) { return sender->sendText(text) >= 0; });
    }
    ledger.holdUntilStopFile();
    ledger.print(count, cpuAtReady);
    Report(QStringLiteral("members_done")).add(QStringLiteral("lost_sessions"), m_lost).print();
    m_ledger = nullptr;
    return 0;
}

int SessionBench::idle()
{
    const qint64 before = selfStatusKiB("VmRSS");
    if (!connectSessions(m_options.sessions, m_options.service != QLatin1String("files"))) {
        return 1;
    }
    const qint64 after = selfStatusKiB("VmRSS");
    Report(QStringLiteral("idle_ready"))
        .add(QStringLiteral("service"), m_options.service)
        .add(QStringLiteral("sessions"), m_options.sessions)
        .add(QStringLiteral("client_rss_before_kib"), before)
        .add(QStringLiteral("client_rss_kib"), after)
        .print();
    // Hold for --seconds, or (with --seconds 0) until stdin closes.
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
    const qint64 holdMs = m_options.seconds > 0 ? static_cast<qint64>(m_options.seconds * 1000) : -1;
    spinUntil([&] { return stdinClosed; }, holdMs);
    Report(QStringLiteral("idle_done"))
        .add(QStringLiteral("sessions"), m_options.sessions)
        .add(QStringLiteral("lost_sessions"), m_lost)
        .print();
    return 0;
}

} // namespace QuietWire::Bench
