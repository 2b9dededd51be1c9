#include "EpollEventDispatcher.h"

#include <QCoreApplication>
#include <QTimerEvent>
#include <cerrno>
#include <climits>
#include <ctime>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <vector>

namespace QuietWire {

namespace {

constexpr int MaxEventsPerTurn = 256;
constexpr qint64 NsPerMs = 1'000'000;

qint64 nowNs()
{
    timespec now {};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

/// The epoll events that make a notifier of this type ready, as Qt's own dispatcher reads poll()'s:
/// a hang-up or an error wakes a reader and a writer, so that they find out.
constexpr uint32_t readyEvents(int type)
{
    switch (type) {
    case QSocketNotifier::Read:
        return EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
    case QSocketNotifier::Write:
        return EPOLLOUT | EPOLLHUP | EPOLLERR;
    default:
        return EPOLLPRI;
    }
}

constexpr uint32_t wantedEvents(int type)
{
    switch (type) {
    case QSocketNotifier::Read:
        return EPOLLIN | EPOLLRDHUP;
    case QSocketNotifier::Write:
        return EPOLLOUT;
    default:
        return EPOLLPRI;
    }
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject* parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (m_epoll >= 0 && m_wakeFd >= 0) {
        epoll_event event {};
        event.events = EPOLLIN;
        event.data.fd = m_wakeFd;
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &event) != 0) {
            ::close(m_wakeFd);
            m_wakeFd = -1;
        }
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wakeFd >= 0) {
        ::close(m_wakeFd);
    }
    if (m_epoll >= 0) {
        ::close(m_epoll);
    }
}

bool EpollEventDispatcher::installForMainThread()
{
    if (qEnvironmentVariable("QUIETWIRE_EVENT_DISPATCHER") == QLatin1String("qt")) {
        return false;
    }
    auto* dispatcher = new EpollEventDispatcher;
    if (!dispatcher->isValid()) {
        delete dispatcher;
        return false;
    }
    QCoreApplication::setEventDispatcher(dispatcher);
    return true;
}

// ---- The loop -------------------------------------------------------------------------------

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.storeRelaxed(0);
    emit awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool mayWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted.loadRelaxed();
    if (mayWait) {
        emit aboutToBlock();
    }
    if (m_interrupted.loadRelaxed()) {
        return false;
    }
    int timeoutMs = 0;
    if (mayWait && !(includeNotifiers && !m_alwaysReady.empty())) {
        timeoutMs = includeTimers ? waitMs() : -1;
    }

    epoll_event events[MaxEventsPerTurn];
    int ready = epoll_wait(m_epoll, events, MaxEventsPerTurn, timeoutMs);
    if (ready < 0) {
        ready = 0; // EINTR: a signal; the signal handler's own pipe brings it to the loop
    }
    int handled = 0;
    // Inside a handler's nested loop the outer turn's notifiers still wait here: one the nested loop finds
    // ready again is delivered once (as Qt's own dispatcher does), not again after its data is gone.
    const bool nested = !m_pending.isEmpty();
    const auto markPending = [this, nested](QSocketNotifier* notifier) {
        if (!nested || !m_pending.contains(notifier)) {
            m_pending.append(notifier);
        }
    };
    for (int i = 0; i < ready; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_wakeFd) {
            drainWakeUps();
            continue;
        }
        if (!includeNotifiers) {
            continue; // level-triggered: reported again on the next turn that includes them
        }
        const auto found = m_watched.find(fd);
        if (found == m_watched.end()) {
            continue;
        }
        for (int type = QSocketNotifier::Read; type <= QSocketNotifier::Exception; ++type) {
            if (QSocketNotifier* notifier = found->second.notifiers[type];
                notifier && (events[i].events & readyEvents(type))) {
                markPending(notifier);
            }
        }
    }
    if (includeNotifiers) {
        // Files epoll cannot watch (a regular file or /dev/null as stdin) are always ready, as poll() says.
        for (const qintptr fd : m_alwaysReady) {
            const Watched& watched = m_watched.at(fd);
            for (QSocketNotifier* notifier : watched.notifiers) {
                if (notifier && notifier->type() != QSocketNotifier::Exception) {
                    markPending(notifier);
                }
            }
        }
    }
    while (!m_pending.isEmpty()) {
        QSocketNotifier* notifier = m_pending.takeFirst();
        QEvent event(QEvent::SockAct);
        QCoreApplication::sendEvent(notifier, &event);
        ++handled;
    }
    if (includeTimers) {
        handled += activateTimers();
    }
    return handled > 0;
}

void EpollEventDispatcher::wakeUp()
{
    if (m_wakeUpPending.testAndSetAcquire(0, 1)) {
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t written = ::write(m_wakeFd, &one, sizeof one);
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.storeRelaxed(1);
    wakeUp();
}

void EpollEventDispatcher::drainWakeUps()
{
    // Read first, then allow the next write. The other order loses a wake-up: another thread sets the flag
    // between the two, writes, and the read takes its count; the flag then stays set with the count at 0,
    // and no wake-up writes again. This way one that finds the flag still set posted its event before the
    // next sendPostedEvents(), which delivers it.
    quint64 count = 0;
    while (::read(m_wakeFd, &count, sizeof count) > 0) { }
    m_wakeUpPending.storeRelease(0);
}

// ---- Socket notifiers -----------------------------------------------------------------------

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier* notifier)
{
    const qintptr fd = notifier->socket();
    Watched& watched = m_watched[fd];
    watched.notifiers[notifier->type()] = notifier;
    watch(fd, watched);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier* notifier)
{
    m_pending.removeAll(notifier);
    const qintptr fd = notifier->socket();
    const auto found = m_watched.find(fd);
    if (found == m_watched.end() || found->second.notifiers[notifier->type()] != notifier) {
        return;
    }
    found->second.notifiers[notifier->type()] = nullptr;
    watch(fd, found->second);
    if (!found->second.notifiers[0] && !found->second.notifiers[1] && !found->second.notifiers[2]) {
        m_watched.erase(found);
    }
}

