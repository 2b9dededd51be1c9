#include "Identity.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace QuietWire;

namespace {
// Generated with `openssl genpkey -algorithm ed25519`: a valid PKCS#8 key of the wrong type.
const char Ed25519Pem[] = "-----BEGIN PRIVATE KEY-----\n"
                          "MC4CAQAwBQYDK2VwBCIEIDlihxXydx1hOwRecnkwxuf/m9qRZyPA6jdv3Ro3Lw0t\n"
                          "-----END PRIVATE KEY-----\n";
// `openssl genpkey -algorithm x25519 -aes-128-cbc -pass pass:secret`: right type, but encrypted.
const char EncryptedX25519Pem[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                                  "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgbpqraxVXZ9QICCAAw\n"
                                  "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEENaT1mtHxzHQSaS55ZKfGzkEQL3k\n"
                                  "q4jJPp+uJUvQL3SVEdKsy02J+YtphLZzVda/vfAOwEfy00epbVweHxUdnwN6Ocw/\n"
                                  "anU+aaZ2tE1A1j7s6YM=\n"
                                  "-----END ENCRYPTED PRIVATE KEY-----\n";

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
    file.close();
    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
}
} // namespace

class TestIdentity : public QObject
{
    Q_OBJECT

private slots:
    void createsThenReuses();
    void keyFilesHaveTheDocumentedFormat();
    void opensslReadsThePrivateKey();
    void refusesBadPrivateKeyFiles_data();
    void refusesBadPrivateKeyFiles();
    void refusesGroupOrWorldReadableKey();
    void rewritesMissingPublicFile();
    void fingerprintIsOpenSshStyle();
    void parsePublicKeyIsStrict_data();
    void parsePublicKeyIsStrict();
    void passphraseRoundTrip();
    void readsKeyEncryptedByOpenssl();
    void opensslReadsTheEncryptedKey();
    void wrongOrMissingPassphraseIsNamed();
    void regenerateKeepsABackup();
    void wipeClearsSecrets();
};

void TestIdentity::createsThenReuses()
{
    QTemporaryDir dir;
    QString error;
    bool created = false;
    const auto first = Identity::loadOrCreate(dir.path(), QStringLiteral("alice@lab"), &error, &created);
    QVERIFY2(first, qPrintable(error));
    QVERIFY(created);
    const QByteArray keyFile = readFile(dir.filePath(QStringLiteral("identity.key")));

    const auto second = Identity::loadOrCreate(dir.path(), QStringLiteral("ignored"), &error, &created);
    QVERIFY2(second, qPrintable(error));
    QVERIFY(!created);
    QCOMPARE(second->publicKey(), first->publicKey());
    QCOMPARE(second->comment(), QStringLiteral("alice@lab"));
    QCOMPARE(readFile(dir.filePath(QStringLiteral("identity.key"))), keyFile);

    // A different directory is a different identity.
    QTemporaryDir other;
    const auto third = Identity::loadOrCreate(other.path(), QString(), &error);
    QVERIFY(third);
    QVERIFY(third->publicKey() != first->publicKey());
}

