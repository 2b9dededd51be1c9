// Room folders end to end (docs/PROTOCOL.md section 8, "Paths"): the real quietwired, FileClient
// in this process, a RawClient for a download that must stop, and quietwire-cli.

#include "ChatProtocol.h"
#include "ChatTestSupport.h"
#include "FileClient.h"
#include "FileTestSupport.h"
#include "Identity.h"
#include "RawClient.h"
#include "ServerProcess.h"
#include "Sha256.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <functional>

using namespace QuietWire;
using namespace QuietWire::FileTest;

namespace {

bool listed(const FileClient::Reply& reply, const QString& name)
{
    return std::any_of(reply.entries.cbegin(), reply.entries.cend(),
        [&name](const FileProtocol::Entry& entry) { return entry.name == name; });
}

} // namespace

class TestRoomFolders : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void membersShareBothWays();
    void noticesArriveLive();
    void outsidersGetNothing();
    void removalStopsARunningDownload();
    void roomQuotaRefuses();
    void pathsOutsideAreRefused();
    void deletedRoomKeepsItsFolderAside();
    void offlineDeleteKeepsTheFolderUnderTheRoomsRoot();

private:
    bool startServer(const QStringList& extra = {}) { return m_server->start(extra, 16); }
    User makeUser(const QString& name) { return FileTest::makeUser(*m_server, m_dir->path(), name); }
    std::unique_ptr<FileClient> connectUser(const User& user) { return FileTest::connectUser(user, m_server->port); }
    QString server() const { return QStringLiteral("127.0.0.1:%1").arg(m_server->port); }
    QString roomsRoot() const { return m_server->dataDir() + QStringLiteral("/rooms"); }
    /// The lab room: private, alice its owner, bob a member.
    bool makeLab();
    /// Runs quietwire-cli as user.
    CliResult cli(const User& user, const QStringList& args)
    {
        return runCli(
            QStringList { QStringLiteral("--config-dir"), user.configDir, QStringLiteral("--trust-new") } + args);
    }
    bool upload(FileClient& client, const QByteArray& data, const QString& remote);
    QByteArray download(FileClient& client, const QString& remote);
    /// Tries every operation on folder (and report.bin in it); each must fail with code. Returns the
    /// failures that did not.
    QStringList tryEverything(FileClient& client, const QString& folder, ErrorCode code);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    int m_files = 0;
};

void TestRoomFolders::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
}

void TestRoomFolders::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

bool TestRoomFolders::makeLab()
{
    return !m_server->command(QStringLiteral("room create lab --private --owner alice"), QStringLiteral("created"))
                .isEmpty()
        && !m_server->command(QStringLiteral("room add lab bob"), QStringLiteral("bob added")).isEmpty();
}

bool TestRoomFolders::upload(FileClient& client, const QByteArray& data, const QString& remote)
{
    const QString local = m_dir->filePath(QStringLiteral("up%1").arg(++m_files));
    if (!writeFile(local, data)) {
        return false;
    }
    FileTransfer* transfer = client.upload(local, remote);
    return runTransfer(transfer);
}

QByteArray TestRoomFolders::download(FileClient& client, const QString& remote)
{
    const QString local = m_dir->filePath(QStringLiteral("down%1").arg(++m_files));
    FileTransfer* transfer = client.download(remote, local);
    return runTransfer(transfer) ? readFile(local) : QByteArray("(failed)");
}

