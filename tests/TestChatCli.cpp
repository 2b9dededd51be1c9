// quietwire-cli on version 2 of the chat protocol, against the real quietwired: rooms, room,
// chat --room/--to, history and search, in text and in --json, and the exit status of a refusal.

#include "ChatTestSupport.h"
#include "Identity.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace QuietWire;

namespace {

/// A client identity in its own config dir, connecting from its own loopback address.
struct Client
{
    QString name;
    QString configDir;
    QString bind;
    QString keyLine;
    QString fingerprint;

    QStringList args(const QStringList& rest) const
    {
        return QStringList { QStringLiteral("--config-dir"), configDir, QStringLiteral("--bind"), bind,
            QStringLiteral("--trust-new") }
        + rest;
    }
};

/// Each line of out as a JSON object; an empty list (and a warning) when one is not.
QList<QJsonObject> jsonLines(const QString& out)
{
    QList<QJsonObject> objects;
    for (const QString& line : out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            qWarning("not a JSON object: %s", qPrintable(line));
            return {};
        }
        objects.append(document.object());
    }
    return objects;
}

QString describe(const CliResult& result)
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(result.exitCode).arg(result.out, result.err);
}

} // namespace

class TestChatCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void helpListsTheCommands();
    void privateRoomCreateInviteChatAndHistory();
    void historyJsonLinesCarryEveryField();
    void listenToOneRoomOnly();
    void ownerChangesTopicRemovesAndDeletes();
    void searchFindsCyrillicAndLatinWords();
    void directMessageToSomeoneAwayIsKeptForThem();
    void refusalsExitOneWithTheCode();
    void usageMistakesExitTwo();

private:
    Client makeClient(const QString& name, const QString& bind);
    CliResult run(const Client& client, const QStringList& args) { return runCli(client.args(args)); }
    QString server() const { return QStringLiteral("127.0.0.1:%1").arg(m_server->port); }

    QTemporaryDir m_dir;
    std::unique_ptr<ServerProcess> m_server;
    Client m_alice;
    Client m_bob;
    Client m_carol;
};

Client TestChatCli::makeClient(const QString& name, const QString& bind)
{
    const ChatTest::Client made = ChatTest::makeClient(m_dir.filePath(name), bind);
    Client client;
    client.name = name;
    client.configDir = made.configDir;
    client.bind = bind;
    client.keyLine = made.keyLine;
    client.fingerprint = Identity::fingerprint(made.key);
    const QString allowed
        = m_server->command(QStringLiteral("allow %1 %2").arg(client.keyLine.section(QLatin1Char(' '), 0, 0), name),
            QStringLiteral("allowed"));
    if (allowed.isEmpty()) {
        qWarning("allow %s failed", qPrintable(name));
    }
    return client;
}

void TestChatCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_server = std::make_unique<ServerProcess>(m_dir.filePath(QStringLiteral("server")));
    QVERIFY(m_server->start());
    m_alice = makeClient(QStringLiteral("alice"), QStringLiteral("127.0.0.2"));
    m_bob = makeClient(QStringLiteral("bob"), QStringLiteral("127.0.0.3"));
    m_carol = makeClient(QStringLiteral("carol"), QStringLiteral("127.0.0.4"));
    QVERIFY(!m_alice.keyLine.isEmpty() && !m_bob.keyLine.isEmpty() && !m_carol.keyLine.isEmpty());
}

void TestChatCli::cleanupTestCase()
{
    m_server.reset();
}

void TestChatCli::helpListsTheCommands()
{
    const CliResult help = runCli({ QStringLiteral("--help") });
    QCOMPARE(help.exitCode, 0);
    for (const char* text : { "rooms HOST[:PORT]", "room HOST[:PORT] COMMAND NAME", "history HOST[:PORT]",
             "search HOST[:PORT] TEXT", "--room", "--json", "--before", "--limit", "(not_found)", "2 wrong usage" }) {
        QVERIFY2(help.out.contains(QLatin1String(text)), text);
    }
}

