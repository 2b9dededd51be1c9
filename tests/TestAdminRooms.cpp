#include "ChatRequests.h"
#include "ChatStore.h"
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

private:
    /// quietwired with args (--data-dir added) to completion.
    CliResult quietwired(const QStringList& args, const QByteArray& input = {});
    /// Writes authorized_keys with a new key for each name.
    void writeWhitelist(const QStringList& names);
    QString dataDir() const { return m_dir->filePath(QStringLiteral("server")); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestAdminRooms::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(QDir().mkpath(dataDir()));
    QFile::setPermissions(dataDir(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
}

CliResult TestAdminRooms::quietwired(const QStringList& args, const QByteArray& input)
{
    QProcess process;
    process.start(binary("quietwired"), QStringList { QStringLiteral("--data-dir"), dataDir() } + args);
    CliResult result;
    if (!process.waitForStarted(10000)) {
        return result;
    }
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished(5000);
        result.err = QStringLiteral("(timed out) ");
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err += QString::fromUtf8(process.readAllStandardError());
    return result;
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

    // rooms: every room, and the direct conversations of names on the whitelist.
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
    QCOMPARE(result.lines.last(), QStringLiteral("1 direct conversation of names on the whitelist"));

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

QTEST_GUILESS_MAIN(TestAdminRooms)
#include "TestAdminRooms.moc"
