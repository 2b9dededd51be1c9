#pragma once

#include <QtGlobal>

namespace QuietWire {

/// The delays between attempts to reconnect: the first after about a second, each next one twice
/// as long up to a minute, each spread by ±25 % at random so that clients a restarted server
/// dropped together do not all come back in the same instant. An attempt the server turned away
/// for load (ServiceClient::refusedForLoad(): it answered busy, or closed the connection during
/// the handshake because its table of handshakes in progress was full) grows
/// the delay only up to loadMaxMs, spread by ±50 %: a server that is refusing is up and taking
/// clients in as fast as it can, and a client that waited a minute after a refusal came back long
/// after there was room (bench/ANALYSIS.md, "Round 2: restart storm"). The desktop client
/// (ServerConnection) and `quietwire-cli chat` use the same schedule (docs/CLIENT.md, Reconnection).
///
/// Usage:
///     Backoff backoff;                              // 1 s doubling to 60 s, ±25 %; after load refusals at most 2 s,
///     ±50 % timer.start(backoff.nextDelayMs(client.refusedForLoad() ? Backoff::Cause::LoadRefusal
///                                                             : Backoff::Cause::Failure)); // after each failed
///                                                             attempt
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
        /// After a refusal for load: the base delay grows as for any failure, but at most to this.
        int loadMaxMs = 2000;
        double loadJitter = 0.5;
    };

    enum class Cause {
        Failure, // the attempt failed or the connection broke: the server may be away for a while
        LoadRefusal, // the server is up and turned the attempt away for load
    };

    Backoff() = default;
    explicit Backoff(const Schedule& schedule)
        : m_schedule(schedule)
    { }

    /// The delay before the next attempt, in milliseconds: the base delay (first, doubled after
    /// each call, at most max; at most loadMaxMs after a refusal for load) with the jitter applied
    /// (loadJitter after a refusal for load); counts the attempt.
    int nextDelayMs(Cause cause = Cause::Failure);
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
