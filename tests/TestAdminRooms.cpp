#include "ChatRequests.h"
#include "ChatStore.h"
#include "ChatTestSupport.h"
#include "Identity.h"
#include "RetentionTask.h"
#include "RoomCommands.h"
#include "ServerProcess.h"
#include "StoreThread.h"

#include <QDateTime>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace QuietWire;

namespace {

QStringList capturedLog;

void captureLog(QtMsgType, const QMessageLogContext& context, const QString& message)
{
    capturedLog << QString::fromLatin1(context.category) + QStringLiteral(": ") + message;
}

} // namespace

/// The administrator's side of the chat store: the room commands (parsed and run on a store
/// in-process, then through the real quietwired offline, on its console and forwarded to it while
/// it runs), the console's backup while messages are written, and --retention-days.
class TestAdminRooms : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void parsedCommandsReadBackTheSame_data();
    void parsedCommandsReadBackTheSame();
    void badWordsAreUsageErrors_data();
    void badWordsAreUsageErrors();
    void runOnAStoreGivesTypedErrors();
    void offlineRoomCommands();
    void retentionSweepsAreLoggedWhenTheyDelete();
    void roomCommandsOnTheRunningServer();
    void retentionOnTheRunningServer();
    void consoleBackupWhileMessagesAreWritten();