QStringList TestRoomFolders::tryEverything(FileClient& client, const QString& folder, ErrorCode code)
{
    QStringList wrong;
    const QString file = folder + QStringLiteral("/report.bin");
    const auto expect = [&](const QString& what, const FileClient::Reply& reply) {
        if (reply.ok || reply.code != code) {
            wrong << QStringLiteral("%1: %2 %3").arg(what, wireName(reply.code), reply.message);
        }
    };
    expect(QStringLiteral("ls"), call(client, [&] { return client.list(folder); }));
    expect(QStringLiteral("stat"), call(client, [&] { return client.stat(file); }));
    expect(QStringLiteral("cat"), call(client, [&] { return client.cat(file); }));
    expect(QStringLiteral("rm"), call(client, [&] { return client.remove(file); }));
    expect(QStringLiteral("rename"), call(client, [&] { return client.rename(file, folder + QStringLiteral("/x")); }));
    expect(QStringLiteral("mkdir"), call(client, [&] { return client.makeDirectory(folder + QStringLiteral("/d")); }));
    expect(QStringLiteral("rmdir"), call(client, [&] { return client.removeDirectory(folder, true); }));
    expect(QStringLiteral("cd"), call(client, [&] { return client.changeDirectory(folder); }));
    const QString local = m_dir->filePath(QStringLiteral("intruder.bin"));
    writeFile(local, "not yours");
    FileTransfer* up = client.upload(local, folder + QStringLiteral("/intruder.bin"));
    up->setProperty("expectFailure", true);
    if (runTransfer(up, 15000) || up->errorCode() != code) {
        wrong << QStringLiteral("put: %1 %2").arg(wireName(up->errorCode()), up->errorString());
    }
    const QString got = m_dir->filePath(QStringLiteral("stolen.bin"));
    FileTransfer* down = client.download(file, got);
    down->setProperty("expectFailure", true);
    if (runTransfer(down, 15000) || down->errorCode() != code || QFile::exists(got)) {
        wrong << QStringLiteral("get: %1 %2").arg(wireName(down->errorCode()), down->errorString());
    }
    return wrong;
}

