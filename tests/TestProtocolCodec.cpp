#include "CborMap.h"
#include "ChatMessages.h"
#include "ErrorCode.h"
#include "Protocol.h"
#include "ProtocolDocument.h"

#include <QCborArray>
#include <QTest>

using namespace QuietWire;

namespace {

/// The map with key's value replaced (or added).
QCborMap with(QCborMap message, const char* key, const QCborValue& value)
{
    message.insert(QLatin1String(key), value);
    return message;
}

/// The type names in the first column of the "type" table under each of headings (section 7's
/// "#### Server to client", ...).
QStringList typeTable(const QStringList& lines, const QStringList& headings)
{
    QStringList names;
    for (const QString& heading : headings) {
        for (const QStringList& row :
            ProtocolDocument::table(ProtocolDocument::subsection(lines, heading), QStringLiteral("type"))) {
            names += ProtocolDocument::quoted(row.value(0));
        }
    }
    return names;
}

/// What T's own decoder makes of encoded; T {} (which no test expects) if it fails.
template <typename T>
T decoded(const QCborMap& encoded)
{
    const Protocol::Decoded<T> message = T::decode(encoded);
    if (!message.ok()) {
        qWarning("does not decode: %s", qPrintable(message.error->message));
        return T {};
    }
    return message.value;
}

/// What decodeServerMessage() makes of encoded, if it is a T; T {} otherwise.
template <typename T>
T decodedServerMessage(const QCborMap& encoded)
{
    const auto any = ChatProtocol::decodeServerMessage(encoded);
    if (!any.ok()) {
        qWarning("does not decode: %s", qPrintable(any.error->message));
        return T {};
    }
    const T* message = std::get_if<T>(&any.value);
    if (!message) {
        qWarning("decodes as another type (%zu)", any.value.index());
        return T {};
    }
    return *message;
}

const ChatProtocol::Member Alice { QStringLiteral("alice"), QStringLiteral("SHA256:alice") };
const ChatProtocol::Member Bob { QStringLiteral("bob"), QStringLiteral("SHA256:bob") };

ChatProtocol::Message roomMessage()
{
    ChatProtocol::Message message;
    message.id = 7;
    message.from = Alice.name;
    message.fingerprint = Alice.fingerprint;
    message.text = QStringLiteral("hello\nworld");
    message.time = QDateTime::fromMSecsSinceEpoch(1764590000123, Qt::UTC);
    return message;
}

} // namespace

/// The protocol layer's codec: every error code and message type of docs/PROTOCOL.md goes through
/// its one encoder and decoder and comes back the same.
class TestProtocolCodec : public QObject
{
    Q_OBJECT

private slots:
    void everyWireCodeRoundTrips_data();
    void everyWireCodeRoundTrips();
    void clientSideKindsNeverTravel();
    void unknownCodeIsUnknown();

    // Messages (docs/PROTOCOL.md sections 4, 5 and 7).
    void messagesEncodeAsDocumented_data();
    void messagesEncodeAsDocumented();
    void envelopeRoundTrips();
    void everyFatalCodeRoundTrips();
    void chatServerMessagesRoundTrip();
    void chatSendRoundTrips();
    void wrongTypedFieldIsBadRequest_data();
    void wrongTypedFieldIsBadRequest();
    void sendKeepsSeqForTheRejection();
    void unknownTypesAndCodesAreNotErrors();
    void everyDocumentedTypeHasACodec();
};

void TestProtocolCodec::everyWireCodeRoundTrips_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("code");
    const QList<std::pair<const char*, ErrorCode>> codes {
        { "unauthorized", ErrorCode::Unauthorized },
        { "busy", ErrorCode::Busy },
        { "bad_request", ErrorCode::BadRequest },
        { "unknown_service", ErrorCode::UnknownService },
        { "revoked", ErrorCode::Revoked },
        { "kicked", ErrorCode::Kicked },
        { "shutdown", ErrorCode::Shutdown },
        { "too_many_sessions", ErrorCode::TooManySessions },
        { "not_found", ErrorCode::NotFound },
        { "exists", ErrorCode::Exists },
        { "not_empty", ErrorCode::NotEmpty },
        { "permission", ErrorCode::Permission },
        { "quota", ErrorCode::Quota },
        { "bad_path", ErrorCode::BadPath },
        { "io", ErrorCode::Io },
        { "mismatch", ErrorCode::Mismatch },
        { "bad_name", ErrorCode::BadName },
        { "unavailable", ErrorCode::Unavailable },
    };
    for (const auto& [text, code] : codes)
        QTest::newRow(text) << QString::fromLatin1(text) << int(code);
}