void TestChatCli::privateRoomCreateInviteChatAndHistory()
{
    const CliResult created = run(m_alice,
        { QStringLiteral("room"), server(), QStringLiteral("create"), QStringLiteral("plans"),
            QStringLiteral("--private"), QStringLiteral("--topic"), QStringLiteral("The roadmap") });
    QVERIFY2(created.exitCode == 0, qPrintable(describe(created)));
    QVERIFY2(created.err.contains(QStringLiteral("created room plans")), qPrintable(describe(created)));

    // bob does not see a private room he is not in, nor may he read it.
    CliResult rooms = run(m_bob, { QStringLiteral("rooms"), server() });
    QVERIFY2(rooms.exitCode == 0, qPrintable(describe(rooms)));
    QVERIFY2(rooms.out.contains(QStringLiteral("general")), qPrintable(describe(rooms)));
    QVERIFY2(!rooms.out.contains(QStringLiteral("plans")), qPrintable(describe(rooms)));
    const CliResult notYet
        = run(m_bob, { QStringLiteral("history"), server(), QStringLiteral("--room"), QStringLiteral("plans") });
    QCOMPARE(notYet.exitCode, 1);
    QVERIFY2(notYet.err.contains(QStringLiteral("(not_found)")), qPrintable(describe(notYet)));

    const CliResult invited = run(m_alice,
        { QStringLiteral("room"), server(), QStringLiteral("invite"), QStringLiteral("plans"), QStringLiteral("bob") });
    QVERIFY2(invited.exitCode == 0, qPrintable(describe(invited)));

    rooms = run(m_bob, { QStringLiteral("rooms"), server() });
    QVERIFY2(rooms.exitCode == 0, qPrintable(describe(rooms)));
    const QRegularExpression plansLine(
        QStringLiteral("^plans +2 members +joined +private +The roadmap$"), QRegularExpression::MultilineOption);
    QVERIFY2(plansLine.match(rooms.out).hasMatch(), qPrintable(describe(rooms)));
    rooms = run(m_bob, { QStringLiteral("rooms"), server(), QStringLiteral("--json") });
    QVERIFY2(rooms.exitCode == 0, qPrintable(describe(rooms)));
    bool found = false;
    for (const QJsonObject& room : jsonLines(rooms.out)) {
        if (room.value(QStringLiteral("name")).toString() == QLatin1String("plans")) {
            found = true;
            QCOMPARE(room.value(QStringLiteral("type")).toString(), QStringLiteral("room"));
            QCOMPARE(room.value(QStringLiteral("private")).toBool(), true);
            QCOMPARE(room.value(QStringLiteral("joined")).toBool(), true);
            QCOMPARE(room.value(QStringLiteral("members")).toInteger(), 2);
            QCOMPARE(room.value(QStringLiteral("topic")).toString(), QStringLiteral("The roadmap"));
            QVERIFY(room.value(QStringLiteral("id")).toInteger() > 0);
        }
    }
    QVERIFY2(found, qPrintable(describe(rooms)));

    const CliResult members
        = run(m_bob, { QStringLiteral("room"), server(), QStringLiteral("members"), QStringLiteral("plans") });
    QVERIFY2(members.exitCode == 0, qPrintable(describe(members)));
    QStringList lines = members.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    lines.sort();
    QCOMPARE(lines, (QStringList { QStringLiteral("alice  owner"), QStringLiteral("bob  member") }));

    for (const QString& text : { QStringLiteral("first in plans"), QStringLiteral("second\nwith two lines") }) {
        const CliResult sent = run(m_alice,
            { QStringLiteral("chat"), server(), QStringLiteral("--room"), QStringLiteral("plans"),
                QStringLiteral("--send"), text });
        QVERIFY2(sent.exitCode == 0, qPrintable(describe(sent)));
        QVERIFY2(sent.err.contains(QStringLiteral("sent")), qPrintable(describe(sent)));
    }
    // bob reads them oldest first, one line each with id, time and sender; the second line marked.
    const CliResult history
        = run(m_bob, { QStringLiteral("history"), server(), QStringLiteral("--room"), QStringLiteral("plans") });
    QVERIFY2(history.exitCode == 0, qPrintable(describe(history)));
    lines = history.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    const QRegularExpression messageLine(
        QStringLiteral("^(\\d+)  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  alice: (.*)$"));
    const auto first = messageLine.match(lines.at(0));
    const auto second = messageLine.match(lines.at(1));
    QVERIFY2(first.hasMatch() && second.hasMatch(), qPrintable(history.out));
    QCOMPARE(first.captured(2), QStringLiteral("first in plans"));
    QCOMPARE(second.captured(2), QStringLiteral("second"));
    QCOMPARE(lines.at(2), QStringLiteral("  | with two lines"));
    QVERIFY(first.captured(1).toLongLong() < second.captured(1).toLongLong());

    // --limit 1: the newest only, and where the older ones start.
    const CliResult newest = run(m_bob,
        { QStringLiteral("history"), server(), QStringLiteral("--room"), QStringLiteral("plans"),
            QStringLiteral("--limit"), QStringLiteral("1") });
    QVERIFY2(newest.exitCode == 0, qPrintable(describe(newest)));
    QVERIFY2(newest.out.startsWith(second.captured(1) + QStringLiteral("  ")), qPrintable(describe(newest)));
    QVERIFY2(newest.err.contains(QStringLiteral("--before %1").arg(second.captured(1))), qPrintable(describe(newest)));
    const CliResult older = run(m_bob,
        { QStringLiteral("history"), server(), QStringLiteral("--room"), QStringLiteral("plans"),
            QStringLiteral("--before"), second.captured(1) });
    QVERIFY2(older.exitCode == 0, qPrintable(describe(older)));
    QCOMPARE(older.out, lines.at(0) + QLatin1Char('\n'));
}