void TestRoomFolders::membersShareBothWays()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    const User bob = makeUser(QStringLiteral("bob"));
    QVERIFY(makeLab());
    auto a = connectUser(alice);
    auto b = connectUser(bob);
    QVERIFY(a && b);

    // alice puts, bob lists and gets.
    const QByteArray report = randomBytes(300 * 1024 + 5);
    QVERIFY(upload(*a, report, QStringLiteral("/rooms/lab/report.bin")));
    const auto listing = call(*b, [&] { return b->list(QStringLiteral("/rooms/lab")); });
    QVERIFY2(listing.ok, qPrintable(listing.message));
    QCOMPARE(listing.path, QStringLiteral("/rooms/lab"));
    QCOMPARE(listing.entries.size(), 1); // the staging folder of partial uploads is not shown
    QCOMPARE(listing.entries.first().name, QStringLiteral("report.bin"));
    QCOMPARE(listing.entries.first().size, report.size());
    QVERIFY(download(*b, QStringLiteral("/rooms/lab/report.bin")) == report);

    // bob works inside the folder with relative paths; alice reads what he put.
    const auto cd = call(*b, [&] { return b->changeDirectory(QStringLiteral("/rooms/lab")); });
    QVERIFY2(cd.ok, qPrintable(cd.message));
    QCOMPARE(cd.cwd, QStringLiteral("/rooms/lab"));
    QVERIFY(upload(*b, "the answer", QStringLiteral("answer.txt")));
    const auto cat = call(*a, [&] { return a->cat(QStringLiteral("/rooms/lab/answer.txt")); });
    QVERIFY2(cat.ok, qPrintable(cat.message));
    QCOMPARE(cat.data, QByteArray("the answer"));
    QVERIFY(call(*b, [&] { return b->makeDirectory(QStringLiteral("minutes")); }).ok);
    QVERIFY(call(*b, [&] { return b->rename(QStringLiteral("answer.txt"), QStringLiteral("minutes")); }).ok);
    QVERIFY(call(*b, [&] { return b->remove(QStringLiteral("minutes/answer.txt")); }).ok);
    QVERIFY(call(*b, [&] { return b->removeDirectory(QStringLiteral("minutes")); }).ok);
    // ".." stays inside the folder, as in a home.
    QCOMPARE(call(*b, [&] { return b->list(QStringLiteral("..")); }).code, ErrorCode::BadPath);

    // The virtual folders list what each may open, and cannot be changed.
    const auto top = call(*b, [&] { return b->list(QStringLiteral("/")); });
    QVERIFY(top.ok && listed(top, QStringLiteral("rooms")) && listed(top, QStringLiteral("direct")));
    const auto rooms = call(*b, [&] { return b->list(QStringLiteral("/rooms")); });
    QVERIFY(rooms.ok && listed(rooms, QStringLiteral("lab")) && listed(rooms, QStringLiteral("general")));
    QCOMPARE(call(*b, [&] { return b->makeDirectory(QStringLiteral("/rooms")); }).code, ErrorCode::Permission);
    QCOMPARE(call(*b, [&] { return b->makeDirectory(QStringLiteral("/direct/x")); }).code, ErrorCode::NotFound);
    QCOMPARE(call(*b, [&] { return b->removeDirectory(QStringLiteral("/rooms/lab")); }).code, ErrorCode::Permission);

    // A direct conversation's folder, shared by the two of them.
    QVERIFY(upload(*a, "for bob only", QStringLiteral("/direct/bob/note.txt")));
    QCOMPARE(download(*b, QStringLiteral("/direct/alice/note.txt")), QByteArray("for bob only"));
    const auto directs = call(*b, [&] { return b->list(QStringLiteral("/direct")); });
    QVERIFY(directs.ok && listed(directs, QStringLiteral("alice")));

    // On the host: beside the homes, by conversation id, 0700; nothing in the homes.
    const QStringList ids = QDir(roomsRoot()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QCOMPARE(ids.size(), 2);
    bool found = false;
    for (const QString& id : ids) {
        const QString folder = roomsRoot() + QLatin1Char('/') + id;
        QCOMPARE(QFileInfo(folder).permissions() & 0x0077, QFileDevice::Permissions());
        found = found || readFile(folder + QStringLiteral("/report.bin")) == report;
    }
    QVERIFY(found);
    QVERIFY(!QFile::exists(m_server->dataDir() + QStringLiteral("/files/alice/report.bin")));

    // Who changed what, in the room's history.
    const CliResult history
        = cli(bob, { QStringLiteral("history"), server(), QStringLiteral("--room"), QStringLiteral("lab") });
    QVERIFY2(history.exitCode == 0, qPrintable(history.err));
    for (const QString& notice : { QStringLiteral("alice uploaded /rooms/lab/report.bin (307205 bytes)"),
             QStringLiteral("bob uploaded /rooms/lab/answer.txt (10 bytes)"),
             QStringLiteral("bob created the folder /rooms/lab/minutes"),
             QStringLiteral("bob moved /rooms/lab/answer.txt to /rooms/lab/minutes/answer.txt"),
             QStringLiteral("bob removed /rooms/lab/minutes/answer.txt"),
             QStringLiteral("bob removed the folder /rooms/lab/minutes") }) {
        QVERIFY2(history.out.contains(notice), qPrintable(notice + QStringLiteral("\n") + history.out));
    }
    const CliResult direct
        = cli(bob, { QStringLiteral("history"), server(), QStringLiteral("--to"), QStringLiteral("alice") });
    QVERIFY2(direct.out.contains(QStringLiteral("alice uploaded /direct/bob/note.txt")), qPrintable(direct.out));

    // quietwire-cli passes the paths through as they are.
    const CliResult ls
        = cli(bob, { QStringLiteral("files"), server(), QStringLiteral("ls"), QStringLiteral("/rooms/lab") });
    QVERIFY2(ls.exitCode == 0 && ls.out.contains(QStringLiteral("report.bin")), qPrintable(ls.out + ls.err));

    const QString local = m_dir->filePath(QStringLiteral("cli.txt"));
    QVERIFY(writeFile(local, "from the command line"));
    const CliResult put = cli(
        bob, { QStringLiteral("files"), server(), QStringLiteral("put"), local, QStringLiteral("/rooms/lab/cli.txt") });
    QVERIFY2(put.exitCode == 0, qPrintable(put.out + put.err));
    QCOMPARE(call(*a, [&] { return a->cat(QStringLiteral("/rooms/lab/cli.txt")); }).data,
        QByteArray("from the command line"));

    // The console shows each room folder's usage.
    QVERIFY(!m_server->command(QStringLiteral("files"), QStringLiteral("room lab: ")).isEmpty());
}

