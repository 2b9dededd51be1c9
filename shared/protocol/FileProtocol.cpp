#include "FileProtocol.h"

#include "MessageFields.h"
#include "Protocol.h"

#include <QCborArray>
#include <QtEndian>
#include <iterator>

namespace QuietWire::FileProtocol {

namespace {
using Protocol::Decoded;
using Protocol::DecodeError;

// CBOR: map(2), "type", "data", "data", then a byte string header.
constexpr char DataPrefix[] = "\xa2\x64type\x64\x64\x61ta\x64\x64\x61ta";
constexpr qsizetype DataPrefixSize = sizeof(DataPrefix) - 1;

struct TypeName
{
    RequestType type;
    const char* name;
};

// The one table of request type names (docs/PROTOCOL.md section 8).
constexpr TypeName RequestTypeNames[] = {
    { RequestType::Pwd, "pwd" },
    { RequestType::Cd, "cd" },
    { RequestType::Ls, "ls" },
    { RequestType::Stat, "stat" },
    { RequestType::Cat, "cat" },
    { RequestType::Mkdir, "mkdir" },
    { RequestType::Rmdir, "rmdir" },
    { RequestType::Rm, "rm" },
    { RequestType::Rename, "rename" },
    { RequestType::Partial, "partial" },
    { RequestType::Put, "put" },
    { RequestType::Get, "get" },
    { RequestType::End, "end" },
};

constexpr char ResultType[] = "result";
constexpr char FailedType[] = "failed";
constexpr char EndType[] = "end";
constexpr char DataType[] = "data";

QCborMap envelope(const QString& type, qint64 id)
{
    return QCborMap { { QStringLiteral("type"), type }, { QStringLiteral("id"), id } };
}

QCborMap request(RequestType type, qint64 id)
{
    return envelope(typeName(type), id);
}

QCborMap result(qint64 id)
{
    return envelope(QLatin1String(ResultType), id);
}

/// The decode's answer: value, or the first field MessageFields found missing or mistyped.
template <typename Message>
Decoded<Message> finish(Message value, const MessageFields& fields)
{
    return { std::move(value), Protocol::fieldsError(fields) };
}

/// A bad field found after MessageFields was done: BadRequest naming it.
DecodeError badField(const QString& field, const QString& message)
{
    return DecodeError { ErrorCode::BadRequest, message, field };
}

/// A time in ms since the epoch as a server sends it: any integer (a file may be older than
/// 1970), never a float or text. Checked after the other fields, so it is reported only when they
/// are fine.
template <typename Message>
void readTime(const QCborMap& map, const char* key, qint64* time, Decoded<Message>& decoded)
{
    const QCborValue value = map.value(QLatin1String(key));
    if (decoded.ok() && !value.isInteger()) {
        decoded.error
            = badField(QLatin1String(key), QStringLiteral("field \"%1\" must be an integer").arg(QLatin1String(key)));
        return;
    }
    *time = value.toInteger();
}

QByteArray bytesOrEmpty(const QByteArray& bytes)
{
    // A null QByteArray and an empty one are the same byte string on the wire.
    return bytes.isNull() ? QByteArray("") : bytes;
}
} // namespace

QString typeName(RequestType type)
{
    for (const TypeName& entry : RequestTypeNames) {
        if (entry.type == type) {
            return QLatin1String(entry.name);
        }
    }
    return QString();
}

std::optional<RequestType> requestTypeFromName(QStringView name)
{
    for (const TypeName& entry : RequestTypeNames) {
        if (name == QLatin1String(entry.name)) {
            return entry.type;
        }
    }
    return std::nullopt;
}

bool isPathField(QStringView field)
{
    return field == QLatin1String("path") || field == QLatin1String("from") || field == QLatin1String("to");
}

QList<RequestType> allRequestTypes()
{
    QList<RequestType> types;
    for (const TypeName& entry : RequestTypeNames) {
        types.append(entry.type);
    }
    return types;
}

// ---- Entry

QCborMap Entry::toCbor() const
{
    return QCborMap { { QStringLiteral("name"), name }, { QStringLiteral("type"), typeName(type) },
        { QStringLiteral("size"), size }, { QStringLiteral("mtime"), modified.toMSecsSinceEpoch() } };
}

Decoded<Entry> Entry::decode(const QCborMap& map)
{
    MessageFields fields(map);
    Entry entry;
    entry.name = fields.text("name");
    const QString type = fields.text("type");
    entry.type = type == typeName(Type::File) ? Type::File
        : type == typeName(Type::Directory)   ? Type::Directory
                                              : Type::Other;
    entry.size = fields.unsignedInteger("size");
    Decoded<Entry> decoded = finish(std::move(entry), fields);
    qint64 mtime = 0;
    readTime(map, "mtime", &mtime, decoded);
    decoded.value.modified = QDateTime::fromMSecsSinceEpoch(mtime, Qt::UTC);
    return decoded;
}

QString Entry::typeName(Type type)
{
    switch (type) {
    case Type::File:
        return QStringLiteral("file");
    case Type::Directory:
        return QStringLiteral("dir");
    case Type::Other:
        break;
    }
    return QStringLiteral("other");
}

// ---- Requests

Decoded<RequestHeader> RequestHeader::decode(const QCborMap& message)
{
    MessageFields fields(message);
    RequestHeader header;
    header.typeName = fields.text("type");
    if (fields.ok() && header.typeName == QLatin1String(DataType)) {
        header.isData = true;
        return finish(std::move(header), fields);
    }
    header.type = requestTypeFromName(header.typeName);
    header.id = fields.unsignedInteger("id");
    if (!fields.ok()) {
        header.id = NoId;
    }
    return finish(std::move(header), fields);
}

QCborMap PwdRequest::toCbor() const
{
    return request(Type, id);
}

Decoded<PwdRequest> PwdRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    PwdRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    return finish(std::move(decoded), fields);
}

