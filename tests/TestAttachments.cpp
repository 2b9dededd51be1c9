// Files in a conversation (docs/PROTOCOL.md section 7, "Attachments") against the real quietwired:
// a message refers to a file in its conversation's shared folder, the server checks it (size,
// SHA-256, where it is) before storing the message, and members see and download it.

#include "ChatProtocol.h"
#include "ChatTestSupport.h"
#include "FileClient.h"
#include "FileTestSupport.h"
#include "Identity.h"
#include "RawClient.h"
#include "ServerProcess.h"
#include "Sha256.h"

#include <QCborArray>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace QuietWire;
using namespace QuietWire::FileTest;

class TestAttachments : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void refusedAttachmentsStoreNothing();
    void attachmentIsDeliveredDownloadedAndShownRemoved();
    void laterMessagesDoNotOvertakeTheCheck();
    void versionOneSeesALine();
    void sendFileThroughTheCli();

private:
    bool startServer() { return m_server->start({}, 16); }
    User makeUser(const QString& name) { return FileTest::makeUser(*m_server, m_dir->path(), name); }
    /// The lab room: private, alice its owner, bob a member.
    bool makeLab();
    /// A version-2 (or, version 1, version-1) chat session of user, past history_end.
    ChatTest::RawChat chatOf(const User& user, qint64 version = ChatProtocol::CurrentVersion);
    /// Uploads data to remote (its folder made first); true when it arrived.
    bool put(FileClient& client, const QString& remote, const QByteArray& data);
    /// The answer to request (accepted, rejected or done with its seq), skipping everything else.
    static std::optional<QCborMap> answerOf(ChatTest::RawChat& chat, const QCborMap& request);
    static QCborMap withAttachment(
        qint64 seq, const QString& room, const QString& path, qint64 size, const QByteArray& sha256);
    /// The messages of room, newest first, as user's history gives them.
    static QCborArray historyOf(ChatTest::RawChat& chat, const QString& room);

    /// Runs quietwire-cli as user against the server.
    CliResult cli(const User& user, const QStringList& args)
    {
        return runCli(
            QStringList { QStringLiteral("--config-dir"), user.configDir, QStringLiteral("--trust-new") } + args);
    }
    QString server() const { return QStringLiteral("127.0.0.1:%1").arg(m_server->port); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    int m_files = 0;
    qint64 m_seq = 100;
};

void TestAttachments::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
}

void TestAttachments::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

bool TestAttachments::makeLab()
{
    return !m_server->command(QStringLiteral("room create lab --private --owner alice"), QStringLiteral("created"))
                .isEmpty()
        && !m_server->command(QStringLiteral("room add lab bob"), QStringLiteral("bob added")).isEmpty();
}

ChatTest::RawChat TestAttachments::chatOf(const User& user, qint64 version)
{
    ChatTest::Client client;
    client.configDir = user.configDir;
    client.bind = QStringLiteral("127.0.0.1");
    ChatTest::RawChat chat = ChatTest::joinChat(client, m_server->port, false,
        version >= ChatProtocol::CurrentVersion ? std::optional<qint64>(version) : std::nullopt);
    if (chat.socket && !chat.next({ QStringLiteral("history_end") })) {
        chat.socket.reset();
    }
    return chat;
}

bool TestAttachments::put(FileClient& client, const QString& remote, const QByteArray& data)
{
    const QString folder = remote.section(QLatin1Char('/'), 0, -2);
    const auto made = call(client, [&] { return client.makeDirectory(folder); });
    if (!made.ok && made.code != ErrorCode::Exists) {
        return false;
    }
    const QString local = m_dir->filePath(QStringLiteral("up%1").arg(++m_files));
    return writeFile(local, data) && runTransfer(client.upload(local, remote));
}

std::optional<QCborMap> TestAttachments::answerOf(ChatTest::RawChat& chat, const QCborMap& request)
{
    chat.send(request);
    const qint64 seq = request.value(QStringLiteral("seq")).toInteger();
    for (int i = 0; i < 100; ++i) {
        const auto answer
            = chat.next({ QStringLiteral("accepted"), QStringLiteral("rejected"), QStringLiteral("done") });
        if (!answer || answer->value(QStringLiteral("seq")).toInteger() == seq) {
            return answer;
        }
    }
    return std::nullopt;
}