private:
    /// quietwired with args (--data-dir added) to completion.
    CliResult quietwired(const QStringList& args, const QByteArray& input = {});
    /// Writes authorized_keys with a new key for each name.
    void writeWhitelist(const QStringList& names);
    QString dataDir() const { return m_dir->filePath(QStringLiteral("server")); }
    /// Starts the server with these clients on its whitelist under their names.
    bool startServer(const QList<std::pair<QString, ChatTest::Client>>& clients, const QStringList& extra = {});
    static ChatStore::NewMessage message(qint64 conversation, const QString& text, qint64 timeMs);

    std::unique_ptr<ServerProcess> m_server;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestAdminRooms::init()
{
    m_server.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(QDir().mkpath(dataDir()));
    QFile::setPermissions(dataDir(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
}

CliResult TestAdminRooms::quietwired(const QStringList& args, const QByteArray& input)
{
    return runProgram("quietwired", QStringList { QStringLiteral("--data-dir"), dataDir() } + args, input, 60000);
}

void TestAdminRooms::writeWhitelist(const QStringList& names)
{
    QByteArray text;
    for (const QString& name : names) {
        const auto identity = Identity::generate(name + QStringLiteral("@test"));
        QVERIFY(identity);
        text += Identity::encodePublicKey(identity->publicKey()).toLatin1() + ' ' + name.toUtf8() + '\n';
    }
    QFile file(QDir(dataDir()).filePath(QStringLiteral("authorized_keys")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

void TestAdminRooms::parsedCommandsReadBackTheSame_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("words");
    QTest::addColumn<QStringList>("canonical"); // Command::words() of the parsed command
    QTest::newRow("rooms") << "rooms" << QStringList {} << QStringList {};
    QTest::newRow("create") << "room" << QStringList { "create", "plans" } << QStringList { "create", "plans" };
    QTest::newRow("create, options in any order")
        << "room" << QStringList { "create", "plans", "--topic", "Our", " plans ", "--owner", "alice", "--private" }
        << QStringList { "create", "plans", "--private", "--owner", "alice", "--topic", "Our plans" };
    QTest::newRow("create, one quoted topic")
        << "room" << QStringList { "create", "plans", "--topic", "Our  plans\tfor 2027" }
        << QStringList { "create", "plans", "--topic", "Our plans for 2027" };
    QTest::newRow("delete") << "room" << QStringList { "delete", "plans" } << QStringList { "delete", "plans" };
    QTest::newRow("topic") << "room" << QStringList { "topic", "plans", "new", "--private", "topic" }
                           << QStringList { "topic", "plans", "new --private topic" };
    QTest::newRow("topic cleared") << "room" << QStringList { "topic", "plans" } << QStringList { "topic", "plans" };
    QTest::newRow("members") << "room" << QStringList { "members", "plans" } << QStringList { "members", "plans" };
    QTest::newRow("add") << "room" << QStringList { "add", "plans", "bob" } << QStringList { "add", "plans", "bob" };
    QTest::newRow("add owner") << "room" << QStringList { "add", "plans", "bob", "--owner" }
                               << QStringList { "add", "plans", "bob", "--owner" };
    QTest::newRow("remove") << "room" << QStringList { "remove", "plans", "bob" }
                            << QStringList { "remove", "plans", "bob" };
}

void TestAdminRooms::parsedCommandsReadBackTheSame()
{
    QFETCH(QString, name);
    QFETCH(QStringList, words);
    QFETCH(QStringList, canonical);
    RoomCommands::Command command;
    QString error;
    QVERIFY2(RoomCommands::parse(name, words, &command, &error), qPrintable(error));
    QCOMPARE(command.words(), canonical);
    // What the console gets when an offline command is forwarded: split on spaces, as it does.
    RoomCommands::Command again;
    const QStringList split = canonical.join(QLatin1Char(' ')).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QVERIFY2(RoomCommands::parse(name, split, &again, &error), qPrintable(error));
    QCOMPARE(again.words(), canonical);
}

void TestAdminRooms::badWordsAreUsageErrors_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("words");
    QTest::newRow("rooms with words") << "rooms" << QStringList { "plans" };
    QTest::newRow("room alone") << "room" << QStringList {};
    QTest::newRow("no name") << "room" << QStringList { "create" };
    QTest::newRow("unknown action") << "room" << QStringList { "rename", "plans" };
    QTest::newRow("unknown option") << "room" << QStringList { "create", "plans", "--secret" };
    QTest::newRow("owner without a name") << "room" << QStringList { "create", "plans", "--owner" };
    QTest::newRow("owner then option") << "room" << QStringList { "create", "plans", "--owner", "--private" };
    QTest::newRow("delete with more") << "room" << QStringList { "delete", "plans", "now" };
    QTest::newRow("add without member") << "room" << QStringList { "add", "plans" };
    QTest::newRow("add with an option first") << "room" << QStringList { "add", "plans", "--owner", "bob" };
    QTest::newRow("remove --owner") << "room" << QStringList { "remove", "plans", "bob", "--owner" };
}

void TestAdminRooms::badWordsAreUsageErrors()
{
    QFETCH(QString, name);
    QFETCH(QStringList, words);
    RoomCommands::Command command;
    QString error;
    QVERIFY(!RoomCommands::parse(name, words, &command, &error));
    QVERIFY2(error.startsWith(QStringLiteral("usage: rooms")), qPrintable(error));
}

void TestAdminRooms::runOnAStoreGivesTypedErrors()
{
    StoreFailure failure;
    ChatStore::Options options;
    options.databaseName = m_dir->filePath(QStringLiteral("unit.db"));
    const auto store = ChatStore::open(options, &failure);
    QVERIFY2(store, qPrintable(failure.message));
    const QSet<QString> names { QStringLiteral("alice"), QStringLiteral("bob") };
    const auto run = [&](const QStringList& words) {
        RoomCommands::Command command;
        QString error;
        if (!RoomCommands::parse(words.first(), words.mid(1), &command, &error)) {
            qWarning("%s", qPrintable(error));
            return RoomCommands::Result { RoomCommands::Error::Usage, error, {}, 0, {} };
        }
        return RoomCommands::run(*store, command, names, 1000);
    };
    using Error = RoomCommands::Error;

    RoomCommands::Result result = run({ "room", "create", "plans", "--private", "--owner", "alice" });
    QCOMPARE(result.error, Error::None);
    const auto plans = store->room(QStringLiteral("plans"));
    QVERIFY(plans);
    QCOMPARE(result.changed, plans->id);
    QVERIFY(plans->isPrivate);
    QCOMPARE(store->roleOf(plans->id, QStringLiteral("alice")), MemberRole::Owner);
    QVERIFY2(result.logLine.contains(QStringLiteral("plans")), qPrintable(result.logLine));

    QCOMPARE(run({ "room", "create", "plans" }).error, Error::Exists);
    QCOMPARE(run({ "room", "create", "general" }).error, Error::Exists);
    result = run({ "room", "create", "a/b" });
    QCOMPARE(result.error, Error::BadName);
    QVERIFY2(result.message.contains(QStringLiteral("letters, digits")), qPrintable(result.message));
    QCOMPARE(
        run({ "room", "create", QString(ChatStore::MaxRoomNameLength + 1, QLatin1Char('x')) }).error, Error::BadName);
    QCOMPARE(run({ "room", "create", QString(ChatStore::MaxRoomNameLength, QLatin1Char('x')) }).error, Error::None);
    result = run({ "room", "create", "other", "--owner", "mallory" });
    QCOMPARE(result.error, Error::UnknownMember);
    QVERIFY2(result.message.contains(QStringLiteral("`whitelist`")), qPrintable(result.message));
    QVERIFY(!store->room(QStringLiteral("other"))); // nothing created
    QCOMPARE(run({ "room", "topic", "plans", QStringLiteral("bell\a") }).error, Error::BadTopic);
    QCOMPARE(run({ "room", "topic", "plans", QString(ChatProtocol::MaxTopicBytes + 1, QLatin1Char('t')) }).error,
        Error::BadTopic);

    QCOMPARE(run({ "room", "add", "plans", "bob" }).error, Error::None);
    QCOMPARE(store->roleOf(plans->id, QStringLiteral("bob")), MemberRole::Member);
    QCOMPARE(run({ "room", "add", "plans", "bob", "--owner" }).error, Error::None);
    QCOMPARE(store->roleOf(plans->id, QStringLiteral("bob")), MemberRole::Owner);
    QCOMPARE(run({ "room", "add", "plans", "mallory" }).error, Error::UnknownMember);
    QCOMPARE(run({ "room", "add", "nowhere", "bob" }).error, Error::UnknownRoom);
    result = run({ "room", "members", "plans" });
    QCOMPARE(result.error, Error::None);
    QCOMPARE(result.changed, 0); // nothing changed
    QCOMPARE(result.lines.size(), 2);
    QVERIFY(
        result.lines.at(0).startsWith(QStringLiteral("alice")) && result.lines.at(0).endsWith(QStringLiteral("owner")));
    QCOMPARE(run({ "room", "remove", "plans", "bob" }).error, Error::None);
    QCOMPARE(run({ "room", "remove", "plans", "bob" }).error, Error::NotMember);
    const auto general = store->room(QStringLiteral("general"));
    QVERIFY(store->addMember(general->id, QStringLiteral("alice"), MemberRole::Member));
    QCOMPARE(run({ "room", "remove", "general", "alice" }).error, Error::General);
    QCOMPARE(store->roleOf(general->id, QStringLiteral("alice")), MemberRole::Member);
    QCOMPARE(run({ "room", "delete", "general" }).error, Error::General);
    QVERIFY(store->room(QStringLiteral("general")));

    // rooms: every room, and how many direct conversations there are.
    QVERIFY(store->directConversation(QStringLiteral("alice"), QStringLiteral("bob"), 1000));
    QVERIFY(run({ "room", "topic", "plans", "Our", "plans" }).error == Error::None);
    result = run({ "rooms" });
    QCOMPARE(result.error, Error::None);
    QCOMPARE(result.lines.size(), 4); // general, plans, xxx..., direct
    QVERIFY2(result.lines.at(1).startsWith(QStringLiteral("plans"))
            && result.lines.at(1).contains(QStringLiteral("private"))
            && result.lines.at(1).contains(QStringLiteral("1 member "))
            && result.lines.at(1).endsWith(QStringLiteral("Our plans")),
        qPrintable(result.lines.at(1)));
    QCOMPARE(result.lines.last(), QStringLiteral("1 direct conversation"));

    result = run({ "room", "delete", "plans" });
    QCOMPARE(result.error, Error::None);
    QCOMPARE(result.changed, plans->id); // the chat reloads it and finds it gone
    QVERIFY(!store->room(QStringLiteral("plans")));
    QCOMPARE(run({ "room", "delete", "plans" }).error, Error::UnknownRoom);
}

void TestAdminRooms::offlineRoomCommands()
{
    writeWhitelist({ QStringLiteral("alice"), QStringLiteral("bob") });
    CliResult result = quietwired({ QStringLiteral("room"), QStringLiteral("create"), QStringLiteral("plans"),
        QStringLiteral("--private"), QStringLiteral("--topic"), QStringLiteral("Our plans"), QStringLiteral("--owner"),
        QStringLiteral("alice") });
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains(QStringLiteral("room plans (private) created, owner alice")), qPrintable(result.out));
    result
        = quietwired({ QStringLiteral("room"), QStringLiteral("add"), QStringLiteral("plans"), QStringLiteral("bob") });
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    result = quietwired({ QStringLiteral("room"), QStringLiteral("members"), QStringLiteral("plans") });
    QCOMPARE(result.exitCode, 0);
    const QStringList members = result.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(members.size(), 2);
    QVERIFY(members.at(0).startsWith(QStringLiteral("alice ")) && members.at(0).endsWith(QStringLiteral("owner")));
    QVERIFY(members.at(1).startsWith(QStringLiteral("bob ")) && members.at(1).endsWith(QStringLiteral("member")));
    result = quietwired({ QStringLiteral("room"), QStringLiteral("topic"), QStringLiteral("plans"),
        QStringLiteral("Plans"), QStringLiteral("for"), QStringLiteral("2027") });
    QCOMPARE(result.exitCode, 0);
    result = quietwired({ QStringLiteral("rooms") });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(QRegularExpression(QStringLiteral("plans +private +2 members +Plans for 2027\n"))),
        qPrintable(result.out));
    QVERIFY(result.out.contains(QRegularExpression(QStringLiteral("general +public"))));
    QVERIFY(result.out.contains(QStringLiteral("0 direct conversations")));
    result = quietwired(
        { QStringLiteral("room"), QStringLiteral("remove"), QStringLiteral("plans"), QStringLiteral("bob") });
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.contains(QStringLiteral("bob removed")));

    // The errors, each on stderr with exit status 1, and nothing changed.
    const QList<std::pair<QStringList, QString>> refused {
        { { "room", "create", "no/slash" }, "is not a room name: up to 64 letters, digits" },
        { { "room", "create", "plans" }, "a room named plans exists already" },
        { { "room", "add", "plans", "carol" }, "carol is not a name on the whitelist (`whitelist` lists them)" },
        { { "room", "create", "more", "--owner", "carol" }, "carol is not a name on the whitelist" },
        { { "room", "remove", "plans", "bob" }, "bob is not a member of plans" },
        { { "room", "remove", "general", "alice" }, "nobody is removed from general" },
        { { "room", "delete", "general" }, "general cannot be deleted" },
        { { "room", "members", "nowhere" }, "there is no room named nowhere" },
        { { "room", "frobnicate", "plans" }, "usage: rooms | room create NAME" },
    };
    for (const auto& [words, message] : refused) {
        result = quietwired(words);
        QVERIFY2(result.exitCode == 1 && result.err.contains(message) && result.out.isEmpty(),
            qPrintable(words.join(QLatin1Char(' ')) + QStringLiteral(": ") + result.err));
    }
    result = quietwired({ QStringLiteral("rooms") });
    QCOMPARE(result.out.count(QLatin1Char('\n')), 3); // general, plans, the direct line: nothing more

    result = quietwired({ QStringLiteral("room"), QStringLiteral("delete"), QStringLiteral("plans") });
    QCOMPARE(result.exitCode, 0);
    result = quietwired({ QStringLiteral("rooms") });
    QVERIFY2(!result.out.contains(QStringLiteral("plans")), qPrintable(result.out));

    // quietwired --help lists them (the manual page is made from it).
    result = quietwired({ QStringLiteral("--help") });
    QVERIFY(result.out.contains(QStringLiteral("room create NAME [--private] [--owner MEMBER] [--topic TEXT]")));
    QVERIFY(result.out.contains(QStringLiteral("--retention-days <N>")));
}

