#include "StormBench.h"

#include "BenchKeys.h"
#include "ChatClient.h"
#include "EventLoop.h"
#include "FailureLabel.h"
#include "Report.h"
#include "ServiceClient.h"

#include <QTimer>
#include <sys/resource.h>

namespace QuietWire::Bench {

namespace {
constexpr qint64 ConnectTimeoutMs = 600000; // the initial connections, all of them

// Each client holds one socket, two during its hand-off: raise the soft limit as far as allowed.
void raiseFileLimit()
{
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}
} // namespace

StormBench::StormBench(const BenchOptions& options, QList<Identity> keys, QObject* parent)
    : QObject(parent)
    , m_options(options)
    , m_keys(std::move(keys))
{ }

void StormBench::attempt(int index)
{
    Client& client = m_clients[index];
    client.inFlight = true;
    if (m_storm) {
        ++client.attempts;
    } else {
        ++m_inFlight;
    }
    client.chat->connectToServer(m_options.host, m_options.port);
}

void StormBench::launchQueued()
{
    while (m_inFlight < m_options.connectBatch && !m_queue.isEmpty()) {
        attempt(m_queue.takeFirst());
    }
}

void StormBench::onBack(int index)
{
    Client& client = m_clients[index];
    if (!client.inFlight) {
        return;
    }
    client.inFlight = false;
    client.up = true;
    client.backoff.reset(); // as the clients do once joined
    if (!m_storm) {
        --m_inFlight;
        ++m_up;
        launchQueued();
        return;
    }
    if (client.droppedNs >= 0 && client.backNs < 0) {
        client.backNs = m_clock.nsecsElapsed();
        ++m_back;
    }
}

void StormBench::onFailure(int index)
{
    Client& client = m_clients[index];
    const qint64 now = m_clock.nsecsElapsed();
    if (client.up) {
        client.up = false; // the session ended
        if (m_storm) {
            if (m_firstDropNs < 0) {
                m_firstDropNs = now;
            }
            if (client.droppedNs < 0) {
                client.droppedNs = now;
                ++m_dropped;
            } else if (client.backNs >= 0) {
                client.backNs = -1; // lost again after it was back: not back any more
                --m_back;
            }
        }
    } else if (client.inFlight) {
        client.inFlight = false; // an attempt failed
        if (m_storm) {
            m_failures[failureLabel(*client.chat->connection())] += 1;
        } else {
            --m_inFlight;
        }
    } else {
        return; // the second signal of the same failure (errorOccurred, then disconnected)
    }
    if (!client.chat->connection()->failureIsTemporary()) {
        client.gaveUp = true;
        ++m_gaveUp;
        if (!m_storm) {
            note(QStringLiteral("storm: client %1 gave up while connecting: %2")
                     .arg(index)
                     .arg(failureLabel(*client.chat->connection())));
        }
        launchQueued();
        return;
    }
    client.retry->start(client.backoff.nextDelayMs(
        client.chat->connection()->refusedForLoad() ? Backoff::Cause::LoadRefusal : Backoff::Cause::Failure));
    launchQueued();
}

int StormBench::run()
{
    raiseFileLimit();
    m_clock.start();
    const int count = m_options.clients;
    m_clients.resize(count);
    Backoff::Schedule schedule;
    if (m_options.backoffFirstMs > 0) {
        schedule.firstMs = m_options.backoffFirstMs;
        schedule.maxMs = m_options.backoffMaxMs;
        schedule.jitter = m_options.backoffJitter;
        if (m_options.backoffLoadMaxMs > 0) {
            schedule.loadMaxMs = m_options.backoffLoadMaxMs;
            schedule.loadJitter = qBound(0.0, m_options.backoffLoadJitter, 1.0);
        }
    }
    for (int i = 0; i < count; ++i) {
        Client& client = m_clients[i];
        client.backoff = Backoff(schedule);
        client.chat
            = new ChatClient(m_keys.at(i % m_keys.size()), BenchKeys::knownServersPath(m_options.keysDir), this);
        // The chat version quietwire-cli chat and the desktop client ask for (an older server answers 2).
        client.chat->setProtocolVersion(ChatProtocol::CurrentVersion);
        client.chat->connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
        client.chat->connection()->setLocalAddress(m_options.sourceAddress(i));
        client.retry = new QTimer(this);
        client.retry->setSingleShot(true);
        connect(client.retry, &QTimer::timeout, this, [this, i] {
            if (m_storm) {
                attempt(i);
            } else {
                m_queue.append(i);
                launchQueued();
            }
        });
        ChatClient* chat = client.chat;
        connect(chat, &ChatClient::joined, this, [this, i, chat] {
            if (chat->sessionVersion() < ChatProtocol::Version2) {
                onBack(i); // version 1: the welcome is the answer
            }
        });
        connect(chat, &ChatClient::conversationsReceived, this, [this, i] { onBack(i); });
        connect(chat, &ChatClient::errorOccurred, this, [this, i] { onFailure(i); });
        connect(chat, &ChatClient::disconnected, this, [this, i] { onFailure(i); });
    }

    // The first client pins the server key (known_servers) before the others come.
    attempt(0);
    spinUntil([&] { return m_up == 1 || m_gaveUp > 0; }, 15000);
    if (m_up != 1) {
        note(QStringLiteral("storm: cannot reach %1:%2").arg(m_options.host).arg(m_options.port));
        return 1;
    }
    for (int i = 1; i < count; ++i) {
        m_queue.append(i);
    }
    launchQueued();
    if (!spinUntil([&] { return m_up == count || m_gaveUp > 0; }, ConnectTimeoutMs)) {
        note(QStringLiteral("storm: only %1 of %2 clients joined").arg(m_up).arg(count));
        return 1;
    }
    if (m_gaveUp > 0) {
        return 1;
    }
    Report(QStringLiteral("storm-ready"))
        .add(QStringLiteral("clients"), count)
        .add(QStringLiteral("connect_seconds"), static_cast<double>(m_clock.elapsed()) / 1000.0, 1)
        .print();

    // The restart: the first client to lose its session starts the clock.
    m_storm = true;
    const auto waitMs = static_cast<qint64>(m_options.seconds * 1000);
    if (!spinUntil([&] { return m_firstDropNs >= 0; }, waitMs)) {
        note(QStringLiteral("storm: the server did not go away within %1 s").arg(m_options.seconds));
        return 1;
    }
    const double cpuBefore = cpuSeconds();
    const bool settled = spinUntil([&] { return m_dropped == count && m_back + m_gaveUp == m_dropped; }, waitMs);
    const double cpu = cpuSeconds() - cpuBefore;

    QList<double> backMs;
    int attempts = 0;
    int mostAttempts = 0;
    for (const Client& client : std::as_const(m_clients)) {
        if (client.backNs >= 0) {
            backMs.append(static_cast<double>(client.backNs - m_firstDropNs) / 1e6);
        }
        attempts += client.attempts;
        mostAttempts = qMax(mostAttempts, client.attempts);
    }
    const Stats stats(backMs);
    QStringList failures;
    for (auto it = m_failures.cbegin(); it != m_failures.cend(); ++it) {
        failures.append(QStringLiteral("%1:%2").arg(it.key()).arg(it.value()));
    }
    Report(QStringLiteral("storm"))
        .add(QStringLiteral("clients"), count)
        .add(QStringLiteral("sources"), m_options.sources)
        .add(QStringLiteral("dropped"), m_dropped)
        .add(QStringLiteral("back"), m_back)
        .add(QStringLiteral("gave_up"), m_gaveUp)
        .add(QStringLiteral("not_back"), count - m_back - m_gaveUp)
        .add(QStringLiteral("settled"), settled ? 1 : 0)
        .add(QStringLiteral("p50_ms"), stats.isEmpty() ? -1.0 : stats.median(), 1)
        .add(QStringLiteral("p99_ms"), stats.isEmpty() ? -1.0 : stats.percentile(99), 1)
        .add(QStringLiteral("max_ms"), stats.isEmpty() ? -1.0 : stats.max(), 1)
        .add(QStringLiteral("attempts"), attempts)
        .add(QStringLiteral("most_attempts"), mostAttempts)
        .add(QStringLiteral("cpu_seconds"), cpu, 2)
        .add(QStringLiteral("backoff_first_ms"), schedule.firstMs)
        .add(QStringLiteral("backoff_max_ms"), schedule.maxMs)
        .add(QStringLiteral("backoff_jitter"), schedule.jitter, 2)
        .add(QStringLiteral("backoff_load_max_ms"), schedule.loadMaxMs)
        .add(QStringLiteral("backoff_load_jitter"), schedule.loadJitter, 2)
        .add(QStringLiteral("failures"), failures.isEmpty() ? QStringLiteral("none") : failures.join(QLatin1Char(',')))
        .print();
    return settled && m_gaveUp == 0 ? 0 : 1;
}

} // namespace QuietWire::Bench
