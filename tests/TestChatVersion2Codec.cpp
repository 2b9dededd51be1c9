// The chat protocol's version-2 messages through their one codec (ChatRequests, ChatMessages):
// every message round-trips, version 1's encoding is unchanged, and every bad field is a
// BadRequest naming it, with the request's seq kept for the answer when seq itself was fine.

#include "CborMap.h"
#include "ChatMessages.h"

#include <QCborArray>
#include <QTest>

using namespace QuietWire;
using namespace QuietWire::ChatProtocol;

namespace {

template <typename T>
T serverRoundTrip(const T& message)
{
    const auto decoded = decodeServerMessage(message.toCbor());
    if (!decoded.ok()) {
        qWarning("does not decode: %s", qPrintable(decoded.error->message));
        return T {};
    }
    const T* value = std::get_if<T>(&decoded.value);
    return value ? *value : T {};
}

template <typename T>
T clientRoundTrip(const T& message)
{
    const auto decoded = decodeClientMessage(message.toCbor());
    if (!decoded.ok()) {
        qWarning("does not decode: %s", qPrintable(decoded.error->message));
        return T {};
    }
    const T* value = std::get_if<T>(&decoded.value);
    return value ? *value : T {};
}

Message sampleMessage(qint64 id)
{
    Message message;
    message.id = id;
    message.from = QStringLiteral("alice");
    message.fingerprint = QStringLiteral("SHA256:alice");
    message.text = QStringLiteral("привет");
    message.time = QDateTime::fromMSecsSinceEpoch(1764590000000 + id, Qt::UTC);
    message.conversation = 3;
    message.room = QStringLiteral("team");
    message.clientId = QStringLiteral("c-%1").arg(id);
    return message;
}

} // namespace

class TestChatVersion2Codec : public QObject
{
    Q_OBJECT

private slots:
    void version1EncodingIsUnchanged();
    void version2FieldsRoundTrip();
    void requestsRoundTrip();
    void serverMessagesRoundTrip();
    void badFieldIsNamed_data();
    void badFieldIsNamed();
    void seqOfARequestWithABadField();
};

void TestChatVersion2Codec::version1EncodingIsUnchanged()
{
    // A version-1 peer sees exactly the maps it always did: no new keys unless they are set.
    QCOMPARE(Protocol::Hello { QStringLiteral("chat") }.toCbor(),
        map({ { "type", QStringLiteral("hello") }, { "service", QStringLiteral("chat") } }));
    Message message;
    message.id = 1;
    message.from = QStringLiteral("a");
    message.fingerprint = QStringLiteral("f");
    message.text = QStringLiteral("t");
    message.time = QDateTime::fromMSecsSinceEpoch(5, Qt::UTC);
    QCOMPARE(message.toCbor(),
        map({ { "type", QStringLiteral("message") }, { "id", 1 }, { "text", QStringLiteral("t") }, { "time", 5 },
            { "from", QStringLiteral("a") }, { "fingerprint", QStringLiteral("f") } }));
    QCOMPARE((Accepted { 4, 9 }.toCbor()), map({ { "type", QStringLiteral("accepted") }, { "seq", 4 }, { "id", 9 } }));
    Send send;
    send.seq = 2;
    send.text = QStringLiteral("x");
    QCOMPARE(
        send.toCbor(), map({ { "type", QStringLiteral("message") }, { "seq", 2 }, { "text", QStringLiteral("x") } }));
}