void TestAdminRooms::retentionSweepsAreLoggedWhenTheyDelete()
{
    const qint64 day = 24LL * 3600 * 1000;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    ChatStore::Options options;
    options.databaseName = m_dir->filePath(QStringLiteral("retention.db"));
    {
        StoreFailure failure;
        const auto store = ChatStore::open(options, &failure);
        QVERIFY2(store, qPrintable(failure.message));
        const qint64 general = store->room(QStringLiteral("general"))->id;
        QList<ChatStore::NewMessage> batch;
        for (const qint64 age : { 9 * day, 6 * day, 4 * day, day }) {
            ChatStore::NewMessage message;
            message.conversation = general;
            message.sender = QStringLiteral("alice");
            message.timeMs = now - age;
            message.text = QStringLiteral("%1 days old").arg(age / day);
            batch << message;
        }
        QVERIFY(store->append(batch));
    }
    StoreThread thread(options);
    StoreFailure failure;
    QVERIFY2(thread.open(&failure), qPrintable(failure.message));
    capturedLog.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureLog);
    RetentionTask* task = RetentionTask::startForDays(thread, 5, this);
    int sweeps = 0;
    connect(task, &RetentionTask::sweepFinished, this, [&sweeps] { ++sweeps; });
    const bool swept = QTest::qWaitFor([&] { return sweeps == 1; }, 30000);
    // The next sweeps find nothing more and say nothing.
    task->setCheckInterval(20);
    const bool sweptAgain = QTest::qWaitFor([&] { return sweeps >= 3; }, 30000);
    qInstallMessageHandler(previous);
    QVERIFY(swept && sweptAgain);
    QCOMPARE(task->deleted(), qint64(2));
    QCOMPARE(capturedLog,
        QStringList { QStringLiteral("quietwire.chat: retention: deleted 2 message(s) older than 5 day(s)") });
    const auto left = thread.call([](ChatStore& store) { return store.history(store.room("general")->id, 0, 10); });
    QVERIFY(left);
    QCOMPARE(left->size(), 2);
    QCOMPARE(left->at(0).text, QStringLiteral("1 days old"));
    QCOMPARE(left->at(1).text, QStringLiteral("4 days old"));
    delete task;
    thread.close();
}

