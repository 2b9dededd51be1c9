// The file service findings of the security audit (issue 11), each reproduced: quota bypass and
// tree walks, big listings, partial-upload name collisions, the symbolic-link race, fields of the
// wrong type, and what a failed download leaves behind.

#include "FileArea.h"
#include "FileClient.h"
#include "FileTestSupport.h"
#include "HomeFolder.h"
#include "Identity.h"
#include "RawClient.h"
#include "ServerProcess.h"
#include "Sha256.h"

#include <QCborArray>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace QuietWire;
using namespace QuietWire::FileTest;

namespace {

/// A files session spoken by hand, for messages FileClient would never send.
class RawFiles
{
public:
    explicit RawFiles(const Identity& identity)
        : m_raw(identity.keyPair())
    { }

    bool open(quint16 port)
    {
        const QHostAddress server(QStringLiteral("127.0.0.1"));
        if (!m_raw.handshake({}, server, port)) {
            return false;
        }
        const auto session = m_raw.readMainMessage();
        if (!session) {
            return false;
        }
        m_socket = m_raw.redeem({}, server, static_cast<quint16>(session->value(QStringLiteral("port")).toInteger()),
            session->value(QStringLiteral("ticket")).toByteArray());
        if (!m_socket) {
            return false;
        }
        send(Protocol::Hello { QStringLiteral("files") }.toCbor());
        // One round trip: the home folder is set up.
        return call(QCborMap { { QStringLiteral("type"), QStringLiteral("pwd") }, { QStringLiteral("id"), 1 } })
            .has_value();
    }

    void send(const QCborMap& message) { m_socket->write(m_raw.encryptFrame(message)); }
    std::optional<QCborMap> read() { return m_raw.readMessage(*m_socket); }
    std::optional<QCborMap> call(const QCborMap& message)
    {
        send(message);
        return read();
    }

private:
    RawClient m_raw;
    std::unique_ptr<QTcpSocket> m_socket;
};

QCborMap request(const char* type, qint64 id, const QCborMap& fields = {})
{
    QCborMap message = fields;
    message.insert(QStringLiteral("type"), QLatin1String(type));
    message.insert(QStringLiteral("id"), id);
    return message;
}

} // namespace

class TestFileAudit : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void homeFolderRefusesLinks();
    void usageIsKeptNotWalked();
    void measureSeesBeyondPathMax();
    void foldersAndEmptyFilesCountAgainstTheQuota();
    void entryAndDepthLimitsNameTheLimit();
    void deepTreeCannotHideBytes();
    void usageIsMeasuredBeforeTheFirstChange();
    void largeListingArrivesWhole();
    void tooLargeAnswerIsAnsweredNotDropped();
    void partNamesCannotCollide();
    void resumeStillWorks();
    void symlinkSwapNeverLeadsOutside();
    void wrongFieldTypesAreBadRequest_data();
    void wrongFieldTypesAreBadRequest();
    void requestWithoutValidIdIsNotCarriedOut();
    void uploadRulesAsDocumented();
    void failedDownloadLeavesNoPart();

private:
    bool startServer(const QStringList& extra = {}) { return m_server->start(extra, 16); }
    User makeUser(const QString& name) { return FileTest::makeUser(*m_server, m_dir->path(), name); }
    std::unique_ptr<FileClient> connectUser(const User& user) { return FileTest::connectUser(user, m_server->port); }
    QString homeOf(const QString& name) const { return m_server->dataDir() + QStringLiteral("/files/") + name; }
    QStringList cli(const User& user) const
    {
        return { QStringLiteral("--config-dir"), user.configDir, QStringLiteral("--trust-new"), QStringLiteral("files"),
            QStringLiteral("127.0.0.1:%1").arg(m_server->port) };
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
};

void TestFileAudit::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
}

void TestFileAudit::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