void TestChatCli::historyJsonLinesCarryEveryField()
{
    const CliResult sent = run(m_alice,
        { QStringLiteral("chat"), server(), QStringLiteral("--send"), QStringLiteral("json \"quoted\"\ttab") });
    QVERIFY2(sent.exitCode == 0, qPrintable(describe(sent)));
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-600);

    const CliResult history = run(m_bob, { QStringLiteral("history"), server(), QStringLiteral("--json") });
    QVERIFY2(history.exitCode == 0, qPrintable(describe(history)));
    const QList<QJsonObject> messages = jsonLines(history.out);
    QVERIFY2(!messages.isEmpty(), qPrintable(describe(history)));
    const QJsonObject last = messages.last();
    QCOMPARE(last.value(QStringLiteral("type")).toString(), QStringLiteral("message"));
    QCOMPARE(last.value(QStringLiteral("text")).toString(), QStringLiteral("json \"quoted\"\ttab"));
    QCOMPARE(last.value(QStringLiteral("from")).toString(), QStringLiteral("alice"));
    QCOMPARE(last.value(QStringLiteral("fingerprint")).toString(), m_alice.fingerprint);
    QCOMPARE(last.value(QStringLiteral("room")).toString(), QStringLiteral("general"));
    QVERIFY(!last.contains(QStringLiteral("to")));
    QVERIFY(last.value(QStringLiteral("id")).toInteger() > 0);
    QVERIFY(last.value(QStringLiteral("conversation")).toInteger() > 0);
    const QString time = last.value(QStringLiteral("time")).toString();
    QVERIFY2(time.endsWith(QLatin1Char('Z')), qPrintable(time));
    const QDateTime parsed = QDateTime::fromString(time, Qt::ISODateWithMs);
    QVERIFY2(parsed.isValid() && parsed >= before && parsed <= QDateTime::currentDateTimeUtc(), qPrintable(time));
    // Oldest first: ids grow line by line.
    for (qsizetype i = 1; i < messages.size(); ++i) {
        QVERIFY(messages.at(i - 1).value(QStringLiteral("id")).toInteger()
            < messages.at(i).value(QStringLiteral("id")).toInteger());
    }
    // --all reads page after page (here one message each) into the same list.
    const CliResult all = run(m_bob,
        { QStringLiteral("history"), server(), QStringLiteral("--all"), QStringLiteral("--limit"), QStringLiteral("1"),
            QStringLiteral("--json") });
    QVERIFY2(all.exitCode == 0, qPrintable(describe(all)));
    QCOMPARE(jsonLines(all.out), messages);
}

