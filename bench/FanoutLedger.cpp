#include "FanoutLedger.h"

#include "EventLoop.h"
#include "Report.h"

#include <QFileInfo>
#include <QTimer>
#include <cmath>
#include <ctime>

namespace QuietWire::Bench {

namespace {
const QLatin1String Prefix("fanout ");
} // namespace

FanoutLedger::FanoutLedger(const BenchOptions& options)
    : m_options(options)
{
    m_padding = QString(qMax(0, options.textBytes - 40), QLatin1Char('x'));
}

qint64 FanoutLedger::monotonicNs()
{
    timespec now {};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<qint64>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

void FanoutLedger::received(QStringView text)
{
    const qint64 now = monotonicNs();
    if (!text.startsWith(Prefix)) {
        return;
    }
    const QStringView rest = text.mid(Prefix.size());
    const qsizetype space = rest.indexOf(QLatin1Char(' '));
    const qsizetype second = rest.indexOf(QLatin1Char(' '), space + 1);
    if (space <= 0 || second <= space) {
        return;
    }
    bool ok = false;
    const qint64 number = rest.left(space).toLongLong(&ok);
    const qint64 sent = rest.mid(space + 1, second - space - 1).toLongLong();
    if (!ok) {
        return;
    }
    Arrivals& arrivals = m_arrivals[number];
    arrivals.sentNs = sent;
    ++arrivals.copies;
    arrivals.lastNs = now;
}

bool FanoutLedger::fileAppears(const QString& path)
{
    QElapsedTimer lastCheck;
    lastCheck.start();
    return spinUntil(
        [&] {
            if (lastCheck.elapsed() < 20) {
                return false;
            }
            lastCheck.restart();
            return path.isEmpty() || QFileInfo::exists(path);
        },
        -1);
}

void FanoutLedger::runSchedule(const std::function<bool(const QString& text)>& send)
{
    fileAppears(m_options.goFile);
    const auto sendNumbered = [&](qint64 number) {
        const qint64 now = monotonicNs();
        return send(
            Prefix + QString::number(number) + QLatin1Char(' ') + QString::number(now) + QLatin1Char(' ') + m_padding);
    };
    const auto pause = [](qint64 ms) {
        QElapsedTimer clock;
        clock.start();
        spinUntil([&] { return clock.elapsed() >= ms; }, -1);
    };
    // Phase 0: one at a time, far enough apart that one message is delivered before the next.
    int failed = 0;
    for (qint64 n = 0; n < m_options.messages; ++n) {
        failed += sendNumbered(n) ? 0 : 1;
        pause(m_options.gapMs);
    }
    Report(QStringLiteral("fanout_sent"))
        .add(QStringLiteral("phase"), 0)
        .add(QStringLiteral("rate"), 1000.0 / m_options.gapMs, 1)
        .add(QStringLiteral("messages"), m_options.messages)
        .add(QStringLiteral("failed"), failed)
        .print();
    int phase = 0;
    for (const double rate : std::as_const(m_options.rates)) {
        ++phase;
        pause(1000);
        const qint64 first = PhaseStride * phase;
        qint64 sent = 0;
        failed = 0;
        QElapsedTimer clock;
        clock.start();
        const auto durationNs = static_cast<qint64>(m_options.seconds * 1e9);
        QTimer pacer;
        pacer.setTimerType(Qt::PreciseTimer);
        pacer.setInterval(1);
        QObject::connect(&pacer, &QTimer::timeout, [&] {
            const qint64 elapsed = qMin(clock.nsecsElapsed(), durationNs - 1);
            const auto due = static_cast<qint64>(std::floor(static_cast<double>(elapsed) / 1e9 * rate)) + 1;
            while (sent < due) {
                failed += sendNumbered(first + sent) ? 0 : 1;
                ++sent;
            }
        });
        pacer.start();
        spinUntil([&] { return clock.nsecsElapsed() >= durationNs; }, -1);
        pacer.stop();
        Report(QStringLiteral("fanout_sent"))
            .add(QStringLiteral("phase"), phase)
            .add(QStringLiteral("rate"), rate, 1)
            .add(QStringLiteral("messages"), sent)
            .add(QStringLiteral("failed"), failed)
            .print();
    }
}

void FanoutLedger::holdUntilStopFile() const
{
    fileAppears(m_options.stopFile);
}

void FanoutLedger::print(int members, double cpuAtReady) const
{
    for (auto it = m_arrivals.cbegin(); it != m_arrivals.cend(); ++it) {
        Report(QStringLiteral("fanmsg"))
            .add(QStringLiteral("number"), it.key())
            .add(QStringLiteral("sent_ns"), it->sentNs)
            .add(QStringLiteral("copies"), it->copies)
            .add(QStringLiteral("last_ns"), it->lastNs)
            .print();
    }
    Report(QStringLiteral("fanout_process"))
        .add(QStringLiteral("members"), members)
        .add(QStringLiteral("cpu_seconds"), cpuSeconds(), 3)
        .add(QStringLiteral("cpu_after_ready"), cpuSeconds() - cpuAtReady, 3)
        .add(QStringLiteral("rss_kib"), selfStatusKiB("VmRSS"))
        .print();
}

} // namespace QuietWire::Bench
