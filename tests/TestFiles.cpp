// The file service end to end: the real quietwired, FileClient in this process, and quietwire-cli.

#include "FileClient.h"
#include "FileTestSupport.h"
#include "Identity.h"
#include "RawClient.h"
#include "ServerProcess.h"
#include "Sha256.h"
#include "UploadTransfer.h"

#include <QDirIterator>
#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <functional>

using namespace QuietWire;
using namespace QuietWire::FileTest;

namespace {

/// Where the server keeps the partial upload of path ("a/b.bin", from the home folder): a staging
/// folder whose name no request path can reach.
QString partialUpload(const QString& home, const QString& path)
{
    return home + QStringLiteral("/.partial\\uploads/") + QString::fromLatin1(Sha256::hash(path.toUtf8()).toHex())
        + QStringLiteral(".part");
}

} // namespace

class TestFiles : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void everyOperationAndErrorCode();
    void roundTripOfEdgeSizes_data();
    void roundTripOfEdgeSizes();
    void uploadResumesAfterCut();
    void downloadResumesAfterCut();
    void resumeWithDifferentDataStartsOver();
    void checksumMismatchStoresNothing();
    void quotaIsEnforced();
    void diskFullIsReportedAndLeavesNothing();
    void hostilePathsTouchNothingOutside();
    void usersCannotSeeEachOther();
    void parallelTransfersAndBrowsing();
    void uploadsToOneNameCannotInterleave();
    void uploadThatMayNotReplaceRefusesATakenName();
    void commandLine();

private:
    bool startServer(const QStringList& extra = {});
    User makeUser(const QString& name, bool allow = true)
    {
        return FileTest::makeUser(*m_server, m_dir->path(), name, allow);
    }
    std::unique_ptr<FileClient> connectUser(const User& user) { return FileTest::connectUser(user, m_server->port); }
    QString homeOf(const QString& name) const { return m_server->dataDir() + QStringLiteral("/files/") + name; }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
};

void TestFiles::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
}

void TestFiles::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

bool TestFiles::startServer(const QStringList& extra)
{
    return m_server->start(extra, 16);
}

