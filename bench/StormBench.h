#pragma once

#include "Backoff.h"
#include "BenchOptions.h"
#include "Identity.h"

#include <QElapsedTimer>
#include <QList>
#include <QMap>
#include <QObject>

class QTimer;

namespace QuietWire {
class ChatClient;
}

namespace QuietWire::Bench {

/// The restart storm (bench/restart-storm.sh): --clients chat clients, each with its own key and
/// its own Backoff, reconnecting the way `quietwire-cli chat` and the desktop client do: after a
/// temporary failure (the server went away, refused for load, no answer) the next attempt waits
/// Backoff::nextDelayMs(); once joined the schedule starts over; a failure that is not temporary
/// ends the client (it "gives up", as the CLI does). A client is back when it has joined and the
/// server has answered its start (version 2: the conversations, history_end).
///
/// It connects everybody (at most --connect-batch set-ups at once), prints a `storm-ready` line,
/// and waits up to --seconds for the server to go away: the first client that loses its session
/// starts the clock. It then waits until every client that dropped is back, or --seconds more
/// have passed, and prints one `storm` line: how many came back, when (ms after the first drop:
/// p50, p99, max), how many gave up, the attempts, and the failed attempts by label.
class StormBench : public QObject
{
    Q_OBJECT

public:
    StormBench(const BenchOptions& options, QList<Identity> keys, QObject* parent = nullptr);
    int run();

private:
    struct Client
    {
        ChatClient* chat = nullptr;
        QTimer* retry = nullptr;
        Backoff backoff;
        bool up = false; // joined and answered
        bool inFlight = false; // an attempt is under way
        bool gaveUp = false;
        qint64 droppedNs = -1; // when it lost the session the server restart took
        qint64 backNs = -1;
        int attempts = 0; // after the drop
    };

    void attempt(int index);
    void onBack(int index);
    void onFailure(int index);
    void launchQueued();

    BenchOptions m_options;
    QList<Identity> m_keys;
    QList<Client> m_clients;
    QList<int> m_queue; // the initial connections, connectBatch at a time
    QElapsedTimer m_clock;
    bool m_storm = false; // everybody was up: drops from now on are the restart's
    qint64 m_firstDropNs = -1;
    int m_inFlight = 0;
    int m_up = 0;
    int m_dropped = 0;
    int m_back = 0;
    int m_gaveUp = 0;
    QMap<QString, int> m_failures; // failed attempts after the drop, by label
};

} // namespace QuietWire::Bench
