#pragma once

#include <QAbstractEventDispatcher>
#include <QAtomicInt>
#include <QList>
#include <QSocketNotifier>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace QuietWire {

/// The event loop of quietwired's main thread on Linux epoll, with its timers in an ordered map.
///
/// Qt's UNIX dispatcher hands every socket notifier to ppoll() on every turn of the loop and keeps the
/// thread's timers in one sorted list (each start walks it). Both grow with the number of sessions: with
/// 10,000 sessions each turn polled 10,000 descriptors and each session's keepalive or idle timer walked up
/// to 20,000 entries (bench/ANALYSIS.md, "Round 2: many sessions"). Here a turn costs what is ready, and a
/// timer is registered, moved or removed in O(log n).
///
/// Semantics follow Qt's own dispatcher: posted events first, level-triggered readiness (a read notifier
/// fires while data is there), timers never fired twice in one turn nor inside their own handler, and
/// every kind of timer fired when due (Coarse and VeryCoarse are treated as Precise, which they allow).
/// One instance per thread, made before the thread's loop starts (QCoreApplication::setEventDispatcher,
/// QThread::setEventDispatcher); wakeUp() and interrupt() may be called from any thread.
class EpollEventDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject* parent = nullptr);
    ~EpollEventDispatcher() override;

    /// Whether epoll and eventfd could be set up; if not, the process should keep Qt's dispatcher.
    bool isValid() const { return m_epoll >= 0 && m_wakeFd >= 0; }

    /// Makes one the main thread's dispatcher, before QCoreApplication exists (quietwired, quietwire-bench),
    /// unless QUIETWIRE_EVENT_DISPATCHER=qt asks for Qt's own (for a comparison) or epoll cannot be set up.
    /// Whether it did.
    static bool installForMainThread();

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier* notifier) override;
    void unregisterSocketNotifier(QSocketNotifier* notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject* object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject* object) override;
    QList<TimerInfo> registeredTimers(QObject* object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    struct Timer
    {
        int id = 0;
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject* object = nullptr;
        qint64 dueNs = 0;
        quint64 serial = 0; // tells a timer from a later one that got the same id
        bool firing = false; // its event is being delivered: not again from a nested loop
        std::multimap<qint64, int>::iterator position;
    };
    struct Watched
    {
        QSocketNotifier* notifiers[3] = { nullptr, nullptr, nullptr }; // indexed by QSocketNotifier::Type
        bool inEpoll = false;
    };

    void watch(qintptr fd, Watched& watched);
    void schedule(Timer& timer, qint64 dueNs);
    int waitMs() const;
    int activateTimers();
    void drainWakeUps();

    int m_epoll = -1;
    int m_wakeFd = -1;
    QAtomicInt m_wakeUpPending;
    QAtomicInt m_interrupted;
    std::unordered_map<qintptr, Watched> m_watched;
    std::unordered_set<qintptr> m_alwaysReady; // watched but refused by epoll (EPERM: regular files)
    QList<QSocketNotifier*> m_pending; // ready in this turn, not activated yet (unregistering removes)
    std::unordered_map<int, Timer> m_timers;
    std::multimap<qint64, int> m_due; // deadline in ns of the monotonic clock -> timer id
    std::unordered_multimap<QObject*, int> m_timersOf;
    quint64 m_nextSerial = 1;
};

} // namespace QuietWire