void TestChatCli::listenToOneRoomOnly()
{
    QVERIFY(
        run(m_alice, { QStringLiteral("room"), server(), QStringLiteral("create"), QStringLiteral("lobby") }).exitCode
        == 0);
    const CliResult joined
        = run(m_bob, { QStringLiteral("room"), server(), QStringLiteral("join"), QStringLiteral("lobby") });
    QVERIFY2(joined.exitCode == 0, qPrintable(describe(joined)));

    QProcess listener;
    listener.start(binary("quietwire-cli"),
        m_bob.args({ QStringLiteral("chat"), server(), QStringLiteral("--room"), QStringLiteral("lobby"),
            QStringLiteral("--listen"), QStringLiteral("1"), QStringLiteral("--json") }));
    QByteArray err;
    QVERIFY(waitUntil([&] {
        err += listener.readAllStandardError();
        return err.contains("joined as") || listener.state() == QProcess::NotRunning;
    }));
    QVERIFY2(err.contains("joined as"), err.constData());
    // general's message is not lobby's; the listener waits for lobby's.
    QCOMPARE(run(m_alice, { QStringLiteral("chat"), server(), QStringLiteral("--send"), QStringLiteral("in general") })
                 .exitCode,
        0);
    QCOMPARE(run(m_alice,
                 { QStringLiteral("chat"), server(), QStringLiteral("--room"), QStringLiteral("lobby"),
                     QStringLiteral("--send"), QStringLiteral("in lobby") })
                 .exitCode,
        0);
    QVERIFY(waitFinished(listener, 30000));
    QCOMPARE(listener.exitCode(), 0);
    const QList<QJsonObject> messages = jsonLines(QString::fromUtf8(listener.readAllStandardOutput()));
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.first().value(QStringLiteral("text")).toString(), QStringLiteral("in lobby"));
    QCOMPARE(messages.first().value(QStringLiteral("room")).toString(), QStringLiteral("lobby"));
}

void TestChatCli::ownerChangesTopicRemovesAndDeletes()
{
    const auto room = [this](const Client& client, const QStringList& rest) {
        return run(client, QStringList { QStringLiteral("room"), server() } + rest);
    };
    const auto roomsOf = [this](const Client& client) {
        QHash<QString, QJsonObject> byName;
        const CliResult rooms = run(client, { QStringLiteral("rooms"), server(), QStringLiteral("--json") });
        for (const QJsonObject& object : jsonLines(rooms.out)) {
            byName.insert(object.value(QStringLiteral("name")).toString(), object);
        }
        return byName;
    };
    CliResult result = room(m_alice, { QStringLiteral("create"), QStringLiteral("temp") });
    QVERIFY2(result.exitCode == 0, qPrintable(describe(result)));
    result = room(m_bob, { QStringLiteral("join"), QStringLiteral("temp") });
    QVERIFY2(result.exitCode == 0, qPrintable(describe(result)));
    QVERIFY2(result.err.contains(QStringLiteral("joined room temp")), qPrintable(describe(result)));

    // Only the owner sets the topic.
    result = room(m_bob, { QStringLiteral("topic"), QStringLiteral("temp"), QStringLiteral("mine now") });
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("(permission)")), qPrintable(describe(result)));
    result = room(m_alice, { QStringLiteral("topic"), QStringLiteral("temp"), QStringLiteral("Short-lived") });
    QVERIFY2(result.exitCode == 0, qPrintable(describe(result)));
    auto rooms = roomsOf(m_bob);
    QCOMPARE(
        rooms.value(QStringLiteral("temp")).value(QStringLiteral("topic")).toString(), QStringLiteral("Short-lived"));
    QCOMPARE(rooms.value(QStringLiteral("temp")).value(QStringLiteral("joined")).toBool(), true);
    QCOMPARE(rooms.value(QStringLiteral("temp")).value(QStringLiteral("members")).toInteger(), 2);

    // Only the owner deletes it.
    result = room(m_bob, { QStringLiteral("delete"), QStringLiteral("temp") });
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("(permission)")), qPrintable(describe(result)));
    result = room(m_alice, { QStringLiteral("remove"), QStringLiteral("temp"), QStringLiteral("bob") });
    QVERIFY2(result.exitCode == 0, qPrintable(describe(result)));
    rooms = roomsOf(m_bob);
    QVERIFY(rooms.contains(QStringLiteral("temp"))); // public: still listed, no longer joined
    QCOMPARE(rooms.value(QStringLiteral("temp")).value(QStringLiteral("joined")).toBool(), false);
    // A public room he is not in: join it first.
    result = run(m_bob,
        { QStringLiteral("chat"), server(), QStringLiteral("--room"), QStringLiteral("temp"), QStringLiteral("--send"),
            QStringLiteral("still here?") });
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("(permission)")), qPrintable(describe(result)));
    result = run(m_bob, { QStringLiteral("history"), server(), QStringLiteral("--room"), QStringLiteral("temp") });
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("(permission)")), qPrintable(describe(result)));
    result = room(m_bob, { QStringLiteral("leave"), QStringLiteral("temp") });
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(QStringLiteral("(not_found)")), qPrintable(describe(result)));

    result = room(m_alice, { QStringLiteral("delete"), QStringLiteral("temp") });
    QVERIFY2(result.exitCode == 0, qPrintable(describe(result)));
    QVERIFY(!roomsOf(m_bob).contains(QStringLiteral("temp")));
    QVERIFY(!roomsOf(m_alice).contains(QStringLiteral("temp")));
    QVERIFY(roomsOf(m_alice).contains(QStringLiteral("general")));
}

