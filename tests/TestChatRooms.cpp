// The chat that remembers, against the real quietwired: history across restarts and a SIGKILL,
// resends stored once, direct messages for people who are away, unread markers shared by a user's
// sessions, private rooms closed to outsiders, search, and stores the server must refuse.
// Sessions speak version 2 through RawClient with the protocol's own structs.

#include "ChatMessages.h"
#include "ChatSession2.h"
#include "ChatStore.h"
#include "ChatTestSupport.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace QuietWire;
using namespace QuietWire::ChatTest;
using namespace QuietWire::ChatProtocol;

namespace {

QByteArray sha256Of(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

} // namespace

class TestChatRooms : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void historySurvivesARestart();
    void killDuringABurstLosesNothingAccepted();
    void resendWithTheSameClientIdIsStoredOnce();
    void directMessageWaitsForSomeoneAway();
    void unreadMarkersAreSharedBySessions();
    void privateRoomsAreClosedToOutsiders();
    void searchFindsWordsOnlyWhereTheUserMayRead();
    void roomRequestsAndTheirErrors();
    void aSessionCannotQueueTheStoreFull();
    void longListsAreSplitToFitTheTransport();
    void nothingButTheStartBeforeHistoryEnd();
    void damagedOrNewerStoreIsRefusedUntouched_data();
    void damagedOrNewerStoreIsRefusedUntouched();

private:
    bool startServer();
    Session2 connect(const Client& client);
    /// Every message of a conversation, oldest first, paging through history.
    QList<Message> everything(Session2& session, const Target& target);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    Client m_alice;
    Client m_bob;
    Client m_carol;
};

void TestChatRooms::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
    m_alice = makeClient(m_dir->filePath(QStringLiteral("alice")), QStringLiteral("127.0.0.2"));
    m_bob = makeClient(m_dir->filePath(QStringLiteral("bob")), QStringLiteral("127.0.0.3"));
    m_carol = makeClient(m_dir->filePath(QStringLiteral("carol")), QStringLiteral("127.0.0.4"));
    QVERIFY(!m_alice.key.isEmpty() && !m_bob.key.isEmpty() && !m_carol.key.isEmpty());
    QVERIFY(m_server->start({ m_alice.keyLine.section(QLatin1Char(' '), 0, 0) + QStringLiteral(" alice"),
                                m_bob.keyLine.section(QLatin1Char(' '), 0, 0) + QStringLiteral(" bob"),
                                m_carol.keyLine.section(QLatin1Char(' '), 0, 0) + QStringLiteral(" carol") },
        {}, 16));
}

void TestChatRooms::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

bool TestChatRooms::startServer()
{
    return m_server->start({}, 16);
}

Session2 TestChatRooms::connect(const Client& client)
{
    Session2 session;
    session.chat = joinChat(client, m_server->port, false, CurrentVersion);
    if (session.ok() && !session.start()) {
        session.chat.socket.reset();
    }
    return session;
}

QList<Message> TestChatRooms::everything(Session2& session, const Target& target)
{
    QList<Message> all;
    std::optional<qint64> before;
    for (int page = 0; page < 1000; ++page) {
        const auto done = session.done(withoutSeq(historyOf(target, MaxHistoryLimit, before).toCbor()));
        if (!done || !done->messages) {
            qWarning("history failed");
            return {};
        }
        for (const Message& message : *done->messages) {
            all.prepend(message);
        }
        if (!done->more || done->messages->isEmpty()) {
            return all;
        }
        before = done->messages->last().id;
    }
    return all;
}

void TestChatRooms::historySurvivesARestart()
{
    Session2 alice = connect(m_alice);
    QVERIFY(alice.ok());
    QList<qint64> ids;
    for (const QString& text : { QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("три") }) {
        const auto accepted = alice.say(text);
        QVERIFY(accepted && Protocol::typeOf(*accepted) == QLatin1String(Accepted::Type));
        ids << accepted->value(QStringLiteral("id")).toInteger();
    }
    m_server->stop();
    QVERIFY(startServer());

    // Version 2 asks for the history; version 1 gets it replayed on join, as before.
    Session2 again = connect(m_alice);
    QVERIFY(again.ok());
    const auto general = everything(again, room(QStringLiteral("general")));
    QCOMPARE(general.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(general.at(i).id, ids.at(i));
        QVERIFY(general.at(i).history);
        QCOMPARE(general.at(i).from, QStringLiteral("alice"));
        QCOMPARE(general.at(i).room, QStringLiteral("general"));
    }
    QCOMPARE(general.at(2).text, QStringLiteral("три"));

    RawChat old = joinChat(m_bob, m_server->port);
    QVERIFY(old.socket);
    QCOMPARE(Protocol::typeOf(*old.read()), QStringLiteral("welcome"));
    for (int i = 0; i < 3; ++i) {
        const auto replayed = old.next({ QStringLiteral("message") });
        QVERIFY(replayed);
        QCOMPARE(replayed->value(QStringLiteral("id")).toInteger(), ids.at(i));
        QVERIFY(!replayed->contains(QStringLiteral("conversation"))); // version 1 as it was
        QVERIFY(!replayed->contains(QStringLiteral("room")));
    }
    QCOMPARE(Protocol::typeOf(*old.read()), QStringLiteral("history_end"));
}