QCborMap CdRequest::toCbor() const
{
    QCborMap map = request(Type, id);
    map.insert(QStringLiteral("path"), path);
    return map;
}

Decoded<CdRequest> CdRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    CdRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    return finish(std::move(decoded), fields);
}

QCborMap LsRequest::toCbor() const
{
    QCborMap map = request(Type, id);
    map.insert(QStringLiteral("path"), path);
    if (start > 0) {
        map.insert(QStringLiteral("start"), start);
    }
    return map;
}

Decoded<LsRequest> LsRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    LsRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.optionalText("path");
    decoded.start = fields.optionalUnsigned("start", 0);
    return finish(std::move(decoded), fields);
}

QCborMap StatRequest::toCbor() const
{
    QCborMap map = request(Type, id);
    map.insert(QStringLiteral("path"), path);
    return map;
}

Decoded<StatRequest> StatRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    StatRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    return finish(std::move(decoded), fields);
}

QCborMap CatRequest::toCbor() const
{
    QCborMap map = request(Type, id);
    map.insert(QStringLiteral("path"), path);
    map.insert(QStringLiteral("max"), max);
    return map;
}

Decoded<CatRequest> CatRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    CatRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    decoded.max = fields.optionalUnsigned("max", DefaultCatBytes);
    return finish(std::move(decoded), fields);
}

QCborMap MkdirRequest::toCbor() const
{
    QCborMap map = request(Type, id);
    map.insert(QStringLiteral("path"), path);
    return map;
}

Decoded<MkdirRequest> MkdirRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    MkdirRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    return finish(std::move(decoded), fields);
}

QCborMap RmdirRequest::toCbor() const
{
    QCborMap map = request(Type, id);
    map.insert(QStringLiteral("path"), path);
    map.insert(QStringLiteral("recursive"), recursive);
    return map;
}

Decoded<RmdirRequest> RmdirRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    RmdirRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    decoded.recursive = fields.optionalBool("recursive", false);
    return finish(std::move(decoded), fields);
}

QCborMap RmRequest::toCbor() const
{
    QCborMap map = request(Type, id);
    map.insert(QStringLiteral("path"), path);
    return map;
}

Decoded<RmRequest> RmRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    RmRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    return finish(std::move(decoded), fields);
}

QCborMap RenameRequest::toCbor() const
{
    QCborMap map = request(Type, id);
    map.insert(QStringLiteral("from"), from);
    map.insert(QStringLiteral("to"), to);
    return map;
}

Decoded<RenameRequest> RenameRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    RenameRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.from = fields.text("from");
    decoded.to = fields.text("to");
    return finish(std::move(decoded), fields);
}

QCborMap PartialRequest::toCbor() const
{
    QCborMap map = request(Type, id);
    map.insert(QStringLiteral("path"), path);
    return map;
}

