// The files service's codec (FileProtocol): every request and reply of docs/PROTOCOL.md section 8
// goes through its one encoder and its one decoder and comes back equal; a field of the wrong type
// is a decode error naming the field; and the request types are read from the document itself, so
// a request added there without a codec fails here.

#include "FileProtocol.h"
#include "Protocol.h"
#include "ProtocolDocument.h"

#include <QCborArray>
#include <QTest>
#include <functional>

using namespace QuietWire;
using namespace QuietWire::FileProtocol;

namespace {

const QByteArray Digest(DigestSize, '\x5a');

Entry entry(const QString& name, Entry::Type type, qint64 size, qint64 mtime)
{
    return Entry { name, type, size, QDateTime::fromMSecsSinceEpoch(mtime, Qt::UTC) };
}

/// Encodes message, sends it through the CBOR bytes, decodes it; empty when it came back equal.
template <typename Message>
QString roundTrip(const Message& message)
{
    const QByteArray wire = Protocol::encode(message.toCbor());
    QString error;
    const auto map = Protocol::decode(wire, &error);
    if (!map) {
        return QStringLiteral("the encoding does not decode: %1").arg(error);
    }
    const Protocol::Decoded<Message> decoded = Message::decode(*map);
    if (!decoded.ok()) {
        return QStringLiteral("decode failed: %1").arg(decoded.error->message);
    }
    if (!(decoded.value == message)) {
        return QStringLiteral("came back different");
    }
    return QString();
}

/// roundTrip() for a request, which must also carry its type and id where the server reads them.
template <typename Request>
QString requestRoundTrip(const Request& request)
{
    const QCborMap map = request.toCbor();
    const auto header = RequestHeader::decode(map);
    if (!header.ok() || header.value.type != Request::Type || header.value.id != request.id
        || header.value.typeName != typeName(Request::Type)) {
        return QStringLiteral("the type or id is not where the server reads them");
    }
    return roundTrip(request);
}

/// Sample requests of every type (more than one where optional fields make a difference).
QMultiHash<RequestType, std::function<QString()>> requestSamples()
{
    QMultiHash<RequestType, std::function<QString()>> samples;
    samples.insert(RequestType::Pwd, [] { return requestRoundTrip(PwdRequest { 1 }); });
    samples.insert(RequestType::Cd, [] { return requestRoundTrip(CdRequest { 2, QStringLiteral("~/docs") }); });
    samples.insert(RequestType::Ls, [] { return requestRoundTrip(LsRequest { 3, QString(), 0 }); });
    samples.insert(RequestType::Ls, [] { return requestRoundTrip(LsRequest { 4, QStringLiteral("~/big"), 812 }); });
    samples.insert(RequestType::Stat, [] { return requestRoundTrip(StatRequest { 5, QStringLiteral("a.txt") }); });
    samples.insert(RequestType::Cat, [] { return requestRoundTrip(CatRequest { 6, QStringLiteral("a"), 100 }); });
    samples.insert(RequestType::Mkdir, [] { return requestRoundTrip(MkdirRequest { 7, QStringLiteral("d/e") }); });
    samples.insert(RequestType::Rmdir, [] { return requestRoundTrip(RmdirRequest { 8, QStringLiteral("d"), true }); });
    samples.insert(RequestType::Rmdir, [] { return requestRoundTrip(RmdirRequest { 9, QStringLiteral("d"), false }); });
    samples.insert(RequestType::Rm, [] { return requestRoundTrip(RmRequest { 10, QStringLiteral("f") }); });
    samples.insert(RequestType::Rename, [] {
        return requestRoundTrip(RenameRequest { 11, QStringLiteral("a"), QStringLiteral("~/b") });
    });
    samples.insert(RequestType::Partial, [] { return requestRoundTrip(PartialRequest { 12, QStringLiteral("up") }); });
    samples.insert(RequestType::Put, [] {
        return requestRoundTrip(PutRequest { 13, QStringLiteral("up"), 5, 0, std::nullopt, {} });
    });
    samples.insert(RequestType::Put, [] {
        return requestRoundTrip(PutRequest { 14, QStringLiteral("up"), 1 << 20, 4096, 1700000000123, Digest });
    });
    samples.insert(RequestType::Put, [] {
        return requestRoundTrip(PutRequest { 18, QStringLiteral("new"), 5, 0, std::nullopt, {}, false });
    });
    samples.insert(RequestType::Get, [] { return requestRoundTrip(GetRequest { 15, QStringLiteral("f"), 0, {} }); });
    samples.insert(RequestType::Get, [] {
        return requestRoundTrip(GetRequest { 16, QStringLiteral("f"), 70000, Digest });
    });
    samples.insert(RequestType::End, [] { return requestRoundTrip(EndRequest { 17, Digest }); });
    return samples;
}

/// The DecodeError of message decoded as the request its type names.
std::optional<Protocol::DecodeError> requestError(const QCborMap& message)
{
    const auto header = RequestHeader::decode(message);
    if (!header.ok()) {
        return header.error;
    }
    if (!header.value.type) {
        return Protocol::DecodeError { ErrorCode::BadRequest, QStringLiteral("not a request"), QStringLiteral("type") };
    }
    switch (*header.value.type) {
    case RequestType::Pwd:
        return PwdRequest::decode(message).error;
    case RequestType::Cd:
        return CdRequest::decode(message).error;
    case RequestType::Ls:
        return LsRequest::decode(message).error;
    case RequestType::Stat:
        return StatRequest::decode(message).error;
    case RequestType::Cat:
        return CatRequest::decode(message).error;
    case RequestType::Mkdir:
        return MkdirRequest::decode(message).error;
    case RequestType::Rmdir:
        return RmdirRequest::decode(message).error;
    case RequestType::Rm:
        return RmRequest::decode(message).error;
    case RequestType::Rename:
        return RenameRequest::decode(message).error;
    case RequestType::Partial:
        return PartialRequest::decode(message).error;
    case RequestType::Put:
        return PutRequest::decode(message).error;
    case RequestType::Get:
        return GetRequest::decode(message).error;
    case RequestType::End:
        return EndRequest::decode(message).error;
    }
    return std::nullopt;
}

QCborMap request(const char* type, std::initializer_list<std::pair<const char*, QCborValue>> fields)
{
    QCborMap map { { QStringLiteral("type"), QLatin1String(type) }, { QStringLiteral("id"), 1 } };
    for (const auto& [key, value] : fields) {
        map.insert(QLatin1String(key), value);
    }
    return map;
}

QStringList section8()
{
    return ProtocolDocument::section(ProtocolDocument::text(), QStringLiteral("## 8."));
}

} // namespace

