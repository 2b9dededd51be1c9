#pragma once

#include "BenchOptions.h"
#include "ChatClient.h"
#include "FanoutLedger.h"
#include "Identity.h"
#include "ServiceClient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>

namespace QuietWire::Bench {

/// Many sessions in this one process, each with its own key.
///
/// fanout: --members ChatClients join the room; member 0 sends --messages texts one at a time,
/// and the time from sendText() until the last member (the sender's own echo included) has
/// decoded the message is one sample (`fanout` line: p50, p99). With --rate, member 0 then sends
/// at that steady rate for --seconds (`fanout_steady` line: deliveries per second, latencies).
///
/// idle: --sessions sessions of --service chat or files open and stay; `idle_ready` once they
/// are all up (chat: every member list has converged; files: each answered a pwd), then they
/// are held for --seconds (or until stdin closes) while bench/run.sh reads the server's memory.
class SessionBench : public QObject
{
    Q_OBJECT

public:
    SessionBench(const BenchOptions& options, QList<Identity> keys, QObject* parent = nullptr);
    int fanout();
    int idle();
    /// One process of bench/fanout.sh: --members members (keys from --first on) join and stay
    /// until --stop-file exists; what they receive goes into a FanoutLedger (see there); with
    /// --send, member 0 runs the sender's schedule.
    int fanoutMembers();

private:
    struct Pending
    {
        qint64 sentNs = 0;
        int received = 0;
        qint64 doneNs = -1;
    };

    /// Opens count sessions (chat members or files sessions), at most connectBatch set-ups at once.
    bool connectSessions(int count, bool chat);
    void onMessage(const ChatProtocol::Message& message);
    qint64 sendNumbered(qint64 number);
    /// member 0 sends at rate messages per second for --seconds; prints a fanout_steady line.
    void steadyPhase(double rate);

    BenchOptions m_options;
    QList<Identity> m_keys;
    QList<ChatClient*> m_members; // chat
    QList<ServiceClient*> m_sessions; // files
    QElapsedTimer m_clock;
    QHash<qint64, Pending> m_pending;
    qint64 m_lost = 0; // sessions that ended after they were up
    qint64 m_phase = 0;
    QString m_padding;
    FanoutLedger* m_ledger = nullptr; // fanoutMembers()
};

} // namespace QuietWire::Bench