void TestFiles::everyOperationAndErrorCode()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    FileClient& c = *client;

    auto reply = call(c, [&] { return c.pwd(); });
    QVERIFY(reply.ok);
    QCOMPARE(reply.cwd, QStringLiteral("~"));
    QVERIFY(QFileInfo(homeOf(QStringLiteral("alice"))).isDir()); // created on first use

    QVERIFY(call(c, [&] { return c.makeDirectory(QStringLiteral("docs/deep/er")); }).ok);
    QVERIFY(QFileInfo(homeOf(QStringLiteral("alice")) + QStringLiteral("/docs/deep/er")).isDir());
    reply = call(c, [&] { return c.makeDirectory(QStringLiteral("docs")); });
    QCOMPARE(reply.code, ErrorCode::Exists);
    QVERIFY(reply.message.contains(QStringLiteral("~/docs")));

    QVERIFY(writeFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/docs/notes.txt"), "hello notes\n"));
    reply = call(c, [&] { return c.changeDirectory(QStringLiteral("docs")); });
    QVERIFY(reply.ok);
    QCOMPARE(reply.cwd, QStringLiteral("~/docs"));
    QCOMPARE(c.currentDirectory(), QStringLiteral("~/docs"));
    reply = call(c, [&] { return c.list(); });
    QVERIFY(reply.ok);
    QCOMPARE(reply.entries.size(), 2);
    QCOMPARE(reply.entries.at(0).name, QStringLiteral("deep"));
    QCOMPARE(reply.entries.at(0).type, FileProtocol::Entry::Type::Directory);
    QCOMPARE(reply.entries.at(1).name, QStringLiteral("notes.txt"));
    QCOMPARE(reply.entries.at(1).size, 12);
    QVERIFY(reply.entries.at(1).modified.isValid());

    reply = call(c, [&] { return c.stat(QStringLiteral("notes.txt")); });
    QVERIFY(reply.ok);
    QCOMPARE(reply.path, QStringLiteral("~/docs/notes.txt"));
    QCOMPARE(reply.entry.size, 12);
    reply = call(c, [&] { return c.cat(QStringLiteral("notes.txt"), 5); });
    QVERIFY(reply.ok);
    QCOMPARE(reply.data, QByteArray("hello"));
    QCOMPARE(reply.size, 12);

    QVERIFY(call(c, [&] { return c.rename(QStringLiteral("notes.txt"), QStringLiteral("deep")); }).ok);
    QVERIFY(QFile::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/docs/deep/notes.txt")));
    QVERIFY(call(c, [&] { return c.rename(QStringLiteral("deep/notes.txt"), QStringLiteral("~/n.txt")); }).ok);
    QVERIFY(writeFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/other.txt"), "x"));
    QCOMPARE(call(c, [&] { return c.rename(QStringLiteral("~/n.txt"), QStringLiteral("~/other.txt")); }).code,
        ErrorCode::Exists);
    QCOMPARE(call(c, [&] { return c.rename(QStringLiteral("deep"), QStringLiteral("deep/er/inside")); }).code,
        ErrorCode::BadPath);

    QCOMPARE(call(c, [&] { return c.stat(QStringLiteral("missing")); }).code, ErrorCode::NotFound);
    QCOMPARE(call(c, [&] { return c.remove(QStringLiteral("missing")); }).code, ErrorCode::NotFound);
    QCOMPARE(call(c, [&] { return c.changeDirectory(QStringLiteral("missing")); }).code, ErrorCode::NotFound);
    QCOMPARE(call(c, [&] { return c.list(QStringLiteral("missing")); }).code, ErrorCode::NotFound);
    QCOMPARE(call(c, [&] { return c.remove(QStringLiteral("deep")); }).code, ErrorCode::BadPath);

    reply = call(c, [&] { return c.removeDirectory(QStringLiteral("deep")); });
    QCOMPARE(reply.code, ErrorCode::NotEmpty);
    QVERIFY(QFileInfo(homeOf(QStringLiteral("alice")) + QStringLiteral("/docs/deep/er")).isDir());
    QVERIFY(call(c, [&] { return c.removeDirectory(QStringLiteral("deep/er")); }).ok);
    QVERIFY(call(c, [&] { return c.makeDirectory(QStringLiteral("deep/again/and")); }).ok);
    QVERIFY(call(c, [&] { return c.removeDirectory(QStringLiteral("deep"), true); }).ok);
    QVERIFY(!QFileInfo::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/docs/deep")));

    QCOMPARE(call(c, [&] { return c.removeDirectory(QStringLiteral("~"), true); }).code, ErrorCode::Permission);
    QVERIFY(QFileInfo(homeOf(QStringLiteral("alice"))).isDir());
    QCOMPARE(call(c, [&] { return c.rename(QStringLiteral("~"), QStringLiteral("x")); }).code, ErrorCode::Permission);
    QVERIFY(call(c, [&] { return c.remove(QStringLiteral("~/n.txt")); }).ok);
    QVERIFY(!QFile::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/n.txt")));

    // The server logged the operations with user, IP and path.
    QVERIFY(m_server->waitForLog(QStringLiteral("alice 127.0.0.1 rm ~/n.txt")));
}

void TestFiles::roundTripOfEdgeSizes_data()
{
    QTest::addColumn<qint64>("size");
    QTest::newRow("0 B") << qint64(0);
    QTest::newRow("1 B") << qint64(1);
    QTest::newRow("65519 B") << qint64(65519);
    QTest::newRow("65520 B") << qint64(65520);
    QTest::newRow("50 MiB") << qint64(50) * 1024 * 1024;
}

void TestFiles::roundTripOfEdgeSizes()
{
    QFETCH(qint64, size);
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    const QByteArray data = randomBytes(size);
    const QString local = m_dir->filePath(QStringLiteral("upload.bin"));
    QVERIFY(writeFile(local, data));

    FileTransfer* up = client->upload(local, QStringLiteral("stored.bin"));
    QVERIFY(runTransfer(up));
    QCOMPARE(up->bytesDone(), size);
    const QString stored = homeOf(QStringLiteral("alice")) + QStringLiteral("/stored.bin");
    QCOMPARE(QFileInfo(stored).size(), size);
    QVERIFY(readFile(stored) == data);
    QVERIFY(!QFile::exists(stored + QStringLiteral(".part")));

    const QString back = m_dir->filePath(QStringLiteral("download.bin"));
    FileTransfer* down = client->download(QStringLiteral("stored.bin"), back);
    QVERIFY(runTransfer(down));
    QVERIFY(readFile(back) == data);
    QVERIFY(!QFile::exists(back + QStringLiteral(".part")));
    // A transfer session is not the browsing session: its keys are its own.
    QVERIFY(up->connection()->socket() == nullptr || down->connection()->socket() == nullptr
        || up->connection()->socket()->handshakeHash() != down->connection()->socket()->handshakeHash());
}

void TestFiles::uploadResumesAfterCut()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    const QByteArray data = randomBytes(40 * 1024 * 1024);
    const QString local = m_dir->filePath(QStringLiteral("big.bin"));
    QVERIFY(writeFile(local, data));

    FileTransfer* first = client->upload(local, QStringLiteral("big.bin"));
    QVERIFY(QTest::qWaitFor([&] { return first->bytesDone() > 8 * 1024 * 1024; }, 60000));
    first->cancel(); // the connection is cut mid-transfer
    const QString part = partialUpload(homeOf(QStringLiteral("alice")), QStringLiteral("big.bin"));
    QVERIFY(QTest::qWaitFor(
        [&] { return m_server->log().contains(QStringLiteral("ended")) && QFile::exists(part); }, 15000));
    QTest::qWait(300);
    const qint64 partSize = QFileInfo(part).size();
    QVERIFY(partSize > 0);
    QVERIFY(partSize < data.size());
    QVERIFY(!QFile::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/big.bin")));

    FileTransfer* second = client->upload(local, QStringLiteral("big.bin"), true);
    QVERIFY(runTransfer(second));
    QCOMPARE(second->resumedFrom(), partSize);
    QVERIFY(readFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/big.bin")) == data);
    QVERIFY(!QFile::exists(part));
}

void TestFiles::downloadResumesAfterCut()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    const QByteArray data = randomBytes(40 * 1024 * 1024);
    QVERIFY(writeFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/big.bin"), data));

    const QString local = m_dir->filePath(QStringLiteral("copy.bin"));
    FileTransfer* first = client->download(QStringLiteral("big.bin"), local);
    QVERIFY(QTest::qWaitFor([&] { return first->bytesDone() > 8 * 1024 * 1024; }, 60000));
    first->cancel();
    const qint64 have = QFileInfo(local + QStringLiteral(".part")).size();
    QVERIFY(have > 0);
    QVERIFY(!QFile::exists(local));

    FileTransfer* second = client->download(QStringLiteral("big.bin"), local, true);
    QVERIFY(runTransfer(second));
    QCOMPARE(second->resumedFrom(), have);
    QVERIFY(readFile(local) == data);
}

void TestFiles::resumeWithDifferentDataStartsOver()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    const QByteArray data = randomBytes(3 * 1024 * 1024);
    QVERIFY(writeFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/f.bin"), data));
    // A stale partial download whose bytes are not the start of the file.
    const QString local = m_dir->filePath(QStringLiteral("f.bin"));
    QVERIFY(writeFile(local + QStringLiteral(".part"), randomBytes(1024 * 1024)));
    FileTransfer* down = client->download(QStringLiteral("f.bin"), local, true);
    QVERIFY(runTransfer(down));
    QCOMPARE(down->resumedFrom(), 0);
    QVERIFY(readFile(local) == data);

    // The same for an upload over a stale .part on the server.
    QVERIFY(QDir().mkpath(QFileInfo(partialUpload(homeOf(QStringLiteral("alice")), QStringLiteral("g.bin"))).path()));
    QVERIFY(
        writeFile(partialUpload(homeOf(QStringLiteral("alice")), QStringLiteral("g.bin")), randomBytes(512 * 1024)));
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("g.bin")), data));
    FileTransfer* up = client->upload(m_dir->filePath(QStringLiteral("g.bin")), QStringLiteral("g.bin"), true);
    QVERIFY(runTransfer(up));
    QCOMPARE(up->resumedFrom(), 0);
    QVERIFY(readFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/g.bin")) == data);
}

void TestFiles::checksumMismatchStoresNothing()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    QVERIFY(
        writeFile(homeOf(QStringLiteral("alice")).isEmpty() ? QString() : m_dir->filePath(QStringLiteral("x")), "x"));
    const QHostAddress server(QStringLiteral("127.0.0.1"));
    RawClient raw(alice.identity->keyPair());
    QVERIFY(raw.handshake({}, server, m_server->port));
    const auto session = raw.readMainMessage();
    QVERIFY(session);
    auto socket = raw.redeem({}, server, static_cast<quint16>(session->value(QStringLiteral("port")).toInteger()),
        session->value(QStringLiteral("ticket")).toByteArray());
    QVERIFY(socket);
    socket->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("files") }.toCbor()));
    QCborMap put { { QStringLiteral("type"), QStringLiteral("put") }, { QStringLiteral("id"), 7 } };
    put.insert(QStringLiteral("path"), QStringLiteral("evil.bin"));
    put.insert(QStringLiteral("size"), 5);
    socket->write(raw.encryptFrame(put));
    auto ready = raw.readMessage(*socket);
    QVERIFY(ready);
    QCOMPARE(Protocol::typeOf(*ready), QStringLiteral("result"));
    socket->write(raw.encryptFrame(QCborMap {
        { QStringLiteral("type"), QStringLiteral("data") }, { QStringLiteral("data"), QByteArray("hello") } }));
    socket->write(raw.encryptFrame(QCborMap { { QStringLiteral("type"), QStringLiteral("end") },
        { QStringLiteral("id"), 7 }, { QStringLiteral("sha256"), Sha256::hash("HELLO") } }));
    const auto failed = raw.readMessage(*socket);
    QVERIFY(failed);
    QCOMPARE(Protocol::typeOf(*failed), QStringLiteral("failed"));
    QCOMPARE(failed->value(QStringLiteral("code")).toString(), QStringLiteral("io"));
    QCOMPARE(failed->value(QStringLiteral("id")).toInteger(), 7);
    QVERIFY(!QFile::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/evil.bin")));
    QVERIFY(!QFile::exists(partialUpload(homeOf(QStringLiteral("alice")), QStringLiteral("evil.bin"))));
}