void TestRoomFolders::noticesArriveLive()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    const User bob = makeUser(QStringLiteral("bob"));
    QVERIFY(makeLab());
    ChatTest::Client bobsChat;
    bobsChat.configDir = bob.configDir;
    bobsChat.bind = QStringLiteral("127.0.0.1");
    ChatTest::RawChat chat = ChatTest::joinChat(bobsChat, m_server->port, false, ChatProtocol::CurrentVersion);
    QVERIFY(chat.socket);
    QVERIFY(chat.next({ QStringLiteral("history_end") }));
    auto a = connectUser(alice);
    QVERIFY(a);
    QVERIFY(upload(*a, "live", QStringLiteral("/rooms/lab/live.txt")));
    const auto notice = chat.next({ QStringLiteral("notice"), QStringLiteral("message") });
    QVERIFY(notice);
    QCOMPARE(Protocol::typeOf(*notice), QStringLiteral("notice"));
    QCOMPARE(notice->value(QStringLiteral("room")).toString(), QStringLiteral("lab"));
    QCOMPARE(notice->value(QStringLiteral("text")).toString(),
        QStringLiteral("alice uploaded /rooms/lab/live.txt (4 bytes)"));
}

void TestRoomFolders::outsidersGetNothing()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    const User bob = makeUser(QStringLiteral("bob"));
    const User carol = makeUser(QStringLiteral("carol"));
    const User dave = makeUser(QStringLiteral("dave"));
    QVERIFY(makeLab());
    QVERIFY(!m_server->command(QStringLiteral("room add lab dave"), QStringLiteral("dave added")).isEmpty());
    QVERIFY(!m_server->command(QStringLiteral("room create open --owner alice"), QStringLiteral("created")).isEmpty());
    auto a = connectUser(alice);
    QVERIFY(a);
    QVERIFY(upload(*a, "lab data", QStringLiteral("/rooms/lab/report.bin")));
    QVERIFY(upload(*a, "open data", QStringLiteral("/rooms/open/report.bin")));
    auto b = connectUser(bob);
    auto c = connectUser(carol);
    auto d = connectUser(dave);
    QVERIFY(b && c && d);
    QVERIFY(call(*b, [&] { return b->changeDirectory(QStringLiteral("/rooms/lab")); }).ok);
    QVERIFY(call(*d, [&] { return d->stat(QStringLiteral("/rooms/lab/report.bin")); }).ok);
    const auto before = snapshot(roomsRoot());

    // A non-member: a private room is not found, with the very words for a room that does not exist.
    QStringList wrong = tryEverything(*c, QStringLiteral("/rooms/lab"), ErrorCode::NotFound);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
    const auto hidden = call(*c, [&] { return c->stat(QStringLiteral("/rooms/lab/report.bin")); });
    const auto missing = call(*c, [&] { return c->stat(QStringLiteral("/rooms/nosuch/report.bin")); });
    QCOMPARE(hidden.message, QString(missing.message).replace(QStringLiteral("nosuch"), QStringLiteral("lab")));
    // ... a public room not joined: permission.
    wrong = tryEverything(*c, QStringLiteral("/rooms/open"), ErrorCode::Permission);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
    const auto rooms = call(*c, [&] { return c->list(QStringLiteral("/rooms")); });
    QVERIFY(rooms.ok && !listed(rooms, QStringLiteral("lab")) && !listed(rooms, QStringLiteral("open")));

    // A removed member, from then on, also inside the folder he had changed into.
    QVERIFY(!m_server->command(QStringLiteral("room remove lab bob"), QStringLiteral("bob removed")).isEmpty());
    QCOMPARE(call(*b, [&] { return b->list(QString()); }).code, ErrorCode::NotFound);
    QCOMPARE(call(*b, [&] { return b->cat(QStringLiteral("report.bin")); }).code, ErrorCode::NotFound);
    wrong = tryEverything(*b, QStringLiteral("/rooms/lab"), ErrorCode::NotFound);
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));

    // A revoked key: the session ends, and a new one is refused.
    QSignalSpy gone(d.get(), &FileClient::disconnected);
    QVERIFY(!m_server->command(QStringLiteral("revoke dave"), QStringLiteral("\n")).isEmpty());
    QVERIFY(gone.count() > 0 || gone.wait(15000));
    QVERIFY(!call(*d, [&] { return d->cat(QStringLiteral("/rooms/lab/report.bin")); }).ok);
    QVERIFY(!connectUser(dave));

    QCOMPARE(snapshot(roomsRoot()).keys(), before.keys());
    QVERIFY(snapshot(roomsRoot()) == before);
    QCOMPARE(call(*a, [&] { return a->cat(QStringLiteral("/rooms/lab/report.bin")); }).data, QByteArray("lab data"));
}