class TestFileCodec : public QObject
{
    Q_OBJECT

private slots:
    void everyRequestRoundTrips();
    void everyReplyRoundTrips();
    void failedRoundTripsEveryDocumentedCode_data();
    void failedRoundTripsEveryDocumentedCode();
    void typeNamesRoundTrip();
    void documentedRequestsHaveCodecs();
    void documentedMessageTypesAreKnown();
    void everyRequestTypeIsDocumented();
    void wrongTypedRequestFieldIsNamed_data();
    void wrongTypedRequestFieldIsNamed();
    void wrongTypedReplyFieldIsNamed_data();
    void wrongTypedReplyFieldIsNamed();
    void optionalFieldsTakeTheirDefaults();
    void headerWithoutValidId();
    void dataFastPathIsTheCodecOfData();
};

void TestFileCodec::everyRequestRoundTrips()
{
    const auto samples = requestSamples();
    QStringList problems;
    for (const RequestType type : allRequestTypes()) {
        const auto forType = samples.values(type);
        if (forType.isEmpty()) {
            problems.append(QStringLiteral("%1: no sample").arg(typeName(type)));
        }
        for (const auto& sample : forType) {
            const QString problem = sample();
            if (!problem.isEmpty()) {
                problems.append(QStringLiteral("%1: %2").arg(typeName(type), problem));
            }
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1String("; "))));
}

