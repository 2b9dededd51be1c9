#include "AuthorizedKeys.h"
#include "Identity.h"
#include "KnownServers.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QLockFile>
#include <QTemporaryDir>
#include <QTest>

using namespace QuietWire;

namespace {
QByteArray key(char fill)
{
    return QByteArray(32, fill);
}
QByteArray b64(char fill)
{
    return key(fill).toBase64();
}
QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
void writeFile(const QString& path, const QByteArray& data)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(data);
}
} // namespace

class TestAuthorizedKeys : public QObject
{
    Q_OBJECT

private slots:
    void parsesKeysNamesAndComments();
    void reportsTheBadLine_data();
    void reportsTheBadLine();
    void missingFileIsEmpty();
    void appendAndRemoveKeepOtherLines();
    void appendRefusesDuplicatesAndBadNames();
    void removeByFingerprintAndName();
    void allowWordsNeverNameFromTheComment_data();
    void allowWordsNeverNameFromTheComment();
    void aSharedNameNeedsSamePerson();
    void knownServersPinning();
    void leftoversOfKilledEditorsDoNotBlock();
    void liveLockIsRespected();
};

void TestAuthorizedKeys::parsesKeysNamesAndComments()
{
    const QByteArray text
        = "# lab whitelist\n\n" + b64('a') + " alice\n  " + b64('b') + "\t\n" + b64('c') + " Маша\n# end";
    QString error;
    const auto keys = AuthorizedKeys::parse(text, QStringLiteral("authorized_keys"), &error);
    QVERIFY2(keys, qPrintable(error));
    QCOMPARE(keys->entries().size(), 3);
    QCOMPARE(keys->entries().at(0).name, QStringLiteral("alice"));
    QCOMPARE(keys->entries().at(0).line, 3);
    QVERIFY(keys->entries().at(1).name.isEmpty());
    QCOMPARE(AuthorizedKeys::displayName(keys->entries().at(1)), Identity::shortFingerprint(key('b')));
    QCOMPARE(keys->entries().at(2).name, QStringLiteral("Маша"));
    QVERIFY(keys->find(key('a')));
    QVERIFY(!keys->find(key('z')));
}

void TestAuthorizedKeys::reportsTheBadLine_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("short key") << QByteArray("# c\n" + b64('a') + "\nAAAA bob\n") << QStringLiteral("line 3");
    QTest::newRow("two names") << QByteArray(b64('a') + " bob smith\n") << QStringLiteral("line 1");
    QTest::newRow("bad name") << QByteArray("\n" + b64('a') + " bob/../x\n") << QStringLiteral("line 2");
    QTest::newRow("duplicate") << QByteArray(b64('a') + " a\n" + b64('a') + " b\n") << QStringLiteral("line 1");
    QTest::newRow("invalid utf-8") << QByteArray(b64('a') + " \xff\xfe\n") << QStringLiteral("UTF-8");
}

void TestAuthorizedKeys::reportsTheBadLine()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, expected);
    QString error;
    QVERIFY(!AuthorizedKeys::parse(text, QStringLiteral("/srv/qw/authorized_keys"), &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY2(error.startsWith(QStringLiteral("/srv/qw/authorized_keys")), qPrintable(error));
}

void TestAuthorizedKeys::missingFileIsEmpty()
{
    QTemporaryDir dir;
    QString error;
    const auto keys = AuthorizedKeys::load(dir.filePath(QStringLiteral("authorized_keys")), &error);
    QVERIFY2(keys, qPrintable(error));
    QVERIFY(keys->isEmpty());
}

void TestAuthorizedKeys::appendAndRemoveKeepOtherLines()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("authorized_keys"));
    writeFile(path, "# keep me\n" + b64('a') + " alice"); // no final newline
    QString error;
    QVERIFY2(AuthorizedKeys::appendKey(path, key('b'), QStringLiteral("bob"), &error), qPrintable(error));
    QCOMPARE(readFile(path), QByteArray("# keep me\n" + b64('a') + " alice\n" + b64('b') + " bob\n"));
    const auto removed = AuthorizedKeys::removeKeys(path, QStringLiteral("alice"), &error);
    QVERIFY2(removed, qPrintable(error));
    QCOMPARE(removed->size(), 1);
    QCOMPARE(removed->first().key, key('a'));
    QCOMPARE(readFile(path), QByteArray("# keep me\n" + b64('b') + " bob\n"));
    QVERIFY(!QFile::exists(path + QStringLiteral(".lock")));
}