void TestChatRooms::killDuringABurstLosesNothingAccepted()
{
    // Three senders write as fast as they can; the server is killed in the middle of it.
    std::vector<Session2> senders;
    for (const Client* client : { &m_alice, &m_bob, &m_carol }) {
        senders.push_back(connect(*client));
        QVERIFY(senders.back().ok());
    }
    QList<QHash<qint64, QString>> clientIds(3); // seq -> client id of every message sent
    int perSender = 0;
    const auto sendRound = [&](int count) {
        for (int i = 0; i < count; ++i, ++perSender) {
            for (int s = 0; s < 3; ++s) {
                Send message;
                message.text = QStringLiteral("%1 #%2").arg(senders[s].name).arg(perSender);
                message.clientId = QStringLiteral("%1-%2").arg(senders[s].name).arg(perSender);
                const qint64 seq = senders[s].send(withoutSeq(message.toCbor()));
                clientIds[s].insert(seq, *message.clientId);
            }
        }
    };
    sendRound(100);
    // Kill once some, but not all, of a burst are accepted: the kill lands among commits.
    QHash<QString, qint64> acceptedIds; // client id -> id
    const auto readAccepted = [&](int atLeast) {
        return QTest::qWaitFor(
            [&] {
                for (int s = 0; s < 3; ++s) {
                    while (senders[s].chat.socket->bytesAvailable() > 0) {
                        const auto message = senders[s].chat.read();
                        if (message && Protocol::typeOf(*message) == QLatin1String(Accepted::Type)) {
                            acceptedIds.insert(clientIds[s].value(message->value(QStringLiteral("seq")).toInteger()),
                                message->value(QStringLiteral("id")).toInteger());
                        }
                    }
                }
                return acceptedIds.size() >= atLeast;
            },
            30000);
    };
    QVERIFY(readAccepted(30));
    sendRound(1000);
    QVERIFY(readAccepted(int(acceptedIds.size()) + 300));
    m_server->process()->kill();
    m_server->process()->waitForFinished(10000);
    for (int s = 0; s < 3; ++s) { // what was on its way before the kill
        while (const auto message = senders[s].chat.raw->readMessage(*senders[s].chat.socket, 200)) {
            if (Protocol::typeOf(*message) == QLatin1String(Accepted::Type)) {
                acceptedIds.insert(clientIds[s].value(message->value(QStringLiteral("seq")).toInteger()),
                    message->value(QStringLiteral("id")).toInteger());
            }
        }
    }
    QVERIFY2(acceptedIds.size() < 3 * perSender, "the burst ended before the kill; nothing was tested");
    QVERIFY(startServer());

    // Every accepted message is there once, with its id, in id order.
    Session2 reader = connect(m_alice);
    QVERIFY(reader.ok());
    const auto stored = everything(reader, room(QStringLiteral("general")));
    QHash<QString, qint64> storedIds;
    qint64 previous = 0;
    for (const Message& message : stored) {
        QVERIFY(message.id > previous);
        previous = message.id;
        QVERIFY2(!storedIds.contains(message.clientId), qPrintable(message.clientId));
        storedIds.insert(message.clientId, message.id);
    }
    for (auto it = acceptedIds.cbegin(); it != acceptedIds.cend(); ++it) {
        QVERIFY2(storedIds.value(it.key()) == it.value(), qPrintable(it.key()));
    }
    // Each sender resends what it has no answer for, with the same client ids: the messages that
    // were committed without their answer come back as duplicates, the rest are stored now; in
    // the end every message sent is stored exactly once and nothing else is.
    std::vector<Session2> again;
    for (const Client* client : { &m_alice, &m_bob, &m_carol }) {
        again.push_back(connect(*client));
        QVERIFY(again.back().ok());
    }
    int duplicates = 0;
    for (int s = 0; s < 3; ++s) {
        QHash<qint64, QString> resent; // seq -> client id
        for (auto it = clientIds[s].cbegin(); it != clientIds[s].cend(); ++it) {
            if (!acceptedIds.contains(it.value())) {
                Send message;
                message.text = QStringLiteral("%1 #%2").arg(again[s].name, it.value().section(QLatin1Char('-'), 1));
                message.clientId = it.value();
                resent.insert(again[s].send(withoutSeq(message.toCbor())), it.value());
            }
        }
        while (!resent.isEmpty()) {
            // Skips the echoes of everybody's resends.
            auto answer = again[s].chat.read();
            while (answer && Protocol::typeOf(*answer) != QLatin1String(Accepted::Type)
                && Protocol::typeOf(*answer) != QLatin1String(Rejected::Type)) {
                answer = again[s].chat.read();
            }
            QVERIFY2(answer && Protocol::typeOf(*answer) == QLatin1String(Accepted::Type),
                answer ? qPrintable(answer->value(QStringLiteral("message")).toString())
                       : qPrintable(m_server->log().right(2000)));
            const QString clientId = resent.take(answer->value(QStringLiteral("seq")).toInteger());
            QVERIFY(!clientId.isEmpty());
            const bool duplicate = answer->value(QStringLiteral("duplicate")).toBool();
            QCOMPARE(duplicate, storedIds.contains(clientId));
            duplicates += duplicate ? 1 : 0;
        }
    }
    const auto final = everything(again[0], room(QStringLiteral("general")));
    QCOMPARE(final.size(), 3 * perSender);
    QSet<QString> seen;
    for (const Message& message : final) {
        QVERIFY(!seen.contains(message.clientId));
        seen.insert(message.clientId);
    }
    qInfo("sent %d, accepted before the kill %lld, stored %lld, of which committed without an answer %d", 3 * perSender,
        qint64(acceptedIds.size()), qint64(storedIds.size()), duplicates);
}