Decoded<PartialRequest> PartialRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    PartialRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    return finish(std::move(decoded), fields);
}

QCborMap PutRequest::toCbor() const
{
    QCborMap map = request(Type, id);
    map.insert(QStringLiteral("path"), path);
    map.insert(QStringLiteral("size"), size);
    map.insert(QStringLiteral("offset"), offset);
    if (mtime) {
        map.insert(QStringLiteral("mtime"), *mtime);
    }
    if (!prefixSha256.isEmpty()) {
        map.insert(QStringLiteral("prefix_sha256"), prefixSha256);
    }
    if (!replace) {
        map.insert(QStringLiteral("replace"), false);
    }
    return map;
}

Decoded<PutRequest> PutRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    PutRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    decoded.size = fields.unsignedInteger("size");
    decoded.offset = fields.optionalUnsigned("offset", 0);
    if (fields.has("mtime")) {
        decoded.mtime = fields.optionalUnsigned("mtime", 0);
    }
    decoded.prefixSha256 = fields.optionalBytes("prefix_sha256");
    decoded.replace = fields.optionalBool("replace", true);
    return finish(std::move(decoded), fields);
}

QCborMap GetRequest::toCbor() const
{
    QCborMap map = request(Type, id);
    map.insert(QStringLiteral("path"), path);
    map.insert(QStringLiteral("offset"), offset);
    if (!prefixSha256.isEmpty()) {
        map.insert(QStringLiteral("prefix_sha256"), prefixSha256);
    }
    return map;
}

Decoded<GetRequest> GetRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    GetRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    decoded.offset = fields.optionalUnsigned("offset", 0);
    decoded.prefixSha256 = fields.optionalBytes("prefix_sha256");
    return finish(std::move(decoded), fields);
}

QCborMap EndRequest::toCbor() const
{
    QCborMap map = request(Type, id);
    map.insert(QStringLiteral("sha256"), sha256);
    return map;
}

Decoded<EndRequest> EndRequest::decode(const QCborMap& message)
{
    MessageFields fields(message);
    EndRequest decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.sha256 = fields.bytes("sha256");
    return finish(std::move(decoded), fields);
}

// ---- Replies

ReplyKind replyKind(const QCborMap& message)
{
    const QCborValue type = message.value(QLatin1String("type"));
    if (!type.isString()) {
        return ReplyKind::Other;
    }
    const QString text = type.toString();
    return text == QLatin1String(ResultType) ? ReplyKind::Result
        : text == QLatin1String(FailedType)  ? ReplyKind::Failed
        : text == QLatin1String(EndType)     ? ReplyKind::End
        : text == QLatin1String(DataType)    ? ReplyKind::Data
                                             : ReplyKind::Other;
}

qint64 replyId(const QCborMap& message)
{
    const QCborValue id = message.value(QLatin1String("id"));
    return id.isInteger() && id.toInteger() >= 0 ? id.toInteger() : NoId;
}

QCborMap CwdResult::toCbor() const
{
    QCborMap map = result(id);
    map.insert(QStringLiteral("cwd"), cwd);
    return map;
}

Decoded<CwdResult> CwdResult::decode(const QCborMap& message)
{
    MessageFields fields(message);
    CwdResult decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.cwd = fields.text("cwd");
    return finish(std::move(decoded), fields);
}

QCborMap LsResult::toCbor() const
{
    QCborMap map = result(id);
    map.insert(QStringLiteral("path"), path);
    QCborArray array;
    for (const Entry& entry : entries) {
        array.append(entry.toCbor());
    }
    map.insert(QStringLiteral("entries"), array);
    if (next) {
        map.insert(QStringLiteral("next"), *next);
    }
    return map;
}

Decoded<LsResult> LsResult::decode(const QCborMap& message)
{
    MessageFields fields(message);
    LsResult decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    if (fields.has("next")) {
        decoded.next = fields.optionalUnsigned("next", 0);
    }
    Decoded<LsResult> answer = finish(std::move(decoded), fields);
    if (!answer.ok()) {
        return answer;
    }
    const QCborValue entries = message.value(QLatin1String("entries"));
    if (!entries.isArray()) {
        answer.error
            = badField(QStringLiteral("entries"), QStringLiteral("field \"entries\" must be an array of entries"));
        return answer;
    }
    for (const QCborValue& value : entries.toArray()) {
        const Decoded<Entry> entry = Entry::decode(value.toMap());
        if (!value.isMap() || !entry.ok()) {
            answer.error = badField(QStringLiteral("entries"),
                QStringLiteral("field \"entries\" must be an array of entries: %1")
                    .arg(value.isMap() ? entry.error->message : QStringLiteral("an entry is not a map")));
            return answer;
        }
        answer.value.entries.append(entry.value);
    }
    return answer;
}