void TestAuthorizedKeys::appendRefusesDuplicatesAndBadNames()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("authorized_keys"));
    QString error;
    QVERIFY(AuthorizedKeys::appendKey(path, key('a'), QString(), &error));
    const QByteArray before = readFile(path);
    QVERIFY(!AuthorizedKeys::appendKey(path, key('a'), QStringLiteral("again"), &error));
    QVERIFY2(error.contains(QStringLiteral("already allowed")), qPrintable(error));
    QVERIFY(!AuthorizedKeys::appendKey(path, key('b'), QStringLiteral("a b"), &error));
    QVERIFY2(error.contains(QStringLiteral("not allowed")), qPrintable(error));
    QCOMPARE(readFile(path), before);

    // A damaged file is never "fixed" by an edit.
    writeFile(path, before + "garbage line\n");
    QVERIFY(!AuthorizedKeys::appendKey(path, key('c'), QString(), &error));
    QVERIFY2(error.contains(QStringLiteral("line 2")), qPrintable(error));
    QCOMPARE(readFile(path), before + "garbage line\n");
}

void TestAuthorizedKeys::removeByFingerprintAndName()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("authorized_keys"));
    QString error;
    QVERIFY(AuthorizedKeys::appendKey(path, key('a'), QStringLiteral("alice"), &error));
    QVERIFY(AuthorizedKeys::appendKey(path, key('b'), QStringLiteral("bob"), &error));
    QVERIFY(AuthorizedKeys::appendKey(path, key('c'), QString(), &error));
    QVERIFY(AuthorizedKeys::removeKeys(path, Identity::fingerprint(key('b')), &error));
    QVERIFY(AuthorizedKeys::removeKeys(path, QString::fromLatin1(b64('c')), &error));
    QVERIFY(!AuthorizedKeys::removeKeys(path, QStringLiteral("nobody"), &error));
    QVERIFY2(error.contains(QStringLiteral("nobody")), qPrintable(error));
    const auto keys = AuthorizedKeys::load(path, &error);
    QVERIFY(keys);
    QCOMPARE(keys->entries().size(), 1);
    QCOMPARE(keys->entries().first().name, QStringLiteral("alice"));
}

void TestAuthorizedKeys::allowWordsNeverNameFromTheComment_data()
{
    using Error = AuthorizedKeys::AllowError;
    QTest::addColumn<QString>("words");
    QTest::addColumn<int>("error");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("comment");
    QTest::addColumn<bool>("samePerson");
    QTest::addColumn<QString>("message"); // in allowErrorMessage()
    const QString k = QString::fromLatin1(b64('a'));
    // Issue 11, 5: "KEY alice@laptop" became "alice".
    QTest::newRow("line alone") << k + QStringLiteral(" alice@laptop") << int(Error::MissingName) << QString()
                                << QStringLiteral("alice@laptop") << false
                                << QStringLiteral("allow %1 alice@laptop NAME").arg(k);
    QTest::newRow("key alone") << k << int(Error::MissingName) << QString() << QString() << false
                               << QStringLiteral("allow %1 NAME").arg(k);
    QTest::newRow("line and name") << k + QStringLiteral(" alice@laptop bob") << int(Error::None)
                                   << QStringLiteral("bob") << QStringLiteral("alice@laptop") << false << QString();
    QTest::newRow("key and name") << k + QStringLiteral(" bob") << int(Error::None) << QStringLiteral("bob")
                                  << QString() << false << QString();
    QTest::newRow("long comment") << k + QStringLiteral(" Alice Smith laptop bob --same-person") << int(Error::None)
                                  << QStringLiteral("bob") << QStringLiteral("Alice Smith laptop") << true << QString();
    QTest::newRow("bad name") << k + QStringLiteral(" c@h bob/x") << int(Error::InvalidName) << QStringLiteral("bob/x")
                              << QStringLiteral("c@h") << false << QStringLiteral("allow %1 c@h NAME").arg(k);
    QTest::newRow("no key") << QStringLiteral("alice") << int(Error::NotAKey) << QString() << QString() << false
                            << QStringLiteral("usage: allow KEY [COMMENT] NAME [--same-person]");
    QTest::newRow("other option") << k + QStringLiteral(" bob --force") << int(Error::UnknownOption) << QString()
                                  << QString() << false << QStringLiteral("--same-person");
}

void TestAuthorizedKeys::allowWordsNeverNameFromTheComment()
{
    QFETCH(QString, words);
    QFETCH(int, error);
    QFETCH(QString, name);
    QFETCH(QString, comment);
    QFETCH(bool, samePerson);
    QFETCH(QString, message);
    AuthorizedKeys::AllowCommand command;
    const auto result = AuthorizedKeys::parseAllowWords(words.split(QLatin1Char(' ')), &command);
    QCOMPARE(int(result), error);
    if (result == AuthorizedKeys::AllowError::UnknownOption || result == AuthorizedKeys::AllowError::NotAKey) {
        QVERIFY(command.name.isEmpty());
    } else {
        QCOMPARE(command.key, key('a'));
        QCOMPARE(command.name, name);
        QCOMPARE(command.comment, comment);
        QCOMPARE(command.samePerson, samePerson);
    }
    const QString text = AuthorizedKeys::allowErrorMessage(result, command, AuthorizedKeys::AllowSyntax::Console);
    QVERIFY2(text.contains(message), qPrintable(text));
}

