#pragma once

#include <QtGlobal>

namespace QuietWire {

/// The delays between attempts to reconnect: the first after about a second, each next one twice
/// as long up to a minute, each spread by ±25 % at random so that clients a restarted server
/// dropped together do not all come back in the same instant. The desktop client
/// (ServerConnection) and `quietwire-cli chat` use the same schedule (docs/CLIENT.md, Reconnection).
///
/// Usage:
///     Backoff backoff;                              // 1 s doubling to 60 s, ±25 %
///     timer.start(backoff.nextDelayMs());           // after each failed attempt
///     backoff.reset();                              // once connected again
///
/// A plain value: no timer of its own, so a test can read a schedule without waiting for it.
class Backoff
{
public:
    struct Schedule
    {
        int firstMs = 1000;
        int maxMs = 60000;
        /// The random spread around each delay, as a fraction of it (0.25: ±25 %).
        double jitter = 0.25;
    };

    Backoff() = default;
    explicit Backoff(const Schedule& schedule)
        : m_schedule(schedule)
    { }

    /// The delay before the next attempt, in milliseconds: the base delay (first, doubled after
    /// each call, at most max) with the jitter applied; counts the attempt.
    int nextDelayMs();
    /// The base delay nextDelayMs() starts from at this attempt, before the jitter.
    int baseDelayMs() const;
    /// Attempts counted since the last reset().
    int attempts() const { return m_attempts; }
    /// Connected again: the next failure starts from the first delay.
    void reset() { m_attempts = 0; }
    const Schedule& schedule() const { return m_schedule; }

private:
    Schedule m_schedule;
    int m_attempts = 0;
};

} // namespace QuietWire