void TestFiles::quotaIsEnforced()
{
    QVERIFY(startServer({ QStringLiteral("--quota"), QStringLiteral("1M") }));
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    const QString small = m_dir->filePath(QStringLiteral("small.bin"));
    QVERIFY(writeFile(small, randomBytes(600 * 1024)));
    QVERIFY(runTransfer(client->upload(small, QStringLiteral("first.bin"))));

    FileTransfer* over = client->upload(small, QStringLiteral("second.bin"));
    QSignalSpy failed(over, &FileTransfer::failed);
    QVERIFY(failed.wait(15000));
    QCOMPARE(failed.first().at(0).value<Failure>().code, ErrorCode::Quota);
    QVERIFY(failed.first().at(0).value<Failure>().message.contains(QStringLiteral("quota")));
    QVERIFY(!QFile::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/second.bin")));
    QVERIFY(!QFile::exists(partialUpload(homeOf(QStringLiteral("alice")), QStringLiteral("second.bin"))));
    QVERIFY(!m_server->command(QStringLiteral("files alice"), QStringLiteral("quota")).isEmpty());
}

void TestFiles::diskFullIsReportedAndLeavesNothing()
{
    // A file size limit on the server process stands in for a full disk: writes past it fail
    // with EFBIG as they would with ENOSPC, and the server must not die of SIGXFSZ.
    const QString prlimit = QStandardPaths::findExecutable(QStringLiteral("prlimit"));
    if (prlimit.isEmpty()) {
        QSKIP("prlimit (util-linux) is not installed");
    }
    m_server->setWrapper({ prlimit, QStringLiteral("--fsize=%1").arg(2 * 1024 * 1024), QStringLiteral("--") });
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    const QString local = m_dir->filePath(QStringLiteral("big.bin"));
    QVERIFY(writeFile(local, randomBytes(5 * 1024 * 1024)));
    QVERIFY(writeFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/big.bin"), "the old version"));
    FileTransfer* upload = client->upload(local, QStringLiteral("big.bin"));
    upload->setProperty("expectFailure", true);
    QVERIFY(!runTransfer(upload));
    QCOMPARE(upload->errorCode(), ErrorCode::Io);
    QVERIFY2(upload->errorString().contains(QStringLiteral("could not store")), qPrintable(upload->errorString()));
    // The old file is untouched and no partial file is left behind.
    QCOMPARE(readFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/big.bin")), QByteArray("the old version"));
    QVERIFY(!QFile::exists(partialUpload(homeOf(QStringLiteral("alice")), QStringLiteral("big.bin"))));
    QCOMPARE(m_server->process()->state(), QProcess::Running);
    QVERIFY(call(*client, [&] { return client->pwd(); }).ok);
}

void TestFiles::hostilePathsTouchNothingOutside()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    const User bob = makeUser(QStringLiteral("bob"));
    auto bobClient = connectUser(bob);
    QVERIFY(bobClient);
    QVERIFY(writeFile(homeOf(QStringLiteral("bob")) + QStringLiteral("/secret.txt"), "bob's secret"));
    auto client = connectUser(alice);
    QVERIFY(client);
    FileClient& c = *client;
    QVERIFY(call(c, [&] { return c.makeDirectory(QStringLiteral("sub")); }).ok);
    // A link planted in the home folder (by someone with shell access) is never followed.
    QVERIFY(QFile::link(homeOf(QStringLiteral("bob")), homeOf(QStringLiteral("alice")) + QStringLiteral("/link")));
    QVERIFY(QFile::link(QStringLiteral("/etc/passwd"), homeOf(QStringLiteral("alice")) + QStringLiteral("/passwd")));

    const QString upload = m_dir->filePath(QStringLiteral("payload.txt"));
    QVERIFY(writeFile(upload, "payload"));
    const QMap<QString, QByteArray> before = snapshot(m_server->dataDir());
    const QMap<QString, QByteArray> tmpBefore = snapshot(m_dir->path());

    const QStringList hostile {
        QStringLiteral(".."),
        QStringLiteral("../.."),
        QStringLiteral("../bob/secret.txt"),
        QStringLiteral("/etc/passwd"),
        QStringLiteral("a/../../b"),
        QStringLiteral("sub/../../bob"),
        QStringLiteral("~/../bob/secret.txt"),
        QStringLiteral("/x"),
        QStringLiteral("//etc/passwd"),
        QStringLiteral("/rooms/../x"),
        QStringLiteral("/rooms/general/../../etc"),
        QStringLiteral("/direct/bob/../../../files/bob"),
        QStringLiteral("link"),
        QStringLiteral("link/secret.txt"),
        QStringLiteral("passwd"),
        QStringLiteral("link/new.txt"),
        QStringLiteral("sub/../link/secret.txt"),
        QStringLiteral("a") + QChar(0) + QStringLiteral("b"),
        QString(QChar(0)) + QStringLiteral("../bob"),
        QStringLiteral("new\nline"),
        QStringLiteral("tab\there"),
        QStringLiteral("\x1b[2J"),
        QStringLiteral("del\x7f"),
        QStringLiteral("..\\bob\\secret.txt"),
        QString(256, QLatin1Char('x')),
        QString(200, QChar(0x0416)),
        QStringList(QList<QString>(2100, QStringLiteral("d"))).join(QLatin1Char('/')),
        QStringLiteral("sub/~/.."),
        QStringLiteral("~/sub/../../.."),
        QStringLiteral("./../bob"),
        QStringLiteral("sub/./../../bob/secret.txt"),
        QStringLiteral("Документы/../../bob"),
        QStringLiteral("../alice/../bob/secret.txt"),
        QStringLiteral("../../../../../../../../../../etc/shadow"),
    };
    QVERIFY(hostile.size() >= 30);
    for (const QString& path : hostile) {
        const QString shown = QString::fromLatin1(path.left(60).toUtf8().toPercentEncoding("/.~"));
        const auto stat = call(c, [&] { return c.stat(path); });
        QVERIFY2(
            !stat.ok && (stat.code == ErrorCode::BadPath), qPrintable(shown + QLatin1Char(' ') + wireName(stat.code)));
        QVERIFY2(!call(c, [&] { return c.cat(path); }).ok, qPrintable(shown));
        QVERIFY2(!call(c, [&] { return c.makeDirectory(path + QStringLiteral("/x")); }).ok, qPrintable(shown));
        QVERIFY2(!call(c, [&] { return c.remove(path); }).ok, qPrintable(shown));
        QVERIFY2(!call(c, [&] { return c.rename(QStringLiteral("sub"), path); }).ok, qPrintable(shown));
        QVERIFY2(!call(c, [&] { return c.list(path); }).ok, qPrintable(shown));
        FileTransfer* up = c.upload(upload, path);
        up->setProperty("expectFailure", true);
        QVERIFY2(!runTransfer(up, 15000), qPrintable(shown));
        QCOMPARE(up->errorCode(), ErrorCode::BadPath);
        FileTransfer* down = c.download(path, m_dir->filePath(QStringLiteral("got")));
        down->setProperty("expectFailure", true);
        QVERIFY2(!runTransfer(down, 15000), qPrintable(shown));
        QCOMPARE(down->errorCode(), ErrorCode::BadPath);
    }
    QCOMPARE(snapshot(m_server->dataDir()).keys(), before.keys());
    QVERIFY(snapshot(m_server->dataDir()) == before);
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("got"))));
    QCOMPARE(readFile(QStringLiteral("/etc/passwd")).isEmpty(), false);
    Q_UNUSED(tmpBefore)
}