void TestChatVersion2Codec::version2FieldsRoundTrip()
{
    Protocol::Hello hello { QStringLiteral("chat") };
    hello.version = CurrentVersion;
    const auto decodedHello = Protocol::Hello::decode(hello.toCbor());
    QVERIFY(decodedHello.ok());
    QCOMPARE(decodedHello.value, hello);

    Welcome welcome { QStringLiteral("bob"), QStringLiteral("SHA256:bob"), {} };
    welcome.version = 2;
    QCOMPARE(serverRoundTrip(welcome), welcome);
    const Message message = sampleMessage(17);
    QCOMPARE(serverRoundTrip(message), message);
    Accepted accepted { 4, 17 };
    accepted.conversation = 3;
    accepted.duplicate = true;
    accepted.waiting = true;
    QCOMPARE(serverRoundTrip(accepted), accepted);

    Send toRoom;
    toRoom.seq = 5;
    toRoom.text = QStringLiteral("hi");
    toRoom.room = QStringLiteral("team");
    toRoom.clientId = QStringLiteral("7f3a-1");
    QCOMPARE(clientRoundTrip(toRoom), toRoom);
    Send direct;
    direct.seq = 6;
    direct.text = QStringLiteral("hi");
    direct.to = QStringLiteral("carol");
    QCOMPARE(clientRoundTrip(direct), direct);

    // An attachment: the client sends path, size and sha256; the server adds name and removed.
    Send withFile;
    withFile.seq = 7;
    withFile.room = QStringLiteral("lab");
    withFile.attachment.emplace();
    withFile.attachment->path = QStringLiteral("/rooms/lab/attachments/2026-12-01/report.pdf");
    withFile.attachment->size = 12345;
    withFile.attachment->sha256 = QByteArray(32, 'h');
    QCOMPARE(clientRoundTrip(withFile), withFile);
    QVERIFY(!withFile.toCbor().value(QStringLiteral("attachment")).toMap().contains(QStringLiteral("name")));
    Message delivered = sampleMessage(18);
    delivered.attachment = withFile.attachment;
    delivered.attachment->name = QStringLiteral("report.pdf");
    delivered.attachment->removed = true;
    QCOMPARE(serverRoundTrip(delivered), delivered);
    QCOMPARE(attachmentLine(*delivered.attachment),
        QStringLiteral("[file report.pdf, 12,345 bytes, removed: /rooms/lab/attachments/2026-12-01/report.pdf]"));
}

void TestChatVersion2Codec::requestsRoundTrip()
{
    HistoryRequest history;
    history.seq = 1;
    history.target.room = QStringLiteral("team");
    QCOMPARE(clientRoundTrip(history), history);
    history.target = {};
    history.target.conversation = 12;
    history.before = 400;
    history.limit = MaxHistoryLimit;
    QCOMPARE(clientRoundTrip(history), history);
    history.target = {};
    history.target.with = QStringLiteral("alice");
    QCOMPARE(clientRoundTrip(history), history);

    SearchRequest search;
    search.seq = 2;
    search.text = QStringLiteral("сервер deploy");
    QCOMPARE(clientRoundTrip(search), search);
    search.target.room = QStringLiteral("team");
    search.before = 99;
    search.limit = 1;
    QCOMPARE(clientRoundTrip(search), search);

    const ReadRequest read { 3, 12, 400 };
    QCOMPARE(clientRoundTrip(read), read);
    const RoomsRequest rooms { 4 };
    QCOMPARE(clientRoundTrip(rooms), rooms);

    for (int action = 0; action <= static_cast<int>(RoomRequest::Action::Members); ++action) {
        RoomRequest request;
        request.action = static_cast<RoomRequest::Action>(action);
        request.seq = 10 + action;
        request.room = QStringLiteral("team");
        if (request.action == RoomRequest::Action::Invite || request.action == RoomRequest::Action::Remove) {
            request.member = QStringLiteral("dave");
        }
        if (request.action == RoomRequest::Action::Topic || request.action == RoomRequest::Action::Create) {
            request.topic = QStringLiteral("plans for Q1");
        }
        if (request.action == RoomRequest::Action::Create) {
            request.isPrivate = true;
        }
        QCOMPARE(clientRoundTrip(request), request);
        QCOMPARE(RoomRequest::actionOf(RoomRequest::typeName(request.action)), request.action);
    }
    QVERIFY(!RoomRequest::actionOf(u"room_fly"));
}

