#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>

namespace QuietWire::Bench {

/// Runs the event loop until done() holds (true) or timeoutMs passes (false). Timed sections of
/// the benchmarks run inside this loop, just as the GUI's and the CLI's work runs in app.exec().
template <typename Predicate>
bool spinUntil(Predicate done, qint64 timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    QTimer heartbeat; // wakes the loop so a timeout is noticed even when nothing happens
    heartbeat.start(100);
    while (!done()) {
        if (timeoutMs >= 0 && clock.elapsed() > timeoutMs) {
            return false;
        }
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

} // namespace QuietWire::Bench