void TestProtocolCodec::everyWireCodeRoundTrips()
{
    QFETCH(QString, text);
    QFETCH(int, code);
    QCOMPARE(int(errorCodeFromWire(text)), code);
    QCOMPARE(wireName(ErrorCode(code)), text);
    QVERIFY(isWireCode(ErrorCode(code)));
}

void TestProtocolCodec::clientSideKindsNeverTravel()
{
    for (const ErrorCode code :
        { ErrorCode::None, ErrorCode::Unknown, ErrorCode::ConnectionLost, ErrorCode::LocalFile }) {
        QVERIFY(wireName(code).isEmpty());
        QVERIFY(!isWireCode(code));
    }
    // Not even the names the client once used as fake wire codes.
    QCOMPARE(errorCodeFromWire(u"connection"), ErrorCode::Unknown);
    QCOMPARE(errorCodeFromWire(u"local"), ErrorCode::Unknown);
}

void TestProtocolCodec::unknownCodeIsUnknown()
{
    QCOMPARE(errorCodeFromWire(u"from_the_future"), ErrorCode::Unknown);
    QCOMPARE(errorCodeFromWire(u"NOT_FOUND"), ErrorCode::Unknown); // exact spelling only
    QCOMPARE(errorCodeFromWire(u""), ErrorCode::None);
    QVERIFY((Failure { ErrorCode::ConnectionLost, QString() }.isInterruption()));
    QVERIFY(!(Failure { ErrorCode::NotFound, QString() }.isInterruption()));
}

