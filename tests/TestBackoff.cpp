// The reconnect schedule (shared/client/Backoff): 1 s doubling to 60 s, each delay within ±25 %; after a
// refusal for load at most 2 s, within ±50 %.

#include "Backoff.h"

#include <QTest>

using QuietWire::Backoff;

class TestBackoff : public QObject
{
    Q_OBJECT

private slots:
    void delaysGrowWithinTheJitter_data();
    void delaysGrowWithinTheJitter();
    void resetStartsOver();
    void jitterSpreadsTheDelays();
    void noJitterIsExact();
    void loadRefusalsStayShort();
    void aFailureAfterLoadRefusalsGrowsOn();
};

void TestBackoff::delaysGrowWithinTheJitter_data()
{
    QTest::addColumn<int>("attempt");
    QTest::addColumn<int>("base");
    QTest::newRow("first") << 0 << 1000;
    QTest::newRow("second") << 1 << 2000;
    QTest::newRow("third") << 2 << 4000;
    QTest::newRow("sixth") << 5 << 32000;
    QTest::newRow("seventh, capped") << 6 << 60000;
    QTest::newRow("hundredth, still capped") << 99 << 60000;
}

void TestBackoff::delaysGrowWithinTheJitter()
{
    QFETCH(int, attempt);
    QFETCH(int, base);
    // Many draws: each within [0.75, 1.25] of the base.
    for (int draw = 0; draw < 200; ++draw) {
        Backoff backoff;
        for (int i = 0; i < attempt; ++i) {
            backoff.nextDelayMs();
        }
        QCOMPARE(backoff.attempts(), attempt);
        QCOMPARE(backoff.baseDelayMs(), base);
        const int delay = backoff.nextDelayMs();
        QVERIFY2(delay >= base * 3 / 4 && delay <= base * 5 / 4, qPrintable(QString::number(delay)));
        QCOMPARE(backoff.attempts(), attempt + 1);
    }
}

void TestBackoff::resetStartsOver()
{
    Backoff backoff;
    for (int i = 0; i < 10; ++i) {
        backoff.nextDelayMs();
    }
    QCOMPARE(backoff.baseDelayMs(), 60000);
    backoff.reset();
    QCOMPARE(backoff.attempts(), 0);
    QCOMPARE(backoff.baseDelayMs(), 1000);
    QVERIFY(backoff.nextDelayMs() <= 1250);
}

void TestBackoff::jitterSpreadsTheDelays()
{
    // Clients dropped together must not all come back at once: the first delays differ.
    QSet<int> delays;
    for (int i = 0; i < 50; ++i) {
        delays.insert(Backoff().nextDelayMs());
    }
    QVERIFY2(delays.size() > 10, qPrintable(QString::number(delays.size())));
}

void TestBackoff::noJitterIsExact()
{
    Backoff backoff(Backoff::Schedule { 100, 1000, 0.0 });
    QList<int> delays;
    for (int i = 0; i < 6; ++i) {
        delays << backoff.nextDelayMs();
    }
    QCOMPARE(delays, (QList<int> { 100, 200, 400, 800, 1000, 1000 }));
}

void TestBackoff::loadRefusalsStayShort()
{
    // A server that keeps refusing for load is up: its clients keep coming back every few seconds.
    for (int draw = 0; draw < 200; ++draw) {
        Backoff backoff;
        QList<int> delays;
        for (int i = 0; i < 12; ++i) {
            delays << backoff.nextDelayMs(Backoff::Cause::LoadRefusal);
        }
        QCOMPARE(backoff.attempts(), 12);
        QVERIFY2(delays.first() >= 500 && delays.first() <= 1500, qPrintable(QString::number(delays.first())));
        for (int i = 1; i < delays.size(); ++i) {
            QVERIFY2(delays.at(i) >= 1000 && delays.at(i) <= 3000, qPrintable(QString::number(delays.at(i))));
        }
    }
    Backoff exact(Backoff::Schedule { 100, 1000, 0.0, 300, 0.0 });
    QList<int> delays;
    for (int i = 0; i < 5; ++i) {
        delays << exact.nextDelayMs(Backoff::Cause::LoadRefusal);
    }
    QCOMPARE(delays, (QList<int> { 100, 200, 300, 300, 300 }));
}

void TestBackoff::aFailureAfterLoadRefusalsGrowsOn()
{
    // Refused, then the server went away: the ordinary schedule goes on from the attempts so far.
    Backoff backoff(Backoff::Schedule { 100, 10000, 0.0, 300, 0.0 });
    for (int i = 0; i < 4; ++i) {
        backoff.nextDelayMs(Backoff::Cause::LoadRefusal);
    }
    QCOMPARE(backoff.nextDelayMs(Backoff::Cause::Failure), 1600);
    QCOMPARE(backoff.nextDelayMs(Backoff::Cause::LoadRefusal), 300);
    backoff.reset();
    QCOMPARE(backoff.nextDelayMs(Backoff::Cause::LoadRefusal), 100);
}

QTEST_GUILESS_MAIN(TestBackoff)
#include "TestBackoff.moc"