void TestFileAudit::homeFolderRefusesLinks()
{
    QTemporaryDir dir;
    QTemporaryDir outside;
    const QString root = dir.filePath(QStringLiteral("home"));
    QVERIFY(QDir().mkpath(root + QStringLiteral("/real")));
    QVERIFY(writeFile(outside.filePath(QStringLiteral("secret")), "outside"));
    QVERIFY(QFile::link(outside.path(), root + QStringLiteral("/escape")));
    QVERIFY(QFile::link(outside.filePath(QStringLiteral("secret")), root + QStringLiteral("/real/passwd")));
    const HomeFolder home(root);
    QVERIFY(home.isOpen());
    HomeFolder::Error error;
    QVERIFY(!home.openFolder({ QStringLiteral("escape") }, &error).isValid());
    QCOMPARE(error, HomeFolder::Error::Link);
    QVERIFY(!home.openFolder({ QStringLiteral("escape"), QStringLiteral("deeper") }, &error).isValid());
    QCOMPARE(error, HomeFolder::Error::Link);
    FileDescriptor real = home.openFolder({ QStringLiteral("real") }, &error);
    QVERIFY(real.isValid());
    QVERIFY(!HomeFolder::openFile(real.get(), QStringLiteral("passwd"), O_RDONLY, &error).isValid());
    QCOMPARE(error, HomeFolder::Error::Link);
    QVERIFY(!home.openFolder({ QStringLiteral("real"), QStringLiteral("missing") }, &error).isValid());
    QCOMPARE(error, HomeFolder::Error::NotFound);
    struct stat st;
    QCOMPARE(HomeFolder::lookup(real.get(), QStringLiteral("passwd"), &st), HomeFolder::Error::None);
    QVERIFY(S_ISLNK(st.st_mode));
    // Removing a tree removes a link inside it, never what it points to.
    QVERIFY(QFile::link(outside.path(), root + QStringLiteral("/real/dir-link")));
    QCOMPARE(
        HomeFolder::removeTree(home.fd(), QStringLiteral("real"), [](const struct stat&) {}), HomeFolder::Error::None);
    QCOMPARE(readFile(outside.filePath(QStringLiteral("secret"))), QByteArray("outside"));
}

void TestFileAudit::usageIsKeptNotWalked()
{
    // Finding 3: every put walked the whole home folder on the server's only thread.
    QTemporaryDir root;
    const QString home = root.filePath(QStringLiteral("alice"));
    QVERIFY(QDir().mkpath(home));
    constexpr int Folders = 2000;
    for (int i = 0; i < Folders; ++i) {
        QVERIFY(QDir(home).mkdir(QStringLiteral("d%1").arg(i)));
    }
    QVERIFY(writeFile(home + QStringLiteral("/empty"), QByteArray()));
    FileArea area(
        root.path(), root.filePath(QStringLiteral("rooms")), FileArea::Limits { qint64(1) << 30, 64, 100000 });
    const FileArea::Usage usage = area.usage(home);
    QCOMPARE(area.walks(), 1);
    // Folders and the empty file are not free: each costs at least its entry, a folder its block too.
    QCOMPARE(usage.entries, Folders + 1);
    QVERIFY2(usage.bytes >= Folders * (FileArea::EntryCost + 1024), qPrintable(QString::number(usage.bytes)));
    // Many uploads' worth of checks, reservations and updates: none walks the tree again.
    for (int i = 0; i < 500; ++i) {
        qint64 available = 0;
        QCOMPARE(area.check(home, 4096, 1, 1, &available), FileArea::Refusal::None);
        FileArea::UploadLease lease = area.claimUpload(home, home + QStringLiteral("/f%1").arg(i));
        QVERIFY(lease.isValid());
        lease.reserve(4096);
        area.adjust(home, 4096 + FileArea::EntryCost, 1);
        lease.release();
    }
    QCOMPARE(area.walks(), 1);
    QCOMPARE(area.usage(home).entries, Folders + 1 + 500);
    QCOMPARE(area.usage(home).bytes, usage.bytes + 500 * (4096 + FileArea::EntryCost));
}

