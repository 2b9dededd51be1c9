// The fuzz targets' checks (fuzz/FuzzChecks.h, the same functions fuzz/fuzz_<target>.cpp call) as
// test assertions, replayed over every input a fuzz target once crashed on
// (tests/data/fuzz-regressions/<target>/) and over the targets' seed corpora (fuzz/corpus/<target>/),
// so each parser's checks run in every build, not only under libFuzzer. A crash or a sanitizer
// report fails the test, and so does an input that breaks one of the properties FuzzChecks.h states.

#include "FuzzChecks.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QTest>

using namespace QuietWire;

namespace {

/// The targets replayed here; every one must have inputs.
const QStringList Targets = { QStringLiteral("cbor"), QStringLiteral("paths"), QStringLiteral("authorized_keys"),
    QStringLiteral("known_servers"), QStringLiteral("proxy_header") };

QString check(const QString& target, const QByteArray& input)
{
    if (target == QLatin1String("cbor")) {
        return FuzzChecks::checkCbor(input);
    }
    if (target == QLatin1String("paths")) {
        return FuzzChecks::checkPaths(input);
    }
    if (target == QLatin1String("authorized_keys")) {
        return FuzzChecks::checkAuthorizedKeys(input);
    }
    if (target == QLatin1String("known_servers")) {
        return FuzzChecks::checkKnownServers(input);
    }
    if (target == QLatin1String("proxy_header")) {
        return FuzzChecks::checkProxyHeader(input);
    }
    return QStringLiteral("no replay for target %1").arg(target);
}

} // namespace

class TestFuzzRegressions : public QObject
{
    Q_OBJECT

private slots:
    void replay_data();
    void replay();
    void checksCatchBrokenResults();
};

void TestFuzzRegressions::replay_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QByteArray>("input");
    QHash<QString, int> count;
    const QList<QDir> roots = { QDir(QStringLiteral(QUIETWIRE_TEST_DATA "/fuzz-regressions")),
        QDir(QStringLiteral(QUIETWIRE_SOURCE_DIR "/fuzz/corpus")) };
    for (const QDir& root : roots) {
        QVERIFY2(root.exists(), qPrintable(root.path()));
        for (const QString& target : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            // The corpora of targets that need more than bytes (handshake, frame_reader, identity)
            // are fuzz-only; every regression input must have a replay.
            if (!Targets.contains(target) && root == roots.last()) {
                continue;
            }
            const QDir dir(root.filePath(target));
            for (const QString& name : dir.entryList(QDir::Files)) {
                QFile file(dir.filePath(name));
                QVERIFY(file.open(QIODevice::ReadOnly));
                QTest::newRow(qPrintable(QStringLiteral("%1/%2/%3").arg(root.dirName(), target, name)))
                    << target << file.readAll();
                ++count[target];
            }
        }
    }
    for (const QString& target : Targets) {
        QVERIFY2(count.value(target) > 0, qPrintable(QStringLiteral("no inputs for %1").arg(target)));
    }
}

void TestFuzzRegressions::replay()
{
    QFETCH(QString, target);
    QFETCH(QByteArray, input);
    const QString problem = check(target, input);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void TestFuzzRegressions::checksCatchBrokenResults()
{
    // The checks are not vacuous: a resolved path that would leave its folder is caught...
    using Location = FilePaths::Location;
    QVERIFY(FuzzChecks::pathProblem(Location::inHome({ QStringLiteral("docs"), QStringLiteral("a.txt") })).isEmpty());
    QVERIFY(FuzzChecks::pathProblem({ Location::Area::Room, QStringLiteral("general"), { QStringLiteral("a") } })
                .isEmpty());
    for (const QStringList& bad : QList<QStringList> { { QStringLiteral("..") },
             { QStringLiteral("a"), QStringLiteral(".") }, { QStringLiteral("a/b") }, { QStringLiteral("~") },
             { QString() }, { QStringLiteral("a\\b") }, { QString(FilePaths::MaxNameBytes + 1, QLatin1Char('x')) } }) {
        QVERIFY2(!FuzzChecks::pathProblem(Location::inHome(bad)).isEmpty(), qPrintable(bad.join(QLatin1Char('|'))));
    }
    // ... and so is a shared folder named "..", or a virtual folder with components.
    QVERIFY(!FuzzChecks::pathProblem({ Location::Area::Room, QStringLiteral(".."), {} }).isEmpty());
    QVERIFY(!FuzzChecks::pathProblem({ Location::Area::Rooms, {}, { QStringLiteral("x") } }).isEmpty());
    // ... a decode error that does not name its field as bad_request is caught...
    using Hello = Protocol::Decoded<Protocol::Hello>;
    const QString badService = QStringLiteral("field \"service\" must be a text string");
    QVERIFY(FuzzChecks::decodeErrorProblem(
        Hello { {}, Protocol::DecodeError { ErrorCode::BadRequest, badService, QStringLiteral("service") } })
                .isEmpty());
    QVERIFY(!FuzzChecks::decodeErrorProblem(
        Hello { {}, Protocol::DecodeError { ErrorCode::BadRequest, badService, QString() } })
                 .isEmpty());
    QVERIFY(!FuzzChecks::decodeErrorProblem(
        Hello { {}, Protocol::DecodeError { ErrorCode::Io, badService, QStringLiteral("service") } })
                 .isEmpty());
    QVERIFY(!FuzzChecks::decodeErrorProblem(
        Hello { {}, Protocol::DecodeError { ErrorCode::BadRequest, QStringLiteral("bad"), QStringLiteral("service") } })
                 .isEmpty());
    // ... inputs the parsers refuse pass only because the refusal says why...
    QVERIFY(check(QStringLiteral("paths"), "../../etc/passwd").isEmpty());
    QVERIFY(check(QStringLiteral("cbor"), QByteArray("\xff\x00", 2)).isEmpty());
    QVERIFY(check(QStringLiteral("authorized_keys"), "not a key line\n").isEmpty());
    QVERIFY(
        check(QStringLiteral("cbor"), Protocol::encode(Protocol::Hello { QStringLiteral("chat") }.toCbor())).isEmpty());
    // (every decoder's own error for a wrong-typed field passes the decode error check)
    QCborMap badHello = Protocol::Hello { QStringLiteral("chat") }.toCbor();
    badHello.insert(QStringLiteral("service"), 1);
    QVERIFY(check(QStringLiteral("cbor"), Protocol::encode(badHello)).isEmpty());
    // ... and a target without a replay is a failure, not a pass.
    QVERIFY(!check(QStringLiteral("frame_reader"), "x").isEmpty());
}

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "TestFuzzRegressions.moc"