QCborMap TestAttachments::withAttachment(
    qint64 seq, const QString& room, const QString& path, qint64 size, const QByteArray& sha256)
{
    QCborMap message = ChatTest::chatMessage(seq, QStringLiteral("the report"));
    message.insert(QStringLiteral("room"), room);
    message.insert(QStringLiteral("attachment"),
        QCborMap {
            { QStringLiteral("path"), path }, { QStringLiteral("size"), size }, { QStringLiteral("sha256"), sha256 } });
    return message;
}

QCborArray TestAttachments::historyOf(ChatTest::RawChat& chat, const QString& room)
{
    static qint64 seq = 5000;
    const auto done = answerOf(chat,
        QCborMap { { QStringLiteral("type"), QStringLiteral("history") }, { QStringLiteral("seq"), ++seq },
            { QStringLiteral("room"), room } });
    return done ? done->value(QStringLiteral("messages")).toArray() : QCborArray();
}

void TestAttachments::refusedAttachmentsStoreNothing()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    const User bob = makeUser(QStringLiteral("bob"));
    QVERIFY(makeLab());
    QVERIFY(!m_server->command(QStringLiteral("room create other --owner alice"), QStringLiteral("created")).isEmpty());
    auto files = connectUser(alice, m_server->port);
    QVERIFY(files);
    const QByteArray data = randomBytes(100000);
    const QByteArray sha = Sha256::hash(data);
    const QString good = QStringLiteral("/rooms/lab/attachments/2026-12-01/report.pdf");
    QVERIFY(put(*files, good, data));
    QVERIFY(put(*files, QStringLiteral("~/report.pdf"), data));
    QVERIFY(put(*files, QStringLiteral("/rooms/other/report.pdf"), data));
    ChatTest::RawChat chat = chatOf(alice);
    QVERIFY(chat.socket);
    const QCborArray before = historyOf(chat, QStringLiteral("lab"));
    QVERIFY(!before.isEmpty()); // the upload's notice
    // A link in the lab's folder to the good file: never followed.
    const QString labFolder = QFileInfo(m_server->dataDir() + QStringLiteral("/rooms")).absoluteFilePath();
    QString labHost;
    for (const QString& id : QDir(labFolder).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (QFile::exists(QStringLiteral("%1/%2/attachments").arg(labFolder, id))) {
            labHost = QStringLiteral("%1/%2").arg(labFolder, id);
        }
    }
    QVERIFY(!labHost.isEmpty());
    QVERIFY(QFile::link(
        labHost + QStringLiteral("/attachments/2026-12-01/report.pdf"), labHost + QStringLiteral("/link.pdf")));

    const struct
    {
        const char* what;
        QString path;
        qint64 size;
        QByteArray sha256;
        const char* code;
    } cases[] = {
        { "a wrong size", good, data.size() + 1, sha, "mismatch" },
        { "a wrong hash", good, data.size(), Sha256::hash("something else"), "mismatch" },
        { "the sender's home", QStringLiteral("~/report.pdf"), data.size(), sha, "bad_path" },
        { "a relative path", QStringLiteral("report.pdf"), data.size(), sha, "bad_path" },
        { "another room's folder", QStringLiteral("/rooms/other/report.pdf"), data.size(), sha, "bad_path" },
        { "a climb out", QStringLiteral("/rooms/lab/../x"), data.size(), sha, "bad_path" },
        { "the folder's root", QStringLiteral("/rooms/lab"), data.size(), sha, "bad_path" },
        { "a missing file", QStringLiteral("/rooms/lab/attachments/2026-12-01/none.pdf"), data.size(), sha,
            "not_found" },
        { "a folder", QStringLiteral("/rooms/lab/attachments"), data.size(), sha, "not_found" },
        { "a link", QStringLiteral("/rooms/lab/link.pdf"), data.size(), sha, "not_found" },
    };
    for (const auto& attempt : cases) {
        const auto answer = answerOf(
            chat, withAttachment(++m_seq, QStringLiteral("lab"), attempt.path, attempt.size, attempt.sha256));
        QVERIFY2(answer, attempt.what);
        QCOMPARE(Protocol::typeOf(*answer), QStringLiteral("rejected"));
        QVERIFY2(answer->value(QStringLiteral("code")).toString() == QLatin1String(attempt.code),
            qPrintable(QStringLiteral("%1: %2 %3")
                           .arg(QLatin1String(attempt.what), answer->value(QStringLiteral("code")).toString(),
                               answer->value(QStringLiteral("message")).toString())));
        QVERIFY(!answer->value(QStringLiteral("message")).toString().isEmpty());
    }
    // A direct message to bob may not name the lab's folder either.
    QCborMap direct = withAttachment(++m_seq, QStringLiteral("lab"), good, data.size(), sha);
    direct.remove(QStringLiteral("room"));
    direct.insert(QStringLiteral("to"), bob.name);
    const auto answer = answerOf(chat, direct);
    QVERIFY(answer);
    QCOMPARE(answer->value(QStringLiteral("code")).toString(), QStringLiteral("bad_path"));
    // Nothing was stored: the lab's history is what it was.
    QCOMPARE(historyOf(chat, QStringLiteral("lab")), before);
}