void TestRoomFolders::removalStopsARunningDownload()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    const User bob = makeUser(QStringLiteral("bob"));
    QVERIFY(makeLab());
    auto a = connectUser(alice);
    QVERIFY(a);
    const qint64 size = 64 * 1024 * 1024;
    QVERIFY(upload(*a, randomBytes(size), QStringLiteral("/rooms/lab/big.bin")));

    // bob's download, read by hand: once it has begun he stops reading, so the server cannot finish.
    const QHostAddress host(QStringLiteral("127.0.0.1"));
    RawClient raw(bob.identity->keyPair());
    QVERIFY(raw.handshake({}, host, m_server->port));
    const auto session = raw.readMainMessage();
    QVERIFY(session);
    auto socket = raw.redeem({}, host, static_cast<quint16>(session->value(QStringLiteral("port")).toInteger()),
        session->value(QStringLiteral("ticket")).toByteArray());
    QVERIFY(socket);
    socket->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("files") }.toCbor()));
    socket->write(
        raw.encryptFrame(FileProtocol::GetRequest { 1, QStringLiteral("/rooms/lab/big.bin"), 0, {} }.toCbor()));
    const auto started = raw.readMessage(*socket);
    QVERIFY(started);
    QCOMPARE(started->value(QStringLiteral("size")).toInteger(), size);

    // The console is told without running this event loop, so this socket reads nothing meanwhile
    // and the server's transport fills up (a few MB at most of the 64 MiB).
    QProcess* console = m_server->process();
    console->write("room remove lab bob\n");
    QVERIFY(console->waitForBytesWritten(15000));
    QByteArray said;
    while (!said.contains("bob removed") && console->waitForReadyRead(15000)) {
        said += console->readAllStandardOutput();
    }
    QVERIFY2(said.contains("bob removed"), said.constData());
    qint64 received = 0;
    std::optional<FileProtocol::Failed> failed;
    while (!failed) {
        const auto message = raw.readMessage(*socket, 30000);
        if (!message) {
            qWarning("received %lld bytes; server log:\n%s", received, qPrintable(m_server->log().right(3000)));
        }
        QVERIFY2(message, "the download neither went on nor failed");
        if (message->contains(QStringLiteral("data"))) {
            received += message->value(QStringLiteral("data")).toByteArray().size();
            continue;
        }
        const auto decoded = FileProtocol::Failed::decode(*message);
        QVERIFY2(decoded.ok(), qPrintable(Protocol::typeOf(*message)));
        failed = decoded.value;
    }
    QCOMPARE(failed->id, 1);
    QCOMPARE(failed->code, ErrorCode::Permission);
    QVERIFY2(failed->message.contains(QStringLiteral("no longer a member")), qPrintable(failed->message));
    QVERIFY(received < size);
}