void TestFileCodec::everyReplyRoundTrips()
{
    const QList<Entry> entries { entry(QStringLiteral("docs"), Entry::Type::Directory, 0, 1700000000000),
        entry(QStringLiteral("a.txt"), Entry::Type::File, 12, 1700000000456),
        entry(QStringLiteral("link"), Entry::Type::Other, 0, 0),
        entry(QStringLiteral("old"), Entry::Type::File, 1, -86400000) }; // before 1970: a negative mtime
    for (const Entry& one : entries) {
        QCOMPARE(roundTrip(one), QString());
    }
    QCOMPARE(roundTrip(CwdResult { 1, QStringLiteral("~/docs") }), QString());
    QCOMPARE(roundTrip(LsResult { 2, QStringLiteral("~"), entries, std::nullopt }), QString());
    QCOMPARE(roundTrip(LsResult { 3, QStringLiteral("~/big"), entries, 4 }), QString());
    QCOMPARE(roundTrip(LsResult { 4, QStringLiteral("~/empty"), {}, std::nullopt }), QString());
    QCOMPARE(roundTrip(StatResult { 5, QStringLiteral("~"), entries.first() }), QString());
    QCOMPARE(roundTrip(CatResult { 6, 12, QByteArray("hello\0world", 11) }), QString());
    QCOMPARE(roundTrip(CatResult { 7, 0, QByteArray("") }), QString());
    QCOMPARE(roundTrip(DoneResult { 8 }), QString());
    QCOMPARE(roundTrip(PartialResult { 9, QStringLiteral("~/up"), 65500 }), QString());
    QCOMPARE(roundTrip(PutResult { 10, 4096 }), QString());
    QCOMPARE(roundTrip(StoredResult { 11, QStringLiteral("~/up"), 5, Digest }), QString());
    QCOMPARE(roundTrip(GetResult { 12, 100, 50, 1700000000000 }), QString());
    QCOMPARE(roundTrip(DownloadEnd { 13, 100, Digest }), QString());
    QCOMPARE(roundTrip(Failed { NoId, ErrorCode::BadRequest, QStringLiteral("Undecodable message") }), QString());

    // What each reply is, as the clients tell them apart.
    QCOMPARE(replyKind(CwdResult { 1, QStringLiteral("~") }.toCbor()), ReplyKind::Result);
    QCOMPARE(replyKind(Failed { 1, ErrorCode::Io, QStringLiteral("x") }.toCbor()), ReplyKind::Failed);
    QCOMPARE(replyKind(DownloadEnd { 1, 0, Digest }.toCbor()), ReplyKind::End);
    QCOMPARE(replyKind(*Protocol::decode(encodeData("ab", 2))), ReplyKind::Data);
    QCOMPARE(replyKind(QCborMap { { QStringLiteral("type"), QStringLiteral("welcome") } }), ReplyKind::Other);
    QCOMPARE(replyId(PutResult { 42, 0 }.toCbor()), 42);
    QCOMPARE(replyId(Failed { NoId, ErrorCode::BadRequest, QStringLiteral("x") }.toCbor()), NoId);
    // A failed without an id carries no "id" at all, not a negative one.
    const Failed withoutId { NoId, ErrorCode::BadRequest, QStringLiteral("x") };
    QVERIFY(!withoutId.toCbor().contains(QStringLiteral("id")));
}

void TestFileCodec::failedRoundTripsEveryDocumentedCode_data()
{
    QTest::addColumn<QString>("code");
    const auto rows = ProtocolDocument::table(section8(), QStringLiteral("code"));
    QVERIFY(!rows.isEmpty());
    for (const QStringList& row : rows) {
        for (const QString& code : ProtocolDocument::quoted(row.value(0))) {
            QTest::newRow(qPrintable(code)) << code;
        }
    }
}

void TestFileCodec::failedRoundTripsEveryDocumentedCode()
{
    QFETCH(QString, code);
    const ErrorCode parsed = errorCodeFromWire(code);
    QVERIFY2(isWireCode(parsed), qPrintable(code));
    const Failed failed { 3, parsed, QStringLiteral("what went wrong") };
    QCOMPARE(failed.toCbor().value(QStringLiteral("code")).toString(), code);
    QCOMPARE(roundTrip(failed), QString());
}

void TestFileCodec::typeNamesRoundTrip()
{
    for (const RequestType type : allRequestTypes()) {
        QVERIFY(!typeName(type).isEmpty());
        QCOMPARE(requestTypeFromName(typeName(type)), std::optional<RequestType>(type));
    }
    QCOMPARE(requestTypeFromName(u"result"), std::nullopt);
    QCOMPARE(requestTypeFromName(u"data"), std::nullopt);
    QCOMPARE(requestTypeFromName(u"LS"), std::nullopt);
    QCOMPARE(requestTypeFromName(u""), std::nullopt);
}

void TestFileCodec::documentedRequestsHaveCodecs()
{
    // Every request of section 8's table: the codec knows its name and round-trips a sample.
    const auto rows = ProtocolDocument::table(section8(), QStringLiteral("request"));
    QVERIFY2(rows.size() >= 10, "section 8's request table was not found");
    const auto samples = requestSamples();
    QStringList problems;
    for (const QStringList& row : rows) {
        for (const QString& name : ProtocolDocument::quoted(row.value(0))) {
            const auto type = requestTypeFromName(name);
            if (!type) {
                problems.append(QStringLiteral("section 8 lists `%1`, which the codec does not know").arg(name));
                continue;
            }
            if (!samples.contains(*type)) {
                problems.append(QStringLiteral("`%1` has no sample here").arg(name));
            }
            for (const auto& sample : samples.values(*type)) {
                const QString problem = sample();
                if (!problem.isEmpty()) {
                    problems.append(QStringLiteral("`%1`: %2").arg(name, problem));
                }
            }
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1String("; "))));
}