qint64 LsResult::entriesBudget() const
{
    // The fixed part, the "entries" key with an array header of up to 5 bytes, and "next": <uint64>.
    QCborMap fixed = result(id);
    fixed.insert(QStringLiteral("path"), path);
    return Protocol::MaxPayload - Protocol::encode(fixed).size() - (1 + 7 + 5) - (1 + 4 + 9);
}

qint64 LsResult::encodedSize(const Entry& entry)
{
    return QCborValue(entry.toCbor()).toCbor().size();
}

QCborMap StatResult::toCbor() const
{
    QCborMap map = result(id);
    map.insert(QStringLiteral("path"), path);
    map.insert(QStringLiteral("entry"), entry.toCbor());
    return map;
}

Decoded<StatResult> StatResult::decode(const QCborMap& message)
{
    MessageFields fields(message);
    StatResult decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    Decoded<StatResult> answer = finish(std::move(decoded), fields);
    if (!answer.ok()) {
        return answer;
    }
    const QCborValue value = message.value(QLatin1String("entry"));
    const Decoded<Entry> entry = Entry::decode(value.toMap());
    if (!value.isMap() || !entry.ok()) {
        answer.error = badField(QStringLiteral("entry"),
            QStringLiteral("field \"entry\" must be an entry: %1")
                .arg(value.isMap() ? entry.error->message : QStringLiteral("it is not a map")));
        return answer;
    }
    answer.value.entry = entry.value;
    return answer;
}

QCborMap CatResult::toCbor() const
{
    QCborMap map = result(id);
    map.insert(QStringLiteral("size"), size);
    map.insert(QStringLiteral("data"), bytesOrEmpty(data));
    return map;
}

Decoded<CatResult> CatResult::decode(const QCborMap& message)
{
    MessageFields fields(message);
    CatResult decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.size = fields.unsignedInteger("size");
    decoded.data = bytesOrEmpty(fields.bytes("data"));
    return finish(std::move(decoded), fields);
}

QCborMap DoneResult::toCbor() const
{
    return result(id);
}

Decoded<DoneResult> DoneResult::decode(const QCborMap& message)
{
    MessageFields fields(message);
    DoneResult decoded;
    decoded.id = fields.unsignedInteger("id");
    return finish(std::move(decoded), fields);
}

QCborMap PartialResult::toCbor() const
{
    QCborMap map = result(id);
    map.insert(QStringLiteral("path"), path);
    map.insert(QStringLiteral("offset"), offset);
    return map;
}

Decoded<PartialResult> PartialResult::decode(const QCborMap& message)
{
    MessageFields fields(message);
    PartialResult decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    decoded.offset = fields.unsignedInteger("offset");
    return finish(std::move(decoded), fields);
}

QCborMap PutResult::toCbor() const
{
    QCborMap map = result(id);
    map.insert(QStringLiteral("offset"), offset);
    return map;
}

Decoded<PutResult> PutResult::decode(const QCborMap& message)
{
    MessageFields fields(message);
    PutResult decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.offset = fields.unsignedInteger("offset");
    return finish(std::move(decoded), fields);
}

QCborMap StoredResult::toCbor() const
{
    QCborMap map = result(id);
    map.insert(QStringLiteral("path"), path);
    map.insert(QStringLiteral("size"), size);
    map.insert(QStringLiteral("sha256"), sha256);
    return map;
}

Decoded<StoredResult> StoredResult::decode(const QCborMap& message)
{
    MessageFields fields(message);
    StoredResult decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.path = fields.text("path");
    decoded.size = fields.unsignedInteger("size");
    decoded.sha256 = fields.bytes("sha256");
    return finish(std::move(decoded), fields);
}

QCborMap GetResult::toCbor() const
{
    QCborMap map = result(id);
    map.insert(QStringLiteral("size"), size);
    map.insert(QStringLiteral("offset"), offset);
    map.insert(QStringLiteral("mtime"), mtime);
    return map;
}

