// Resuming a transfer hashes the local prefix on a worker thread (shared/client/PrefixHasher):
// the event loop keeps turning during the hash of a large prefix, and the hash is the right one.

#include "FileIo.h"
#include "PrefixHasher.h"
#include "Sha256.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using QuietWire::PrefixHasher;
using QuietWire::Sha256;

class TestPrefixHasher : public QObject
{
    Q_OBJECT

private slots:
    void eventLoopTurnsDuringALargeHash();
    void shorterFileFails();
    void stopAbandonsTheHash();

private:
    /// A file of size bytes: a few marked bytes over a sparse body (quick to make, read as zeros).
    static bool makeFile(const QString& path, qint64 size);
};

bool TestPrefixHasher::makeFile(const QString& path, qint64 size)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.resize(size)) {
        return false;
    }
    for (qint64 at : { qint64(0), size / 3, size - 1 }) {
        if (!file.seek(at) || file.write("Q", 1) != 1) {
            return false;
        }
    }
    return true;
}

void TestPrefixHasher::eventLoopTurnsDuringALargeHash()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("big.part"));
    constexpr qint64 Size = 300LL * 1024 * 1024;
    constexpr qint64 Prefix = Size - 1024; // what a resume would claim
    QVERIFY(makeFile(path, Size));

    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(1);
    connect(&ticker, &QTimer::timeout, this, [&] { ++ticks; });
    ticker.start();

    PrefixHasher hasher;
    QSignalSpy finished(&hasher, &PrefixHasher::finished);
    int ticksAtEnd = -1;
    connect(&hasher, &PrefixHasher::finished, this, [&] { ticksAtEnd = ticks; });
    hasher.start(path, Prefix);
    // start() returned at once: the hash runs elsewhere, and no tick could have come yet.
    QVERIFY(hasher.isRunning());
    QCOMPARE(ticks, 0);
    QVERIFY(finished.wait(120000));
    ticker.stop();
    QCOMPARE(finished.first().first().toBool(), true);
    // The timer fired while the prefix was being hashed: the event loop was not blocked.
    QVERIFY2(ticksAtEnd > 0, qPrintable(QString::number(ticksAtEnd)));
    qInfo("%d event-loop ticks during the hash of a %lld MiB prefix", ticksAtEnd, Prefix / (1024 * 1024));

    // The same state a hash on this thread gives: continuing it covers the whole file.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    Sha256 expected;
    QVERIFY(QuietWire::FileIo::hashPrefix(file, Prefix, expected));
    QCOMPARE(hasher.hash().result(), expected.result());
    Sha256 whole = hasher.hash();
    const QByteArray rest = file.readAll();
    whole.addData(rest);
    expected.addData(rest);
    QCOMPARE(whole.result(), expected.result());
}

void TestPrefixHasher::shorterFileFails()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("short.part"));
    QVERIFY(makeFile(path, 4096));
    PrefixHasher hasher;
    QSignalSpy finished(&hasher, &PrefixHasher::finished);
    hasher.start(path, 8192);
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY(!hasher.errorString().isEmpty());

    hasher.start(dir.filePath(QStringLiteral("missing")), 10);
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.last().first().toBool(), false);
    QVERIFY(!hasher.errorString().isEmpty());
}

void TestPrefixHasher::stopAbandonsTheHash()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("big.part"));
    QVERIFY(makeFile(path, 64LL * 1024 * 1024));
    PrefixHasher hasher;
    QSignalSpy finished(&hasher, &PrefixHasher::finished);
    hasher.start(path, 64LL * 1024 * 1024);
    hasher.stop();
    QVERIFY(!hasher.isRunning());
    // A second hash after the stopped one reports once, for itself.
    hasher.start(path, 1024);
    QVERIFY(finished.wait(30000));
    QTest::qWait(200); // the stopped worker ends too; it must not report
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.first().first().toBool(), true);
    QCOMPARE(hasher.hash().result(), Sha256::hash(QByteArray("Q") + QByteArray(1023, '\0')));
}

QTEST_GUILESS_MAIN(TestPrefixHasher)
#include "TestPrefixHasher.moc"