bool TestAdminRooms::startServer(const QList<std::pair<QString, ChatTest::Client>>& clients, const QStringList& extra)
{
    QStringList lines;
    for (const auto& [name, client] : clients) {
        lines << client.keyLine.section(QLatin1Char(' '), 0, 0) + QLatin1Char(' ') + name;
    }
    m_server = std::make_unique<ServerProcess>(dataDir());
    return m_server->start(lines, extra, 8);
}

ChatStore::NewMessage TestAdminRooms::message(qint64 conversation, const QString& text, qint64 timeMs)
{
    ChatStore::NewMessage message;
    message.conversation = conversation;
    message.sender = QStringLiteral("alice");
    message.fingerprint = QStringLiteral("SHA256:test");
    message.timeMs = timeMs;
    message.text = text;
    return message;
}

void TestAdminRooms::roomCommandsOnTheRunningServer()
{
    const auto alice = ChatTest::makeClient(m_dir->filePath(QStringLiteral("alice")), QStringLiteral("127.0.0.2"));
    const auto bob = ChatTest::makeClient(m_dir->filePath(QStringLiteral("bob")), QStringLiteral("127.0.0.3"));
    QVERIFY(startServer({ { QStringLiteral("alice"), alice }, { QStringLiteral("bob"), bob } }));
    // bob speaks version 2: the chat tells him what the administrator changes.
    ChatTest::RawChat session = ChatTest::joinChat(bob, m_server->port, false, 2);
    QVERIFY(session.socket);
    QVERIFY(session.next({ QStringLiteral("history_end") }));

    // On the console through console.sock ...
    CliResult result = quietwired({ QStringLiteral("console"), QStringLiteral("room"), QStringLiteral("create"),
        QStringLiteral("plans"), QStringLiteral("--private"), QStringLiteral("--owner"), QStringLiteral("alice"),
        QStringLiteral("--topic"), QStringLiteral("Plans for 2027") });
    QVERIFY2(result.exitCode == 0 && result.out.contains(QStringLiteral("room plans (private) created, owner alice")),
        qPrintable(result.out + result.err));
    QVERIFY(m_server->waitForLog(
        QStringLiteral("console: room plans (private) created, owner alice, topic: Plans for 2027")));

    // ... on its standard input ...
    QVERIFY(!m_server->command(QStringLiteral("room add plans bob"), QStringLiteral("bob added as member")).isEmpty());
    auto event = session.next({ QStringLiteral("room"), QStringLiteral("room_gone") });
    QVERIFY(event);
    const auto added = ChatProtocol::RoomChanged::decode(*event);
    QVERIFY2(added.ok(), qPrintable(added.error ? added.error->message : QString()));
    QCOMPARE(added.value.conversation.name, QStringLiteral("plans"));
    QCOMPARE(added.value.conversation.topic, QStringLiteral("Plans for 2027"));
    QVERIFY(added.value.conversation.isPrivate);
    QVERIFY(m_server->waitForLog(QStringLiteral("console: room plans: bob added as member")));

    // ... and offline, which goes through the console while the server runs.
    result = quietwired({ QStringLiteral("room"), QStringLiteral("members"), QStringLiteral("plans") });
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY2(result.out.contains(QRegularExpression(QStringLiteral("^alice +owner\nbob +member\n$"))),
        qPrintable(result.out));
    result = quietwired({ QStringLiteral("room"), QStringLiteral("topic"), QStringLiteral("plans"),
        QStringLiteral("The"), QStringLiteral("plans") });
    QCOMPARE(result.exitCode, 0);
    event = session.next({ QStringLiteral("room"), QStringLiteral("room_gone") });
    QVERIFY(event);
    QCOMPARE(ChatProtocol::RoomChanged::decode(*event).value.conversation.topic, QStringLiteral("The plans"));
    result = quietwired(
        { QStringLiteral("room"), QStringLiteral("remove"), QStringLiteral("plans"), QStringLiteral("bob") });
    QVERIFY2(result.exitCode == 0 && result.out.contains(QStringLiteral("room plans: bob removed")),
        qPrintable(result.out + result.err));
    event = session.next({ QStringLiteral("room"), QStringLiteral("room_gone") });
    QVERIFY(event);
    const auto gone = ChatProtocol::RoomGone::decode(*event);
    QVERIFY(gone.ok());
    QCOMPARE(gone.value.room, QStringLiteral("plans"));
    QCOMPARE(gone.value.reason, ChatProtocol::RoomGone::Reason::Removed);
    QVERIFY(m_server->waitForLog(QStringLiteral("console: room plans: bob removed")));

    // The errors: on the console as "error: ..." (exit 1), forwarded on standard error (exit 1).
    result = quietwired({ QStringLiteral("console"), QStringLiteral("room"), QStringLiteral("add"),
        QStringLiteral("plans"), QStringLiteral("carol") });
    QVERIFY2(result.exitCode == 1
            && result.out.contains(
                QStringLiteral("error: carol is not a name on the whitelist (`whitelist` lists them)")),
        qPrintable(result.out));
    const QList<std::pair<QStringList, QString>> refused {
        { { "room", "create", "no/slash" }, "is not a room name: up to 64 letters, digits" },
        { { "room", "create", "plans" }, "a room named plans exists already" },
        { { "room", "remove", "general", "alice" }, "nobody is removed from general" },
        { { "room", "delete", "general" }, "general cannot be deleted" },
        { { "room", "remove", "plans", "bob" }, "bob is not a member of plans" },
    };
    for (const auto& [words, message] : refused) {
        result = quietwired(words);
        QVERIFY2(result.exitCode == 1 && result.err.startsWith(QStringLiteral("quietwired: "))
                && result.err.contains(message) && result.out.isEmpty(),
            qPrintable(words.join(QLatin1Char(' ')) + QStringLiteral(": ") + result.out + result.err));
    }
    result = quietwired({ QStringLiteral("console"), QStringLiteral("rooms") });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(QRegularExpression(QStringLiteral("plans +private +1 member +The plans\n"))),
        qPrintable(result.out));

    result = quietwired({ QStringLiteral("room"), QStringLiteral("delete"), QStringLiteral("plans") });
    QCOMPARE(result.exitCode, 0);
    QVERIFY(m_server->waitForLog(QStringLiteral("console: room plans (private) deleted")));
    result = quietwired({ QStringLiteral("rooms") });
    QVERIFY2(result.exitCode == 0 && !result.out.contains(QStringLiteral("plans")), qPrintable(result.out));

    // Stopped, the same command opens the store itself and sees what the server did.
    m_server->stop();
    result = quietwired({ QStringLiteral("room"), QStringLiteral("create"), QStringLiteral("after") });
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    QVERIFY(m_server->start());
    result = quietwired({ QStringLiteral("console"), QStringLiteral("rooms") });
    QVERIFY2(result.out.contains(QRegularExpression(QStringLiteral("after +public"))), qPrintable(result.out));
}