void TestChatRooms::resendWithTheSameClientIdIsStoredOnce()
{
    Session2 alice = connect(m_alice);
    Session2 bob = connect(m_bob);
    QVERIFY(alice.ok() && bob.ok());
    const auto first = alice.say(QStringLiteral("only once"), {}, {}, QStringLiteral("c-1"));
    QVERIFY(first && Protocol::typeOf(*first) == QLatin1String(Accepted::Type));
    QVERIFY(!first->value(QStringLiteral("duplicate")).toBool());
    const auto second = alice.say(QStringLiteral("only once"), {}, {}, QStringLiteral("c-1"));
    QVERIFY(second && Protocol::typeOf(*second) == QLatin1String(Accepted::Type));
    QVERIFY(second->value(QStringLiteral("duplicate")).toBool());
    QCOMPARE(second->value(QStringLiteral("id")).toInteger(), first->value(QStringLiteral("id")).toInteger());
    // Bob got it once: the next message he sees after it is the next one sent.
    QVERIFY(alice.say(QStringLiteral("after")));
    const auto seen = bob.next(QStringLiteral("message"));
    QVERIFY(seen);
    QCOMPARE(seen->value(QStringLiteral("text")).toString(), QStringLiteral("only once"));
    QCOMPARE(bob.next(QStringLiteral("message"))->value(QStringLiteral("text")).toString(), QStringLiteral("after"));
    QCOMPARE(everything(bob, room(QStringLiteral("general"))).size(), 2);
}