void TestIdentity::keyFilesHaveTheDocumentedFormat()
{
    QTemporaryDir dir;
    const auto identity = Identity::loadOrCreate(dir.path(), QStringLiteral("bob@host"));
    QVERIFY(identity);
    const QString keyPath = dir.filePath(QStringLiteral("identity.key"));
    QVERIFY(readFile(keyPath).startsWith("-----BEGIN PRIVATE KEY-----\n"));
    QVERIFY(QFile::permissions(keyPath).testFlags(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QCOMPARE(QFile::permissions(keyPath)
            & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
        QFileDevice::Permissions());

    const QByteArray pub = readFile(dir.filePath(QStringLiteral("identity.pub")));
    QVERIFY(pub.endsWith('\n'));
    const QList<QByteArray> fields = pub.trimmed().split(' ');
    QCOMPARE(fields.size(), 2);
    QCOMPARE(fields.at(0).size(), 44);
    QCOMPARE(QByteArray::fromBase64(fields.at(0)), identity->publicKey());
    QCOMPARE(fields.at(1), QByteArray("bob@host"));
}

void TestIdentity::opensslReadsThePrivateKey()
{
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty()) {
        QSKIP("the openssl command is not installed");
    }
    QTemporaryDir dir;
    const auto identity = Identity::loadOrCreate(dir.path(), QString());
    QVERIFY(identity);
    QProcess process;
    process.start(openssl,
        { QStringLiteral("pkey"), QStringLiteral("-in"), dir.filePath(QStringLiteral("identity.key")),
            QStringLiteral("-pubout"), QStringLiteral("-outform"), QStringLiteral("DER") });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    // SubjectPublicKeyInfo for X25519 ends with the 32 raw public key bytes.
    QVERIFY(process.readAllStandardOutput().endsWith(identity->publicKey()));
}

void TestIdentity::refusesBadPrivateKeyFiles_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    QTemporaryDir dir;
    const auto identity = Identity::loadOrCreate(dir.path(), QString());
    const QByteArray good = readFile(dir.filePath(QStringLiteral("identity.key")));
    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
    QTest::newRow("garbage") << QByteArray("not a key at all\n") << QStringLiteral("damaged");
    QTest::newRow("truncated") << good.left(good.size() / 2) << QStringLiteral("damaged");
    QByteArray flipped = good;
    flipped[40] = flipped[40] == 'A' ? 'B' : 'A';
    QTest::newRow("bit flip in base64") << flipped << QStringLiteral("damaged");
    QTest::newRow("wrong type (ed25519)") << QByteArray(Ed25519Pem) << QStringLiteral("ED25519");
    QTest::newRow("encrypted") << QByteArray(EncryptedX25519Pem) << QStringLiteral("passphrase");
}

void TestIdentity::refusesBadPrivateKeyFiles()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const QString keyPath = dir.filePath(QStringLiteral("identity.key"));
    writeFile(keyPath, content);
    QString error;
    bool created = true;
    QVERIFY(!Identity::loadOrCreate(dir.path(), QString(), &error, &created));
    QVERIFY(!created);
    QVERIFY2(error.contains(keyPath), qPrintable(error));
    QVERIFY2(error.contains(expected, Qt::CaseInsensitive), qPrintable(error));
    // Never silently replaced.
    QCOMPARE(readFile(keyPath), content);
}

void TestIdentity::refusesGroupOrWorldReadableKey()
{
    QTemporaryDir dir;
    QVERIFY(Identity::loadOrCreate(dir.path(), QString()));
    const QString keyPath = dir.filePath(QStringLiteral("identity.key"));
    const QByteArray before = readFile(keyPath);
    QVERIFY(QFile::setPermissions(keyPath, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    QString error;
    QVERIFY(!Identity::loadOrCreate(dir.path(), QString(), &error));
    QVERIFY2(error.contains(QStringLiteral("chmod 600")), qPrintable(error));
    QVERIFY(error.contains(keyPath));
    QCOMPARE(readFile(keyPath), before);
}

void TestIdentity::rewritesMissingPublicFile()
{
    QTemporaryDir dir;
    const auto identity = Identity::loadOrCreate(dir.path(), QStringLiteral("carol@x"));
    QVERIFY(identity);
    QVERIFY(QFile::remove(dir.filePath(QStringLiteral("identity.pub"))));
    const auto again = Identity::load(dir.path());
    QVERIFY(again);
    QCOMPARE(again->publicKey(), identity->publicKey());
    QVERIFY(readFile(dir.filePath(QStringLiteral("identity.pub")))
                .startsWith(Identity::encodePublicKey(identity->publicKey()).toLatin1()));
}

void TestIdentity::fingerprintIsOpenSshStyle()
{
    // SHA-256 of 32 zero bytes is 66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925.
    const QString fingerprint = Identity::fingerprint(QByteArray(32, '\0'));
    QCOMPARE(fingerprint, QStringLiteral("SHA256:Zmh6rfhivXdsj8GLjp+OIAiXFIVu4jOzkCpZHQ1fKSU"));
    QVERIFY(!fingerprint.endsWith(QLatin1Char('=')));
}

void TestIdentity::parsePublicKeyIsStrict_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    const QString good = QString::fromLatin1(QByteArray(32, '\x42').toBase64());
    QTest::newRow("good") << good << true;
    QTest::newRow("too short") << good.left(43) << false;
    QTest::newRow("too long") << good + QLatin1Char('A') << false;
    QTest::newRow("bad character") << QString(good).replace(3, 1, QLatin1Char('*')) << false;
    QTest::newRow("non-canonical padding bits") << QString(good).replace(42, 1, QLatin1Char('J')) << false;
    QTest::newRow("empty") << QString() << false;
}

void TestIdentity::parsePublicKeyIsStrict()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QCOMPARE(Identity::parsePublicKey(text).has_value(), valid);
}