void TestChatVersion2Codec::serverMessagesRoundTrip()
{
    ConversationSummary room;
    room.id = 3;
    room.kind = ConversationKind::Room;
    room.name = QStringLiteral("team");
    room.topic = QStringLiteral("plans");
    room.isPrivate = true;
    room.role = Role::Owner;
    room.unread = 2;
    room.lastRead = 15;
    room.last = sampleMessage(17);
    ConversationSummary direct;
    direct.id = 4;
    direct.kind = ConversationKind::Direct;
    direct.name = QStringLiteral("alice");
    const Conversations conversations { { room, direct } };
    QCOMPARE(serverRoundTrip(conversations), conversations);
    QCOMPARE(serverRoundTrip(Conversations {}), Conversations {});

    Done history { 7 };
    history.conversation = 3;
    history.messages = QList<Message> { sampleMessage(17), sampleMessage(16) };
    history.more = true;
    QCOMPARE(serverRoundTrip(history), history);
    Done search { 8 };
    search.hits = QList<SearchHit> { { 17, 3, QStringLiteral("alice"), QStringLiteral("SHA256:alice"),
        QDateTime::fromMSecsSinceEpoch(1000, Qt::UTC), QStringLiteral("… the сервер today"), { { 6, 12 } } } };
    QCOMPARE(serverRoundTrip(search), search);
    Done rooms { 9 };
    rooms.rooms = QList<RoomInfo> { { 3, QStringLiteral("team"), QStringLiteral("plans"), false, 4, true } };
    QCOMPARE(serverRoundTrip(rooms), rooms);
    Done members { 10 };
    members.members
        = QList<RoomMember> { { QStringLiteral("alice"), Role::Owner }, { QStringLiteral("bob"), Role::Member } };
    QCOMPARE(serverRoundTrip(members), members);
    const Done plain { 11 };
    QCOMPARE(serverRoundTrip(plain), plain);
    Done empty { 12 };
    empty.messages = QList<Message> {}; // an empty page is not "no page"
    QCOMPARE(serverRoundTrip(empty), empty);

    const ReadMarker marker { 3, 17, 0 };
    QCOMPARE(serverRoundTrip(marker), marker);
    const RoomChanged changed { room };
    QCOMPARE(serverRoundTrip(changed), changed);
    for (const RoomGone::Reason reason :
        { RoomGone::Reason::Left, RoomGone::Reason::Removed, RoomGone::Reason::Deleted }) {
        const RoomGone gone { 3, QStringLiteral("team"), reason };
        QCOMPARE(serverRoundTrip(gone), gone);
    }
}

