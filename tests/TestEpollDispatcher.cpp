// quietwired's event loop on epoll (EpollEventDispatcher), in a thread of its own as the server's main
// thread runs it: timers fire in deadline order, stopped timers never, repeating ones again, a timer of
// 0 ms does not starve the rest, one stopped and started by another's handler keeps its new deadline;
// socket notifiers follow readiness level by level (data, a closed peer, a notifier disabled and enabled
// again), a nested loop inside a handler delivers each readiness once, a regular file that epoll refuses
// is always ready as with poll(), TCP works through Qt's sockets; events posted from another thread wake
// a loop blocked with nothing to do, and quit() ends it. Every real server in the other tests runs on it.

#include "EpollEventDispatcher.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QSemaphore>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <functional>
#include <sys/socket.h>
#include <unistd.h>

using namespace QuietWire;

namespace {

/// Runs a test body inside a thread whose loop is an EpollEventDispatcher.
class EpollThread
{
public:
    EpollThread()
    {
        m_thread.setEventDispatcher(new EpollEventDispatcher);
        m_thread.start();
        m_context.moveToThread(&m_thread);
    }
    ~EpollThread()
    {
        m_thread.quit();
        if (!m_thread.wait(20000)) { // a loop that missed its wake-up: the test has failed; do not hang
            qWarning("the loop did not end after quit()");
            m_thread.terminate();
            m_thread.wait();
        }
    }
    void run(const std::function<void()>& body)
    {
        QMetaObject::invokeMethod(&m_context, body, Qt::BlockingQueuedConnection);
    }
    QObject* context() { return &m_context; }
    QThread* thread() { return &m_thread; }

private:
    QThread m_thread;
    QObject m_context;
};

/// Spins the current thread's loop until done() or the time is out; true when done.
bool spinUntil(const std::function<bool()>& done, int timeoutMs = 10000)
{
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < timeoutMs) {
        QEventLoop loop;
        QTimer::singleShot(5, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return done();
}

} // namespace

class TestEpollDispatcher : public QObject
{
    Q_OBJECT
private slots:
    void theThreadRunsOnEpoll();
    void timersFireInDeadlineOrder();
    void stoppedTimersNeverFire();
    void repeatingTimersFireAgainAndZeroDoesNotStarve();
    void manyTimersAllFireOnce();
    void notifiersFollowReadiness();
    void nestedLoopDeliversEachReadinessOnce();
    void regularFileIsAlwaysReady();
    void tcpWorksThroughQtSockets();
    void postedEventsWakeABlockedLoop();
    void wakeUpsFromManyThreadsAreNeverLost();
};

void TestEpollDispatcher::theThreadRunsOnEpoll()
{
    EpollThread thread;
    bool onEpoll = false;
    thread.run([&] { onEpoll = qobject_cast<EpollEventDispatcher*>(QAbstractEventDispatcher::instance()) != nullptr; });
    QVERIFY(onEpoll);
}

void TestEpollDispatcher::timersFireInDeadlineOrder()
{
    EpollThread thread;
    QList<int> order;
    int remaining = -2;
    thread.run([&] {
        QTimer t30, t10, t20;
        for (auto [timer, ms] : { std::pair { &t30, 300 }, std::pair { &t10, 100 }, std::pair { &t20, 200 } }) {
            timer->setSingleShot(true);
            timer->setTimerType(Qt::PreciseTimer);
            QObject::connect(timer, &QTimer::timeout, [&order, ms = ms] { order.append(ms); });
            timer->start(ms);
        }
        QTimer longOne;
        longOne.start(60000);
        remaining = longOne.remainingTime();
        spinUntil([&] { return order.size() == 3; });
    });
    QCOMPARE(order, QList<int>({ 100, 200, 300 })); // 100 ms apart: a busy machine cannot reorder them
    QVERIFY2(remaining > 50000 && remaining <= 60000, qPrintable(QString::number(remaining)));
}

void TestEpollDispatcher::stoppedTimersNeverFire()
{
    EpollThread thread;
    QStringList fired;
    thread.run([&] {
        QTimer stopped, stopper, restarted, last;
        for (QTimer* timer : { &stopped, &stopper, &restarted, &last }) {
            timer->setSingleShot(true);
        }
        QObject::connect(&stopped, &QTimer::timeout, [&] { fired.append("stopped"); });
        QObject::connect(&restarted, &QTimer::timeout, [&] { fired.append("restarted"); });
        QObject::connect(&last, &QTimer::timeout, [&] { fired.append("last"); });
        // Due at the same time as the two it stops or moves: they must not fire in the same turn.
        QObject::connect(&stopper, &QTimer::timeout, [&] {
            fired.append("stopper");
            stopped.stop();
            restarted.start(60);
        });
        stopper.start(20);
        stopped.start(20);
        restarted.start(20);
        last.start(120);
        QTimer gone;
        gone.setSingleShot(true);
        QObject::connect(&gone, &QTimer::timeout, [&] { fired.append("gone"); });
        gone.start(10);
        gone.stop();
        spinUntil([&] { return fired.contains("last"); });
    });
    QCOMPARE(fired, QStringList({ "stopper", "restarted", "last" }));
}

void TestEpollDispatcher::repeatingTimersFireAgainAndZeroDoesNotStarve()
{
    EpollThread thread;
    int ticks = 0;
    int zeroTicks = 0;
    bool oneShotFired = false;
    thread.run([&] {
        QTimer repeating, zero, oneShot;
        QObject::connect(&repeating, &QTimer::timeout, [&] { ++ticks; });
        QObject::connect(&zero, &QTimer::timeout, [&] { ++zeroTicks; });
        oneShot.setSingleShot(true);
        QObject::connect(&oneShot, &QTimer::timeout, [&] { oneShotFired = true; });
        repeating.start(5);
        zero.start(0);
        oneShot.start(40);
        spinUntil([&] { return ticks >= 10 && oneShotFired; });
    });
    QVERIFY2(ticks >= 10, qPrintable(QString::number(ticks)));
    QVERIFY(oneShotFired);
    QVERIFY(zeroTicks > 0);
}

void TestEpollDispatcher::manyTimersAllFireOnce()
{
    EpollThread thread;
    constexpr int Count = 20000;
    QList<int> firedCount(Count, 0);
    bool ordered = true;
    thread.run([&] {
        std::vector<std::unique_ptr<QTimer>> timers;
        QElapsedTimer clock;
        clock.start();
        qint64 lastEarliestNs = 0;
        for (int i = 0; i < Count; ++i) {
            auto timer = std::make_unique<QTimer>();
            timer->setSingleShot(true);
            timer->setTimerType(Qt::PreciseTimer);
            // Deadlines out of order (interleaved as two kinds of session timers are); every third one stopped.
            const int ms = (i % 2 == 0) ? 50 + (i % 97) : 20 + (i % 13);
            // The loop reads its clock inside start(): its deadline lies between these two.
            const qint64 earliestNs = clock.nsecsElapsed() + ms * qint64(1000000);
            timer->start(ms);
            const qint64 latestNs = clock.nsecsElapsed() + ms * qint64(1000000);
            QObject::connect(timer.get(), &QTimer::timeout, [&, i, earliestNs, latestNs] {
                ++firedCount[i];
                // In the order of their deadlines: none fired before this one can have been due later.
                ordered = ordered && latestNs >= lastEarliestNs;
                lastEarliestNs = qMax(lastEarliestNs, earliestNs);
            });
            timers.push_back(std::move(timer));
        }
        for (int i = 0; i < Count; i += 3) {
            timers[i]->stop();
        }
        spinUntil([&] {
            return std::all_of(timers.begin(), timers.end(), [](const auto& timer) { return !timer->isActive(); });
        });
    });
    for (int i = 0; i < Count; ++i) {
        QCOMPARE(firedCount.at(i), i % 3 == 0 ? 0 : 1);
    }
    QVERIFY(ordered);
}

void TestEpollDispatcher::notifiersFollowReadiness()
{
    int pair[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    EpollThread thread;
    int activations = 0;
    QByteArray read;
    bool sawEnd = false;
    bool quietWhileDisabled = false;
    thread.run([&] {
        QSocketNotifier notifier(pair[0], QSocketNotifier::Read);
        QObject::connect(&notifier, &QSocketNotifier::activated, [&] {
            ++activations;
            char buffer[64];
            const ssize_t n = ::read(pair[0], buffer, 3); // less than is there: ready again next turn
            if (n > 0) {
                read.append(buffer, n);
            } else if (n == 0) {
                sawEnd = true;
                notifier.setEnabled(false);
            }
        });
        QCOMPARE(::write(pair[1], "abcdefgh", 8), 8);
        QVERIFY(spinUntil([&] { return read == "abcdefgh"; }));
        QVERIFY(activations >= 3);

        notifier.setEnabled(false);
        QCOMPARE(::write(pair[1], "xy", 2), 2);
        const int before = activations;
        spinUntil([] { return false; }, 50);
        quietWhileDisabled = activations == before;
        notifier.setEnabled(true); // the data is still there: ready at once
        QVERIFY(spinUntil([&] { return read.endsWith("xy"); }));

        ::close(pair[1]);
        QVERIFY(spinUntil([&] { return sawEnd; }));
    });
    ::close(pair[0]);
    QVERIFY(quietWhileDisabled);
    QCOMPARE(read, QByteArray("abcdefghxy"));
    QVERIFY(sawEnd);
}

void TestEpollDispatcher::nestedLoopDeliversEachReadinessOnce()
{
    // Two sockets ready in the same turn; whichever handler runs first spins a nested loop, which
    // delivers the other. The outer turn must not deliver it again: its data is gone by then, and a
    // handler that reads a blocking descriptor (the console's stdin) would wait for the next line.
    int first[2];
    int second[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, first), 0);
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, second), 0);
    EpollThread thread;
    int delivered = 0;
    int emptyDeliveries = 0;
    bool nested = false;
    thread.run([&] {
        QSocketNotifier one(first[0], QSocketNotifier::Read);
        QSocketNotifier two(second[0], QSocketNotifier::Read);
        const auto handle = [&](int fd) {
            ++delivered;
            char buffer[16];
            if (::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) <= 0) {
                ++emptyDeliveries;
                return;
            }
            if (!nested) {
                nested = true;
                spinUntil([] { return false; }, 50);
            }
        };
        QObject::connect(&one, &QSocketNotifier::activated, [&] { handle(first[0]); });
        QObject::connect(&two, &QSocketNotifier::activated, [&] { handle(second[0]); });
        QCOMPARE(::write(first[1], "a", 1), 1);
        QCOMPARE(::write(second[1], "b", 1), 1);
        spinUntil([] { return false; }, 100);
    });
    for (int fd : { first[0], first[1], second[0], second[1] }) {
        ::close(fd);
    }
    QVERIFY(nested);
    QCOMPARE(emptyDeliveries, 0);
    QCOMPARE(delivered, 2);
}