void TestAttachments::attachmentIsDeliveredDownloadedAndShownRemoved()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    const User bob = makeUser(QStringLiteral("bob"));
    QVERIFY(makeLab());
    auto aliceFiles = connectUser(alice, m_server->port);
    QVERIFY(aliceFiles);
    const QByteArray data = randomBytes(3 * 1024 * 1024 + 17);
    const QString path = QStringLiteral("/rooms/lab/attachments/2026-12-01/report.pdf");
    QVERIFY(put(*aliceFiles, path, data));
    ChatTest::RawChat bobsChat = chatOf(bob);
    QVERIFY(bobsChat.socket);
    ChatTest::RawChat alicesChat = chatOf(alice);
    QVERIFY(alicesChat.socket);

    const auto accepted
        = answerOf(alicesChat, withAttachment(++m_seq, QStringLiteral("lab"), path, data.size(), Sha256::hash(data)));
    QVERIFY(accepted);
    QVERIFY2(Protocol::typeOf(*accepted) == QLatin1String("accepted"),
        qPrintable(accepted->value(QStringLiteral("message")).toString()));
    const qint64 id = accepted->value(QStringLiteral("id")).toInteger();
    // bob receives it live: the sender, the name and the size.
    std::optional<QCborMap> live;
    for (int i = 0; i < 10 && (!live || live->value(QStringLiteral("id")).toInteger() != id); ++i) {
        live = bobsChat.next({ QStringLiteral("message") });
    }
    QVERIFY(live);
    QCOMPARE(live->value(QStringLiteral("id")).toInteger(), id);
    QCOMPARE(live->value(QStringLiteral("from")).toString(), QStringLiteral("alice"));
    QCOMPARE(live->value(QStringLiteral("room")).toString(), QStringLiteral("lab"));
    QCOMPARE(live->value(QStringLiteral("text")).toString(), QStringLiteral("the report"));
    const QCborMap attachment = live->value(QStringLiteral("attachment")).toMap();
    QCOMPARE(attachment.value(QStringLiteral("name")).toString(), QStringLiteral("report.pdf"));
    QCOMPARE(attachment.value(QStringLiteral("path")).toString(), path);
    QCOMPARE(attachment.value(QStringLiteral("size")).toInteger(), data.size());
    QCOMPARE(attachment.value(QStringLiteral("sha256")).toByteArray(), Sha256::hash(data));
    QVERIFY(!attachment.contains(QStringLiteral("removed")));

    const auto fetch = [this, &path](const User& user) {
        auto files = connectUser(user, m_server->port);
        const QString local = m_dir->filePath(QStringLiteral("down%1").arg(++m_files));
        return files && runTransfer(files->download(path, local)) ? readFile(local) : QByteArray("(failed)");
    };
    QCOMPARE(Sha256::hash(fetch(bob)), Sha256::hash(data));

    // After a restart: in bob's history, and downloaded identical again.
    bobsChat.socket.reset();
    alicesChat.socket.reset();
    aliceFiles.reset();
    m_server->stop();
    QVERIFY(startServer());
    bobsChat = chatOf(bob);
    QVERIFY(bobsChat.socket);
    QCborMap stored;
    for (const QCborValue& message : historyOf(bobsChat, QStringLiteral("lab"))) {
        if (message.toMap().value(QStringLiteral("id")).toInteger() == id) {
            stored = message.toMap();
        }
    }
    QCOMPARE(stored.value(QStringLiteral("attachment")).toMap(), attachment);
    QCOMPARE(Sha256::hash(fetch(bob)), Sha256::hash(data));

    // The file deleted from the room's folder: the message stays, its attachment shows as removed.
    aliceFiles = connectUser(alice, m_server->port);
    QVERIFY(aliceFiles);
    QVERIFY(call(*aliceFiles, [&] { return aliceFiles->remove(path); }).ok);
    stored = QCborMap();
    for (const QCborValue& message : historyOf(bobsChat, QStringLiteral("lab"))) {
        if (message.toMap().value(QStringLiteral("id")).toInteger() == id) {
            stored = message.toMap();
        }
    }
    const QCborMap gone = stored.value(QStringLiteral("attachment")).toMap();
    QCOMPARE(gone.value(QStringLiteral("removed")).toBool(), true);
    QCOMPARE(gone.value(QStringLiteral("name")).toString(), QStringLiteral("report.pdf"));
}