void TestFileCodec::documentedMessageTypesAreKnown()
{
    // The transfers' examples ({"type":"put",...}) name the other messages: each is a request or
    // a reply the codec knows.
    const QStringList types = ProtocolDocument::exampleTypes(section8());
    for (const char* expected : { "result", "failed", "data", "put", "end", "get" }) {
        QVERIFY2(types.contains(QLatin1String(expected)), expected); // the parser still finds them
    }
    QStringList unknown;
    for (const QString& type : types) {
        const QCborMap probe { { QStringLiteral("type"), type } };
        if (!requestTypeFromName(type) && replyKind(probe) == ReplyKind::Other) {
            unknown.append(type);
        }
    }
    QVERIFY2(unknown.isEmpty(), qPrintable(unknown.join(QLatin1String(", "))));
}

void TestFileCodec::everyRequestTypeIsDocumented()
{
    // The other way round: a request the codec has and the document does not describe fails too.
    QStringList documented;
    for (const QStringList& row : ProtocolDocument::table(section8(), QStringLiteral("request"))) {
        documented += ProtocolDocument::quoted(row.value(0));
    }
    documented += ProtocolDocument::exampleTypes(section8());
    for (const RequestType type : allRequestTypes()) {
        QVERIFY2(documented.contains(typeName(type)), qPrintable(typeName(type)));
    }
}

void TestFileCodec::wrongTypedRequestFieldIsNamed_data()
{
    QTest::addColumn<QCborMap>("message");
    QTest::addColumn<QString>("field");
    QTest::addColumn<bool>("pathField");
    const QString path = QStringLiteral("f");
    QTest::newRow("cd path number") << request("cd", { { "path", 5 } }) << "path" << true;
    QTest::newRow("cd path missing") << request("cd", {}) << "path" << true;
    QTest::newRow("ls path bytes") << request("ls", { { "path", QByteArray("x") } }) << "path" << true;
    QTest::newRow("ls start text") << request("ls", { { "start", QStringLiteral("2") } }) << "start" << false;
    QTest::newRow("ls start negative") << request("ls", { { "start", -1 } }) << "start" << false;
    QTest::newRow("stat path array") << request("stat", { { "path", QCborArray { 1 } } }) << "path" << true;
    QTest::newRow("cat max float") << request("cat", { { "path", path }, { "max", 2.5 } }) << "max" << false;
    QTest::newRow("mkdir path bool") << request("mkdir", { { "path", true } }) << "path" << true;
    QTest::newRow("rmdir recursive text")
        << request("rmdir", { { "path", path }, { "recursive", QStringLiteral("true") } }) << "recursive" << false;
    QTest::newRow("rmdir recursive number")
        << request("rmdir", { { "path", path }, { "recursive", 1 } }) << "recursive" << false;
    QTest::newRow("rm path missing") << request("rm", {}) << "path" << true;
    QTest::newRow("rename from number") << request("rename", { { "from", 1 }, { "to", path } }) << "from" << true;
    QTest::newRow("rename to missing") << request("rename", { { "from", path } }) << "to" << true;
    QTest::newRow("partial path number") << request("partial", { { "path", 0 } }) << "path" << true;
    QTest::newRow("put size missing") << request("put", { { "path", path } }) << "size" << false;
    QTest::newRow("put size text") << request("put", { { "path", path }, { "size", QStringLiteral("5") } }) << "size"
                                   << false;
    QTest::newRow("put offset negative") << request("put", { { "path", path }, { "size", 5 }, { "offset", -2 } })
                                         << "offset" << false;
    QTest::newRow("put mtime float") << request("put", { { "path", path }, { "size", 5 }, { "mtime", 1.5 } }) << "mtime"
                                     << false;
    QTest::newRow("put prefix hex") << request(
        "put", { { "path", path }, { "size", 5 }, { "offset", 2 }, { "prefix_sha256", QStringLiteral("ab") } })
                                    << "prefix_sha256" << false;
    QTest::newRow("put replace number") << request("put", { { "path", path }, { "size", 5 }, { "replace", 0 } })
                                        << "replace" << false;
    QTest::newRow("put path before size")
        << request("put", { { "path", 5 }, { "size", QStringLiteral("x") } }) << "path" << true;
    QTest::newRow("get offset text") << request("get", { { "path", path }, { "offset", QStringLiteral("1") } })
                                     << "offset" << false;
    QTest::newRow("end sha256 hex") << request("end", { { "sha256", QStringLiteral("abcd") } }) << "sha256" << false;
    QTest::newRow("end sha256 missing") << request("end", {}) << "sha256" << false;
}