void TestAdminRooms::retentionOnTheRunningServer()
{
    // Messages of every age, written into the store before the server starts.
    const qint64 day = 24LL * 3600 * 1000;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    ChatStore::Options options;
    options.databaseName = QDir(dataDir()).filePath(QLatin1String(ChatStore::FileName));
    {
        StoreFailure failure;
        const auto store = ChatStore::open(options, &failure);
        QVERIFY2(store, qPrintable(failure.message));
        const qint64 general = store->room(QStringLiteral("general"))->id;
        const auto plans = store->createRoom(QStringLiteral("plans"), QString(), true, QStringLiteral("alice"), now);
        QVERIFY(plans);
        QVERIFY(store->append({ message(general, QStringLiteral("ten days"), now - 10 * day),
            message(plans->id, QStringLiteral("eight days"), now - 8 * day),
            message(general, QStringLiteral("six days"), now - 6 * day),
            message(plans->id, QStringLiteral("four days"), now - 4 * day),
            message(general, QStringLiteral("today"), now) }));
    }
    const auto alice = ChatTest::makeClient(m_dir->filePath(QStringLiteral("alice")), QStringLiteral("127.0.0.2"));
    QVERIFY(startServer(
        { { QStringLiteral("alice"), alice } }, { QStringLiteral("--retention-days"), QStringLiteral("5") }));
    QVERIFY2(m_server->waitForLog(QStringLiteral("retention: deleted 3 message(s) older than 5 day(s)")),
        qPrintable(m_server->log()));
    m_server->stop();
    QVERIFY2(!m_server->log().contains(QStringLiteral("retention: the sweep stopped")), qPrintable(m_server->log()));

    StoreFailure failure;
    const auto store = ChatStore::open(options, &failure);
    QVERIFY2(store, qPrintable(failure.message));
    QStringList left;
    for (const QString& room : { QStringLiteral("general"), QStringLiteral("plans") }) {
        const auto page = store->history(store->room(room)->id, 0, 100);
        QVERIFY(page);
        for (const StoredMessage& stored : *page) {
            left << stored.text;
        }
    }
    QCOMPARE(left, (QStringList { QStringLiteral("today"), QStringLiteral("four days") }));
    QVERIFY(store->room(QStringLiteral("plans"))); // the room stays, only its old messages go
}