void TestChatRooms::directMessageWaitsForSomeoneAway()
{
    Session2 alice = connect(m_alice);
    QVERIFY(alice.ok());
    const auto accepted = alice.say(QStringLiteral("read this when you are back"), {}, QStringLiteral("bob"));
    QVERIFY(accepted && Protocol::typeOf(*accepted) == QLatin1String(Accepted::Type));
    QVERIFY(accepted->value(QStringLiteral("waiting")).toBool());
    const qint64 id = accepted->value(QStringLiteral("id")).toInteger();
    // A name nobody has: not_found, nothing stored.
    const auto nobody = alice.say(QStringLiteral("hello?"), {}, QStringLiteral("dave"));
    QVERIFY(nobody);
    QCOMPARE(Rejected::decode(*nobody).value.code, ErrorCode::NotFound);

    // Bob comes with two devices: both list the conversation as unread, with the message.
    Session2 phone = connect(m_bob);
    Session2 laptop = connect(m_bob);
    QVERIFY(phone.ok() && laptop.ok());
    for (const Session2* session : { &phone, &laptop }) {
        const auto direct = std::find_if(session->conversations.cbegin(), session->conversations.cend(),
            [](const auto& c) { return c.kind == ConversationKind::Direct; });
        QVERIFY(direct != session->conversations.cend());
        QCOMPARE(direct->name, QStringLiteral("alice"));
        QCOMPARE(direct->unread, 1);
        QVERIFY(direct->last);
        QCOMPARE(direct->last->id, id);
        QCOMPARE(direct->last->to, QStringLiteral("bob"));
    }
    const auto history = everything(phone, Target { {}, {}, QStringLiteral("alice") });
    QCOMPARE(history.size(), 1);
    QCOMPARE(history.first().text, QStringLiteral("read this when you are back"));

    // Now that he is here, a new one reaches both his sessions at once and is not "waiting".
    const auto live = alice.say(QStringLiteral("you are here"), {}, QStringLiteral("bob"));
    QVERIFY(live && !live->value(QStringLiteral("waiting")).toBool());
    for (Session2* session : { &phone, &laptop }) {
        const auto message = session->next(QStringLiteral("message"));
        QVERIFY(message);
        QCOMPARE(message->value(QStringLiteral("text")).toString(), QStringLiteral("you are here"));
        QCOMPARE(message->value(QStringLiteral("from")).toString(), QStringLiteral("alice"));
    }
    // A version-1 client of bob gets direct messages live as before.
    RawChat old = joinChat(m_bob, m_server->port);
    QVERIFY(old.socket);
    QVERIFY(old.next({ QStringLiteral("history_end") }));
    QVERIFY(alice.say(QStringLiteral("old client too"), {}, QStringLiteral("bob")));
    const auto atOld = old.next({ QStringLiteral("message") });
    QVERIFY(atOld);
    QCOMPARE(atOld->value(QStringLiteral("to")).toString(), QStringLiteral("bob"));
    QVERIFY(!atOld->contains(QStringLiteral("conversation")));
}

void TestChatRooms::unreadMarkersAreSharedBySessions()
{
    Session2 alice = connect(m_alice);
    QVERIFY(alice.ok());
    qint64 last = 0;
    for (int i = 0; i < 5; ++i) {
        last = alice.say(QStringLiteral("news %1").arg(i))->value(QStringLiteral("id")).toInteger();
    }
    Session2 one = connect(m_bob);
    Session2 two = connect(m_bob);
    QVERIFY(one.ok() && two.ok());
    const auto general = std::find_if(one.conversations.cbegin(), one.conversations.cend(),
        [](const auto& c) { return c.name == QLatin1String("general"); });
    QVERIFY(general != one.conversations.cend());
    QCOMPARE(general->unread, 5);
    const qint64 generalId = general->id;

    // Reading up to the third on one device: both devices are told, with the same count.
    const qint64 third = last - 2;
    QVERIFY(one.done(withoutSeq(ReadRequest { 0, generalId, third }.toCbor())));
    for (Session2* session : { &one, &two }) {
        const auto marker = session->next(QLatin1String(ReadMarker::Type));
        QVERIFY(marker);
        const auto decoded = ReadMarker::decode(*marker);
        QVERIFY(decoded.ok());
        QCOMPARE(decoded.value.conversation, generalId);
        QCOMPARE(decoded.value.lastRead, third);
        QCOMPARE(decoded.value.unread, 2);
    }
    // A marker never moves back, and a new session starts with the shared count.
    QVERIFY(two.done(withoutSeq(ReadRequest { 0, generalId, 1 }.toCbor())));
    Session2 three = connect(m_bob);
    QVERIFY(three.ok());
    const auto again = std::find_if(three.conversations.cbegin(), three.conversations.cend(),
        [](const auto& c) { return c.name == QLatin1String("general"); });
    QCOMPARE(again->unread, 2);
    QCOMPARE(again->lastRead, third);
}