void TestFileCodec::wrongTypedRequestFieldIsNamed()
{
    QFETCH(QCborMap, message);
    QFETCH(QString, field);
    QFETCH(bool, pathField);
    const auto error = requestError(message);
    QVERIFY(error);
    QCOMPARE(error->code, ErrorCode::BadRequest);
    QCOMPARE(error->field, field);
    QCOMPARE(isPathField(error->field), pathField);
    // The text the server sends with bad_request names the field.
    QVERIFY2(error->message.startsWith(QStringLiteral("field \"%1\" ").arg(field)), qPrintable(error->message));
    QVERIFY(error->message.contains(QLatin1String(" must be ")));
}

void TestFileCodec::wrongTypedReplyFieldIsNamed_data()
{
    QTest::addColumn<QCborMap>("message");
    QTest::addColumn<QString>("field");
    const auto result = [](std::initializer_list<std::pair<const char*, QCborValue>> fields) {
        QCborMap map { { QStringLiteral("type"), QStringLiteral("result") }, { QStringLiteral("id"), 1 } };
        for (const auto& [key, value] : fields) {
            map.insert(QLatin1String(key), value);
        }
        return map;
    };
    QTest::newRow("cwd") << result({ { "cwd", 1 } }) << "cwd";
    QTest::newRow("ls entries") << result({ { "path", QStringLiteral("~") }, { "entries", QStringLiteral("x") } })
                                << "entries";
    QTest::newRow("ls entry size") << result({ { "path", QStringLiteral("~") },
        { "entries",
            QCborArray { QCborMap { { QStringLiteral("name"), QStringLiteral("a") },
                { QStringLiteral("type"), QStringLiteral("file") }, { QStringLiteral("size"), QStringLiteral("1") },
                { QStringLiteral("mtime"), 0 } } } } })
                                   << "entries";
    QTest::newRow("ls next") << result({ { "path", QStringLiteral("~") }, { "entries", QCborArray() }, { "next", -1 } })
                             << "next";
    QTest::newRow("stat entry") << result({ { "path", QStringLiteral("~") }, { "entry", 3 } }) << "entry";
    QTest::newRow("cat data") << result({ { "size", 1 }, { "data", QStringLiteral("a") } }) << "data";
    QTest::newRow("get mtime") << result({ { "size", 1 }, { "offset", 0 }, { "mtime", QStringLiteral("now") } })
                               << "mtime";
    QTest::newRow("failed code") << QCborMap { { QStringLiteral("type"), QStringLiteral("failed") },
        { QStringLiteral("code"), 4 }, { QStringLiteral("message"), QStringLiteral("m") } }
                                 << "code";
}

void TestFileCodec::wrongTypedReplyFieldIsNamed()
{
    QFETCH(QCborMap, message);
    QFETCH(QString, field);
    std::optional<Protocol::DecodeError> error;
    if (replyKind(message) == ReplyKind::Failed) {
        error = Failed::decode(message).error;
    } else if (message.contains(QStringLiteral("cwd"))) {
        error = CwdResult::decode(message).error;
    } else if (message.contains(QStringLiteral("entries"))) {
        error = LsResult::decode(message).error;
    } else if (message.contains(QStringLiteral("entry"))) {
        error = StatResult::decode(message).error;
    } else if (message.contains(QStringLiteral("data"))) {
        error = CatResult::decode(message).error;
    } else {
        error = GetResult::decode(message).error;
    }
    QVERIFY(error);
    QCOMPARE(error->field, field);
    QVERIFY2(error->message.startsWith(QStringLiteral("field \"%1\" ").arg(field)), qPrintable(error->message));
}