void TestEpollDispatcher::regularFileIsAlwaysReady()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("console command\n");
    file.flush();
    file.seek(0);
    EpollThread thread;
    QByteArray read;
    bool ended = false;
    thread.run([&] {
        QSocketNotifier notifier(file.handle(), QSocketNotifier::Read);
        QObject::connect(&notifier, &QSocketNotifier::activated, [&] {
            char buffer[64];
            const ssize_t n = ::read(file.handle(), buffer, sizeof buffer);
            if (n > 0) {
                read.append(buffer, n);
            } else {
                ended = true; // the end of the file, as a console on /dev/null sees it
                notifier.setEnabled(false);
            }
        });
        spinUntil([&] { return ended; });
    });
    QCOMPARE(read, QByteArray("console command\n"));
    QVERIFY(ended);
}

void TestEpollDispatcher::tcpWorksThroughQtSockets()
{
    EpollThread thread;
    QByteArray echoed;
    bool disconnected = false;
    thread.run([&] {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QObject::connect(&server, &QTcpServer::newConnection, [&] {
            QTcpSocket* peer = server.nextPendingConnection();
            QObject::connect(peer, &QTcpSocket::readyRead, [peer] { peer->write(peer->readAll()); });
            QObject::connect(peer, &QTcpSocket::disconnected, peer, &QObject::deleteLater);
        });
        QTcpSocket client;
        QObject::connect(&client, &QTcpSocket::readyRead, [&] { echoed += client.readAll(); });
        QObject::connect(&client, &QTcpSocket::disconnected, [&] { disconnected = true; });
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(spinUntil([&] { return client.state() == QAbstractSocket::ConnectedState; }));
        const QByteArray big(4 * 1024 * 1024, 'q'); // more than the kernel buffers: write notifiers too
        client.write(big);
        QVERIFY(spinUntil([&] { return echoed.size() == big.size(); }, 30000));
        QVERIFY(echoed == big);
        client.disconnectFromHost();
        QVERIFY(spinUntil([&] { return disconnected; }));
    });
    QCOMPARE(echoed.size(), 4 * 1024 * 1024);
    QVERIFY(disconnected);
}