void TestChatVersion2Codec::badFieldIsNamed_data()
{
    QTest::addColumn<QCborMap>("message");
    QTest::addColumn<QString>("field");
    QTest::addColumn<bool>("client"); // a client-to-server message (else server-to-client)
    const auto history = [](std::initializer_list<std::pair<const char*, QCborValue>> extra) {
        QCborMap m = map({ { "type", QStringLiteral("history") }, { "seq", 1 } });
        for (const auto& [key, value] : extra) {
            m.insert(QLatin1String(key), value);
        }
        return m;
    };
    QTest::newRow("history without a target") << history({}) << "conversation" << true;
    QTest::newRow("history with two targets")
        << history({ { "room", QStringLiteral("a") }, { "with", QStringLiteral("b") } }) << "conversation" << true;
    QTest::newRow("history room empty") << history({ { "room", QString() } }) << "room" << true;
    QTest::newRow("history conversation as text")
        << history({ { "conversation", QStringLiteral("3") } }) << "conversation" << true;
    QTest::newRow("history limit 0") << history({ { "room", QStringLiteral("a") }, { "limit", 0 } }) << "limit" << true;
    QTest::newRow("history limit 201") << history({ { "room", QStringLiteral("a") }, { "limit", 201 } }) << "limit"
                                       << true;
    QTest::newRow("history limit as text")
        << history({ { "room", QStringLiteral("a") }, { "limit", QStringLiteral("5") } }) << "limit" << true;
    QTest::newRow("history before negative")
        << history({ { "room", QStringLiteral("a") }, { "before", -1 } }) << "before" << true;
    QTest::newRow("search without text") << map({ { "type", QStringLiteral("search") }, { "seq", 1 } }) << "text"
                                         << true;
    QTest::newRow("search blank text") << map(
        { { "type", QStringLiteral("search") }, { "seq", 1 }, { "text", QStringLiteral("  ") } })
                                       << "text" << true;
    QTest::newRow("search text too long")
        << map({ { "type", QStringLiteral("search") }, { "seq", 1 }, { "text", QString(257, QLatin1Char('x')) } })
        << "text" << true;
    QTest::newRow("search limit 101") << map(
        { { "type", QStringLiteral("search") }, { "seq", 1 }, { "text", QStringLiteral("x") }, { "limit", 101 } })
                                      << "limit" << true;
    QTest::newRow("read up_to missing") << map(
        { { "type", QStringLiteral("read") }, { "seq", 1 }, { "conversation", 3 } })
                                        << "up_to" << true;
    QTest::newRow("room_create without room")
        << map({ { "type", QStringLiteral("room_create") }, { "seq", 1 } }) << "room" << true;
    QTest::newRow("room_join room empty")
        << map({ { "type", QStringLiteral("room_join") }, { "seq", 1 }, { "room", QString() } }) << "room" << true;
    QTest::newRow("room_invite without member")
        << map({ { "type", QStringLiteral("room_invite") }, { "seq", 1 }, { "room", QStringLiteral("a") } }) << "member"
        << true;
    QTest::newRow("room_topic without topic")
        << map({ { "type", QStringLiteral("room_topic") }, { "seq", 1 }, { "room", QStringLiteral("a") } }) << "topic"
        << true;
    QTest::newRow("room_create topic too long") << map({ { "type", QStringLiteral("room_create") }, { "seq", 1 },
        { "room", QStringLiteral("a") }, { "topic", QString(1025, QLatin1Char('t')) } })
                                                << "topic" << true;
    QTest::newRow("room_create private as text") << map({ { "type", QStringLiteral("room_create") }, { "seq", 1 },
        { "room", QStringLiteral("a") }, { "private", QStringLiteral("yes") } })
                                                 << "private" << true;
    QTest::newRow("message to a room and a person") << map({ { "type", QStringLiteral("message") }, { "seq", 1 },
        { "text", QStringLiteral("x") }, { "to", QStringLiteral("b") }, { "room", QStringLiteral("a") } })
                                                    << "room" << true;
    QTest::newRow("message room empty") << map(
        { { "type", QStringLiteral("message") }, { "seq", 1 }, { "text", QStringLiteral("x") }, { "room", QString() } })
                                        << "room" << true;
    QTest::newRow("message client_id empty") << map({ { "type", QStringLiteral("message") }, { "seq", 1 },
        { "text", QStringLiteral("x") }, { "client_id", QString() } })
                                             << "client_id" << true;
    QTest::newRow("message client_id too long") << map({ { "type", QStringLiteral("message") }, { "seq", 1 },
        { "text", QStringLiteral("x") }, { "client_id", QString(65, QLatin1Char('c')) } })
                                                << "client_id" << true;
    QTest::newRow("message client_id with a control character") << map({ { "type", QStringLiteral("message") },
        { "seq", 1 }, { "text", QStringLiteral("x") }, { "client_id", QStringLiteral("a\nb") } })
                                                                << "client_id" << true;
    QTest::newRow("message client_id as a number") << map(
        { { "type", QStringLiteral("message") }, { "seq", 1 }, { "text", QStringLiteral("x") }, { "client_id", 5 } })
                                                   << "client_id" << true;
    QTest::newRow("done messages not an array")
        << map({ { "type", QStringLiteral("done") }, { "seq", 1 }, { "messages", 3 } }) << "messages" << false;
    QTest::newRow("done a message without text") << map({ { "type", QStringLiteral("done") }, { "seq", 1 },
        { "messages", QCborArray { map({ { "type", QStringLiteral("message") }, { "id", 1 } }) } } })
                                                 << "messages" << false;
    QTest::newRow("done a mark out of order") << map({ { "type", QStringLiteral("done") }, { "seq", 1 },
        { "hits",
            QCborArray { map({ { "id", 1 }, { "conversation", 1 }, { "from", QStringLiteral("a") },
                { "fingerprint", QStringLiteral("f") }, { "time", 1 }, { "snippet", QStringLiteral("s") },
                { "marks", QCborArray { QCborArray { 5, 2 } } } }) } } })
                                              << "hits" << false;
    QTest::newRow("conversations with an unknown kind") << map({ { "type", QStringLiteral("conversations") },
        { "conversations",
            QCborArray { map({ { "id", 1 }, { "kind", QStringLiteral("channel") }, { "name", QStringLiteral("a") },
                { "topic", QString() }, { "role", QStringLiteral("member") }, { "unread", 0 },
                { "last_read", 0 } }) } } }) << "conversations"
                                                        << false;
    QTest::newRow("read_marker unread negative") << map(
        { { "type", QStringLiteral("read_marker") }, { "conversation", 1 }, { "last_read", 1 }, { "unread", -2 } })
                                                 << "unread" << false;
    QTest::newRow("room_gone with an unknown reason") << map({ { "type", QStringLiteral("room_gone") },
        { "conversation", 1 }, { "room", QStringLiteral("a") }, { "reason", QStringLiteral("vanished") } })
                                                      << "reason" << false;
    const auto withFile = [](std::initializer_list<std::pair<const char*, QCborValue>> fields) {
        QCborMap attachment = map({ { "path", QStringLiteral("/rooms/lab/a.pdf") }, { "size", 3 },
            { "sha256", QCborValue(QByteArray(32, 'h')) } });
        for (const auto& [key, value] : fields) {
            attachment.insert(QLatin1String(key), value);
        }
        return map({ { "type", QStringLiteral("message") }, { "seq", 1 }, { "text", QString() },
            { "room", QStringLiteral("lab") }, { "attachment", attachment } });
    };
    QTest::newRow("attachment not a map") << map({ { "type", QStringLiteral("message") }, { "seq", 1 },
        { "text", QStringLiteral("a") }, { "attachment", QStringLiteral("/rooms/lab/a.pdf") } })
                                          << "attachment" << true;
    QTest::newRow("attachment path as bytes")
        << withFile({ { "path", QCborValue(QByteArray("/rooms/lab/a")) } }) << "attachment.path" << true;
    QTest::newRow("attachment size negative") << withFile({ { "size", -1 } }) << "attachment.size" << true;
    QTest::newRow("attachment size as text")
        << withFile({ { "size", QStringLiteral("3") } }) << "attachment.size" << true;
    QTest::newRow("attachment sha256 as hex text")
        << withFile({ { "sha256", QString(64, QLatin1Char('a')) } }) << "attachment.sha256" << true;
    QTest::newRow("attachment sha256 of 31 bytes")
        << withFile({ { "sha256", QCborValue(QByteArray(31, 'h')) } }) << "attachment.sha256" << true;
    QTest::newRow("room without its conversation map")
        << map({ { "type", QStringLiteral("room") }, { "conversation", 5 } }) << "conversation" << false;
}