void TestFiles::usersCannotSeeEachOther()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    const User bob = makeUser(QStringLiteral("bob"));
    auto aliceClient = connectUser(alice);
    auto bobClient = connectUser(bob);
    QVERIFY(aliceClient && bobClient);
    const QString local = m_dir->filePath(QStringLiteral("diary.txt"));
    QVERIFY(writeFile(local, "alice's diary"));
    QVERIFY(runTransfer(aliceClient->upload(local, QStringLiteral("diary.txt"))));
    const auto listing = call(*bobClient, [&] { return bobClient->list(QStringLiteral("~")); });
    QVERIFY(listing.ok);
    QVERIFY(listing.entries.isEmpty());
    QCOMPARE(call(*bobClient, [&] { return bobClient->stat(QStringLiteral("diary.txt")); }).code, ErrorCode::NotFound);
    QCOMPARE(call(*bobClient, [&] { return bobClient->cat(QStringLiteral("../alice/diary.txt")); }).code,
        ErrorCode::BadPath);
    FileTransfer* steal
        = bobClient->download(QStringLiteral("../alice/diary.txt"), m_dir->filePath(QStringLiteral("stolen")));
    steal->setProperty("expectFailure", true);
    QVERIFY(!runTransfer(steal, 15000));
    QCOMPARE(steal->errorCode(), ErrorCode::BadPath);
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("stolen"))));
}