void TestAttachments::laterMessagesDoNotOvertakeTheCheck()
{
    // A message with a large attachment, then at once a plain one: the plain one is stored after
    // it (a larger id, its answer after), although its check takes no time.
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    QVERIFY(!m_server->command(QStringLiteral("room create lab --owner alice"), QStringLiteral("created")).isEmpty());
    auto files = connectUser(alice, m_server->port);
    QVERIFY(files);
    const QByteArray data = randomBytes(32 * 1024 * 1024);
    const QString path = QStringLiteral("/rooms/lab/big.bin");
    QVERIFY(put(*files, path, data));
    ChatTest::RawChat chat = chatOf(alice);
    QVERIFY(chat.socket);
    const qint64 first = ++m_seq;
    chat.send(withAttachment(first, QStringLiteral("lab"), path, data.size(), Sha256::hash(data)));
    QCborMap plain = ChatTest::chatMessage(++m_seq, QStringLiteral("after the file"));
    plain.insert(QStringLiteral("room"), QStringLiteral("lab"));
    chat.send(plain);
    const auto one = chat.next({ QStringLiteral("accepted"), QStringLiteral("rejected") });
    const auto two = chat.next({ QStringLiteral("accepted"), QStringLiteral("rejected") });
    QVERIFY(one && two);
    QCOMPARE(Protocol::typeOf(*one), QStringLiteral("accepted"));
    QCOMPARE(Protocol::typeOf(*two), QStringLiteral("accepted"));
    QCOMPARE(one->value(QStringLiteral("seq")).toInteger(), first);
    QCOMPARE(two->value(QStringLiteral("seq")).toInteger(), first + 1);
    QVERIFY(two->value(QStringLiteral("id")).toInteger() > one->value(QStringLiteral("id")).toInteger());
}