void TestAdminRooms::consoleBackupWhileMessagesAreWritten()
{
    // A store with some history already (in another room), so the backup takes a while.
    constexpr int Archived = 20000;
    {
        StoreFailure failure;
        ChatStore::Options options;
        options.databaseName = QDir(dataDir()).filePath(QLatin1String(ChatStore::FileName));
        const auto store = ChatStore::open(options, &failure);
        QVERIFY2(store, qPrintable(failure.message));
        const auto archive = store->createRoom(QStringLiteral("archive"), QString(), false, QString(), 1000);
        QVERIFY(archive);
        QList<ChatStore::NewMessage> batch;
        for (int i = 0; i < Archived; ++i) {
            batch << message(archive->id, QStringLiteral("archived %1 ").arg(i).repeated(20), 1000 + i);
        }
        QVERIFY(store->append(batch));
    }
    const auto alice = ChatTest::makeClient(m_dir->filePath(QStringLiteral("alice")), QStringLiteral("127.0.0.2"));
    QVERIFY(startServer({ { QStringLiteral("alice"), alice } }));
    ChatTest::RawChat chat = ChatTest::joinChat(alice, m_server->port);
    QVERIFY(chat.socket);
    QVERIFY(chat.next({ QStringLiteral("history_end") }));
    // alice keeps writing, 20 messages at a time, from before the backup starts until after it ended.
    int sent = 0;
    int accepted = 0;
    const auto writeSome = [&] {
        for (int i = 0; i < 20; ++i) {
            ++sent;
            chat.send(ChatTest::chatMessage(sent, QStringLiteral("burst %1").arg(sent)));
        }
        while (accepted < sent) {
            const auto reply = chat.next({ QStringLiteral("accepted"), QStringLiteral("rejected") });
            if (!reply || Protocol::typeOf(*reply) != QLatin1String("accepted")) {
                return false;
            }
            ++accepted;
        }
        return true;
    };
    QVERIFY(writeSome());
    const int acceptedBefore = accepted; // committed: the backup must hold these
    const QString backupFile = m_dir->filePath(QStringLiteral("backup.db"));
    QProcess backup;
    backup.start(binary("quietwired"),
        { QStringLiteral("console"), QStringLiteral("--data-dir"), dataDir(), QStringLiteral("backup"), backupFile });
    while (backup.state() != QProcess::NotRunning && !backup.waitForFinished(1) && sent < 1000000) {
        QVERIFY(writeSome());
    }
    QVERIFY(waitFinished(backup));
    const int acceptedDuring = accepted; // none after these can be in the backup
    QVERIFY(writeSome());
    const int count = sent;
    const QString backupOut = QString::fromUtf8(backup.readAllStandardOutput());
    QVERIFY2(backup.exitCode() == 0 && backupOut.contains(QStringLiteral("Backed up")), qPrintable(backupOut));
    QVERIFY(m_server->waitForLog(QStringLiteral("console: chat store backed up to")));
    // A relative path is refused on the console: it would be the server's working directory's.
    CliResult result
        = quietwired({ QStringLiteral("console"), QStringLiteral("backup"), QStringLiteral("relative.db") });
    QVERIFY2(
        result.exitCode == 1 && result.out.contains(QStringLiteral("needs an absolute path")), qPrintable(result.out));
    // A backup never writes over a file; the error comes back once the copy was tried.
    result = quietwired({ QStringLiteral("console"), QStringLiteral("backup"), backupFile });
    QVERIFY2(result.exitCode == 1 && result.out.startsWith(QStringLiteral("error: "))
            && result.out.contains(QStringLiteral("never writes over")),
        qPrintable(result.out));
    // On standard input too; the console takes the next line once the backup is written.
    const QString reply
        = m_server->command(QStringLiteral("backup %1\nrooms").arg(m_dir->filePath(QStringLiteral("second.db"))),
            QStringLiteral("direct conversation"));
    QVERIFY2(reply.indexOf(QStringLiteral("Backed up")) >= 0
            && reply.indexOf(QStringLiteral("Backed up")) < reply.indexOf(QStringLiteral("archive ")),
        qPrintable(reply));
    QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("second.db"))));
    m_server->stop();

    // Restored into the stopped server: what the backup holds is the oldest part of what was
    // accepted (a snapshot of whole commits): at least what was accepted before it began, nothing
    // accepted after it ended.
    result = quietwired({ QStringLiteral("restore"), backupFile });
    QVERIFY2(result.exitCode == 0, qPrintable(result.err));
    const QStringList kept = QDir(dataDir()).entryList({ QStringLiteral("quietwire.db.before-restore-*") });
    QVERIFY2(!kept.isEmpty(), qPrintable(QDir(dataDir()).entryList().join(QLatin1Char(' '))));
    const auto historyOf = [](const QString& path, const QString& room) {
        StoreFailure failure;
        ChatStore::Options options;
        options.databaseName = path;
        const auto store = ChatStore::open(options, &failure);
        if (!store) {
            qWarning("%s", qPrintable(failure.message));
            return QList<StoredMessage>();
        }
        const auto page = store->history(store->room(room)->id, 0, 2000000);
        return page ? *page : QList<StoredMessage>();
    };
    const QString livePath = QDir(dataDir()).filePath(kept.first());
    const QString restoredPath = QDir(dataDir()).filePath(QLatin1String(ChatStore::FileName));
    QList<StoredMessage> live = historyOf(livePath, QStringLiteral("general"));
    QList<StoredMessage> restored = historyOf(restoredPath, QStringLiteral("general"));
    QCOMPARE(historyOf(restoredPath, QStringLiteral("archive")).size(), Archived);
    std::reverse(live.begin(), live.end()); // oldest first
    std::reverse(restored.begin(), restored.end());
    QCOMPARE(live.size(), count);
    for (int i = 0; i < count; ++i) {
        QCOMPARE(live.at(i).text, QStringLiteral("burst %1").arg(i + 1));
    }
    QVERIFY2(restored.size() >= acceptedBefore && restored.size() <= acceptedDuring,
        qPrintable(QStringLiteral("%1 <= %2 <= %3").arg(acceptedBefore).arg(restored.size()).arg(acceptedDuring)));
    QCOMPARE(restored, live.mid(0, restored.size()));
    qInfo("accepted before the backup began: %d, in the backup: %lld, accepted when it ended: %d, in all: %d",
        acceptedBefore, qint64(restored.size()), acceptedDuring, count);
    // And the server runs on it.
    QVERIFY(m_server->start());
}

QTEST_GUILESS_MAIN(TestAdminRooms)
#include "TestAdminRooms.moc"