void TestProtocolCodec::messagesEncodeAsDocumented_data()
{
    // The wire, written out as docs/PROTOCOL.md shows it: same keys, same CBOR types, same order.
    QTest::addColumn<QCborMap>("encoded");
    QTest::addColumn<QCborMap>("expected");
    QTest::newRow("hello") << Protocol::Hello { QStringLiteral("chat") }.toCbor()
                           << map({ { "type", QStringLiteral("hello") }, { "service", QStringLiteral("chat") } });
    QTest::newRow("session") << Protocol::SessionHandoff { 7411, QByteArray(16, 'T'), 7401, 7464, 15000 }.toCbor()
                             << map({ { "type", QStringLiteral("session") }, { "port", 7411 },
                                    { "ticket", QByteArray(16, 'T') }, { "ports", QCborArray { 7401, 7464 } },
                                    { "keepalive", 15000 } });
    QTest::newRow("error") << Protocol::FatalError { ErrorCode::TooManySessions, QStringLiteral("why") }.toCbor()
                           << map({ { "type", QStringLiteral("error") },
                                  { "code", QStringLiteral("too_many_sessions") },
                                  { "message", QStringLiteral("why") } });
    const QCborMap alice = map({ { "name", Alice.name }, { "fingerprint", Alice.fingerprint } });
    QTest::newRow("welcome") << ChatProtocol::Welcome { Bob.name, Bob.fingerprint, { Alice } }.toCbor()
                             << map({ { "type", QStringLiteral("welcome") }, { "name", Bob.name },
                                    { "fingerprint", Bob.fingerprint }, { "members", QCborArray { alice } } });
    QTest::newRow("members") << ChatProtocol::Members { { Alice } }.toCbor()
                             << map({ { "type", QStringLiteral("members") }, { "members", QCborArray { alice } } });
    QTest::newRow("message") << roomMessage().toCbor()
                             << map({ { "type", QStringLiteral("message") }, { "id", 7 },
                                    { "text", QStringLiteral("hello\nworld") }, { "time", qint64(1764590000123) },
                                    { "from", Alice.name }, { "fingerprint", Alice.fingerprint } });
    ChatProtocol::Message direct = roomMessage();
    direct.to = Bob.name;
    direct.history = true; // never on the wire for a direct message, but the codec writes what it is given
    QTest::newRow("message to") << direct.toCbor()
                                << map({ { "type", QStringLiteral("message") }, { "id", 7 },
                                       { "text", QStringLiteral("hello\nworld") }, { "time", qint64(1764590000123) },
                                       { "from", Alice.name }, { "fingerprint", Alice.fingerprint }, { "to", Bob.name },
                                       { "history", true } });
    ChatProtocol::Message notice = roomMessage();
    notice.notice = true;
    notice.from.clear();
    notice.fingerprint.clear();
    QTest::newRow("notice") << notice.toCbor()
                            << map({ { "type", QStringLiteral("notice") }, { "id", 7 },
                                   { "text", QStringLiteral("hello\nworld") }, { "time", qint64(1764590000123) } });
    QTest::newRow("history_end") << ChatProtocol::HistoryEnd {}.toCbor()
                                 << map({ { "type", QStringLiteral("history_end") } });
    QTest::newRow("join") << ChatProtocol::Join { Alice }.toCbor()
                          << map({ { "type", QStringLiteral("join") }, { "name", Alice.name },
                                 { "fingerprint", Alice.fingerprint } });
    QTest::newRow("leave") << ChatProtocol::Leave { Alice }.toCbor()
                           << map({ { "type", QStringLiteral("leave") }, { "name", Alice.name },
                                  { "fingerprint", Alice.fingerprint } });
    QTest::newRow("presence")
        << ChatProtocol::Presence { { Alice, Bob }, { Alice } }.toCbor()
        << map({ { "type", QStringLiteral("presence") },
               { "joined",
                   QCborArray { map({ { "name", Alice.name }, { "fingerprint", Alice.fingerprint } }),
                       map({ { "name", Bob.name }, { "fingerprint", Bob.fingerprint } }) } },
               { "left", QCborArray { map({ { "name", Alice.name }, { "fingerprint", Alice.fingerprint } }) } } });
    QTest::newRow("accepted") << ChatProtocol::Accepted { 3, 42 }.toCbor()
                              << map({ { "type", QStringLiteral("accepted") }, { "seq", 3 }, { "id", 42 } });
    QTest::newRow("rejected") << ChatProtocol::Rejected { 3, ErrorCode::NotFound, QStringLiteral("nobody") }.toCbor()
                              << map({ { "type", QStringLiteral("rejected") }, { "seq", 3 },
                                     { "code", QStringLiteral("not_found") },
                                     { "message", QStringLiteral("nobody") } });
    QTest::newRow("send") << ChatProtocol::Send { 3, QStringLiteral("hi"), std::nullopt }.toCbor()
                          << map({ { "type", QStringLiteral("message") }, { "seq", 3 },
                                 { "text", QStringLiteral("hi") } });
    QTest::newRow("send to") << ChatProtocol::Send { 4, QStringLiteral("hi"), Bob.name }.toCbor()
                             << map({ { "type", QStringLiteral("message") }, { "seq", 4 },
                                    { "text", QStringLiteral("hi") }, { "to", Bob.name } });
}

void TestProtocolCodec::messagesEncodeAsDocumented()
{
    QFETCH(QCborMap, encoded);
    QFETCH(QCborMap, expected);
    // Bytes, not maps: the order of the keys and the CBOR types are part of the wire.
    QCOMPARE(Protocol::encode(encoded).toHex(), Protocol::encode(expected).toHex());
}