void TestRoomFolders::roomQuotaRefuses()
{
    QVERIFY(startServer({ QStringLiteral("--room-quota"), QStringLiteral("1M") }));
    const User alice = makeUser(QStringLiteral("alice"));
    makeUser(QStringLiteral("bob"));
    QVERIFY(makeLab());
    auto a = connectUser(alice);
    QVERIFY(a);
    const QString local = m_dir->filePath(QStringLiteral("two.bin"));
    QVERIFY(writeFile(local, randomBytes(2 * 1024 * 1024)));
    FileTransfer* up = a->upload(local, QStringLiteral("/rooms/lab/two.bin"));
    up->setProperty("expectFailure", true);
    QVERIFY(!runTransfer(up));
    QCOMPARE(up->errorCode(), ErrorCode::Quota);
    QVERIFY2(up->errorString().contains(QStringLiteral("the shared folder's quota of 1048576 bytes")),
        qPrintable(up->errorString()));
    // The home has its own quota (1G by default).
    QVERIFY(runTransfer(a->upload(local, QStringLiteral("~/two.bin"))));
    QVERIFY(upload(*a, randomBytes(512 * 1024), QStringLiteral("/rooms/lab/half.bin")));
}

void TestRoomFolders::pathsOutsideAreRefused()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto a = connectUser(alice);
    QVERIFY(a);
    QVERIFY(upload(*a, "x", QStringLiteral("/rooms/general/x")));
    const auto before = snapshot(m_server->dataDir() + QStringLiteral("/files"));
    for (const QString& path : { QStringLiteral("/rooms/../x"), QStringLiteral("/rooms/general/../../etc"),
             QStringLiteral("/x"), QStringLiteral("/rooms/general/.."), QStringLiteral("/direct/.."),
             QStringLiteral("/../files/alice"), QStringLiteral("/rooms/general/a/../../x") }) {
        QCOMPARE(call(*a, [&] { return a->stat(path); }).code, ErrorCode::BadPath);
        QCOMPARE(call(*a, [&] { return a->list(path); }).code, ErrorCode::BadPath);
        QCOMPARE(call(*a, [&] { return a->makeDirectory(path); }).code, ErrorCode::BadPath);
    }
    // "~" is the home, "~x" an ordinary name in the current folder.
    QVERIFY(call(*a, [&] { return a->changeDirectory(QStringLiteral("/rooms/general")); }).ok);
    QVERIFY(call(*a, [&] { return a->makeDirectory(QStringLiteral("~x")); }).ok);
    QVERIFY(call(*a, [&] { return a->stat(QStringLiteral("/rooms/general/~x")); }).ok);
    QCOMPARE(call(*a, [&] { return a->changeDirectory(QStringLiteral("~")); }).cwd, QStringLiteral("~"));
    QVERIFY(snapshot(m_server->dataDir() + QStringLiteral("/files")) == before);
}

