#pragma once

#include "BenchOptions.h"
#include "Identity.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>

namespace QuietWire {
class ServiceClient;
}

namespace QuietWire::Bench {

/// Full session set-ups per second: --clients loops, each connecting again as soon as its last
/// session answered. One set-up is: TCP connect to the main port, the Noise XX handshake, the
/// server's whitelist check and session-port hand-off, the ticket on the session port, the
/// "files" hello, and the server's answer to a first request (pwd) - so the count only holds
/// sessions the server really serves. Prints one `handshakes` line.
class HandshakeBench : public QObject
{
    Q_OBJECT

public:
    HandshakeBench(const BenchOptions& options, const Identity& identity, QObject* parent = nullptr);
    int run();

private:
    struct Loop
    {
        QuietWire::ServiceClient* client = nullptr;
        qint64 startedNs = 0;
        bool active = false; // a set-up is in flight: the first outcome counts, later ones not
    };
    void start(int index);
    void finish(int index, bool ok, const QString& error);

    BenchOptions m_options;
    Identity m_identity;
    QList<Loop> m_loops;
    QElapsedTimer m_clock;
    qint64 m_windowStartNs = -1;
    qint64 m_windowEndNs = -1;
    bool m_stopping = false;
    qint64 m_completed = 0;
    qint64 m_completedAll = 0; // warm-up and tail included, for CPU per session
    qint64 m_failed = 0;
    QList<double> m_latenciesMs;
    QMap<QString, int> m_errors;
};

} // namespace QuietWire::Bench