void TestProtocolCodec::envelopeRoundTrips()
{
    const Protocol::Hello hello { QStringLiteral("files") };
    QCOMPARE(decoded<Protocol::Hello>(hello.toCbor()), hello);

    const Protocol::SessionHandoff handoff { 65535, QByteArray(16, '\xff'), 1, 65535, 0 };
    QCOMPARE(decoded<Protocol::SessionHandoff>(handoff.toCbor()), handoff);
    // An older server's message without "ports" and "keepalive": the pool is the one port.
    QCborMap bare = handoff.toCbor();
    bare.remove(QLatin1String("ports"));
    bare.remove(QLatin1String("keepalive"));
    const auto fromBare = Protocol::SessionHandoff::decode(bare);
    QVERIFY2(fromBare.ok(), qPrintable(fromBare.error.value_or(Protocol::DecodeError {}).message));
    QCOMPARE(fromBare.value.portsFirst, quint16(65535));
    QCOMPARE(fromBare.value.portsLast, quint16(65535));
    QCOMPARE(fromBare.value.keepaliveMs, qint64(0));
    QVERIFY(!fromBare.error);

    // Through the bytes as well: what encode() writes, decode() reads back to the same struct.
    const auto bytes = Protocol::decode(Protocol::encode(handoff.toCbor()));
    QVERIFY(bytes);
    QCOMPARE(decoded<Protocol::SessionHandoff>(*bytes), handoff);
}

void TestProtocolCodec::everyFatalCodeRoundTrips()
{
    // Every code section 4 lists; the test of the document checks that list against the table.
    for (const ErrorCode code :
        { ErrorCode::Unauthorized, ErrorCode::Busy, ErrorCode::BadRequest, ErrorCode::UnknownService,
            ErrorCode::Revoked, ErrorCode::Kicked, ErrorCode::Shutdown, ErrorCode::TooManySessions }) {
        const Protocol::FatalError fatal { code, QStringLiteral("because") };
        const auto bytes = Protocol::decode(Protocol::encode(fatal.toCbor()));
        QVERIFY(bytes);
        QCOMPARE(decoded<Protocol::FatalError>(*bytes), fatal);
    }
}

void TestProtocolCodec::chatServerMessagesRoundTrip()
{
    QList<ChatProtocol::Member> many;
    for (int i = 0; i < 3; ++i) {
        many.append({ QStringLiteral("m%1").arg(i), QStringLiteral("SHA256:%1").arg(i) });
    }
    const ChatProtocol::Welcome welcome { Bob.name, Bob.fingerprint, many };
    QCOMPARE(decodedServerMessage<ChatProtocol::Welcome>(welcome.toCbor()), welcome);
    const ChatProtocol::Welcome alone { Bob.name, Bob.fingerprint, {} };
    QCOMPARE(decodedServerMessage<ChatProtocol::Welcome>(alone.toCbor()), alone);
    const ChatProtocol::Members members { many };
    QCOMPARE(decodedServerMessage<ChatProtocol::Members>(members.toCbor()), members);

    ChatProtocol::Message message = roomMessage();
    QCOMPARE(decodedServerMessage<ChatProtocol::Message>(message.toCbor()), message);
    message.to = Bob.name;
    QCOMPARE(decodedServerMessage<ChatProtocol::Message>(message.toCbor()), message);
    message.to.clear();
    message.history = true;
    QCOMPARE(decodedServerMessage<ChatProtocol::Message>(message.toCbor()), message);
    ChatProtocol::Message notice;
    notice.notice = true;
    notice.id = 8;
    notice.text = QStringLiteral("maintenance at noon");
    notice.time = QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    QCOMPARE(decodedServerMessage<ChatProtocol::Message>(notice.toCbor()), notice);
    notice.history = true;
    QCOMPARE(decodedServerMessage<ChatProtocol::Message>(notice.toCbor()), notice);

    const auto end = ChatProtocol::decodeServerMessage(ChatProtocol::HistoryEnd {}.toCbor());
    QVERIFY(end.ok() && std::holds_alternative<ChatProtocol::HistoryEnd>(end.value));
    QCOMPARE(
        decodedServerMessage<ChatProtocol::Join>(ChatProtocol::Join { Alice }.toCbor()), ChatProtocol::Join { Alice });
    QCOMPARE(decodedServerMessage<ChatProtocol::Leave>(ChatProtocol::Leave { Alice }.toCbor()),
        ChatProtocol::Leave { Alice });
    const ChatProtocol::Presence presence { { Alice, Bob }, { Bob } };
    QCOMPARE(decodedServerMessage<ChatProtocol::Presence>(presence.toCbor()), presence);
    QCOMPARE(
        decodedServerMessage<ChatProtocol::Presence>(ChatProtocol::Presence {}.toCbor()), ChatProtocol::Presence {});
    const ChatProtocol::Accepted accepted { 5, (qint64(1) << 62) };
    QCOMPARE(decodedServerMessage<ChatProtocol::Accepted>(accepted.toCbor()), accepted);
    for (const ErrorCode code : { ErrorCode::BadRequest, ErrorCode::NotFound }) {
        const ChatProtocol::Rejected rejected { 6, code, QStringLiteral("no") };
        QCOMPARE(decodedServerMessage<ChatProtocol::Rejected>(rejected.toCbor()), rejected);
    }
}