void TestEpollDispatcher::postedEventsWakeABlockedLoop()
{
    EpollThread thread;
    QSemaphore delivered;
    QThread* ranIn = nullptr;
    // The loop has no timer and no notifier: it blocks in epoll_wait until the wake-up.
    QTest::qWait(50);
    QMetaObject::invokeMethod(
        thread.context(),
        [&] {
            ranIn = QThread::currentThread();
            delivered.release();
        },
        Qt::QueuedConnection);
    QVERIFY(delivered.tryAcquire(1, 10000));
    QCOMPARE(ranIn, thread.thread());

    auto* doomed = new QObject;
    doomed->moveToThread(thread.thread());
    QPointer<QObject> watch(doomed);
    QMetaObject::invokeMethod(
        doomed, [doomed] { doomed->deleteLater(); }, Qt::QueuedConnection);
    QVERIFY(QTest::qWaitFor([&] { return watch.isNull(); }, 10000));

    thread.thread()->quit();
    QVERIFY(thread.thread()->wait(10000));
}

void TestEpollDispatcher::wakeUpsFromManyThreadsAreNeverLost()
{
    // Two threads post as fast as they can, in short bursts, while the loop has nothing else to do: every
    // wake-up that races with the loop draining the previous one must still wake it. A lost one leaves the
    // loop asleep in epoll_wait with events waiting (as the store thread's answers once waited in quietwired).
    EpollThread thread;
    constexpr int PerThread = 20000;
    QAtomicInt delivered = 0;
    std::vector<std::unique_ptr<QThread>> producers;
    for (int p = 0; p < 2; ++p) {
        producers.emplace_back(QThread::create([&] {
            for (int i = 0; i < PerThread; ++i) {
                QMetaObject::invokeMethod(
                    thread.context(), [&] { delivered.ref(); }, Qt::QueuedConnection);
                if (i % 50 == 0) {
                    QThread::usleep(20); // lets the loop drain and go back to sleep between bursts
                }
            }
        }));
        producers.back()->start();
    }
    for (auto& producer : producers) {
        QVERIFY(producer->wait(60000));
    }
    QVERIFY2(QTest::qWaitFor([&] { return delivered.loadRelaxed() == 2 * PerThread; }, 10000),
        qPrintable(QStringLiteral("%1 of %2 delivered").arg(delivered.loadRelaxed()).arg(2 * PerThread)));
}

QTEST_GUILESS_MAIN(TestEpollDispatcher)
#include "TestEpollDispatcher.moc"