Decoded<GetResult> GetResult::decode(const QCborMap& message)
{
    MessageFields fields(message);
    GetResult decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.size = fields.unsignedInteger("size");
    decoded.offset = fields.unsignedInteger("offset");
    Decoded<GetResult> answer = finish(std::move(decoded), fields);
    readTime(message, "mtime", &answer.value.mtime, answer);
    return answer;
}

QCborMap DownloadEnd::toCbor() const
{
    QCborMap map = envelope(QLatin1String(EndType), id);
    map.insert(QStringLiteral("size"), size);
    map.insert(QStringLiteral("sha256"), sha256);
    return map;
}

Decoded<DownloadEnd> DownloadEnd::decode(const QCborMap& message)
{
    MessageFields fields(message);
    DownloadEnd decoded;
    decoded.id = fields.unsignedInteger("id");
    decoded.size = fields.unsignedInteger("size");
    decoded.sha256 = fields.bytes("sha256");
    return finish(std::move(decoded), fields);
}

QCborMap Failed::toCbor() const
{
    QCborMap failure { { QStringLiteral("type"), QLatin1String(FailedType) },
        { QStringLiteral("code"), wireName(code) }, { QStringLiteral("message"), message } };
    if (id != NoId) {
        failure.insert(QStringLiteral("id"), id);
    }
    return failure;
}

Decoded<Failed> Failed::decode(const QCborMap& message)
{
    MessageFields fields(message);
    Failed decoded;
    decoded.code = errorCodeFromWire(fields.text("code"));
    decoded.message = fields.text("message");
    decoded.id = fields.optionalUnsigned("id", NoId);
    return finish(std::move(decoded), fields);
}

// ---- File data

QByteArray encodeData(const char* data, qsizetype size)
{
    QByteArray out = encodeDataHeader(size);
    out.append(data, size);
    return out;
}

QByteArray encodeDataHeader(qsizetype size)
{
    QByteArray out;
    out.reserve(DataPrefixSize + 5 + size);
    out.append(DataPrefix, DataPrefixSize);
    if (size < 24) {
        out.append(static_cast<char>(0x40 + size));
    } else if (size < 256) {
        out.append('\x58');
        out.append(static_cast<char>(size));
    } else if (size < 65536) {
        char header[3] = { '\x59', 0, 0 };
        qToBigEndian<quint16>(static_cast<quint16>(size), header + 1);
        out.append(header, 3);
    } else {
        char header[5] = { '\x5a', 0, 0, 0, 0 };
        qToBigEndian<quint32>(static_cast<quint32>(size), header + 1);
        out.append(header, 5);
    }
    return out;
}

QByteArray decodeData(const QByteArray& message)
{
    // Fast path for our own encoding; anything else goes through the general decoder.
    if (message.startsWith(QByteArrayView(DataPrefix, DataPrefixSize))) {
        const auto* p = reinterpret_cast<const uchar*>(message.constData()) + DataPrefixSize;
        const qsizetype rest = message.size() - DataPrefixSize;
        qsizetype header = 0;
        qsizetype length = -1;
        if (rest >= 1 && p[0] >= 0x40 && p[0] < 0x58) {
            header = 1;
            length = p[0] - 0x40;
        } else if (rest >= 2 && p[0] == 0x58) {
            header = 2;
            length = p[1];
        } else if (rest >= 3 && p[0] == 0x59) {
            header = 3;
            length = qFromBigEndian<quint16>(p + 1);
        } else if (rest >= 5 && p[0] == 0x5a) {
            header = 5;
            length = qFromBigEndian<quint32>(p + 1);
        }
        if (length >= 0 && header + length == rest) {
            // No copy: a view into message, which the callers use before message goes away.
            return length == 0 ? QByteArray("")
                               : QByteArray::fromRawData(message.constData() + DataPrefixSize + header, length);
        }
    }
    // The general decoder: one CBOR item and nothing after it (docs/PROTOCOL.md section 4).
    const auto map = Protocol::decode(message);
    if (!map || Protocol::typeOf(*map) != QLatin1String("data") || !map->value(QLatin1String("data")).isByteArray()) {
        return {};
    }
    const QByteArray data = map->value(QLatin1String("data")).toByteArray();
    return data.isNull() ? QByteArray("") : data;
}

} // namespace QuietWire::FileProtocol