void TestProtocolCodec::chatSendRoundTrips()
{
    const ChatProtocol::Send room { 1, QStringLiteral("to all"), std::nullopt };
    QCOMPARE(decoded<ChatProtocol::Send>(room.toCbor()), room);
    const ChatProtocol::Send direct { 2, QStringLiteral("psst"), Bob.name };
    QCOMPARE(decoded<ChatProtocol::Send>(direct.toCbor()), direct);
}

void TestProtocolCodec::wrongTypedFieldIsBadRequest_data()
{
    QTest::addColumn<QCborMap>("message");
    QTest::addColumn<QString>("field");
    const QCborMap hello = Protocol::Hello { QStringLiteral("chat") }.toCbor();
    const QCborMap session = Protocol::SessionHandoff { 7411, QByteArray(16, 'T'), 7401, 7464, 15000 }.toCbor();
    const QCborMap fatal = Protocol::FatalError { ErrorCode::Busy, QStringLiteral("later") }.toCbor();
    const QCborMap welcome = ChatProtocol::Welcome { Bob.name, Bob.fingerprint, { Alice } }.toCbor();
    const QCborMap message = roomMessage().toCbor();
    const QCborMap accepted = ChatProtocol::Accepted { 3, 4 }.toCbor();
    const QCborMap rejected = ChatProtocol::Rejected { 3, ErrorCode::NotFound, QStringLiteral("no") }.toCbor();
    const QCborMap join = ChatProtocol::Join { Alice }.toCbor();
    const QCborMap presence = ChatProtocol::Presence { { Alice }, {} }.toCbor();
    const QCborMap send = ChatProtocol::Send { 3, QStringLiteral("hi"), std::nullopt }.toCbor();

    QTest::newRow("hello service number") << with(hello, "service", 1) << "service";
    QTest::newRow("session port text") << with(session, "port", QStringLiteral("7411")) << "port";
    QTest::newRow("session port 0") << with(session, "port", 0) << "port";
    QTest::newRow("session port 65536") << with(session, "port", 65536) << "port";
    QTest::newRow("session ticket hex") << with(session, "ticket", QStringLiteral("54545454")) << "ticket";
    QTest::newRow("session ticket short") << with(session, "ticket", QByteArray(15, 'T')) << "ticket";
    QTest::newRow("session keepalive float") << with(session, "keepalive", 15000.0) << "keepalive";
    QTest::newRow("session ports map") << with(session, "ports", QCborMap()) << "ports";
    QTest::newRow("session ports one") << with(session, "ports", QCborArray { 7401 }) << "ports";
    QTest::newRow("error code number") << with(fatal, "code", 2) << "code";
    QTest::newRow("error message bytes") << with(fatal, "message", QByteArray("later")) << "message";
    QTest::newRow("welcome name bytes") << with(welcome, "name", QByteArray("bob")) << "name";
    QTest::newRow("welcome members map") << with(welcome, "members", QCborMap()) << "members";
    QTest::newRow("welcome member text") << with(welcome, "members", QCborArray { QStringLiteral("alice") })
                                         << "members";
    QTest::newRow("welcome member without fingerprint")
        << with(welcome, "members", QCborArray { map({ { "name", Alice.name } }) }) << "members";
    QTest::newRow("members missing") << map({ { "type", QStringLiteral("members") } }) << "members";
    QTest::newRow("message id negative") << with(message, "id", -1) << "id";
    QTest::newRow("message from number") << with(message, "from", 5) << "from";
    QTest::newRow("message text bytes") << with(message, "text", QByteArray("hi")) << "text";
    QTest::newRow("message time text") << with(message, "time", QStringLiteral("noon")) << "time";
    QTest::newRow("message to bool") << with(message, "to", true) << "to";
    QTest::newRow("message history 1") << with(message, "history", 1) << "history";
    QTest::newRow("join fingerprint number") << with(join, "fingerprint", 1) << "fingerprint";
    QTest::newRow("leave name missing") << map(
        { { "type", QStringLiteral("leave") }, { "fingerprint", Alice.fingerprint } })
                                        << "name";
    QTest::newRow("presence joined map") << with(presence, "joined", QCborMap()) << "joined";
    QTest::newRow("presence joined text") << with(presence, "joined", QCborArray { Alice.name }) << "joined";
    QTest::newRow("presence left without fingerprint")
        << with(presence, "left", QCborArray { map({ { "name", Alice.name } }) }) << "left";
    QTest::newRow("presence left missing")
        << map({ { "type", QStringLiteral("presence") }, { "joined", QCborArray() } }) << "left";
    QTest::newRow("accepted seq float") << with(accepted, "seq", 3.0) << "seq";
    QTest::newRow("accepted id text") << with(accepted, "id", QStringLiteral("4")) << "id";
    QTest::newRow("rejected code number") << with(rejected, "code", 1) << "code";
    QTest::newRow("send seq text") << with(send, "seq", QStringLiteral("3")) << "seq";
    QTest::newRow("send text number") << with(send, "text", 12) << "text";
    QTest::newRow("send to number") << with(send, "to", 12) << "to";
    QTest::newRow("send to empty") << with(send, "to", QString()) << "to";
}