void TestChatRooms::privateRoomsAreClosedToOutsiders()
{
    using Action = RoomRequest::Action;
    Session2 alice = connect(m_alice);
    Session2 bob = connect(m_bob);
    Session2 carol = connect(m_carol);
    QVERIFY(alice.ok() && bob.ok() && carol.ok());
    RoomRequest create = roomRequest(Action::Create, QStringLiteral("lab"));
    create.isPrivate = true;
    const auto created = alice.done(withoutSeq(create.toCbor()));
    QVERIFY(created && created->conversation);
    const qint64 lab = *created->conversation;
    QVERIFY(alice.done(withoutSeq(roomRequest(Action::Invite, QStringLiteral("lab"), QStringLiteral("bob")).toCbor())));
    QVERIFY(bob.next(QLatin1String(RoomChanged::Type)));
    const auto secret = alice.say(QStringLiteral("the secret word is xylophone"), QStringLiteral("lab"));
    QVERIFY(secret && Protocol::typeOf(*secret) == QLatin1String(Accepted::Type));
    QCOMPARE(bob.next(QStringLiteral("message"))->value(QStringLiteral("room")).toString(), QStringLiteral("lab"));

    // Every request of an outsider on the room gets nothing, and the same answer as for no room.
    const auto triesEverything = [&](Session2& outsider) {
        QCOMPARE(outsider.refusal(withoutSeq(historyOf(room(QStringLiteral("lab"))).toCbor())), ErrorCode::NotFound);
        QCOMPARE(outsider.refusal(withoutSeq(historyOf(Target { lab, {}, {} }).toCbor())), ErrorCode::NotFound);
        SearchRequest search;
        search.text = QStringLiteral("xylophone");
        search.target = room(QStringLiteral("lab"));
        QCOMPARE(outsider.refusal(withoutSeq(search.toCbor())), ErrorCode::NotFound);
        search.target = {};
        const auto everywhere = outsider.done(withoutSeq(search.toCbor()));
        QVERIFY(everywhere && everywhere->hits);
        QVERIFY(everywhere->hits->isEmpty());
        const auto sent = outsider.say(QStringLiteral("let me in"), QStringLiteral("lab"));
        QVERIFY(sent);
        QCOMPARE(Rejected::decode(*sent).value.code, ErrorCode::NotFound);
        QCOMPARE(outsider.refusal(withoutSeq(roomRequest(Action::Members, QStringLiteral("lab")).toCbor())),
            ErrorCode::NotFound);
        QCOMPARE(outsider.refusal(withoutSeq(roomRequest(Action::Join, QStringLiteral("lab")).toCbor())),
            ErrorCode::NotFound);
        const auto rooms = outsider.done(withoutSeq(RoomsRequest {}.toCbor()));
        QVERIFY(rooms && rooms->rooms);
        for (const RoomInfo& info : *rooms->rooms) {
            QVERIFY(info.name != QLatin1String("lab"));
        }
    };
    triesEverything(carol);
    QVERIFY(!QTest::currentTestFailed());

    // Removed: from that instant bob gets nothing more, and is told.
    QVERIFY(alice.done(withoutSeq(roomRequest(Action::Remove, QStringLiteral("lab"), QStringLiteral("bob")).toCbor())));
    const auto gone = bob.next(QLatin1String(RoomGone::Type));
    QVERIFY(gone);
    QCOMPARE(RoomGone::decode(*gone).value.reason, RoomGone::Reason::Removed);
    QVERIFY(alice.say(QStringLiteral("after bob left"), QStringLiteral("lab")));
    triesEverything(bob);
    QVERIFY(!QTest::currentTestFailed());
    for (const QCborMap& message : std::as_const(bob.unread)) {
        QVERIFY(message.value(QStringLiteral("text")).toString() != QLatin1String("after bob left"));
    }

    // A revoked key: its session is closed and the next one refused; its past messages stay.
    QVERIFY(
        alice.done(withoutSeq(roomRequest(Action::Invite, QStringLiteral("lab"), QStringLiteral("carol")).toCbor())));
    QVERIFY(carol.say(QStringLiteral("carol was here"), QStringLiteral("lab")));
    QVERIFY(!m_server->command(QStringLiteral("revoke carol"), QStringLiteral("\n")).isEmpty());
    QVERIFY(carol.next(QStringLiteral("error")));
    QVERIFY(!joinChat(m_carol, m_server->port).socket || !connect(m_carol).ok());
    const auto kept = everything(alice, room(QStringLiteral("lab")));
    QVERIFY(std::any_of(kept.cbegin(), kept.cend(), [](const Message& m) {
        return m.from == QLatin1String("carol") && m.text == QLatin1String("carol was here");
    }));
}