void TestIdentity::passphraseRoundTrip()
{
    QTemporaryDir dir;
    QString error;
    const auto identity = Identity::loadOrCreate(dir.path(), QStringLiteral("erin@x"), &error);
    QVERIFY2(identity, qPrintable(error));
    QVERIFY(!Identity::isEncrypted(dir.path()));

    QVERIFY2(identity->save(dir.path(), QByteArrayLiteral("correct horse"), &error), qPrintable(error));
    const QString keyPath = dir.filePath(QStringLiteral("identity.key"));
    const QByteArray pem = readFile(keyPath);
    QVERIFY2(pem.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"), pem.constData());
    QVERIFY(Identity::isEncrypted(dir.path()));
    QCOMPARE(
        QFile::permissions(keyPath) & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());

    const auto again = Identity::load(dir.path(), QByteArrayLiteral("correct horse"), &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(again->publicKey(), identity->publicKey());
    QCOMPARE(again->keyPair().privateKey, identity->keyPair().privateKey);
    QCOMPARE(again->comment(), QStringLiteral("erin@x"));

    // Saving with an empty passphrase removes the encryption again.
    QVERIFY(again->save(dir.path(), QByteArray(), &error));
    QVERIFY(readFile(keyPath).startsWith("-----BEGIN PRIVATE KEY-----\n"));
    QVERIFY(!Identity::isEncrypted(dir.path()));
    QVERIFY(Identity::load(dir.path()));
}

void TestIdentity::readsKeyEncryptedByOpenssl()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral("identity.key")), EncryptedX25519Pem);
    QVERIFY(Identity::isEncrypted(dir.path()));
    QString error;
    const auto identity = Identity::load(dir.path(), QByteArrayLiteral("secret"), &error);
    QVERIFY2(identity, qPrintable(error));
    QCOMPARE(identity->publicKey().size(), 32);
    // The .pub file is derived from the decrypted key.
    QVERIFY(readFile(dir.filePath(QStringLiteral("identity.pub")))
                .startsWith(Identity::encodePublicKey(identity->publicKey()).toLatin1()));
}

void TestIdentity::opensslReadsTheEncryptedKey()
{
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty()) {
        QSKIP("the openssl command is not installed");
    }
    QTemporaryDir dir;
    const auto identity = Identity::generate(QStringLiteral("x@y"));
    QVERIFY(identity);
    QVERIFY(identity->save(dir.path(), QByteArrayLiteral("pa55 word")));
    const QString keyPath = dir.filePath(QStringLiteral("identity.key"));
    const QStringList pubout { QStringLiteral("pkey"), QStringLiteral("-in"), keyPath, QStringLiteral("-pubout"),
        QStringLiteral("-outform"), QStringLiteral("DER"), QStringLiteral("-passin") };
    QProcess process;
    process.start(openssl, pubout + QStringList { QStringLiteral("pass:pa55 word") });
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(process.readAllStandardOutput().endsWith(identity->publicKey()));
    // AES-256-CBC under PBES2, as documented.
    process.start(openssl, { QStringLiteral("asn1parse"), QStringLiteral("-in"), keyPath });
    QVERIFY(process.waitForFinished(30000));
    const QByteArray asn1 = process.readAllStandardOutput();
    QVERIFY2(asn1.contains("PBES2") && asn1.contains("aes-256-cbc"), asn1.constData());
    // And a wrong passphrase is refused by openssl too: the key really is encrypted.
    process.start(openssl, pubout + QStringList { QStringLiteral("pass:wrong") });
    QVERIFY(process.waitForFinished(30000));
    QVERIFY(process.exitCode() != 0);
}