void TestFiles::parallelTransfersAndBrowsing()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    constexpr int Count = 4;
    QList<QByteArray> contents;
    QList<FileTransfer*> transfers;
    for (int i = 0; i < Count; ++i) {
        contents.append(randomBytes((4 + i) * 1024 * 1024));
        QVERIFY(writeFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/down%1.bin").arg(i), contents.last()));
    }
    for (int i = 0; i < Count; ++i) {
        const QString local = m_dir->filePath(QStringLiteral("up%1.bin").arg(i));
        QVERIFY(writeFile(local, contents.at(Count - 1 - i)));
        transfers.append(client->upload(local, QStringLiteral("up%1.bin").arg(i)));
        transfers.append(client->download(
            QStringLiteral("down%1.bin").arg(i), m_dir->filePath(QStringLiteral("down%1.bin").arg(i))));
    }
    // Browsing answers while the transfers run on their own sessions.
    const auto listing = call(*client, [&] { return client->list(); });
    QVERIFY(listing.ok);
    for (FileTransfer* transfer : transfers) {
        QVERIFY(runTransfer(transfer));
    }
    for (int i = 0; i < Count; ++i) {
        QVERIFY(readFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/up%1.bin").arg(i))
            == contents.at(Count - 1 - i));
        QVERIFY(readFile(m_dir->filePath(QStringLiteral("down%1.bin").arg(i))) == contents.at(i));
    }
}