void TestFileAudit::measureSeesBeyondPathMax()
{
    // Finding 3: a tree nested past PATH_MAX was not counted at all.
    QTemporaryDir root;
    const HomeFolder home(root.path());
    QVERIFY(home.isOpen());
    const QString name(250, QLatin1Char('n'));
    int fd = ::dup(home.fd());
    for (int depth = 0; depth < 30; ++depth) { // 30 x 251 bytes: far past PATH_MAX (4096)
        QVERIFY(::mkdirat(fd, QFile::encodeName(name).constData(), 0700) == 0);
        const int next = ::openat(fd, QFile::encodeName(name).constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        QVERIFY(next >= 0);
        ::close(fd);
        fd = next;
    }
    const QByteArray data = randomBytes(300 * 1024);
    const int file = ::openat(fd, "hidden.bin", O_WRONLY | O_CREAT, 0600);
    QVERIFY(file >= 0);
    QCOMPARE(::write(file, data.constData(), size_t(data.size())), ssize_t(data.size()));
    ::close(file);
    ::close(fd);
    bool complete = false;
    const FileArea::Usage usage = FileArea::measure(home.fd(), &complete);
    QVERIFY(complete);
    QCOMPARE(usage.entries, 31);
    QCOMPARE(usage.height, 31);
    QVERIFY2(usage.bytes >= data.size(), qPrintable(QString::number(usage.bytes)));
    // QTemporaryDir cannot remove what lies past PATH_MAX; HomeFolder can.
    int removed = 0;
    QCOMPARE(HomeFolder::removeTree(home.fd(), name, [&removed](const struct stat&) { ++removed; }),
        HomeFolder::Error::None);
    QCOMPARE(removed, 31);
}

void TestFileAudit::foldersAndEmptyFilesCountAgainstTheQuota()
{
    // Finding 3: usage added only file sizes, so folders and empty files were free.
    QVERIFY(startServer({ QStringLiteral("--quota"), QStringLiteral("16K") }));
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    FileClient& c = *client;
    // Each folder costs at least its entry (512 bytes), on ext4 its 4 KiB block too: 16 KiB hold
    // fewer than 32 of them.
    FileClient::Reply reply;
    int made = 0;
    for (; made < 100; ++made) {
        reply = call(c, [&] { return c.makeDirectory(QStringLiteral("d%1").arg(made)); });
        if (!reply.ok) {
            break;
        }
    }
    QCOMPARE(reply.code, ErrorCode::Quota);
    QVERIFY2(reply.message.contains(QStringLiteral("quota of 16384 bytes")), qPrintable(reply.message));
    QVERIFY2(made < 32, qPrintable(QString::number(made)));
    QVERIFY(!QFileInfo::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/d%1").arg(made)));

    // Empty files likewise. Free the folders, then upload empty files until refused.
    for (int i = 0; i < made; ++i) {
        QVERIFY(call(c, [&] { return c.removeDirectory(QStringLiteral("d%1").arg(i)); }).ok);
    }
    const QString empty = m_dir->filePath(QStringLiteral("empty"));
    QVERIFY(writeFile(empty, QByteArray()));
    int uploaded = 0;
    FileTransfer* last = nullptr;
    for (; uploaded < 100; ++uploaded) {
        last = c.upload(empty, QStringLiteral("e%1").arg(uploaded));
        if (!runTransfer(last, 15000)) {
            break;
        }
    }
    QVERIFY(last);
    QCOMPARE(last->errorCode(), ErrorCode::Quota);
    QVERIFY2(uploaded > 0 && uploaded < 32, qPrintable(QString::number(uploaded)));
}

void TestFileAudit::entryAndDepthLimitsNameTheLimit()
{
    QVERIFY(startServer(
        { QStringLiteral("--max-entries"), QStringLiteral("20"), QStringLiteral("--max-depth"), QStringLiteral("6") }));
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    FileClient& c = *client;
    auto reply = call(c, [&] { return c.makeDirectory(QStringLiteral("1/2/3/4/5/6/7")); });
    QCOMPARE(reply.code, ErrorCode::Quota);
    QVERIFY2(reply.message.contains(QStringLiteral("6 folders deep")), qPrintable(reply.message));
    QVERIFY(!QFileInfo::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/1")));
    QVERIFY(call(c, [&] { return c.makeDirectory(QStringLiteral("1/2/3/4/5/6")); }).ok);
    // A move deeper is a way to nest past the limit too: a 3-deep folder cannot go 4 levels down.
    QVERIFY(call(c, [&] { return c.makeDirectory(QStringLiteral("a/b/c")); }).ok);
    reply = call(c, [&] { return c.rename(QStringLiteral("a"), QStringLiteral("1/2/3/4")); });
    QCOMPARE(reply.code, ErrorCode::Quota);
    QVERIFY2(reply.message.contains(QStringLiteral("6 folders deep")), qPrintable(reply.message));
    QVERIFY(QFileInfo(homeOf(QStringLiteral("alice")) + QStringLiteral("/a/b/c")).isDir());
    QVERIFY(call(c, [&] { return c.rename(QStringLiteral("a"), QStringLiteral("1/2/3")); }).ok);

    // 9 folders so far; 11 more fit, the 12th does not.
    int made = 0;
    for (; made < 30; ++made) {
        reply = call(c, [&] { return c.makeDirectory(QStringLiteral("x%1").arg(made)); });
        if (!reply.ok) {
            break;
        }
    }
    QCOMPARE(made, 11);
    QCOMPARE(reply.code, ErrorCode::Quota);
    QVERIFY2(reply.message.contains(QStringLiteral("20 files and folders")), qPrintable(reply.message));
}

void TestFileAudit::deepTreeCannotHideBytes()
{
    // Finding 3: a file moved below PATH_MAX (a chain moved into the bottom of another chain)
    // was not counted.
    QVERIFY(startServer({ QStringLiteral("--quota"), QStringLiteral("1M") }));
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    FileClient& c = *client;
    // Two chains of 12 folders with 250-byte names: each path is under 4096 bytes, both together are not.
    const QString chain = QStringList(QList<QString>(12, QString(250, QLatin1Char('d')))).join(QLatin1Char('/'));
    QVERIFY(call(c, [&] { return c.makeDirectory(QStringLiteral("A/") + chain); }).ok);
    QVERIFY(call(c, [&] { return c.makeDirectory(QStringLiteral("B/") + chain); }).ok);
    const QString local = m_dir->filePath(QStringLiteral("600k.bin"));
    QVERIFY(writeFile(local, randomBytes(600 * 1024)));
    QVERIFY(runTransfer(c.upload(local, QStringLiteral("~/A/") + chain + QStringLiteral("/first.bin"))));
    QVERIFY(call(c, [&] { return c.rename(QStringLiteral("A"), QStringLiteral("B/") + chain); }).ok);
    FileTransfer* second = c.upload(local, QStringLiteral("~/second.bin"));
    QVERIFY(!runTransfer(second, 15000));
    QCOMPARE(second->errorCode(), ErrorCode::Quota);

    // And after a restart, when the usage is measured afresh.
    client.reset();
    m_server->stop();
    QVERIFY(startServer({ QStringLiteral("--quota"), QStringLiteral("1M") }));
    client = connectUser(alice);
    QVERIFY(client);
    FileTransfer* third = client->upload(local, QStringLiteral("~/third.bin"));
    QVERIFY(!runTransfer(third, 15000));
    QCOMPARE(third->errorCode(), ErrorCode::Quota);
    // Removing the deep tree (its host path is past PATH_MAX too) gives the bytes back.
    QVERIFY(call(*client, [&] { return client->removeDirectory(QStringLiteral("B"), true); }).ok);
    QVERIFY(!QFileInfo::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/B")));
    QVERIFY(runTransfer(client->upload(local, QStringLiteral("~/fourth.bin"))));
}

void TestFileAudit::usageIsMeasuredBeforeTheFirstChange()
{
    // Files put in place by the administrator count, whatever request comes first.
    QVERIFY(startServer({ QStringLiteral("--quota"), QStringLiteral("1M") }));
    const User alice = makeUser(QStringLiteral("alice"));
    QVERIFY(QDir().mkpath(homeOf(QStringLiteral("alice"))));
    QVERIFY(writeFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/big.bin"), randomBytes(700 * 1024)));
    QVERIFY(writeFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/small.txt"), "small"));
    auto client = connectUser(alice);
    QVERIFY(client);
    QVERIFY(call(*client, [&] { return client->remove(QStringLiteral("small.txt")); }).ok);
    const QString local = m_dir->filePath(QStringLiteral("600k.bin"));
    QVERIFY(writeFile(local, randomBytes(600 * 1024)));
    FileTransfer* upload = client->upload(local, QStringLiteral("more.bin"));
    QVERIFY(!runTransfer(upload, 15000));
    QCOMPARE(upload->errorCode(), ErrorCode::Quota);
    const QString console = m_server->command(QStringLiteral("files alice"), QStringLiteral("quota"));
    // big.bin alone: the refused upload left nothing, not even the staging folder.
    QVERIFY2(console.contains(QStringLiteral("in 1 files and folders")), qPrintable(console));
}

void TestFileAudit::largeListingArrivesWhole()
{
    // Finding 8: an answer over 65,519 bytes was dropped without a word; ls hung.
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    QVERIFY(call(*client, [&] { return client->makeDirectory(QStringLiteral("many")); }).ok);
    constexpr int Files = 3000;
    QSet<QString> names;
    for (int i = 0; i < Files; ++i) {
        const QString name
            = QStringLiteral("%1-%2.txt").arg(i, 5, 10, QLatin1Char('0')).arg(QString(180, QLatin1Char('x')));
        names.insert(name);
        QVERIFY(writeFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/many/") + name, "x"));
    }
    const auto reply = call(
        *client, [&] { return client->list(QStringLiteral("many")); }, 60000);
    QVERIFY2(reply.ok, qPrintable(wireName(reply.code) + QLatin1Char(' ') + reply.message));
    QCOMPARE(reply.path, QStringLiteral("~/many"));
    QCOMPARE(reply.entries.size(), Files);
    QSet<QString> listed;
    for (const auto& entry : reply.entries) {
        listed.insert(entry.name);
    }
    QVERIFY(listed == names);
    QVERIFY(std::is_sorted(reply.entries.begin(), reply.entries.end(),
        [](const FileProtocol::Entry& a, const FileProtocol::Entry& b) { return a.name < b.name; }));

    const CliResult result = runCli(cli(alice) + QStringList { QStringLiteral("ls"), QStringLiteral("many") }, 60000);
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QCOMPARE(result.out.count(QLatin1Char('\n')), Files);
    QVERIFY(result.out.contains(*names.begin()));
}

void TestFileAudit::tooLargeAnswerIsAnsweredNotDropped()
{
    // Finding 8, the other half: a failed send was silence. Every answer is bounded now except the
    // current folder's name, which an administrator's --max-depth can let grow past one message.
    QVERIFY(startServer({ QStringLiteral("--max-depth"), QStringLiteral("300") }));
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    FileClient& c = *client;
    const QString name(255, QLatin1Char('n'));
    FileClient::Reply reply;
    int depth = 0;
    for (; depth < 300; ++depth) {
        QVERIFY(call(c, [&] { return c.makeDirectory(name); }).ok);
        reply = call(c, [&] { return c.changeDirectory(name); });
        if (!reply.ok) {
            break;
        }
    }
    // 256 names of 255 bytes and their slashes pass 65,519 bytes.
    QCOMPARE(depth, 255);
    QCOMPARE(reply.code, ErrorCode::Io);
    QVERIFY2(reply.message.contains(QStringLiteral("too large")), qPrintable(reply.message));
    QVERIFY(m_server->waitForLog(QStringLiteral("could not answer request")));
    // The session goes on.
    QVERIFY(call(c, [&] { return c.changeDirectory(QStringLiteral("~")); }).ok);
    QVERIFY(call(c, [&] { return c.removeDirectory(name, true); }).ok);
}

void TestFileAudit::partNamesCannotCollide()
{
    // Finding 10: an upload named x.part overwrote the partial data of an upload of x.
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    const QByteArray big = randomBytes(20 * 1024 * 1024);
    const QByteArray small("twenty bytes of B...");
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("a.bin")), big));
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("b.bin")), small));
    FileTransfer* a = client->upload(m_dir->filePath(QStringLiteral("a.bin")), QStringLiteral("x"));
    QVERIFY(QTest::qWaitFor([&] { return a->bytesDone() > 1024 * 1024; }, 30000));
    QVERIFY(a->state() == FileTransfer::State::Running);
    QVERIFY(runTransfer(client->upload(m_dir->filePath(QStringLiteral("b.bin")), QStringLiteral("x.part"))));
    QVERIFY(runTransfer(a));
    QVERIFY(readFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/x")) == big);
    QCOMPARE(readFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/x.part")), small);
    // The staging folder is nobody's file: not listed, not reachable by any path.
    const auto listing = call(*client, [&] { return client->list(QStringLiteral("~")); });
    QVERIFY(listing.ok);
    QCOMPARE(listing.entries.size(), 2);
}

void TestFileAudit::resumeStillWorks()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    const QByteArray data = randomBytes(24 * 1024 * 1024);
    const QString local = m_dir->filePath(QStringLiteral("big.bin"));
    QVERIFY(writeFile(local, data));
    FileTransfer* first = client->upload(local, QStringLiteral("big.bin"));
    QVERIFY(QTest::qWaitFor([&] { return first->bytesDone() > 4 * 1024 * 1024; }, 60000));
    first->cancel();
    QVERIFY(m_server->waitForLog(QStringLiteral(" ended")));
    // The partial data is not a file of the user's: no big.bin.part appears.
    QVERIFY(!QFileInfo::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/big.bin.part")));
    FileTransfer* second = client->upload(local, QStringLiteral("big.bin"), true);
    QVERIFY(runTransfer(second));
    QVERIFY(second->resumedFrom() > 0);
    QVERIFY(readFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/big.bin")) == data);
    // Through the command line too.
    const CliResult result = runCli(cli(alice)
        + QStringList { QStringLiteral("put"), local, QStringLiteral("again.bin"), QStringLiteral("--resume") });
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY(readFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/again.bin")) == data);
}

void TestFileAudit::symlinkSwapNeverLeadsOutside()
{
    // Finding 12: the path was checked for links, then opened by name; a folder swapped for a link
    // in between led outside the home folder.
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    auto client = connectUser(alice);
    QVERIFY(client);
    const QString home = homeOf(QStringLiteral("alice"));
    const QString outside = m_dir->filePath(QStringLiteral("outside"));
    QVERIFY(QDir().mkpath(outside));
    QVERIFY(writeFile(outside + QStringLiteral("/f"), "SECRET from outside"));
    QVERIFY(QDir().mkpath(home + QStringLiteral("/sub")));
    QVERIFY(writeFile(home + QStringLiteral("/sub/f"), "inside"));
    QVERIFY(QFile::link(outside, home + QStringLiteral("/swap")));

    // Swap "sub" (a folder) and "swap" (a link to outside) atomically, over and over.
    std::atomic<bool> stop { false };
    std::atomic<int> swaps { 0 };
    const QByteArray sub = QFile::encodeName(home + QStringLiteral("/sub"));
    const QByteArray swap = QFile::encodeName(home + QStringLiteral("/swap"));
    std::thread swapper([&] {
        while (!stop) {
            if (::renameat2(AT_FDCWD, sub.constData(), AT_FDCWD, swap.constData(), RENAME_EXCHANGE) == 0) {
                ++swaps;
            }
        }
    });
    int inside = 0;
    int leaked = 0;
    int requests = 0;
    QElapsedTimer clock;
    clock.start();
    // Batches of pipelined requests, for at most 20 s or 6000 requests.
    while (requests < 6000 && clock.elapsed() < 20000) {
        QList<qint64> ids;
        QHash<qint64, FileClient::Reply> replies;
        const auto connection = connect(client.get(), &FileClient::replyReceived, this,
            [&](const FileClient::Reply& reply) { replies.insert(reply.id, reply); });
        for (int i = 0; i < 100; ++i) {
            ids.append(i % 4 == 3 ? client->list(QStringLiteral("sub")) : client->cat(QStringLiteral("sub/f")));
        }
        const bool all = QTest::qWaitFor([&] { return replies.size() == ids.size(); }, 15000);
        disconnect(connection);
        QVERIFY(all);
        for (const auto& reply : std::as_const(replies)) {
            ++requests;
            if (reply.data.contains("SECRET")) {
                ++leaked;
            } else if (reply.data == "inside") {
                ++inside;
            }
            // A listing of the outside folder: its "f" has the outside file's size.
            if (reply.request == FileProtocol::RequestType::Ls && reply.ok && reply.entries.size() == 1
                && reply.entries.first().size == qint64(sizeof("SECRET from outside") - 1)) {
                ++leaked;
            }
        }
    }
    stop = true;
    swapper.join();
    qInfo("%d requests, %d read the file inside, %d swaps", requests, inside, swaps.load());
    QVERIFY(swaps > 100);
    QVERIFY(inside > 0);
    QCOMPARE(leaked, 0);
}

void TestFileAudit::wrongFieldTypesAreBadRequest_data()
{
    QTest::addColumn<QCborMap>("message");
    QTest::addColumn<QString>("field");
    const QCborValue number(5);
    const QCborValue bytes(QByteArray("docs"));
    QTest::newRow("ls path number") << request("ls", 1, { { QStringLiteral("path"), number } }) << "path";
    QTest::newRow("ls path bytes") << request("ls", 1, { { QStringLiteral("path"), bytes } }) << "path";
    QTest::newRow("ls start text") << request("ls", 1, { { QStringLiteral("start"), QStringLiteral("2") } }) << "start";
    QTest::newRow("stat path missing") << request("stat", 1) << "path";
    QTest::newRow("cd path bytes") << request("cd", 1, { { QStringLiteral("path"), bytes } }) << "path";
    QTest::newRow("mkdir path number") << request("mkdir", 1, { { QStringLiteral("path"), number } }) << "path";
    QTest::newRow("rm path array") << request("rm", 1, { { QStringLiteral("path"), QCborArray { 1 } } }) << "path";
    QTest::newRow("rmdir recursive text") << request("rmdir", 1,
        { { QStringLiteral("path"), QStringLiteral("d") }, { QStringLiteral("recursive"), QStringLiteral("yes") } })
                                          << "recursive";
    QTest::newRow("rename from number") << request(
        "rename", 1, { { QStringLiteral("from"), number }, { QStringLiteral("to"), QStringLiteral("b") } })
                                        << "from";
    QTest::newRow("cat max negative") << request(
        "cat", 1, { { QStringLiteral("path"), QStringLiteral("f") }, { QStringLiteral("max"), -1 } })
                                      << "max";
    QTest::newRow("cat max text") << request(
        "cat", 1, { { QStringLiteral("path"), QStringLiteral("f") }, { QStringLiteral("max"), QStringLiteral("9") } })
                                  << "max";
    QTest::newRow("cat max above 60000") << request(
        "cat", 1, { { QStringLiteral("path"), QStringLiteral("f") }, { QStringLiteral("max"), 60001 } })
                                         << "max";
    QTest::newRow("cat max float") << request(
        "cat", 1, { { QStringLiteral("path"), QStringLiteral("f") }, { QStringLiteral("max"), 10.5 } })
                                   << "max";
    QTest::newRow("put size text") << request(
        "put", 1, { { QStringLiteral("path"), QStringLiteral("n") }, { QStringLiteral("size"), QStringLiteral("5") } })
                                   << "size";
    QTest::newRow("put size missing") << request("put", 1, { { QStringLiteral("path"), QStringLiteral("n") } })
                                      << "size";
    QTest::newRow("put offset negative") << request("put", 1,
        { { QStringLiteral("path"), QStringLiteral("n") }, { QStringLiteral("size"), 5 },
            { QStringLiteral("offset"), -1 } })
                                         << "offset";
    QTest::newRow("put mtime text") << request("put", 1,
        { { QStringLiteral("path"), QStringLiteral("n") }, { QStringLiteral("size"), 5 },
            { QStringLiteral("mtime"), QStringLiteral("now") } })
                                    << "mtime";
    QTest::newRow("put prefix hex") << request("put", 1,
        { { QStringLiteral("path"), QStringLiteral("f") }, { QStringLiteral("size"), 5 },
            { QStringLiteral("offset"), 2 },
            { QStringLiteral("prefix_sha256"), QString::fromLatin1(Sha256::hash("ab").toHex()) } })
                                    << "prefix_sha256";
    QTest::newRow("get offset text") << request("get", 1,
        { { QStringLiteral("path"), QStringLiteral("f") }, { QStringLiteral("offset"), QStringLiteral("1") } })
                                     << "offset";
    QTest::newRow("get prefix hex") << request("get", 1,
        { { QStringLiteral("path"), QStringLiteral("f") }, { QStringLiteral("offset"), 2 },
            { QStringLiteral("prefix_sha256"), QString::fromLatin1(Sha256::hash("ab").toHex()) } })
                                    << "prefix_sha256";
}

void TestFileAudit::wrongFieldTypesAreBadRequest()
{
    QFETCH(QCborMap, message);
    QFETCH(QString, field);
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    RawFiles files(*alice.identity);
    QVERIFY(files.open(m_server->port));
    QVERIFY(writeFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/f"), "hello"));
    QVERIFY(QDir().mkpath(homeOf(QStringLiteral("alice")) + QStringLiteral("/d")));
    const auto answer = files.call(message);
    QVERIFY(answer);
    QCOMPARE(answer->value(QStringLiteral("type")).toString(), QStringLiteral("failed"));
    QCOMPARE(answer->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
    QCOMPARE(answer->value(QStringLiteral("id")).toInteger(), 1);
    QVERIFY2(answer->value(QStringLiteral("message")).toString().contains(QStringLiteral("\"%1\"").arg(field)),
        qPrintable(answer->value(QStringLiteral("message")).toString()));
    // Nothing happened: the folder and the file are as they were, nothing new appeared.
    QVERIFY(QFileInfo(homeOf(QStringLiteral("alice")) + QStringLiteral("/d")).isDir());
    QCOMPARE(readFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/f")), QByteArray("hello"));
    QCOMPARE(
        QDir(homeOf(QStringLiteral("alice"))).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(),
        2);
}

void TestFileAudit::requestWithoutValidIdIsNotCarriedOut()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    RawFiles files(*alice.identity);
    QVERIFY(files.open(m_server->port));
    const QList<QCborValue> badIds { QCborValue(QStringLiteral("7")), QCborValue(-1), QCborValue(2.5),
        QCborValue(QByteArray("7")), QCborValue() };
    for (const QCborValue& id : badIds) {
        QCborMap mkdir { { QStringLiteral("type"), QStringLiteral("mkdir") },
            { QStringLiteral("path"), QStringLiteral("made") } };
        if (!id.isUndefined()) {
            mkdir.insert(QStringLiteral("id"), id);
        }
        const auto answer = files.call(mkdir);
        QVERIFY(answer);
        QCOMPARE(answer->value(QStringLiteral("type")).toString(), QStringLiteral("failed"));
        QCOMPARE(answer->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
        QVERIFY(!answer->contains(QStringLiteral("id")));
        QVERIFY(answer->value(QStringLiteral("message")).toString().contains(QStringLiteral("\"id\"")));
        QVERIFY(!QFileInfo::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/made")));
    }
    // An end whose sha256 is hex text is a bad request, not a misleading checksum failure.
    QVERIFY(files.call(
        request("put", 3, { { QStringLiteral("path"), QStringLiteral("up") }, { QStringLiteral("size"), 5 } })));
    files.send(QCborMap {
        { QStringLiteral("type"), QStringLiteral("data") }, { QStringLiteral("data"), QByteArray("hello") } });
    const auto end = files.call(
        request("end", 3, { { QStringLiteral("sha256"), QString::fromLatin1(Sha256::hash("hello").toHex()) } }));
    QVERIFY(end);
    QCOMPARE(end->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
    QVERIFY(end->value(QStringLiteral("message")).toString().contains(QStringLiteral("\"sha256\"")));
    QVERIFY(!QFileInfo::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/up")));
}

void TestFileAudit::uploadRulesAsDocumented()
{
    // docs/PROTOCOL.md section 8, "Transfers": each rule as the document states it.
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    RawFiles files(*alice.identity);
    QVERIFY(files.open(m_server->port));
    const QByteArray data = randomBytes(1000);
    const auto result = [](const std::optional<QCborMap>& answer) {
        return answer ? answer->value(QStringLiteral("type")).toString() : QStringLiteral("(none)");
    };
    const auto partialOf = [&](const QString& path) {
        const auto answer = files.call(request("partial", 90, { { QStringLiteral("path"), path } }));
        return answer && result(answer) == QLatin1String("result") ? answer->value(QStringLiteral("offset")).toInteger()
                                                                   : -1;
    };
    const qint64 mtime = 1500000000123;
    QCOMPARE(result(files.call(request("put", 10,
                 { { QStringLiteral("path"), QStringLiteral("u.bin") }, { QStringLiteral("size"), data.size() },
                     { QStringLiteral("mtime"), mtime } }))),
        QStringLiteral("result"));
    // A second put during the transfer: bad_request with its own id; the first goes on.
    auto answer = files.call(
        request("put", 11, { { QStringLiteral("path"), QStringLiteral("v.bin") }, { QStringLiteral("size"), 1 } }));
    QCOMPARE(result(answer), QStringLiteral("failed"));
    QCOMPARE(answer->value(QStringLiteral("id")).toInteger(), 11);
    QCOMPARE(answer->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
    files.send(
        QCborMap { { QStringLiteral("type"), QStringLiteral("data") }, { QStringLiteral("data"), data.left(400) } });
    // end before all bytes: bad_request, the partial data stays for a resume.
    answer = files.call(request("end", 10, { { QStringLiteral("sha256"), Sha256::hash(data) } }));
    QCOMPARE(answer->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
    QCOMPARE(answer->value(QStringLiteral("id")).toInteger(), 10);
    QCOMPARE(partialOf(QStringLiteral("u.bin")), 400);
    // Resume at 400 with the prefix's SHA-256; the stored file gets the put's mtime.
    QCOMPARE(result(files.call(request("put", 12,
                 { { QStringLiteral("path"), QStringLiteral("u.bin") }, { QStringLiteral("size"), data.size() },
                     { QStringLiteral("offset"), 400 }, { QStringLiteral("mtime"), mtime },
                     { QStringLiteral("prefix_sha256"), Sha256::hash(data.left(400)) } }))),
        QStringLiteral("result"));
    files.send(
        QCborMap { { QStringLiteral("type"), QStringLiteral("data") }, { QStringLiteral("data"), data.mid(400) } });
    answer = files.call(request("end", 12, { { QStringLiteral("sha256"), Sha256::hash(data) } }));
    QCOMPARE(result(answer), QStringLiteral("result"));
    QCOMPARE(answer->value(QStringLiteral("sha256")).toByteArray(), Sha256::hash(data));
    QCOMPARE(readFile(homeOf(QStringLiteral("alice")) + QStringLiteral("/u.bin")), data);
    QCOMPARE(QFileInfo(homeOf(QStringLiteral("alice")) + QStringLiteral("/u.bin")).lastModified().toMSecsSinceEpoch(),
        mtime);
    QCOMPARE(partialOf(QStringLiteral("u.bin")), 0);
    // More bytes than announced: bad_request, and the partial data is removed.
    QCOMPARE(result(files.call(request(
                 "put", 13, { { QStringLiteral("path"), QStringLiteral("w.bin") }, { QStringLiteral("size"), 10 } }))),
        QStringLiteral("result"));
    files.send(
        QCborMap { { QStringLiteral("type"), QStringLiteral("data") }, { QStringLiteral("data"), data.left(6) } });
    answer = files.call(
        QCborMap { { QStringLiteral("type"), QStringLiteral("data") }, { QStringLiteral("data"), data.left(6) } });
    QCOMPARE(answer->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
    QCOMPARE(answer->value(QStringLiteral("id")).toInteger(), 13);
    QCOMPARE(partialOf(QStringLiteral("w.bin")), 0);
    QVERIFY(!QFileInfo::exists(homeOf(QStringLiteral("alice")) + QStringLiteral("/w.bin")));
    // Data without a put: bad_request without an id.
    answer = files.call(
        QCborMap { { QStringLiteral("type"), QStringLiteral("data") }, { QStringLiteral("data"), data.left(6) } });
    QCOMPARE(answer->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
    QVERIFY(!answer->contains(QStringLiteral("id")));
    // cat: max up to 60000 is fine.
    answer = files.call(
        request("cat", 14, { { QStringLiteral("path"), QStringLiteral("u.bin") }, { QStringLiteral("max"), 60000 } }));
    QCOMPARE(answer->value(QStringLiteral("data")).toByteArray(), data);
}

void TestFileAudit::failedDownloadLeavesNoPart()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    const QString local = m_dir->filePath(QStringLiteral("missing"));
    CliResult result = runCli(cli(alice) + QStringList { QStringLiteral("get"), QStringLiteral("missing"), local });
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("(not_found)")), qPrintable(result.err));
    QVERIFY(!QFileInfo::exists(local + QStringLiteral(".part")));
    QVERIFY(!QFileInfo::exists(local));
    // A .part with an earlier attempt's data stays as it was.
    QVERIFY(writeFile(local + QStringLiteral(".part"), "earlier attempt"));
    result = runCli(cli(alice) + QStringList { QStringLiteral("get"), QStringLiteral("missing"), local });
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(readFile(local + QStringLiteral(".part")), QByteArray("earlier attempt"));
    result = runCli(cli(alice)
        + QStringList { QStringLiteral("get"), QStringLiteral("missing"), local, QStringLiteral("--resume") });
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(readFile(local + QStringLiteral(".part")), QByteArray("earlier attempt"));
}

QTEST_GUILESS_MAIN(TestFileAudit)
#include "TestFileAudit.moc"