void TestChatRooms::searchFindsWordsOnlyWhereTheUserMayRead()
{
    Session2 alice = connect(m_alice);
    Session2 bob = connect(m_bob);
    QVERIFY(alice.ok() && bob.ok());
    QVERIFY(alice.say(QStringLiteral("Привет, мир: встреча в пятницу")));
    QVERIFY(alice.say(QStringLiteral("The Quarterly report is ready")));
    RoomRequest create = roomRequest(RoomRequest::Action::Create, QStringLiteral("board"));
    create.isPrivate = true;
    QVERIFY(alice.done(withoutSeq(create.toCbor())));
    QVERIFY(alice.say(QStringLiteral("quarterly numbers, board only"), QStringLiteral("board")));

    const auto find = [](Session2& session, const QString& words) {
        SearchRequest search;
        search.text = words;
        const auto done = session.done(withoutSeq(search.toCbor()));
        return done && done->hits ? *done->hits : QList<ChatProtocol::SearchHit>();
    };
    // Cyrillic, case and the start of a word; the snippet marks the hit.
    auto hits = find(bob, QStringLiteral("ПРИВЕТ встреч"));
    QCOMPARE(hits.size(), 1);
    QVERIFY(hits.first().snippet.contains(QStringLiteral("мир")));
    QVERIFY(!hits.first().marks.isEmpty());
    const auto [start, end] = hits.first().marks.first();
    QCOMPARE(hits.first().snippet.mid(start, end - start).toLower(), QStringLiteral("привет"));
    // Latin: bob sees general's, not the private room's; alice sees both.
    hits = find(bob, QStringLiteral("quarterly"));
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits.first().from, QStringLiteral("alice"));
    QCOMPARE(find(alice, QStringLiteral("quarterly")).size(), 2);
    QCOMPARE(find(alice, QStringLiteral("nothing-like-this")).size(), 0);
}

void TestChatRooms::roomRequestsAndTheirErrors()
{
    using Action = RoomRequest::Action;
    Session2 alice = connect(m_alice);
    Session2 bob = connect(m_bob);
    QVERIFY(alice.ok() && bob.ok());
    QCOMPARE(alice.refusal(withoutSeq(roomRequest(Action::Create, QStringLiteral("no spaces")).toCbor())),
        ErrorCode::BadName);
    QCOMPARE(alice.refusal(withoutSeq(roomRequest(Action::Create, QString(65, QLatin1Char('x'))).toCbor())),
        ErrorCode::BadName);
    QVERIFY(alice.done(withoutSeq(roomRequest(Action::Create, QStringLiteral("design")).toCbor())));
    QCOMPARE(
        bob.refusal(withoutSeq(roomRequest(Action::Create, QStringLiteral("design")).toCbor())), ErrorCode::Exists);
    // A public room: visible, but one joins before speaking in it.
    const auto sent = bob.say(QStringLiteral("hi"), QStringLiteral("design"));
    QCOMPARE(Rejected::decode(*sent).value.code, ErrorCode::Permission);
    QCOMPARE(bob.refusal(withoutSeq(historyOf(room(QStringLiteral("design"))).toCbor())), ErrorCode::Permission);
    QVERIFY(bob.done(withoutSeq(roomRequest(Action::Join, QStringLiteral("design")).toCbor())));
    QVERIFY(bob.next(QLatin1String(RoomChanged::Type)));
    const auto accepted = bob.say(QStringLiteral("hi"), QStringLiteral("design"));
    QCOMPARE(Protocol::typeOf(*accepted), QLatin1String(Accepted::Type));
    // Only owners change it; general stays.
    RoomRequest topic = roomRequest(Action::Topic, QStringLiteral("design"));
    topic.topic = QStringLiteral("new look");
    QCOMPARE(bob.refusal(withoutSeq(topic.toCbor())), ErrorCode::Permission);
    QVERIFY(alice.done(withoutSeq(topic.toCbor())));
    const auto changed = bob.next(QLatin1String(RoomChanged::Type));
    QVERIFY(changed);
    QCOMPARE(RoomChanged::decode(*changed).value.conversation.topic, QStringLiteral("new look"));
    QCOMPARE(
        bob.refusal(withoutSeq(roomRequest(Action::Delete, QStringLiteral("design")).toCbor())), ErrorCode::Permission);
    QCOMPARE(alice.refusal(withoutSeq(roomRequest(Action::Leave, QStringLiteral("general")).toCbor())),
        ErrorCode::Permission);
    QCOMPARE(alice.refusal(withoutSeq(roomRequest(Action::Delete, QStringLiteral("general")).toCbor())),
        ErrorCode::Permission);
    QCOMPARE(alice.refusal(
                 withoutSeq(roomRequest(Action::Invite, QStringLiteral("design"), QStringLiteral("dave")).toCbor())),
        ErrorCode::NotFound);
    const auto members = alice.done(withoutSeq(roomRequest(Action::Members, QStringLiteral("design")).toCbor()));
    QVERIFY(members && members->members);
    QCOMPARE(members->members->size(), 2);
    QVERIFY(members->members->contains(RoomMember { QStringLiteral("alice"), Role::Owner }));
    QVERIFY(members->members->contains(RoomMember { QStringLiteral("bob"), Role::Member }));
    const auto rooms = bob.done(withoutSeq(RoomsRequest {}.toCbor()));
    QVERIFY(rooms && rooms->rooms);
    QCOMPARE(rooms->rooms->size(), 2); // general and design
    QVERIFY(alice.done(withoutSeq(roomRequest(Action::Delete, QStringLiteral("design")).toCbor())));
    const auto gone = bob.next(QLatin1String(RoomGone::Type));
    QVERIFY(gone);
    QCOMPARE(RoomGone::decode(*gone).value.reason, RoomGone::Reason::Deleted);
    QCOMPARE(bob.say(QStringLiteral("anyone?"), QStringLiteral("design"))->value(QStringLiteral("code")).toString(),
        wireName(ErrorCode::NotFound));
}

