#pragma once

#include "Report.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace QuietWire::Bench {

/// A timer a GUI would use for animation, ticking every intervalMs in the thread under test: the
/// gap between two ticks is how long the event loop was busy elsewhere (a stall).
///
/// Usage:
///     StallMonitor monitor(options.intervalMs);
///     monitor.start();                  // then run the idle loop a little, for comparison
///     monitor.setMeasuring(true);  ... the work ...  monitor.setMeasuring(false);
///     monitor.addTo(Report("stall").add(...)).print();
class StallMonitor : public QObject
{
public:
    explicit StallMonitor(int intervalMs, QObject* parent = nullptr);

    void start();
    void stop() { m_ticker.stop(); }
    /// Gaps from now on count as measured (true) or idle (false).
    void setMeasuring(bool measuring) { m_measuring = measuring; }
    /// Ticks, max, p99, p99.9 and median gap, gaps over 16.7 and 50 ms, and the idle loop's max.
    Report& addTo(Report& report) const;

private:
    QElapsedTimer m_clock;
    QTimer m_ticker;
    qint64 m_last = -1;
    bool m_measuring = false;
    QList<double> m_gaps;
    QList<double> m_idleGaps;
};

} // namespace QuietWire::Bench
