#include "FilePaths.h"
#include "FileProtocol.h"
#include "Protocol.h"

#include <QCborValue>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace QuietWire;

Q_DECLARE_METATYPE(QuietWire::FilePaths::Location)

class TestFilePaths : public QObject
{
    Q_OBJECT

private slots:
    void resolvesInsideHome_data();
    void resolvesInsideHome();
    void refusesHostilePaths_data();
    void refusesHostilePaths();
    void resolvesSharedFolders_data();
    void resolvesSharedFolders();
    void refusesPathsOutOfSharedFolders_data();
    void refusesPathsOutOfSharedFolders();
    void hostPaths();
    void homeFolderNames();
    void attachmentFoldersAndFreeNames();
    void dataMessageEncoding_data();
    void dataMessageEncoding();
};

void TestFilePaths::resolvesInsideHome_data()
{
    QTest::addColumn<QStringList>("cwd");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected");
    const QStringList home;
    const QStringList docs { QStringLiteral("docs") };
    QTest::newRow("empty is cwd") << docs << QString() << QStringLiteral("~/docs");
    QTest::newRow("dot") << docs << QStringLiteral(".") << QStringLiteral("~/docs");
    QTest::newRow("relative") << docs << QStringLiteral("a/b.txt") << QStringLiteral("~/docs/a/b.txt");
    QTest::newRow("up once") << docs << QStringLiteral("..") << QStringLiteral("~");
    QTest::newRow("down and up") << home << QStringLiteral("a/../b") << QStringLiteral("~/b");
    QTest::newRow("tilde") << docs << QStringLiteral("~") << QStringLiteral("~");
    QTest::newRow("tilde path") << docs << QStringLiteral("~/x/y") << QStringLiteral("~/x/y");
    QTest::newRow("double slashes") << home << QStringLiteral("a//b/") << QStringLiteral("~/a/b");
    QTest::newRow("unicode") << home << QStringLiteral("Документы/файл ✓.txt")
                             << QStringLiteral("~/Документы/файл ✓.txt");
    QTest::newRow("dots in names") << home << QStringLiteral("...") << QStringLiteral("~/...");
    // Only a whole first component "~" is special; "~" inside a name is an ordinary character.
    QTest::newRow("tilde prefix name") << docs << QStringLiteral("~x") << QStringLiteral("~/docs/~x");
    QTest::newRow("tilde inside name") << home << QStringLiteral("a~b/c~") << QStringLiteral("~/a~b/c~");
    QTest::newRow("tilde then tilde name") << docs << QStringLiteral("~/~x") << QStringLiteral("~/~x");
    QTest::newRow("tilde slash") << docs << QStringLiteral("~/") << QStringLiteral("~");
    QTest::newRow("dots and slashes") << docs << QStringLiteral("./a/.//b/.") << QStringLiteral("~/docs/a/b");
    QTest::newRow("255-byte name") << home << QString(255, QLatin1Char('n'))
                                   << QStringLiteral("~/") + QString(255, QLatin1Char('n'));
}