void TestChatRooms::aSessionCannotQueueTheStoreFull()
{
    // 300 searches written at once: the server reads them faster than the store answers, and
    // beyond 32 waiting it says busy instead of queueing; every request gets exactly one answer.
    Session2 alice = connect(m_alice);
    QVERIFY(alice.ok());
    QVERIFY(alice.say(QStringLiteral("something to find")));
    QByteArray burst;
    QSet<qint64> asked;
    for (int i = 0; i < 300; ++i) {
        SearchRequest search;
        search.seq = alice.nextSeq++;
        search.text = QStringLiteral("something");
        burst += alice.chat.raw->encryptFrame(search.toCbor());
        asked.insert(search.seq);
    }
    alice.chat.socket->write(burst);
    int busy = 0;
    while (!asked.isEmpty()) {
        const auto reply = alice.chat.read();
        QVERIFY(reply);
        const QString type = Protocol::typeOf(*reply);
        if (type != QLatin1String(Done::Type) && type != QLatin1String(Rejected::Type)) {
            continue;
        }
        QVERIFY(asked.remove(reply->value(QStringLiteral("seq")).toInteger()));
        if (type == QLatin1String(Rejected::Type)) {
            QCOMPARE(Rejected::decode(*reply).value.code, ErrorCode::Busy);
            ++busy;
        }
    }
    QVERIFY2(busy > 0 && busy < 300, qPrintable(QString::number(busy)));
    // Once the answers are in, the session is served again.
    SearchRequest again;
    again.text = QStringLiteral("something");
    QVERIFY(alice.done(withoutSeq(again.toCbor())));
}

void TestChatRooms::longListsAreSplitToFitTheTransport()
{
    // Ten rooms whose newest messages are 15 KB each: bob's conversations do not fit one
    // transport message, nor does a page of 20 such messages.
    Session2 alice = connect(m_alice);
    QVERIFY(alice.ok());
    const QString big = QString(15000, QLatin1Char('x'));
    for (int i = 0; i < 10; ++i) {
        const QString name = QStringLiteral("room%1").arg(i);
        QVERIFY(alice.done(withoutSeq(roomRequest(RoomRequest::Action::Create, name).toCbor())));
        QVERIFY(alice.done(withoutSeq(roomRequest(RoomRequest::Action::Invite, name, QStringLiteral("bob")).toCbor())));
        const auto sent = alice.say(big, name);
        QVERIFY(sent && Protocol::typeOf(*sent) == QLatin1String(Accepted::Type));
    }
    for (int i = 0; i < 20; ++i) {
        QVERIFY(alice.say(big));
    }
    Session2 bob;
    bob.chat = joinChat(m_bob, m_server->port, false, CurrentVersion);
    QVERIFY(bob.ok());
    int lists = 0;
    QVERIFY(QTest::qWaitFor([&] {
        const auto message = bob.chat.read();
        if (message && Protocol::typeOf(*message) == QLatin1String(Conversations::Type)) {
            ++lists;
            bob.conversations += Conversations::decode(*message).value.conversations;
        }
        return !message || Protocol::typeOf(*message) == QLatin1String(HistoryEnd::Type);
    }));
    QCOMPARE(bob.conversations.size(), 11); // general and the ten rooms
    QVERIFY2(lists >= 3, qPrintable(QString::number(lists)));
    for (const auto& conversation : std::as_const(bob.conversations)) {
        QVERIFY(conversation.last);
        QCOMPARE(conversation.last->text, big);
    }
    // A page is cut where the transport message is full, and says there is more.
    const auto page = bob.done(withoutSeq(historyOf(room(QStringLiteral("general")), 20).toCbor()));
    QVERIFY(page && page->messages);
    QVERIFY(page->messages->size() < 20 && !page->messages->isEmpty());
    QVERIFY(page->more);
    QCOMPARE(everything(bob, room(QStringLiteral("general"))).size(), 20);
}