void TestProtocolCodec::wrongTypedFieldIsBadRequest()
{
    QFETCH(QCborMap, message);
    QFETCH(QString, field);
    // Each message through its own decoder (the type picks it); none reads the field as a default.
    std::optional<Protocol::DecodeError> error;
    const QString type = Protocol::typeOf(message);
    if (Protocol::is<Protocol::Hello>(message)) {
        error = Protocol::Hello::decode(message).error;
    } else if (Protocol::is<Protocol::SessionHandoff>(message)) {
        error = Protocol::SessionHandoff::decode(message).error;
    } else if (Protocol::is<Protocol::FatalError>(message)) {
        error = Protocol::FatalError::decode(message).error;
    } else if (message.contains(QLatin1String("seq")) && message.contains(QLatin1String("text"))) {
        error = ChatProtocol::Send::decode(message).error;
    } else {
        const auto any = ChatProtocol::decodeServerMessage(message);
        // A known type with a bad field gives no message at all, never a half-read one.
        QVERIFY(any.ok() || std::holds_alternative<std::monostate>(any.value));
        error = any.error;
    }
    QVERIFY2(error, qPrintable(type));
    QCOMPARE(error->code, ErrorCode::BadRequest);
    QCOMPARE(error->field, field);
    QVERIFY2(error->message.startsWith(QStringLiteral("field \"%1\" ").arg(field)), qPrintable(error->message));
}