void TestFiles::uploadsToOneNameCannotInterleave()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    const QByteArray first = randomBytes(30 * 1024 * 1024);
    const QByteArray second = randomBytes(1024);
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("a.bin")), first));
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("b.bin")), second));
    FileTransfer* a = client->upload(m_dir->filePath(QStringLiteral("a.bin")), QStringLiteral("same.bin"));
    QVERIFY(QTest::qWaitFor([&] { return a->bytesDone() > 1024 * 1024; }, 30000));
    FileTransfer* b = client->upload(m_dir->filePath(QStringLiteral("b.bin")), QStringLiteral("same.bin"));
    QSignalSpy bFailed(b, &FileTransfer::failed);
    QVERIFY(bFailed.wait(15000));
    QCOMPARE(bFailed.first().at(0).value<Failure>().code, ErrorCode::Busy);
    QVERIFY(runTransfer(a));
    QVERIFY(readFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/same.bin")) == first);
}

void TestFiles::uploadThatMayNotReplaceRefusesATakenName()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    const QString home = homeOf(QStringLiteral("alice"));
    const QByteArray mine = randomBytes(4096);
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("mine.bin")), mine));
    const auto uploadNew = [&](const QString& local, const QString& remote) {
        FileTransfer* transfer = client->upload(local, remote);
        auto* upload = qobject_cast<UploadTransfer*>(transfer);
        upload->setReplaceExisting(false);
        return upload;
    };

    // A free name is taken; the same name again is refused and the file stays as it was.
    QVERIFY(runTransfer(uploadNew(m_dir->filePath(QStringLiteral("mine.bin")), QStringLiteral("report.bin"))));
    QCOMPARE(readFile(home + QStringLiteral("/report.bin")), mine);
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("other.bin")), randomBytes(100)));
    UploadTransfer* again = uploadNew(m_dir->filePath(QStringLiteral("other.bin")), QStringLiteral("report.bin"));
    QSignalSpy againFailed(again, &FileTransfer::failed);
    QVERIFY(againFailed.wait(15000));
    QCOMPARE(againFailed.first().at(0).value<Failure>().code, ErrorCode::Exists);
    QVERIFY(againFailed.first().at(0).value<Failure>().message.contains(QStringLiteral("report.bin")));
    QCOMPARE(readFile(home + QStringLiteral("/report.bin")), mine);

    // A name taken while the upload runs (here behind the server's back) is not replaced when it
    // ends: refused, the other file kept, no partial data left for it.
    const QByteArray big = randomBytes(30 * 1024 * 1024);
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("big.bin")), big));
    UploadTransfer* late = uploadNew(m_dir->filePath(QStringLiteral("big.bin")), QStringLiteral("late.bin"));
    QSignalSpy lateFailed(late, &FileTransfer::failed);
    QVERIFY(QTest::qWaitFor([&] { return late->bytesDone() > 1024 * 1024; }, 30000));
    QVERIFY(writeFile(home + QStringLiteral("/late.bin"), "theirs"));
    QVERIFY(lateFailed.wait(60000));
    QCOMPARE(lateFailed.first().at(0).value<Failure>().code, ErrorCode::Exists);
    QCOMPARE(readFile(home + QStringLiteral("/late.bin")), QByteArray("theirs"));
    QVERIFY(!QFile::exists(partialUpload(home, QStringLiteral("late.bin"))));

    // Without the option the same upload replaces the file, as always.
    QVERIFY(runTransfer(client->upload(m_dir->filePath(QStringLiteral("big.bin")), QStringLiteral("late.bin"))));
    QCOMPARE(readFile(home + QStringLiteral("/late.bin")), big);
}