void TestAttachments::versionOneSeesALine()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    const User bob = makeUser(QStringLiteral("bob"));
    auto files = connectUser(alice, m_server->port);
    QVERIFY(files);
    const QByteArray data = randomBytes(12345);
    const QString path = QStringLiteral("/rooms/general/attachments/2026-12-01/report.pdf");
    QVERIFY(put(*files, path, data));
    ChatTest::RawChat old = chatOf(bob, ChatProtocol::Version1);
    QVERIFY(old.socket);
    ChatTest::RawChat chat = chatOf(alice);
    QVERIFY(chat.socket);
    QCborMap message = withAttachment(++m_seq, QStringLiteral("general"), path, data.size(), Sha256::hash(data));
    message.insert(QStringLiteral("text"), QString()); // with an attachment the text may be empty
    const auto accepted = answerOf(chat, message);
    QVERIFY(accepted);
    QCOMPARE(Protocol::typeOf(*accepted), QStringLiteral("accepted"));
    std::optional<QCborMap> seen;
    for (int i = 0; i < 10 && (!seen || seen->value(QStringLiteral("from")).toString() != alice.name); ++i) {
        seen = old.next({ QStringLiteral("message") });
    }
    QVERIFY(seen);
    QCOMPARE(seen->value(QStringLiteral("from")).toString(), QStringLiteral("alice"));
    QCOMPARE(seen->value(QStringLiteral("text")).toString(),
        QStringLiteral("[file report.pdf, 12,345 bytes: /rooms/general/attachments/2026-12-01/report.pdf]"));
    QVERIFY(!seen->contains(QStringLiteral("attachment")));

    // A version-1 session may send one too (docs/PROTOCOL.md: the version-2 fields are read in
    // either version): checked alike, its accepted is version 1's, a version-2 member gets the map.
    QCborMap fromOld = withAttachment(++m_seq, QStringLiteral("general"), path, data.size(), Sha256::hash(data));
    fromOld.insert(QStringLiteral("text"), QStringLiteral("from an old client"));
    const auto oldAccepted = answerOf(old, fromOld);
    QVERIFY(oldAccepted);
    QCOMPARE(Protocol::typeOf(*oldAccepted), QStringLiteral("accepted"));
    QVERIFY(!oldAccepted->contains(QStringLiteral("conversation")));
    QCborMap wrongSize = withAttachment(++m_seq, QStringLiteral("general"), path, data.size() + 1, Sha256::hash(data));
    const auto refused = answerOf(old, wrongSize);
    QVERIFY(refused);
    QCOMPARE(refused->value(QStringLiteral("code")).toString(), QStringLiteral("mismatch"));
    std::optional<QCborMap> received;
    for (int i = 0; i < 10 && (!received || received->value(QStringLiteral("from")).toString() != bob.name); ++i) {
        received = chat.next({ QStringLiteral("message") });
    }
    QVERIFY(received);
    QCOMPARE(received->value(QStringLiteral("text")).toString(), QStringLiteral("from an old client"));
    QCOMPARE(received->value(QStringLiteral("attachment")).toMap().value(QStringLiteral("name")).toString(),
        QStringLiteral("report.pdf"));
}