void TestChatRooms::nothingButTheStartBeforeHistoryEnd()
{
    // Two sessions say hello at the same moment, each after a session of the other is there: the
    // other's join (and a leave) must wait until history_end, in both versions.
    for (int round = 0; round < 10; ++round) {
        for (const std::optional<qint64> version : { std::optional<qint64>(), std::optional<qint64>(CurrentVersion) }) {
            RawChat a = joinChat(m_alice, m_server->port, false, version, false);
            RawChat b = joinChat(m_bob, m_server->port, false, version, false);
            RawChat c = joinChat(m_carol, m_server->port, false, version);
            QVERIFY(a.socket && b.socket && c.socket);
            QVERIFY(c.next({ QStringLiteral("history_end") }));
            const QByteArray hello = Protocol::encode(Protocol::Hello { QStringLiteral("chat"), version }.toCbor());
            a.sendPlaintext(hello);
            b.sendPlaintext(hello);
            c.socket->abort(); // its leave reaches a and b while they may still be starting
            for (RawChat* chat : { &a, &b }) {
                const QStringList start { QStringLiteral("welcome"), QStringLiteral("members"),
                    QStringLiteral("conversations"), QStringLiteral("message"), QStringLiteral("notice") };
                std::optional<QCborMap> message = chat->read();
                QVERIFY(message);
                QCOMPARE(Protocol::typeOf(*message), QStringLiteral("welcome"));
                while ((message = chat->read()) && start.contains(Protocol::typeOf(*message))) { }
                QVERIFY(message);
                QCOMPARE(Protocol::typeOf(*message), QStringLiteral("history_end"));
            }
        }
    }
}

void TestChatRooms::damagedOrNewerStoreIsRefusedUntouched_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("random bytes") << QStringLiteral("random");
    QTest::newRow("newer schema") << QStringLiteral("newer");
}

void TestChatRooms::damagedOrNewerStoreIsRefusedUntouched()
{
    QFETCH(QString, kind);
    m_server->stop();
    const QString store = QDir(m_server->dataDir()).filePath(QLatin1String(ChatStore::FileName));
    if (kind == QLatin1String("random")) {
        QFile::remove(store + QStringLiteral("-wal"));
        QFile::remove(store + QStringLiteral("-shm"));
        QFile file(store);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QByteArray junk(64 * 1024, '\0');
        for (qsizetype i = 0; i < junk.size(); ++i) {
            junk[i] = char((i * 7919 + 13) % 251);
        }
        file.write(junk);
    } else {
        {
            auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("newer"));
            db.setDatabaseName(store);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("UPDATE quietwire_schema SET version = 99")));
            QVERIFY(query.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("newer"));
    }
    const QByteArray before = sha256Of(store);
    QVERIFY(!before.isEmpty());
    QProcess server;
    server.start(binary("quietwired"),
        { QStringLiteral("--data-dir"), m_server->dataDir(), QStringLiteral("--listen"), QStringLiteral("127.0.0.1"),
            QStringLiteral("--port"), QStringLiteral("0") });
    QVERIFY(server.waitForFinished(20000));
    QCOMPARE(server.exitCode(), 1);
    const QString err = QString::fromUtf8(server.readAllStandardError());
    QVERIFY2(err.contains(store), qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("backup")), qPrintable(err)); // the way out
    QCOMPARE(sha256Of(store), before);
}

QTEST_GUILESS_MAIN(TestChatRooms)
#include "TestChatRooms.moc"
