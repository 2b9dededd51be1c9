#pragma once

#include "BenchOptions.h"

#include <QHash>
#include <QString>
#include <functional>

namespace QuietWire::Bench {

/// One process of the multi-process fan-out bench (bench/fanout.sh): what its members received,
/// and, in the one process given --send, the sender's schedule. The same for the QuietWire and the
/// IRC members, so both servers are measured alike.
///
/// A text is "fanout <number> <sent_ns> xxx...", sent_ns on CLOCK_MONOTONIC, which every process on
/// the machine shares: the script merges the processes' `fanmsg` lines (the last arrival of each
/// number in each process) into the time until every member had it.
///
/// Usage:
///     FanoutLedger ledger(options);
///     ... each member's message: ledger.received(text);
///     if (options.send) { ledger.runSchedule([&](const QString& text) { return member->send(text); }); }
///     ledger.holdUntilStopFile();
///     ledger.print();
class FanoutLedger
{
public:
    explicit FanoutLedger(const BenchOptions& options);

    static qint64 monotonicNs();
    /// A member decoded text (anything but a fan-out text is ignored).
    void received(QStringView text);
    /// The sender's schedule, once --go-file exists (the script's signal that every process's
    /// members have joined): --messages texts one at a time, --gap ms apart (phase 0), then each
    /// --rate for --seconds (phases 1, 2, ...), a second of quiet between. Prints `fanout_sent` lines.
    void runSchedule(const std::function<bool(const QString& text)>& send);
    /// Turns the event loop until --stop-file exists (the script's signal that all is sent and
    /// given time to arrive).
    void holdUntilStopFile() const;
    /// `fanmsg number=... sent_ns=... copies=... last_ns=...` for every number received, and a
    /// `fanout_process` line with this process's CPU time.
    void print(int members, double cpuAtReady) const;

    /// The numbers of phase p start at p * PhaseStride.
    static constexpr qint64 PhaseStride = 1000000;

private:
    /// Turns the event loop until path exists (at once when path is empty).
    static bool fileAppears(const QString& path);

    struct Arrivals
    {
        qint64 sentNs = 0;
        int copies = 0;
        qint64 lastNs = 0;
    };

    BenchOptions m_options;
    QString m_padding;
    QHash<qint64, Arrivals> m_arrivals;
};

} // namespace QuietWire::Bench