void TestChatCli::searchFindsCyrillicAndLatinWords()
{
    QCOMPARE(run(m_alice,
                 { QStringLiteral("chat"), server(), QStringLiteral("--send"), QStringLiteral("Встреча в пятницу") })
                 .exitCode,
        0);
    QCOMPARE(
        run(m_alice, { QStringLiteral("chat"), server(), QStringLiteral("--send"), QStringLiteral("Deploy tomorrow") })
            .exitCode,
        0);

    CliResult found
        = run(m_bob, { QStringLiteral("search"), server(), QStringLiteral("ПЯТНИЦУ"), QStringLiteral("--json") });
    QVERIFY2(found.exitCode == 0, qPrintable(describe(found)));
    QList<QJsonObject> hits = jsonLines(found.out);
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits.first().value(QStringLiteral("type")).toString(), QStringLiteral("hit"));
    QCOMPARE(hits.first().value(QStringLiteral("from")).toString(), QStringLiteral("alice"));
    QCOMPARE(hits.first().value(QStringLiteral("room")).toString(), QStringLiteral("general"));
    const QString snippet = hits.first().value(QStringLiteral("snippet")).toString();
    QVERIFY2(snippet.contains(QStringLiteral("пятницу")), qPrintable(snippet));
    const QJsonArray marks = hits.first().value(QStringLiteral("marks")).toArray();
    QCOMPARE(marks.size(), 1);
    const auto start = marks.at(0).toArray().at(0).toInteger();
    const auto end = marks.at(0).toArray().at(1).toInteger();
    // marks count code points; these are all in the BMP, so QString indexes are the same
    QCOMPARE(snippet.mid(start, end - start), QStringLiteral("пятницу"));

    found = run(m_bob, { QStringLiteral("search"), server(), QStringLiteral("deploy") });
    QVERIFY2(found.exitCode == 0, qPrintable(describe(found)));
    const QStringList lines = found.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(QRegularExpression(QStringLiteral("^\\d+  \\S+ \\S+  #general  alice: .*Deploy.*tomorrow"))
                 .match(lines.first())
                 .hasMatch(),
        qPrintable(lines.first()));

    // Limited to a room the words are not in: nothing.
    QCOMPARE(
        run(m_alice, { QStringLiteral("room"), server(), QStringLiteral("create"), QStringLiteral("quiet") }).exitCode,
        0);
    found = run(m_alice,
        { QStringLiteral("search"), server(), QStringLiteral("deploy"), QStringLiteral("--room"),
            QStringLiteral("quiet") });
    QVERIFY2(found.exitCode == 0, qPrintable(describe(found)));
    QCOMPARE(found.out, QString());
}