void TestAttachments::sendFileThroughTheCli()
{
    QVERIFY(startServer());
    const User alice = makeUser(QStringLiteral("alice"));
    const User bob = makeUser(QStringLiteral("bob"));
    QVERIFY(makeLab());
    const QByteArray data = randomBytes(200000);
    const QString local = m_dir->filePath(QStringLiteral("report.pdf"));
    QVERIFY(writeFile(local, data));
    const QString day = QDateTime::currentDateTimeUtc().date().toString(QStringLiteral("yyyy-MM-dd"));

    // Twice the same name: the second lands beside the first, never over it.
    const CliResult first = cli(alice,
        { QStringLiteral("send-file"), server(), QStringLiteral("--room"), QStringLiteral("lab"), local,
            QStringLiteral("--text"), QStringLiteral("the report") });
    QVERIFY2(first.exitCode == 0, qPrintable(first.err));
    const CliResult second
        = cli(alice, { QStringLiteral("send-file"), server(), QStringLiteral("--room"), QStringLiteral("lab"), local });
    QVERIFY2(second.exitCode == 0, qPrintable(second.err));
    bool ok = false;
    const qint64 firstId = first.out.trimmed().toLongLong(&ok);
    QVERIFY2(ok, qPrintable(first.out));
    QVERIFY(second.out.trimmed().toLongLong() > firstId);
    const QString path = QStringLiteral("/rooms/lab/attachments/%1/report.pdf").arg(day);
    const QString path2 = QStringLiteral("/rooms/lab/attachments/%1/report (2).pdf").arg(day);

    // bob's history shows both, with path and size, as text and as JSON.
    const CliResult text
        = cli(bob, { QStringLiteral("history"), server(), QStringLiteral("--room"), QStringLiteral("lab") });
    QVERIFY2(text.exitCode == 0, qPrintable(text.err));
    QVERIFY2(text.out.contains(QStringLiteral("[file report.pdf, 200,000 bytes: %1]").arg(path)), qPrintable(text.out));
    QVERIFY2(
        text.out.contains(QStringLiteral("[file report (2).pdf, 200,000 bytes: %1]").arg(path2)), qPrintable(text.out));
    const CliResult json = cli(bob,
        { QStringLiteral("history"), server(), QStringLiteral("--room"), QStringLiteral("lab"),
            QStringLiteral("--json") });
    QVERIFY2(json.exitCode == 0, qPrintable(json.err));
    QJsonObject shown;
    for (const QString& line : json.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QJsonObject object = QJsonDocument::fromJson(line.toUtf8()).object();
        if (object.value(QStringLiteral("id")).toInteger() == firstId) {
            shown = object;
        }
    }
    QCOMPARE(shown.value(QStringLiteral("from")).toString(), QStringLiteral("alice"));
    QCOMPARE(shown.value(QStringLiteral("text")).toString(), QStringLiteral("the report"));
    const QJsonObject attachment = shown.value(QStringLiteral("attachment")).toObject();
    QCOMPARE(attachment.value(QStringLiteral("path")).toString(), path);
    QCOMPARE(attachment.value(QStringLiteral("size")).toInteger(), data.size());
    QCOMPARE(attachment.value(QStringLiteral("sha256")).toString(), QString::fromLatin1(Sha256::hash(data).toHex()));
    QCOMPARE(attachment.value(QStringLiteral("removed")).toBool(), false);

    // The path shown is the one `files get` takes.
    const QString fetched = m_dir->filePath(QStringLiteral("fetched.pdf"));
    const CliResult get = cli(bob, { QStringLiteral("files"), server(), QStringLiteral("get"), path, fetched });
    QVERIFY2(get.exitCode == 0, qPrintable(get.err));
    QCOMPARE(Sha256::hash(readFile(fetched)), Sha256::hash(data));

    // A direct conversation: each of the two names the folder by the other.
    const CliResult direct
        = cli(alice, { QStringLiteral("send-file"), server(), QStringLiteral("--to"), bob.name, local });
    QVERIFY2(direct.exitCode == 0, qPrintable(direct.err));
    const CliResult bobs = cli(bob, { QStringLiteral("history"), server(), QStringLiteral("--to"), alice.name });
    QVERIFY2(bobs.exitCode == 0, qPrintable(bobs.err));
    const QString bobsPath = QStringLiteral("/direct/alice/attachments/%1/report.pdf").arg(day);
    QVERIFY2(bobs.out.contains(bobsPath), qPrintable(bobs.out));
    const QString fetchedDirect = m_dir->filePath(QStringLiteral("direct.pdf"));
    const CliResult getDirect
        = cli(bob, { QStringLiteral("files"), server(), QStringLiteral("get"), bobsPath, fetchedDirect });
    QVERIFY2(getDirect.exitCode == 0, qPrintable(getDirect.err));
    QCOMPARE(Sha256::hash(readFile(fetchedDirect)), Sha256::hash(data));
    const CliResult alices = cli(alice, { QStringLiteral("history"), server(), QStringLiteral("--to"), bob.name });
    QVERIFY2(
        alices.out.contains(QStringLiteral("/direct/bob/attachments/%1/report.pdf").arg(day)), qPrintable(alices.out));

    // Deleted in the room's folder: history says removed.
    QCOMPARE(cli(alice, { QStringLiteral("files"), server(), QStringLiteral("rm"), path }).exitCode, 0);
    const CliResult after
        = cli(bob, { QStringLiteral("history"), server(), QStringLiteral("--room"), QStringLiteral("lab") });
    QVERIFY2(after.out.contains(QStringLiteral("[file report.pdf, 200,000 bytes, removed: %1]").arg(path)),
        qPrintable(after.out));
}

QTEST_MAIN(TestAttachments)
#include "TestAttachments.moc"