void TestProtocolCodec::sendKeepsSeqForTheRejection()
{
    // A bad text still has a seq to answer "rejected" to; a bad seq has none, and the session ends.
    const QCborMap send = ChatProtocol::Send { 9, QStringLiteral("hi"), std::nullopt }.toCbor();
    const auto badText = ChatProtocol::Send::decode(with(send, "text", 12));
    QVERIFY(!badText.ok());
    QVERIFY(ChatProtocol::Send::hasSeq(badText));
    QCOMPARE(badText.value.seq, qint64(9));
    QCOMPARE(badText.error->field, QStringLiteral("text"));
    const auto emptyTo = ChatProtocol::Send::decode(with(send, "to", QString()));
    QVERIFY(!emptyTo.ok());
    QVERIFY(ChatProtocol::Send::hasSeq(emptyTo));
    QCOMPARE(emptyTo.value.seq, qint64(9));
    QCOMPARE(emptyTo.error->message,
        QStringLiteral("field \"to\" must be a member's name; leave it out for a message to the room"));
    const auto badSeq = ChatProtocol::Send::decode(with(with(send, "seq", -1), "text", 12));
    QVERIFY(!badSeq.ok());
    QVERIFY(!ChatProtocol::Send::hasSeq(badSeq));
    QCOMPARE(badSeq.error->field, QStringLiteral("seq"));
    // Another type has no seq of a message either.
    QVERIFY(!ChatProtocol::Send::hasSeq(ChatProtocol::Send::decode(with(send, "type", QStringLiteral("notice")))));
    QVERIFY(ChatProtocol::Send::hasSeq(ChatProtocol::Send::decode(send)));
}

void TestProtocolCodec::unknownTypesAndCodesAreNotErrors()
{
    // A newer server's message type is ignored, not a failure (docs/PROTOCOL.md section 4).
    const auto future = ChatProtocol::decodeServerMessage(map({ { "type", QStringLiteral("reaction") } }));
    QVERIFY(future.ok());
    QVERIFY(std::holds_alternative<std::monostate>(future.value));
    QVERIFY(!future.error);
    // Unknown keys are ignored too.
    const auto extra = ChatProtocol::decodeServerMessage(
        with(ChatProtocol::Accepted { 1, 2 }.toCbor(), "colour", QStringLiteral("red")));
    QVERIFY(extra.ok() && std::holds_alternative<ChatProtocol::Accepted>(extra.value));
    // A code this program does not know still decodes: the message says what happened.
    const auto rejected = ChatProtocol::decodeServerMessage(
        with(ChatProtocol::Rejected { 1, ErrorCode::NotFound, QStringLiteral("m") }.toCbor(), "code",
            QStringLiteral("rate_limited")));
    QVERIFY(rejected.ok());
    QCOMPARE(std::get<ChatProtocol::Rejected>(rejected.value).code, ErrorCode::Unknown);
    const auto fatal = Protocol::FatalError::decode(map({ { "type", QStringLiteral("error") },
        { "code", QStringLiteral("from_the_future") }, { "message", QStringLiteral("m") } }));
    QVERIFY(fatal.ok());
    QCOMPARE(fatal.value.code, ErrorCode::Unknown);
    // A decoder given another type says so instead of reading its fields.
    const auto notHello = Protocol::Hello::decode(ChatProtocol::HistoryEnd {}.toCbor());
    QVERIFY(!notHello.ok());
    QCOMPARE(notHello.error->field, QStringLiteral("type"));
}