void TestAuthorizedKeys::aSharedNameNeedsSamePerson()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("authorized_keys"));
    QString error;
    QVERIFY(AuthorizedKeys::appendKey(path, key('a'), QStringLiteral("alice"), &error));
    const QByteArray before = readFile(path);
    QVERIFY(!AuthorizedKeys::appendKey(path, key('m'), QStringLiteral("alice"), &error));
    QVERIFY2(error.contains(Identity::fingerprint(key('a'))) && error.contains(QStringLiteral("line 1"))
            && error.contains(QStringLiteral("--same-person")),
        qPrintable(error));
    QCOMPARE(readFile(path), before);
    QVERIFY2(AuthorizedKeys::appendKey(
                 path, key('l'), QStringLiteral("alice"), &error, AuthorizedKeys::SharedName::SamePerson),
        qPrintable(error));
    QCOMPARE(readFile(path), before + b64('l') + " alice\n");
    // Other names, and keys without a name, are not affected.
    QVERIFY(AuthorizedKeys::appendKey(path, key('b'), QStringLiteral("bob"), &error));
    QVERIFY(AuthorizedKeys::appendKey(path, key('c'), QString(), &error));
    QVERIFY(AuthorizedKeys::appendKey(path, key('d'), QString(), &error));
}

void TestAuthorizedKeys::knownServersPinning()
{
    QTemporaryDir dir;
    KnownServers servers(dir.filePath(QStringLiteral("sub/known_servers")));
    const QString hostPort = KnownServers::hostPort(QStringLiteral("Chat.Example.org"), 7400);
    QCOMPARE(hostPort, QStringLiteral("chat.example.org:7400"));
    QCOMPARE(KnownServers::hostPort(QStringLiteral("::1"), 7400), QStringLiteral("[::1]:7400"));
    QCOMPARE(servers.check(hostPort, key('s')), KnownServers::Status::Unknown);
    QString error;
    QVERIFY2(servers.add(hostPort, key('s'), &error), qPrintable(error));
    QCOMPARE(servers.check(hostPort, key('s')), KnownServers::Status::Known);
    QByteArray pinned;
    QCOMPARE(servers.check(hostPort, key('t'), &pinned), KnownServers::Status::Mismatch);
    QCOMPARE(pinned, key('s'));
    QCOMPARE(servers.check(QStringLiteral("chat.example.org:7500"), key('s')), KnownServers::Status::Unknown);
    QCOMPARE(servers.remove(hostPort, &error), 1);
    QCOMPARE(servers.check(hostPort, key('t')), KnownServers::Status::Unknown);

    // A damaged pin file must not turn into trust on first use.
    writeFile(servers.path(), "this is not a pin\n");
    QCOMPARE(servers.check(hostPort, key('t'), nullptr, &error), KnownServers::Status::Mismatch);
    QVERIFY2(error.contains(QStringLiteral("line 1")), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestAuthorizedKeys)
void TestAuthorizedKeys::leftoversOfKilledEditorsDoNotBlock()
{
    // What editors SIGKILLed at the wrong moment leave: the lock of a dead process, Qt's
    // stale-lock removal lock of another dead one, and an empty removal lock of that, 3 s old.
    // Qt alone would wait 30 s for the last; the edit must go through within its 5 s.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("authorized_keys"));
    const QByteArray deadLock = "999999999\nquietwired\n" + QSysInfo::machineHostName().toUtf8() + "\n";
    writeFile(path + QStringLiteral(".lock"), deadLock);
    writeFile(path + QStringLiteral(".lock.rmlock"), deadLock);
    writeFile(path + QStringLiteral(".lock.rmlock.rmlock"), QByteArray());
    const QDateTime old = QDateTime::currentDateTime().addSecs(-3);
    for (const char* suffix : { ".lock", ".lock.rmlock", ".lock.rmlock.rmlock" }) {
        QFile file(path + QLatin1String(suffix));
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.setFileTime(old, QFileDevice::FileModificationTime));
    }
    QElapsedTimer timer;
    timer.start();
    QString error;
    QVERIFY2(AuthorizedKeys::appendKey(path, key('c'), QStringLiteral("carol"), &error), qPrintable(error));
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(readFile(path), QByteArray(b64('c') + " carol\n"));
    QVERIFY(!QFile::exists(path + QStringLiteral(".lock")));
}

void TestAuthorizedKeys::liveLockIsRespected()
{
    // A lock really held (by this process here, as by an editor in the middle of its write) is
    // waited for and then reported, naming the lock file; nothing is written.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("authorized_keys"));
    QLockFile held(path + QStringLiteral(".lock"));
    QVERIFY(held.tryLock(0));
    QString error;
    QVERIFY(!AuthorizedKeys::appendKey(path, key('d'), QStringLiteral("dave"), &error));
    QVERIFY2(error.contains(QStringLiteral("authorized_keys.lock")), qPrintable(error));
    QVERIFY(!QFile::exists(path));
}

#include "TestAuthorizedKeys.moc"