void EpollEventDispatcher::watch(qintptr fd, Watched& watched)
{
    uint32_t wanted = 0;
    for (int type = QSocketNotifier::Read; type <= QSocketNotifier::Exception; ++type) {
        wanted |= watched.notifiers[type] ? wantedEvents(type) : 0;
    }
    epoll_event event {};
    event.events = wanted;
    event.data.fd = static_cast<int>(fd);
    const int descriptor = static_cast<int>(fd);
    if (wanted == 0) {
        // The descriptor may be closed already (then the kernel has dropped it from the set).
        if (watched.inEpoll) {
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, descriptor, &event);
        }
        watched.inEpoll = false;
        m_alwaysReady.erase(fd);
        return;
    }
    if (m_alwaysReady.count(fd)) {
        return;
    }
    // A descriptor closed and opened again under the same number is no longer in the set (MOD fails with
    // ENOENT), and one we think new may be there still (ADD fails with EEXIST): either way, try the other.
    int result = epoll_ctl(m_epoll, watched.inEpoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, descriptor, &event);
    if (result != 0 && (errno == ENOENT || errno == EEXIST)) {
        result = epoll_ctl(m_epoll, errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, descriptor, &event);
    }
    if (result == 0) {
        watched.inEpoll = true;
    } else if (errno == EPERM) {
        watched.inEpoll = false;
        m_alwaysReady.insert(fd);
    } else {
        watched.inEpoll = false; // EBADF: a notifier on a closed descriptor never fires, as with poll()
    }
}

// ---- Timers ---------------------------------------------------------------------------------

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject* object)
{
    unregisterTimer(timerId);
    Timer& timer = m_timers[timerId];
    timer.id = timerId;
    timer.intervalMs = qMax<qint64>(0, interval);
    timer.type = timerType;
    timer.object = object;
    timer.serial = m_nextSerial++;
    timer.position = m_due.end();
    m_timersOf.emplace(object, timerId);
    schedule(timer, nowNs() + timer.intervalMs * NsPerMs);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto found = m_timers.find(timerId);
    if (found == m_timers.end()) {
        return false;
    }
    Timer& timer = found->second;
    if (timer.position != m_due.end()) {
        m_due.erase(timer.position);
    }
    auto [first, last] = m_timersOf.equal_range(timer.object);
    for (auto it = first; it != last; ++it) {
        if (it->second == timerId) {
            m_timersOf.erase(it);
            break;
        }
    }
    m_timers.erase(found);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject* object)
{
    auto [first, last] = m_timersOf.equal_range(object);
    std::vector<int> ids;
    for (auto it = first; it != last; ++it) {
        ids.push_back(it->second);
    }
    for (const int id : ids) {
        unregisterTimer(id);
    }
    return !ids.empty();
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject* object) const
{
    QList<TimerInfo> list;
    auto [first, last] = m_timersOf.equal_range(object);
    for (auto it = first; it != last; ++it) {
        const Timer& timer = m_timers.at(it->second);
        list.append(TimerInfo(timer.id, static_cast<int>(timer.intervalMs), timer.type));
    }
    return list;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto found = m_timers.find(timerId);
    if (found == m_timers.end()) {
        return -1;
    }
    const qint64 left = found->second.dueNs - nowNs();
    return left <= 0 ? 0 : static_cast<int>(qMin<qint64>(INT_MAX, (left + NsPerMs - 1) / NsPerMs));
}

void EpollEventDispatcher::schedule(Timer& timer, qint64 dueNs)
{
    if (timer.position != m_due.end()) {
        m_due.erase(timer.position);
    }
    timer.dueNs = dueNs;
    timer.position = m_due.emplace(dueNs, timer.id);
}

int EpollEventDispatcher::waitMs() const
{
    if (m_due.empty()) {
        return -1;
    }
    const qint64 left = m_due.begin()->first - nowNs();
    return left <= 0 ? 0 : static_cast<int>(qMin<qint64>(INT_MAX, (left + NsPerMs - 1) / NsPerMs));
}

int EpollEventDispatcher::activateTimers()
{
    if (m_due.empty()) {
        return 0;
    }
    const qint64 now = nowNs();
    // Those due now, taken before any fires: a timer started or restarted by a handler waits for the next
    // turn, even with an interval of 0.
    std::vector<std::pair<int, quint64>> due;
    for (auto it = m_due.begin(); it != m_due.end() && it->first <= now; ++it) {
        due.emplace_back(it->second, m_timers.at(it->second).serial);
    }
    int fired = 0;
    for (const auto& [id, serial] : due) {
        auto found = m_timers.find(id);
        if (found == m_timers.end() || found->second.serial != serial) {
            continue; // stopped (or stopped and started again) by an earlier handler
        }
        Timer& timer = found->second;
        qint64 next = timer.dueNs + timer.intervalMs * NsPerMs;
        if (next <= now) {
            next = now + timer.intervalMs * NsPerMs; // late: the next one an interval from now
        }
        schedule(timer, next);
        if (timer.firing) {
            continue; // its handler runs a nested loop: not again inside it
        }
        timer.firing = true;
        fired += timer.intervalMs > 0 ? 1 : 0;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(timer.object, &event);
        found = m_timers.find(id);
        if (found != m_timers.end() && found->second.serial == serial) {
            found->second.firing = false;
        }
    }
    return fired;
}

} // namespace QuietWire
