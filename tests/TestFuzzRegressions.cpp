// The fuzz targets' checks (fuzz/fuzz_<target>.cpp) as test assertions, replayed over every input a
// fuzz target once crashed on (tests/data/fuzz-regressions/<target>/) and over the targets' seed
// corpora (fuzz/corpus/<target>/), so each parser's checks run in every build, not only under
// libFuzzer. A crash or a sanitizer report fails the test, and so does an input that breaks one
// of the properties below.

#include "AuthorizedKeys.h"
#include "ChatProtocol.h"
#include "FilePaths.h"
#include "FileProtocol.h"
#include "KnownServers.h"
#include "Protocol.h"

#include <QCborArray>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QTest>
#include <type_traits>

using namespace QuietWire;

namespace {

/// Encodes a decoded chat message again (what a server relays); nothing for an unknown type, nor
/// for a refusal whose code this program does not know (it has no wire spelling to write).
template <typename T>
void encodeIfMessage(const T& decoded)
{
    if constexpr (std::is_same_v<T, ChatProtocol::Rejected>) {
        if (!isWireCode(decoded.code)) {
            return;
        }
    }
    if constexpr (!std::is_same_v<T, std::monostate>) {
        (void)decoded.toCbor();
    }
}

/// The targets replayed here; every one must have inputs.
const QStringList Targets = { QStringLiteral("cbor"), QStringLiteral("paths"), QStringLiteral("authorized_keys"),
    QStringLiteral("known_servers") };

/// fuzz_cbor: every decoder of application messages.
QString checkCbor(const QByteArray& input)
{
    const QByteArray fileData = FileProtocol::decodeData(input);
    if (!fileData.isNull() && fileData.size() > input.size()) {
        return QStringLiteral("decodeData gave %1 bytes from a %2-byte message").arg(fileData.size()).arg(input.size());
    }
    QString error;
    const auto message = Protocol::decode(input, &error);
    if (!message) {
        return error.isEmpty() ? QStringLiteral("decode failed without saying why") : QString();
    }
    // What was decoded encodes to a message that decodes to the same map.
    const auto again = Protocol::decode(Protocol::encode(*message), &error);
    if (!again || *again != *message) {
        return QStringLiteral("the decoded message does not survive encoding: %1").arg(error);
    }
    (void)Protocol::typeOf(*message);
    // Every decoder of the envelope and the chat service, and the encoder of what it accepts.
    if (const auto chat = ChatProtocol::decodeServerMessage(*message); chat.ok()) {
        std::visit([](const auto& decoded) { encodeIfMessage(decoded); }, chat.value);
    }
    if (const auto send = ChatProtocol::Send::decode(*message); send.ok()) {
        (void)send.value.toCbor();
    }
    if (const auto hello = Protocol::Hello::decode(*message); hello.ok()) {
        (void)hello.value.toCbor();
    }
    if (const auto handoff = Protocol::SessionHandoff::decode(*message); handoff.ok()) {
        (void)handoff.value.toCbor();
    }
    if (const auto fatal = Protocol::FatalError::decode(*message); fatal.ok() && isWireCode(fatal.value.code)) {
        (void)fatal.value.toCbor();
    }
    (void)FileProtocol::Entry::decode(*message).value.toCbor();
    for (const QCborValue& value : message->value(QLatin1String("entries")).toArray()) {
        (void)FileProtocol::Entry::decode(value.toMap());
    }
    (void)FileProtocol::Entry::decode(message->value(QLatin1String("entry")).toMap());
    return QString();
}

/// What a resolved path may be: components that stay in their folder, below the home.
QString pathProblem(const QStringList& resolved)
{
    for (const QString& component : resolved) {
        if (component.isEmpty() || component == QLatin1String(".") || component == QLatin1String("..")
            || component.contains(QLatin1Char('/')) || component.contains(QChar(0)) || component == QLatin1String("~")
            || component.contains(QLatin1Char('\\')) || component.toUtf8().size() > FilePaths::MaxNameBytes) {
            return QStringLiteral("component \"%1\" of %2").arg(component, resolved.join(QLatin1Char('/')));
        }
    }
    const QString host = FilePaths::toHost(QStringLiteral("/srv/home"), resolved);
    if (!(host == QLatin1String("/srv/home") || host.startsWith(QLatin1String("/srv/home/")))) {
        return QStringLiteral("%1 is outside /srv/home").arg(host);
    }
    return QString();
}

/// fuzz_paths: whatever the input, the result never leaves the home folder. A '|' splits the
/// input into a current folder and a path.
QString checkPaths(const QByteArray& input)
{
    const QString text = QString::fromUtf8(input);
    const qsizetype bar = text.indexOf(QLatin1Char('|'));
    QStringList cwd;
    if (bar >= 0) {
        const auto base = FilePaths::resolve({}, text.left(bar));
        if (!base) {
            return QString();
        }
        cwd = *base;
    }
    QString error;
    const auto resolved = FilePaths::resolve(cwd, bar >= 0 ? text.mid(bar + 1) : text, &error);
    if (!resolved) {
        return error.isEmpty() ? QStringLiteral("refused without saying why") : QString();
    }
    return pathProblem(*resolved);
}

/// fuzz_authorized_keys: every refusal names the line; every entry is a whole key, findable.
QString checkAuthorizedKeys(const QByteArray& input)
{
    QString error;
    const auto keys = AuthorizedKeys::parse(input, QStringLiteral("authorized_keys"), &error);
    if (!keys) {
        return error.contains(QStringLiteral("line")) ? QString()
                                                      : QStringLiteral("refusal without a line: %1").arg(error);
    }
    for (const auto& entry : keys->entries()) {
        if (entry.key.size() != 32 || (!entry.name.isEmpty() && !AuthorizedKeys::isValidName(entry.name))
            || keys->find(entry.key) != &entry) {
            return QStringLiteral("entry %1 (%2 key bytes)").arg(entry.name).arg(entry.key.size());
        }
    }
    return QString();
}

/// fuzz_known_servers: every refusal names the line; every entry has a whole key and a host.
QString checkKnownServers(const QByteArray& input)
{
    QString error;
    const auto entries = KnownServers::parse(input, QStringLiteral("known_servers"), &error);
    if (!entries) {
        return error.contains(QStringLiteral("line")) ? QString()
                                                      : QStringLiteral("refusal without a line: %1").arg(error);
    }
    for (const auto& entry : *entries) {
        if (entry.key.size() != 32 || entry.hostPort.isEmpty()) {
            return QStringLiteral("entry for \"%1\" (%2 key bytes)").arg(entry.hostPort).arg(entry.key.size());
        }
    }
    return QString();
}

QString check(const QString& target, const QByteArray& input)
{
    if (target == QLatin1String("cbor")) {
        return checkCbor(input);
    }
    if (target == QLatin1String("paths")) {
        return checkPaths(input);
    }
    if (target == QLatin1String("authorized_keys")) {
        return checkAuthorizedKeys(input);
    }
    if (target == QLatin1String("known_servers")) {
        return checkKnownServers(input);
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
    QVERIFY(pathProblem({ QStringLiteral("docs"), QStringLiteral("a.txt") }).isEmpty());
    for (const QStringList& bad : QList<QStringList> { { QStringLiteral("..") },
             { QStringLiteral("a"), QStringLiteral(".") }, { QStringLiteral("a/b") }, { QStringLiteral("~") },
             { QString() }, { QStringLiteral("a\\b") }, { QString(FilePaths::MaxNameBytes + 1, QLatin1Char('x')) } }) {
        QVERIFY2(!pathProblem(bad).isEmpty(), qPrintable(bad.join(QLatin1Char('|'))));
    }
    // ... inputs the parsers refuse pass only because the refusal says why...
    QVERIFY(check(QStringLiteral("paths"), "../../etc/passwd").isEmpty());
    QVERIFY(check(QStringLiteral("cbor"), QByteArray("\xff\x00", 2)).isEmpty());
    QVERIFY(check(QStringLiteral("authorized_keys"), "not a key line\n").isEmpty());
    QVERIFY(
        check(QStringLiteral("cbor"), Protocol::encode(Protocol::Hello { QStringLiteral("chat") }.toCbor())).isEmpty());
    // ... and a target without a replay is a failure, not a pass.
    QVERIFY(!check(QStringLiteral("frame_reader"), "x").isEmpty());
}

QTEST_GUILESS_MAIN(TestFuzzRegressions)
#include "TestFuzzRegressions.moc"