void TestChatCli::directMessageToSomeoneAwayIsKeptForThem()
{
    // carol never connected: the message waits for her.
    const CliResult sent = run(m_alice,
        { QStringLiteral("chat"), server(), QStringLiteral("--to"), QStringLiteral("carol"), QStringLiteral("--send"),
            QStringLiteral("see you at 10"), QStringLiteral("--json") });
    QVERIFY2(sent.exitCode == 0, qPrintable(describe(sent)));
    QVERIFY2(sent.err.contains(QStringLiteral("stored for carol")), qPrintable(describe(sent)));
    const QList<QJsonObject> answer = jsonLines(sent.out);
    QCOMPARE(answer.size(), 1);
    QCOMPARE(answer.first().value(QStringLiteral("type")).toString(), QStringLiteral("accepted"));
    QCOMPARE(answer.first().value(QStringLiteral("waiting")).toBool(), true);
    QCOMPARE(answer.first().value(QStringLiteral("duplicate")).toBool(), false);
    const qint64 id = answer.first().value(QStringLiteral("id")).toInteger();
    QVERIFY(id > 0);

    // carol's interactive chat with alice lists what she has not read (stdin is closed: it ends at once).
    const CliResult interactive
        = run(m_carol, { QStringLiteral("chat"), server(), QStringLiteral("--to"), QStringLiteral("alice") });
    QVERIFY2(interactive.exitCode == 0, qPrintable(describe(interactive)));
    QVERIFY2(QRegularExpression(QStringLiteral("^-- unread \\(quietwire-cli history\\): (.*, )?@alice 1(,.*)?$"),
                 QRegularExpression::MultilineOption)
                 .match(interactive.out)
                 .hasMatch(),
        qPrintable(describe(interactive)));
    QVERIFY2(
        interactive.out.contains(QStringLiteral("-- type a message for alice")), qPrintable(describe(interactive)));

    const CliResult history
        = run(m_carol, { QStringLiteral("history"), server(), QStringLiteral("--to"), QStringLiteral("alice") });
    QVERIFY2(history.exitCode == 0, qPrintable(describe(history)));
    QVERIFY2(QRegularExpression(QStringLiteral("^%1  \\S+ \\S+  alice -> carol: see you at 10\n$").arg(id))
                 .match(history.out)
                 .hasMatch(),
        qPrintable(describe(history)));
    const CliResult json = run(m_carol,
        { QStringLiteral("history"), server(), QStringLiteral("--to"), QStringLiteral("alice"),
            QStringLiteral("--json") });
    const QList<QJsonObject> messages = jsonLines(json.out);
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.first().value(QStringLiteral("to")).toString(), QStringLiteral("carol"));
    QCOMPARE(messages.first().value(QStringLiteral("from")).toString(), QStringLiteral("alice"));
    QCOMPARE(messages.first().value(QStringLiteral("conversation")).toInteger(),
        answer.first().value(QStringLiteral("conversation")).toInteger());
    QVERIFY(!messages.first().contains(QStringLiteral("room")));
}

void TestChatCli::refusalsExitOneWithTheCode()
{
    CliResult refused = run(m_alice,
        { QStringLiteral("chat"), server(), QStringLiteral("--room"), QStringLiteral("nowhere"),
            QStringLiteral("--send"), QStringLiteral("hello?") });
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("(not_found)")), qPrintable(describe(refused)));
    refused
        = run(m_alice, { QStringLiteral("history"), server(), QStringLiteral("--room"), QStringLiteral("nowhere") });
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("(not_found)")), qPrintable(describe(refused)));
    QCOMPARE(refused.out, QString());
    refused = run(m_alice, { QStringLiteral("room"), server(), QStringLiteral("join"), QStringLiteral("nowhere") });
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("(not_found)")), qPrintable(describe(refused)));
    refused = run(m_alice,
        { QStringLiteral("chat"), server(), QStringLiteral("--to"), QStringLiteral("mallory"), QStringLiteral("--send"),
            QStringLiteral("hi") });
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("(not_found)")), qPrintable(describe(refused)));
    refused = run(m_alice, { QStringLiteral("room"), server(), QStringLiteral("leave"), QStringLiteral("general") });
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("(permission)")), qPrintable(describe(refused)));
    refused = run(m_alice, { QStringLiteral("room"), server(), QStringLiteral("create"), QStringLiteral("no spaces") });
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("(bad_name)")), qPrintable(describe(refused)));
    QCOMPARE(
        run(m_alice, { QStringLiteral("room"), server(), QStringLiteral("create"), QStringLiteral("taken") }).exitCode,
        0);
    refused = run(m_bob, { QStringLiteral("room"), server(), QStringLiteral("create"), QStringLiteral("taken") });
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("(exists)")), qPrintable(describe(refused)));
}

void TestChatCli::usageMistakesExitTwo()
{
    const QList<QStringList> mistakes {
        { QStringLiteral("history"), server(), QStringLiteral("--room"), QStringLiteral("a"), QStringLiteral("--to"),
            QStringLiteral("b") },
        { QStringLiteral("history"), server(), QStringLiteral("--limit"), QStringLiteral("0") },
        { QStringLiteral("search"), server() },
        { QStringLiteral("room"), server(), QStringLiteral("invite"), QStringLiteral("plans") },
        { QStringLiteral("room"), server(), QStringLiteral("rename"), QStringLiteral("plans") },
        { QStringLiteral("rooms") },
    };
    for (const QStringList& args : mistakes) {
        const CliResult result = run(m_alice, args);
        QVERIFY2(result.exitCode == 2, qPrintable(args.join(QLatin1Char(' ')) + QLatin1Char('\n') + describe(result)));
        QVERIFY2(result.err.contains(QStringLiteral("quietwire-cli:")), qPrintable(describe(result)));
    }
}

QTEST_GUILESS_MAIN(TestChatCli)
#include "TestChatCli.moc"
