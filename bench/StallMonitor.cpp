#include "StallMonitor.h"

namespace QuietWire::Bench {

StallMonitor::StallMonitor(int intervalMs, QObject* parent)
    : QObject(parent)
{
    m_ticker.setTimerType(Qt::PreciseTimer);
    m_ticker.setInterval(intervalMs);
    connect(&m_ticker, &QTimer::timeout, this, [this] {
        const qint64 now = m_clock.nsecsElapsed();
        if (m_last >= 0) {
            (m_measuring ? m_gaps : m_idleGaps).append(static_cast<double>(now - m_last) / 1e6);
        }
        m_last = now;
    });
}

void StallMonitor::start()
{
    m_clock.start();
    m_last = -1;
    m_ticker.start();
}

Report& StallMonitor::addTo(Report& report) const
{
    const Stats stats(m_gaps);
    const Stats idle(m_idleGaps);
    int over16 = 0;
    int over50 = 0;
    for (const double gap : std::as_const(m_gaps)) {
        over16 += gap > 16.7 ? 1 : 0;
        over50 += gap > 50 ? 1 : 0;
    }
    return report.add(QStringLiteral("interval_ms"), m_ticker.interval())
        .add(QStringLiteral("ticks"), static_cast<int>(stats.count()))
        .add(QStringLiteral("max_gap_ms"), stats.max(), 3)
        .add(QStringLiteral("p99_gap_ms"), stats.percentile(99), 3)
        .add(QStringLiteral("p999_gap_ms"), stats.percentile(99.9), 3)
        .add(QStringLiteral("median_gap_ms"), stats.median(), 3)
        .add(QStringLiteral("gaps_over_16ms"), over16)
        .add(QStringLiteral("gaps_over_50ms"), over50)
        .add(QStringLiteral("idle_max_gap_ms"), idle.max(), 3);
}

} // namespace QuietWire::Bench