void TestFiles::commandLine()
{
    QVERIFY(startServer());
    const User carol = makeUser(QStringLiteral("carol"));
    const QString server = QStringLiteral("127.0.0.1:%1").arg(m_server->port);
    const QStringList base { QStringLiteral("--config-dir"), carol.configDir, QStringLiteral("--trust-new"),
        QStringLiteral("files"), server };
    const QByteArray data = randomBytes(3 * 1024 * 1024 + 17);
    const QString local = m_dir->filePath(QStringLiteral("cli.bin"));
    QVERIFY(writeFile(local, data));

    CliResult result = runCli(base + QStringList { QStringLiteral("mkdir"), QStringLiteral("in") });
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    result = runCli(base + QStringList { QStringLiteral("put"), local, QStringLiteral("in/cli.bin") });
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY(result.err.contains(QStringLiteral("SHA-256 verified")));
    result = runCli(base + QStringList { QStringLiteral("ls"), QStringLiteral("in") });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(
        result.out.contains(QStringLiteral("%1 ").arg(data.size())) && result.out.contains(QStringLiteral("cli.bin")),
        qPrintable(result.out));
    // A name the server itself would refuse, made on its disk behind its back (or sent by a hostile
    // server): listed with its escape sequence shown, never sent to the terminal.
    QVERIFY(writeFile(homeOf(QStringLiteral("carol")) + QStringLiteral("/in/evil\x1b[2Jname"), "x"));
    result = runCli(base + QStringList { QStringLiteral("ls"), QStringLiteral("in") });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(QStringLiteral("evil\\x1B[2Jname")) && !result.out.contains(QChar(0x1b)),
        qPrintable(result.out));
    QVERIFY(QFile::remove(homeOf(QStringLiteral("carol")) + QStringLiteral("/in/evil\x1b[2Jname")));
    const QString back = m_dir->filePath(QStringLiteral("cli-back.bin"));
    result = runCli(base + QStringList { QStringLiteral("get"), QStringLiteral("in/cli.bin"), back });
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY(readFile(back) == data);
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("t.txt")), "first line\nsecond line\n"));
    QCOMPARE(
        runCli(base + QStringList { QStringLiteral("put"), m_dir->filePath(QStringLiteral("t.txt")) }).exitCode, 0);
    result = runCli(base
        + QStringList {
            QStringLiteral("cat"), QStringLiteral("t.txt"), QStringLiteral("--max"), QStringLiteral("10") });
    QCOMPARE(result.out, QStringLiteral("first line"));
    result = runCli(base + QStringList { QStringLiteral("mv"), QStringLiteral("t.txt"), QStringLiteral("in/u.txt") });
    QCOMPARE(result.exitCode, 0);
    result = runCli(base + QStringList { QStringLiteral("stat"), QStringLiteral("in/u.txt") });
    QVERIFY(result.out.startsWith(QStringLiteral("~/in/u.txt")));

    result = runCli(base + QStringList { QStringLiteral("rmdir"), QStringLiteral("in") });
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("(not_empty)")), qPrintable(result.err));
    result
        = runCli(base + QStringList { QStringLiteral("rmdir"), QStringLiteral("in"), QStringLiteral("--recursive") });
    QCOMPARE(result.exitCode, 0);
    result = runCli(base + QStringList { QStringLiteral("get"), QStringLiteral("../x"), back });
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("(bad_path)")), qPrintable(result.err));
    result = runCli(base + QStringList { QStringLiteral("rm") });
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains(QStringLiteral("usage")));
    result = runCli(base + QStringList { QStringLiteral("frob") });
    QCOMPARE(result.exitCode, 2);
}

QTEST_GUILESS_MAIN(TestFiles)
#include "TestFiles.moc"