void TestIdentity::wrongOrMissingPassphraseIsNamed()
{
    QTemporaryDir dir;
    const auto identity = Identity::generate(QStringLiteral("x@y"));
    QVERIFY(identity);
    QVERIFY(identity->save(dir.path(), QByteArrayLiteral("right")));
    const QString keyPath = dir.filePath(QStringLiteral("identity.key"));
    const QByteArray before = readFile(keyPath);
    QString error;
    QVERIFY(!Identity::load(dir.path(), QByteArrayLiteral("wrong"), &error));
    QVERIFY2(error.contains(QStringLiteral("passphrase is wrong")) && error.contains(keyPath), qPrintable(error));
    QVERIFY(!Identity::loadOrCreate(dir.path(), QString(), &error));
    QVERIFY2(
        error.contains(QStringLiteral("encrypted with a passphrase")) && error.contains(keyPath), qPrintable(error));
    QCOMPARE(readFile(keyPath), before);
}

void TestIdentity::regenerateKeepsABackup()
{
    QTemporaryDir dir;
    const auto old = Identity::loadOrCreate(dir.path(), QStringLiteral("frank@x"));
    QVERIFY(old);
    const QByteArray oldKey = readFile(dir.filePath(QStringLiteral("identity.key")));
    const QByteArray oldPub = readFile(dir.filePath(QStringLiteral("identity.pub")));
    QString error;
    QString backup;
    const auto fresh = Identity::regenerate(dir.path(), old->comment(), QByteArray(), &error, &backup);
    QVERIFY2(fresh, qPrintable(error));
    QVERIFY(fresh->publicKey() != old->publicKey());
    QCOMPARE(fresh->comment(), QStringLiteral("frank@x"));
    QVERIFY2(QFileInfo(backup).fileName().startsWith(QStringLiteral("identity.key.bak-")), qPrintable(backup));
    QCOMPARE(readFile(backup), oldKey);
    QCOMPARE(
        QFile::permissions(backup) & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
    const QString pubBackup = QString(backup).replace(QStringLiteral("identity.key"), QStringLiteral("identity.pub"));
    QCOMPARE(readFile(pubBackup), oldPub);
    // The directory now holds the new identity.
    const auto loaded = Identity::load(dir.path());
    QVERIFY(loaded);
    QCOMPARE(loaded->publicKey(), fresh->publicKey());

    // A second regeneration in the same second gets its own backup name, encrypted on request.
    QString second;
    const auto third = Identity::regenerate(dir.path(), QString(), QByteArrayLiteral("pw"), &error, &second);
    QVERIFY2(third, qPrintable(error));
    QVERIFY(second != backup);
    QVERIFY(Identity::isEncrypted(dir.path()));
    QCOMPARE(readFile(backup), oldKey);
    QVERIFY(Identity::load(dir.path(), QByteArrayLiteral("pw")));
}

void TestIdentity::wipeClearsSecrets()
{
    QByteArray bytes("secret");
    Identity::wipe(bytes);
    QVERIFY(bytes.isEmpty());
    QString text = QStringLiteral("secret");
    Identity::wipe(text);
    QVERIFY(text.isEmpty());
}

QTEST_GUILESS_MAIN(TestIdentity)
#include "TestIdentity.moc"