void TestChatVersion2Codec::badFieldIsNamed()
{
    QFETCH(QCborMap, message);
    QFETCH(QString, field);
    QFETCH(bool, client);
    const std::optional<Protocol::DecodeError> error
        = client ? decodeClientMessage(message).error : decodeServerMessage(message).error;
    QVERIFY2(error, "decoded without an error");
    QCOMPARE(error->code, ErrorCode::BadRequest);
    QCOMPARE(error->field, field);
    QVERIFY2(error->message.contains(QStringLiteral("\"%1\"").arg(field)), qPrintable(error->message));
}

void TestChatVersion2Codec::seqOfARequestWithABadField()
{
    // Another field failed: the answer is "rejected" with the request's seq.
    const auto badLimit = decodeClientMessage(
        map({ { "type", QStringLiteral("history") }, { "seq", 41 }, { "room", QStringLiteral("a") }, { "limit", 0 } }));
    QVERIFY(!badLimit.ok());
    QCOMPARE(seqOf(badLimit), std::optional<qint64>(41));
    // No usable seq: nothing to answer, the session ends.
    const auto noSeq = decodeClientMessage(map({ { "type", QStringLiteral("rooms") } }));
    QVERIFY(!noSeq.ok());
    QCOMPARE(seqOf(noSeq), std::nullopt);
    const auto textSeq = decodeClientMessage(map(
        { { "type", QStringLiteral("room_join") }, { "seq", QStringLiteral("1") }, { "room", QStringLiteral("a") } }));
    QCOMPARE(seqOf(textSeq), std::nullopt);
    // A type the server does not know is no request at all.
    const auto unknown = decodeClientMessage(map({ { "type", QStringLiteral("typing") }, { "seq", 1 } }));
    QVERIFY(unknown.ok());
    QVERIFY(std::holds_alternative<std::monostate>(unknown.value));
    QCOMPARE(seqOf(unknown), std::nullopt);
}

QTEST_APPLESS_MAIN(TestChatVersion2Codec)
#include "TestChatVersion2Codec.moc"