void TestRoomFolders::deletedRoomKeepsItsFolderAside()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    makeUser(QStringLiteral("bob"));
    QVERIFY(makeLab());
    auto a = connectUser(alice);
    QVERIFY(a);
    QVERIFY(upload(*a, "old report", QStringLiteral("/rooms/lab/report.bin")));
    QVERIFY(!m_server->command(QStringLiteral("room delete lab"), QStringLiteral("deleted")).isEmpty());
    QVERIFY(m_server->waitForLog(QStringLiteral("its folder is kept at")));
    const QStringList kept
        = QDir(roomsRoot() + QStringLiteral("/deleted")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QCOMPARE(kept.size(), 1);
    QCOMPARE(readFile(roomsRoot() + QStringLiteral("/deleted/") + kept.first() + QStringLiteral("/report.bin")),
        QByteArray("old report"));
    QCOMPARE(call(*a, [&] { return a->list(QStringLiteral("/rooms/lab")); }).code, ErrorCode::NotFound);
    // A new room of the same name starts with an empty folder.
    QVERIFY(!m_server->command(QStringLiteral("room create lab --owner alice"), QStringLiteral("created")).isEmpty());
    const auto fresh = call(*a, [&] { return a->list(QStringLiteral("/rooms/lab")); });
    QVERIFY2(fresh.ok, qPrintable(fresh.message));
    QVERIFY(fresh.entries.isEmpty());
    QVERIFY(upload(*a, "new report", QStringLiteral("/rooms/lab/report.bin")));

    // Deleted offline (no server running), the folder is kept aside too.
    a.reset();
    m_server->stop();
    const CliResult deleted = runProgram("quietwired",
        { QStringLiteral("--data-dir"), m_server->dataDir(), QStringLiteral("room"), QStringLiteral("delete"),
            QStringLiteral("lab") },
        {}, 60000);
    QVERIFY2(deleted.exitCode == 0, qPrintable(deleted.out + deleted.err));
    QVERIFY2(deleted.out.contains(QStringLiteral("its shared folder is kept at")), qPrintable(deleted.out));
    const QStringList both
        = QDir(roomsRoot() + QStringLiteral("/deleted")).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    QCOMPARE(both.size(), 2);
    QStringList reports;
    for (const QString& name : both) {
        reports << QString::fromUtf8(
            readFile(roomsRoot() + QStringLiteral("/deleted/") + name + QStringLiteral("/report.bin")));
    }
    reports.sort();
    QCOMPARE(reports, QStringList({ QStringLiteral("new report"), QStringLiteral("old report") }));
}

/// A server whose shared folders live elsewhere (--rooms-root): the offline `room delete` given the
/// same --rooms-root keeps the room's folder aside there, not in <data-dir>/rooms.
void TestRoomFolders::offlineDeleteKeepsTheFolderUnderTheRoomsRoot()
{
    const QString elsewhere = m_dir->filePath(QStringLiteral("shared-rooms"));
    QVERIFY(startServer({ QStringLiteral("--rooms-root"), elsewhere }));
    const User alice = makeUser(QStringLiteral("alice"));
    makeUser(QStringLiteral("bob"));
    QVERIFY(makeLab());
    auto a = connectUser(alice);
    QVERIFY(a);
    QVERIFY(upload(*a, "lab notes", QStringLiteral("/rooms/lab/notes.bin")));
    a.reset();
    m_server->stop();
    const QStringList before = QDir(elsewhere).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QCOMPARE(before.size(), 1); // the lab's folder, named by its id

    const CliResult deleted = runProgram("quietwired",
        { QStringLiteral("--data-dir"), m_server->dataDir(), QStringLiteral("--rooms-root"), elsewhere,
            QStringLiteral("room"), QStringLiteral("delete"), QStringLiteral("lab") },
        {}, 60000);
    QVERIFY2(deleted.exitCode == 0, qPrintable(deleted.out + deleted.err));
    QVERIFY2(
        deleted.out.contains(QStringLiteral("its shared folder is kept at ") + elsewhere + QStringLiteral("/deleted/")),
        qPrintable(deleted.out));
    QVERIFY(!QFileInfo::exists(elsewhere + QLatin1Char('/') + before.first()));
    const QStringList kept = QDir(elsewhere + QStringLiteral("/deleted")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    QCOMPARE(kept.size(), 1);
    QVERIFY(kept.first().startsWith(before.first() + QLatin1Char('-')));
    QCOMPARE(readFile(elsewhere + QStringLiteral("/deleted/") + kept.first() + QStringLiteral("/notes.bin")),
        QByteArray("lab notes"));
    QVERIFY(!QFileInfo::exists(roomsRoot() + QStringLiteral("/deleted")));
}

QTEST_MAIN(TestRoomFolders)
#include "TestRoomFolders.moc"