void TestProtocolCodec::everyDocumentedTypeHasACodec()
{
    const QString document = ProtocolDocument::text();
    QVERIFY2(!document.isEmpty(), "docs/PROTOCOL.md cannot be read");
    const QStringList envelope
        = ProtocolDocument::exampleTypes(ProtocolDocument::section(document, QStringLiteral("## 4.")))
        + ProtocolDocument::exampleTypes(ProtocolDocument::section(document, QStringLiteral("## 5.")));
    const QStringList chatLines = ProtocolDocument::section(document, QStringLiteral("## 7."));
    // Version 1's tables, version 2's and version 3's.
    const QStringList serverToClient = typeTable(chatLines,
        { QStringLiteral("#### Server to client"), QStringLiteral("#### Server to client, version 2"),
            QStringLiteral("#### Server to client, version 3") });
    const QStringList clientToServer = typeTable(
        chatLines, { QStringLiteral("#### Client to server"), QStringLiteral("#### Client to server, version 2") });
    // The parser must find what the document has, or this test would check nothing.
    QVERIFY2(envelope.size() >= 3, qPrintable(envelope.join(u' ')));
    QVERIFY2(serverToClient.size() >= 14, qPrintable(serverToClient.join(u' ')));
    QVERIFY2(clientToServer.size() >= 14, qPrintable(clientToServer.join(u' ')));

    QStringList problems;
    const QStringList envelopeCodecs { QLatin1String(Protocol::Hello::Type),
        QLatin1String(Protocol::SessionHandoff::Type), QLatin1String(Protocol::FatalError::Type) };
    for (const QString& type : envelope) {
        if (!envelopeCodecs.contains(type)) {
            problems.append(QStringLiteral("sections 4/5 show `%1`, which the envelope codec does not know").arg(type));
        }
    }
    for (const QString& type : envelopeCodecs) {
        if (!envelope.contains(type)) {
            problems.append(QStringLiteral("the envelope codec knows `%1`, which sections 4/5 do not show").arg(type));
        }
    }
    // A type the codec knows decodes to its struct, or fails on its missing fields; an unknown one
    // is the std::monostate of a newer server's message.
    for (const QString& type : serverToClient) {
        const auto decoded = ChatProtocol::decodeServerMessage(map({ { "type", type } }));
        if (decoded.ok() && std::holds_alternative<std::monostate>(decoded.value)) {
            problems.append(
                QStringLiteral("section 7 lists the server message `%1`, which the codec does not know").arg(type));
        }
    }
    for (const QString& type : clientToServer) {
        const auto decoded = ChatProtocol::decodeClientMessage(map({ { "type", type } }));
        if (decoded.ok() && std::holds_alternative<std::monostate>(decoded.value)) {
            problems.append(
                QStringLiteral("section 7 lists the client message `%1`, which the codec does not know").arg(type));
        }
    }
    const QStringList chatCodecs { QLatin1String(ChatProtocol::Welcome::Type),
        QLatin1String(ChatProtocol::Members::Type), QLatin1String(ChatProtocol::Message::Type),
        QLatin1String(ChatProtocol::Message::NoticeType), QLatin1String(ChatProtocol::HistoryEnd::Type),
        QLatin1String(ChatProtocol::Join::Type), QLatin1String(ChatProtocol::Leave::Type),
        QLatin1String(ChatProtocol::Presence::Type), QLatin1String(ChatProtocol::Accepted::Type),
        QLatin1String(ChatProtocol::Rejected::Type), QLatin1String(ChatProtocol::Conversations::Type),
        QLatin1String(ChatProtocol::Done::Type), QLatin1String(ChatProtocol::ReadMarker::Type),
        QLatin1String(ChatProtocol::RoomChanged::Type), QLatin1String(ChatProtocol::RoomGone::Type) };
    for (const QString& type : chatCodecs) {
        if (!serverToClient.contains(type)) {
            problems.append(QStringLiteral("the chat codec knows `%1`, which section 7 does not list").arg(type));
        }
    }
    QStringList clientCodecs { QLatin1String(ChatProtocol::Send::Type),
        QLatin1String(ChatProtocol::HistoryRequest::Type), QLatin1String(ChatProtocol::SearchRequest::Type),
        QLatin1String(ChatProtocol::ReadRequest::Type), QLatin1String(ChatProtocol::RoomsRequest::Type) };
    for (const auto action : { ChatProtocol::RoomRequest::Action::Create, ChatProtocol::RoomRequest::Action::Join,
             ChatProtocol::RoomRequest::Action::Leave, ChatProtocol::RoomRequest::Action::Invite,
             ChatProtocol::RoomRequest::Action::Remove, ChatProtocol::RoomRequest::Action::Topic,
             ChatProtocol::RoomRequest::Action::Delete, ChatProtocol::RoomRequest::Action::Members }) {
        clientCodecs.append(ChatProtocol::RoomRequest::typeName(action));
    }
    for (const QString& type : clientCodecs) {
        if (!clientToServer.contains(type)) {
            problems.append(
                QStringLiteral("the chat codec decodes the client message `%1`, which section 7 does not list")
                    .arg(type));
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1String("; "))));
}

QTEST_APPLESS_MAIN(TestProtocolCodec)
#include "TestProtocolCodec.moc"
