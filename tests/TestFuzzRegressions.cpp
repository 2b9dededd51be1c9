// Every input a fuzz target once crashed on, replayed through the same code (tests/data/fuzz-regressions/<target>/).

#include "AuthorizedKeys.h"
#include "ChatProtocol.h"
#include "FilePaths.h"
#include "FileProtocol.h"
#include "KnownServers.h"
#include "Protocol.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace QuietWire;

class TestFuzzRegressions : public QObject
{
    Q_OBJECT

private slots:
    void replay_data();
    void replay();
};

void TestFuzzRegressions::replay_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QByteArray>("input");
    const QDir root(QStringLiteral(QUIETWIRE_TEST_DATA "/fuzz-regressions"));
    int count = 0;
    for (const QString& target : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QDir dir(root.filePath(target));
        for (const QString& name : dir.entryList(QDir::Files)) {
            QFile file(dir.filePath(name));
            QVERIFY(file.open(QIODevice::ReadOnly));
            QTest::newRow(qPrintable(target + QLatin1Char('/') + name)) << target << file.readAll();
            ++count;
        }
    }
    QVERIFY2(count > 0, "no regression inputs found");
}

void TestFuzzRegressions::replay()
{
    QFETCH(QString, target);
    QFETCH(QByteArray, input);
    if (target == QLatin1String("cbor")) {
        // Replays exactly what fuzz_cbor does; a crash or a sanitizer report fails the test.
        (void)FileProtocol::decodeData(input);
        QString error;
        const auto message = Protocol::decode(input, &error);
        QVERIFY(message || !error.isEmpty());
        if (message) {
            (void)ChatProtocol::Message::fromCbor(*message).toCbor();
            (void)FileProtocol::Entry::fromCbor(*message).toCbor();
        }
    } else if (target == QLatin1String("paths")) {
        (void)FilePaths::resolve({}, QString::fromUtf8(input));
    } else if (target == QLatin1String("authorized_keys")) {
        (void)AuthorizedKeys::parse(input, QStringLiteral("authorized_keys"));
    } else if (target == QLatin1String("known_servers")) {
        QString error;
        (void)KnownServers::parse(input, QStringLiteral("known_servers"), &error);
    } else {
        QFAIL(qPrintable(QStringLiteral("no replay for target %1").arg(target)));
    }
}

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "TestFuzzRegressions.moc"