void TestFilePaths::resolvesInsideHome()
{
    QFETCH(QStringList, cwd);
    QFETCH(QString, path);
    QFETCH(QString, expected);
    QString error;
    const auto resolved = FilePaths::resolve(FilePaths::Location::inHome(cwd), path, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(FilePaths::toVirtual(*resolved), expected);
}

void TestFilePaths::refusesHostilePaths_data()
{
    QTest::addColumn<QStringList>("cwd");
    QTest::addColumn<QString>("path");
    const QStringList home;
    const QStringList deep { QStringLiteral("a"), QStringLiteral("b") };
    QTest::newRow("..") << home << QStringLiteral("..");
    QTest::newRow("../..") << home << QStringLiteral("../..");
    QTest::newRow("../x") << home << QStringLiteral("../x");
    QTest::newRow("a/../../b") << home << QStringLiteral("a/../../b");
    QTest::newRow("deep ../../..") << deep << QStringLiteral("../../..");
    QTest::newRow("deep ../../../etc") << deep << QStringLiteral("../../../etc/passwd");
    QTest::newRow("~/..") << deep << QStringLiteral("~/..");
    QTest::newRow("~/a/../..") << home << QStringLiteral("~/a/../..");
    QTest::newRow("/etc/passwd") << home << QStringLiteral("/etc/passwd");
    QTest::newRow("//etc") << home << QStringLiteral("//etc");
    QTest::newRow("/home/other") << home << QStringLiteral("/home/other/secret");
    QTest::newRow("NUL") << home << QStringLiteral("a") + QChar(0) + QStringLiteral("b");
    QTest::newRow("NUL then ..") << home << QString(QChar(0)) + QStringLiteral("/../..");
    QTest::newRow("newline") << home << QStringLiteral("a\nb");
    QTest::newRow("carriage return") << home << QStringLiteral("a\rb");
    QTest::newRow("tab") << home << QStringLiteral("a\tb");
    QTest::newRow("escape") << home << QStringLiteral("\x1b[31mred");
    QTest::newRow("DEL") << home << QStringLiteral("a\x7f");
    QTest::newRow("C1 control") << home << QStringLiteral("a") + QChar(0x85);
    QTest::newRow("backslash") << home << QStringLiteral("..\\..\\etc");
    QTest::newRow("backslash name") << home << QStringLiteral("a\\b");
    QTest::newRow("256-byte name") << home << QString(256, QLatin1Char('n'));
    QTest::newRow("long unicode name") << home << QString(128, QChar(0x0416)); // 256 bytes of UTF-8
    QTest::newRow("4097-byte path") << home
                                    << QStringList(QList<QString>(2049, QStringLiteral("a"))).join(QLatin1Char('/'));
    QTest::newRow("tilde inside") << home << QStringLiteral("a/~/b");
    QTest::newRow("tilde after dot") << home << QStringLiteral("./~");
    QTest::newRow("tilde last") << home << QStringLiteral("a/~");
    QTest::newRow("tilde then escape") << home << QStringLiteral("x/~/../..");
    QTest::newRow("many ups") << home << QStringLiteral("a/b/c/../../../../../../..");
    QTest::newRow("dot dot slash dot") << home << QStringLiteral("./../.");
    QTest::newRow("trailing ..") << deep << QStringLiteral("x/../../../..");
    QTest::newRow("unicode then ..") << home << QStringLiteral("Документы/../..");
}

void TestFilePaths::refusesHostilePaths()
{
    QFETCH(QStringList, cwd);
    QFETCH(QString, path);
    QString error;
    QVERIFY(!FilePaths::resolve(FilePaths::Location::inHome(cwd), path, &error));
    QVERIFY(!error.isEmpty());
}

void TestFilePaths::resolvesSharedFolders_data()
{
    using Location = FilePaths::Location;
    using Area = Location::Area;
    QTest::addColumn<Location>("cwd");
    QTest::addColumn<QString>("path");
    QTest::addColumn<Location>("expected");
    const Location home = Location::inHome({ QStringLiteral("docs") });
    const Location lab { Area::Room, QStringLiteral("lab"), { QStringLiteral("a") } };
    QTest::newRow("/") << home << QStringLiteral("/") << Location { Area::Root, {}, {} };
    QTest::newRow("//") << home << QStringLiteral("//") << Location { Area::Root, {}, {} };
    QTest::newRow("/rooms") << home << QStringLiteral("/rooms/") << Location { Area::Rooms, {}, {} };
    QTest::newRow("/direct") << home << QStringLiteral("/direct") << Location { Area::Directs, {}, {} };
    QTest::newRow("room") << home << QStringLiteral("/rooms/lab") << Location { Area::Room, QStringLiteral("lab"), {} };
    QTest::newRow("room file") << home << QStringLiteral("/rooms/lab/x/../y.txt")
                               << Location { Area::Room, QStringLiteral("lab"), { QStringLiteral("y.txt") } };
    QTest::newRow("direct") << home << QStringLiteral("/direct/bob/n.txt")
                            << Location { Area::Direct, QStringLiteral("bob"), { QStringLiteral("n.txt") } };
    QTest::newRow("relative in room") << lab << QStringLiteral("b")
                                      << Location { Area::Room, QStringLiteral("lab"),
                                             { QStringLiteral("a"), QStringLiteral("b") } };
    QTest::newRow("up to the room's root")
        << lab << QStringLiteral("..") << Location { Area::Room, QStringLiteral("lab"), {} };
    QTest::newRow("home from a room") << lab << QStringLiteral("~/z") << Location::inHome({ QStringLiteral("z") });
    QTest::newRow("relative in /rooms") << Location { Area::Rooms, {}, {} } << QStringLiteral("lab")
                                        << Location { Area::Room, QStringLiteral("lab"), {} };
    QTest::newRow("relative in /") << Location { Area::Root, {}, {} } << QStringLiteral("direct/bob")
                                   << Location { Area::Direct, QStringLiteral("bob"), {} };
    QTest::newRow("tilde names in a room")
        << lab << QStringLiteral("~x/a~b")
        << Location { Area::Room, QStringLiteral("lab"),
               { QStringLiteral("a"), QStringLiteral("~x"), QStringLiteral("a~b") } };
}

void TestFilePaths::resolvesSharedFolders()
{
    QFETCH(FilePaths::Location, cwd);
    QFETCH(QString, path);
    QFETCH(FilePaths::Location, expected);
    QString error;
    const auto resolved = FilePaths::resolve(cwd, path, &error);
    QVERIFY2(resolved, qPrintable(error));
    QCOMPARE(FilePaths::toVirtual(*resolved), FilePaths::toVirtual(expected));
    QVERIFY(*resolved == expected);
}

void TestFilePaths::refusesPathsOutOfSharedFolders_data()
{
    using Location = FilePaths::Location;
    using Area = Location::Area;
    QTest::addColumn<Location>("cwd");
    QTest::addColumn<QString>("path");
    const Location home = Location::inHome();
    const Location lab { Area::Room, QStringLiteral("lab"), {} };
    QTest::newRow("/rooms/../x") << home << QStringLiteral("/rooms/../x");
    QTest::newRow("/rooms/general/../../etc") << home << QStringLiteral("/rooms/general/../../etc");
    QTest::newRow("/x") << home << QStringLiteral("/x");
    QTest::newRow("/etc/passwd") << home << QStringLiteral("/etc/passwd");
    QTest::newRow("/..") << home << QStringLiteral("/..");
    QTest::newRow("/direct/..") << home << QStringLiteral("/direct/..");
    QTest::newRow("room root ..") << lab << QStringLiteral("..");
    QTest::newRow("room ../other") << lab << QStringLiteral("../other");
    QTest::newRow("/rooms/~") << home << QStringLiteral("/rooms/~");
    QTest::newRow("/~") << home << QStringLiteral("/~");
    QTest::newRow("long room name") << home << QStringLiteral("/rooms/") + QString(256, QLatin1Char('r'));
    QTest::newRow(".. in /rooms") << Location { Area::Rooms, {}, {} } << QStringLiteral("..");
}

void TestFilePaths::refusesPathsOutOfSharedFolders()
{
    QFETCH(FilePaths::Location, cwd);
    QFETCH(QString, path);
    QString error;
    QVERIFY(!FilePaths::resolve(cwd, path, &error));
    QVERIFY(!error.isEmpty());
}

void TestFilePaths::hostPaths()
{
    // Symbolic links are refused where paths are opened (server/HomeFolder, tests/TestFileAudit).
    const QString home = QStringLiteral("/srv/files/alice");
    QCOMPARE(FilePaths::toHost(home, { QStringLiteral("a"), QStringLiteral("b") }), home + QStringLiteral("/a/b"));
    QCOMPARE(FilePaths::toHost(home, {}), home);
}

void TestFilePaths::homeFolderNames()
{
    QCOMPARE(
        FilePaths::homeFolderName(QStringLiteral("alice"), QStringLiteral("SHA256:ab/c+d")), QStringLiteral("alice"));
    const QString unnamed = FilePaths::homeFolderName(QString(), QStringLiteral("SHA256:ab/c+d"));
    QCOMPARE(unnamed, QStringLiteral("SHA256_ab_c-d"));
    QVERIFY(!unnamed.contains(QLatin1Char('/')));
}

void TestFilePaths::dataMessageEncoding_data()
{
    QTest::addColumn<int>("size");
    for (const int size : { 0, 1, 23, 24, 255, 256, 65535, FileProtocol::ChunkSize }) {
        QTest::addRow("%d bytes", size) << size;
    }
}

void TestFilePaths::dataMessageEncoding()
{
    QFETCH(int, size);
    QByteArray data(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i) {
        data[i] = static_cast<char>(i * 31 + 7);
    }
    const QByteArray fast = FileProtocol::encodeData(data.constData(), data.size());
    // The hand-made encoding is exactly what Qt's CBOR classes produce for the same map.
    const QByteArray reference = Protocol::encode(
        QCborMap { { QStringLiteral("type"), QStringLiteral("data") }, { QStringLiteral("data"), data } });
    QCOMPARE(fast, reference);
    QCOMPARE(FileProtocol::decodeData(fast), data);
    QVERIFY(!FileProtocol::decodeData(fast).isNull());
    if (size == FileProtocol::ChunkSize) {
        QCOMPARE(fast.size(), Protocol::MaxPayload);
    }
    QVERIFY(FileProtocol::decodeData(Protocol::encode(Protocol::Hello { QStringLiteral("files") }.toCbor())).isNull());
    QVERIFY(FileProtocol::decodeData(fast.left(fast.size() - 1)).isNull() || size == 0);
}

void TestFilePaths::attachmentFoldersAndFreeNames()
{
    const QDate day(2026, 12, 1);
    QCOMPARE(FilePaths::attachmentFolder(QStringLiteral("lab"), QString(), day),
        QStringLiteral("/rooms/lab/attachments/2026-12-01"));
    QCOMPARE(FilePaths::attachmentFolder(QString(), QStringLiteral("bob"), day),
        QStringLiteral("/direct/bob/attachments/2026-12-01"));
    QCOMPARE(FilePaths::attachmentFolder(QString(), QString(), day),
        QStringLiteral("/rooms/general/attachments/2026-12-01"));
    QCOMPARE(FilePaths::numberedName(QStringLiteral("report.pdf"), 1), QStringLiteral("report.pdf"));
    QCOMPARE(FilePaths::numberedName(QStringLiteral("report.pdf"), 2), QStringLiteral("report (2).pdf"));
    QCOMPARE(FilePaths::numberedName(QStringLiteral("archive.tar.gz"), 3), QStringLiteral("archive.tar (3).gz"));
    QCOMPARE(FilePaths::numberedName(QStringLiteral("README"), 2), QStringLiteral("README (2)"));
    QCOMPARE(FilePaths::numberedName(QStringLiteral(".profile"), 2), QStringLiteral(".profile (2)"));
}

QTEST_GUILESS_MAIN(TestFilePaths)
#include "TestFilePaths.moc"
