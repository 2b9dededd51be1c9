#include "HandshakeBench.h"

#include "BenchKeys.h"
#include "EventLoop.h"
#include "FailureLabel.h"
#include "FileProtocol.h"
#include "Protocol.h"
#include "Report.h"
#include "ServiceClient.h"

#include <QCborMap>

namespace QuietWire::Bench {

namespace {
constexpr qint64 WarmUpMs = 500;
} // namespace

HandshakeBench::HandshakeBench(const BenchOptions& options, const Identity& identity, QObject* parent)
    : QObject(parent)
    , m_options(options)
    , m_identity(identity)
{ }

void HandshakeBench::start(int index)
{
    if (m_stopping) {
        return;
    }
    Loop& loop = m_loops[index];
    loop.startedNs = m_clock.nsecsElapsed();
    loop.active = true;
    // connectToService() drops the previous socket (the session that just answered) at once.
    loop.client->connectToService(m_options.host, m_options.port, QLatin1String(Protocol::ServiceFiles));
}

void HandshakeBench::finish(int index, bool ok, const QString& error)
{
    Loop& loop = m_loops[index];
    if (!loop.active) {
        return;
    }
    loop.active = false;
    const qint64 now = m_clock.nsecsElapsed();
    m_completedAll += ok ? 1 : 0;
    const bool inWindow = m_windowStartNs >= 0 && now >= m_windowStartNs && (m_windowEndNs < 0 || now <= m_windowEndNs);
    if (inWindow) {
        if (ok) {
            ++m_completed;
            m_latenciesMs.append(static_cast<double>(now - loop.startedNs) / 1e6);
        } else {
            ++m_failed;
            m_errors[error.isEmpty() ? QStringLiteral("unknown") : error] += 1;
        }
    }
    // Start over from the event loop, not from inside the old socket's signal.
    QTimer::singleShot(ok ? 0 : 20, this, [this, index] { start(index); });
}

int HandshakeBench::run()
{
    m_clock.start();
    for (int i = 0; i < m_options.clients; ++i) {
        auto* client = new ServiceClient(m_identity, BenchKeys::knownServersPath(m_options.keysDir), this);
        client->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
        client->setLocalAddress(m_options.sourceAddress(i));
        connect(
            client, &ServiceClient::ready, this, [client] { client->send(FileProtocol::PwdRequest { 1 }.toCbor()); });
        connect(client, &ServiceClient::messageReceived, this, [this, i](const QCborMap& message) {
            finish(i, FileProtocol::replyKind(message) == FileProtocol::ReplyKind::Result,
                QStringLiteral("unexpected_reply"));
        });
        connect(client, &ServiceClient::errorOccurred, this,
            [this, i, client](const QString&) { finish(i, false, failureLabel(*client)); });
        m_loops.append({ client, 0, false });
    }
    // The first set-up pins the server key (known_servers) before the crowd arrives.
    bool pinned = false;
    {
        ServiceClient probe(m_identity, BenchKeys::knownServersPath(m_options.keysDir));
        probe.setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
        QString error;
        connect(&probe, &ServiceClient::ready, this, [&] { pinned = true; });
        connect(&probe, &ServiceClient::errorOccurred, this, [&](const QString& message) { error = message; });
        probe.connectToService(m_options.host, m_options.port, QLatin1String(Protocol::ServiceFiles));
        spinUntil([&] { return pinned || !error.isEmpty(); }, 15000);
        if (!pinned) {
            note(QStringLiteral("handshakes: cannot reach %1:%2: %3")
                     .arg(m_options.host)
                     .arg(m_options.port)
                     .arg(error));
            return 1;
        }
        probe.disconnectFromServer();
    }

    for (int i = 0; i < m_loops.size(); ++i) {
        start(i);
    }
    spinUntil([&] { return m_clock.elapsed() >= WarmUpMs; }, -1);
    m_windowStartNs = m_clock.nsecsElapsed();
    const double cpuBefore = cpuSeconds();
    const auto windowNs = static_cast<qint64>(m_options.seconds * 1e9);
    spinUntil([&] { return m_clock.nsecsElapsed() >= m_windowStartNs + windowNs; }, -1);
    m_windowEndNs = m_clock.nsecsElapsed();
    const double cpu = cpuSeconds() - cpuBefore;
    m_stopping = true;
    const double seconds = static_cast<double>(m_windowEndNs - m_windowStartNs) / 1e9;
    // Let the sessions still in flight end before the process does.
    spinUntil([&] { return false; }, 300);

    const Stats stats(m_latenciesMs);
    QStringList errors;
    for (auto it = m_errors.cbegin(); it != m_errors.cend(); ++it) {
        errors.append(QStringLiteral("%1:%2").arg(it.key()).arg(it.value()));
    }
    Report(QStringLiteral("handshakes"))
        .add(QStringLiteral("clients"), m_options.clients)
        .add(QStringLiteral("sources"), m_options.sources)
        .add(QStringLiteral("seconds"), seconds, 3)
        .add(QStringLiteral("sessions"), m_completed)
        .add(QStringLiteral("failed"), m_failed)
        .add(QStringLiteral("per_second"), static_cast<double>(m_completed) / seconds, 1)
        .add(QStringLiteral("p50_ms"), stats.median(), 3)
        .add(QStringLiteral("p99_ms"), stats.percentile(99), 3)
        .add(QStringLiteral("cpu_seconds"), cpu, 3)
        .add(QStringLiteral("all_sessions"), m_completedAll + 1)
        .add(QStringLiteral("errors"), errors.isEmpty() ? QStringLiteral("none") : errors.join(QLatin1Char(',')))
        .print();
    return 0;
}

} // namespace QuietWire::Bench