void TestFileCodec::optionalFieldsTakeTheirDefaults()
{
    // docs/PROTOCOL.md section 8: an absent optional field is its default, and only then.
    const auto ls = LsRequest::decode(request("ls", {}));
    QVERIFY(ls.ok());
    QCOMPARE(ls.value.path, QString());
    QCOMPARE(ls.value.start, 0);
    const auto cat = CatRequest::decode(request("cat", { { "path", QStringLiteral("f") } }));
    QVERIFY(cat.ok());
    QCOMPARE(cat.value.max, DefaultCatBytes);
    const auto rmdir = RmdirRequest::decode(request("rmdir", { { "path", QStringLiteral("d") } }));
    QVERIFY(rmdir.ok());
    QCOMPARE(rmdir.value.recursive, false);
    const auto put = PutRequest::decode(request("put", { { "path", QStringLiteral("f") }, { "size", 3 } }));
    QVERIFY(put.ok());
    QCOMPARE(put.value.offset, 0);
    QCOMPARE(put.value.mtime, std::nullopt);
    QVERIFY(put.value.prefixSha256.isEmpty());
    QCOMPARE(put.value.replace, true);
    const auto get = GetRequest::decode(request("get", { { "path", QStringLiteral("f") } }));
    QVERIFY(get.ok());
    QCOMPARE(get.value.offset, 0);
    // And the encoder leaves out what the clients have always left out.
    const QCborMap firstPage = LsRequest { 1, QStringLiteral("~"), 0 }.toCbor();
    QVERIFY(!firstPage.contains(QStringLiteral("start")));
    const QCborMap fresh = PutRequest { 1, QStringLiteral("f"), 3, 0, std::nullopt, {} }.toCbor();
    QVERIFY(!fresh.contains(QStringLiteral("mtime")));
    QVERIFY(!fresh.contains(QStringLiteral("prefix_sha256")));
    QVERIFY(!fresh.contains(QStringLiteral("replace")));
    const LsResult lastPage { 1, QStringLiteral("~"), {}, std::nullopt };
    QVERIFY(!lastPage.toCbor().contains(QStringLiteral("next")));
}

void TestFileCodec::headerWithoutValidId()
{
    const QList<QCborValue> badIds { QCborValue(QStringLiteral("7")), QCborValue(-1), QCborValue(2.5),
        QCborValue(QByteArray("7")), QCborValue() };
    for (const QCborValue& id : badIds) {
        QCborMap message { { QStringLiteral("type"), QStringLiteral("mkdir") },
            { QStringLiteral("path"), QStringLiteral("made") } };
        if (!id.isUndefined()) {
            message.insert(QStringLiteral("id"), id);
        }
        const auto header = RequestHeader::decode(message);
        QVERIFY(!header.ok());
        QCOMPARE(header.error->field, QStringLiteral("id"));
        QCOMPARE(header.value.id, NoId);
    }
    // An unknown type still has its id, for the bad_request that answers it.
    const auto unknown = RequestHeader::decode(request("chmod", {}));
    QVERIFY(unknown.ok());
    QCOMPARE(unknown.value.type, std::nullopt);
    QCOMPARE(unknown.value.typeName, QStringLiteral("chmod"));
    QCOMPARE(unknown.value.id, 1);
    // data whose payload is not bytes is recognised before any id is asked for.
    const auto data = RequestHeader::decode(
        QCborMap { { QStringLiteral("type"), QStringLiteral("data") }, { QStringLiteral("data"), 5 } });
    QVERIFY(data.ok());
    QVERIFY(data.value.isData);
}

void TestFileCodec::dataFastPathIsTheCodecOfData()
{
    // encodeData() and encodeDataHeader() + data give the bytes the general encoder gives, and decodeData() reads
    // both.
    for (const int size : { 0, 1, 23, 24, 255, 256, 65535, ChunkSize }) {
        const QByteArray payload(size, 'q');
        const QByteArray fast = encodeData(payload.constData(), payload.size());
        const QByteArray general = Protocol::encode(
            QCborMap { { QStringLiteral("type"), QStringLiteral("data") }, { QStringLiteral("data"), payload } });
        QCOMPARE(fast, general);
        QCOMPARE(decodeData(fast), payload);
        // What a sender reads its file behind (FileIo::sendChunks): the same message once the data follows.
        QCOMPARE(encodeDataHeader(size) + payload, general);
    }
    QCOMPARE(encodeData(QByteArray(ChunkSize, 'x').constData(), ChunkSize).size(), Protocol::MaxPayload);
    QVERIFY(decodeData(CwdResult { 1, QStringLiteral("~") }.toCbor().toCborValue().toCbor()).isNull());
}

QTEST_GUILESS_MAIN(TestFileCodec)
#include "TestFileCodec.moc"
