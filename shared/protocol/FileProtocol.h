#pragma once

#include "Decoded.h"
#include "ErrorCode.h"

#include <QByteArray>
#include <QCborMap>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringView>
#include <optional>

/// The messages of the "files" service (docs/PROTOCOL.md section 8) as structs. Each has exactly
/// one encoder, toCbor(), and one decoder, decode(), here in FileProtocol.cpp; nothing else
/// spells a files message type or field key. A decode gives a Protocol::Decoded (Decoded.h, the
/// shape of every wire message's decoder) and checks every field's wire type through
/// MessageFields: a field that is missing or of the wrong type is a Protocol::DecodeError naming
/// it (the server answers it bad_request), never a default.
///
/// Usage (client):
///     connection->send(FileProtocol::StatRequest { id, path }.toCbor());
///     ...
///     if (FileProtocol::replyKind(message) == FileProtocol::ReplyKind::Failed) {
///         const auto failed = FileProtocol::Failed::decode(message); // failed.value.code: ErrorCode
///     } else {
///         const auto result = FileProtocol::StatResult::decode(message);
///         if (!result.ok()) { report(result.error->message); }
///     }
/// Usage (server):
///     const auto header = FileProtocol::RequestHeader::decode(message); // type and id first
///     const auto put = FileProtocol::PutRequest::decode(message);
///     if (!put.ok() && FileProtocol::isPathField(put.error->field)) { ... } // answered before the paths
///     if (!put.ok()) { answer(FileProtocol::Failed { id, put.error->code, put.error->message }); }
///     reply(FileProtocol::PutResult { put.value.id, offset }.toCbor());
/// File data is the exception to "one struct per message": it is most of the traffic, so
/// encodeData()/decodeData() read and write its bytes without building a map.
namespace QuietWire::FileProtocol {

/// Bytes of file data per "data" message: the encoded message is exactly Protocol::MaxPayload.
inline constexpr int ChunkSize = 65500;
/// Default and largest "max" for cat (a larger one is refused with bad_request).
inline constexpr qint64 DefaultCatBytes = 4096;
inline constexpr qint64 MaxCatBytes = 60000;
/// sha256 and prefix_sha256 are the 32 raw digest bytes (a byte string, never hex text).
inline constexpr int DigestSize = 32;
/// The id of an answer to a message that had no valid id: the answer carries no "id" at all.
inline constexpr qint64 NoId = -1;

/// The requests a client sends; each has a struct below (and end is also the server's last
/// message of a download, DownloadEnd).
enum class RequestType { Pwd, Cd, Ls, Stat, Cat, Mkdir, Rmdir, Rm, Rename, Partial, Put, Get, End };

/// "ls" for RequestType::Ls.
QString typeName(RequestType type);
/// The request type spelled name on the wire; nullopt for a name that is not a files request.
std::optional<RequestType> requestTypeFromName(QStringView name);
/// Every request type, in the order of the enum (for tests and tables).
QList<RequestType> allRequestTypes();

/// Whether field is one of a request's paths (path, from, to). docs/PROTOCOL.md's order of checks:
/// the types of a request's path fields, then the paths themselves (bad_path), then its other
/// fields; so a server answers a request's DecodeError of a path field before it looks at the
/// paths, any other after. (A request's decode reads its id and paths before its other fields.)
bool isPathField(QStringView field);

/// A directory entry: {"name", "type": "file"|"dir"|"other", "size", "mtime"}.
struct Entry
{
    enum class Type { File, Directory, Other };
    QString name;
    Type type = Type::Other;
    qint64 size = 0;
    QDateTime modified; // mtime on the wire: ms since the epoch, UTC

    QCborMap toCbor() const;
    /// A type text this program does not know is Other (newer servers may add types).
    static Protocol::Decoded<Entry> decode(const QCborMap& map);
    static QString typeName(Type type);
    bool operator==(const Entry&) const = default;
};

// ---- Requests (client to server). Each carries its id; optional fields have their wire default.

/// The type and id every request starts with. The server reads these before anything else: a
/// message without a valid id is answered without one and not carried out.
struct RequestHeader
{
    QString typeName; // as sent (decode of the envelope already made sure it is text)
    std::optional<RequestType> type; // nullopt: not a files request ("data" or unknown)
    bool isData = false; // a "data" message that did not pass decodeData(): its data is not bytes
    qint64 id = NoId;

    /// For a data message, ok() with isData set and no id read.
    static Protocol::Decoded<RequestHeader> decode(const QCborMap& message);
};

struct PwdRequest
{
    static constexpr RequestType Type = RequestType::Pwd;
    qint64 id = 0;

    QCborMap toCbor() const;
    static Protocol::Decoded<PwdRequest> decode(const QCborMap& message);
    bool operator==(const PwdRequest&) const = default;
};

struct CdRequest
{
    static constexpr RequestType Type = RequestType::Cd;
    qint64 id = 0;
    QString path;

    QCborMap toCbor() const;
    static Protocol::Decoded<CdRequest> decode(const QCborMap& message);
    bool operator==(const CdRequest&) const = default;
};

struct LsRequest
{
    static constexpr RequestType Type = RequestType::Ls;
    qint64 id = 0;
    QString path; // optional on the wire: absent is the current folder, as "" is
    qint64 start = 0; // sent only when > 0 (a later page)

    QCborMap toCbor() const;
    static Protocol::Decoded<LsRequest> decode(const QCborMap& message);
    bool operator==(const LsRequest&) const = default;
};

struct StatRequest
{
    static constexpr RequestType Type = RequestType::Stat;
    qint64 id = 0;
    QString path;

    QCborMap toCbor() const;
    static Protocol::Decoded<StatRequest> decode(const QCborMap& message);
    bool operator==(const StatRequest&) const = default;
};

struct CatRequest
{
    static constexpr RequestType Type = RequestType::Cat;
    qint64 id = 0;
    QString path;
    qint64 max = DefaultCatBytes; // the server refuses more than MaxCatBytes

    QCborMap toCbor() const;
    static Protocol::Decoded<CatRequest> decode(const QCborMap& message);
    bool operator==(const CatRequest&) const = default;
};

struct MkdirRequest
{
    static constexpr RequestType Type = RequestType::Mkdir;
    qint64 id = 0;
    QString path;

    QCborMap toCbor() const;
    static Protocol::Decoded<MkdirRequest> decode(const QCborMap& message);
    bool operator==(const MkdirRequest&) const = default;
};

struct RmdirRequest
{
    static constexpr RequestType Type = RequestType::Rmdir;
    qint64 id = 0;
    QString path;
    bool recursive = false;

    QCborMap toCbor() const;
    static Protocol::Decoded<RmdirRequest> decode(const QCborMap& message);
    bool operator==(const RmdirRequest&) const = default;
};

struct RmRequest
{
    static constexpr RequestType Type = RequestType::Rm;
    qint64 id = 0;
    QString path;

    QCborMap toCbor() const;
    static Protocol::Decoded<RmRequest> decode(const QCborMap& message);
    bool operator==(const RmRequest&) const = default;
};

struct RenameRequest
{
    static constexpr RequestType Type = RequestType::Rename;
    qint64 id = 0;
    QString from;
    QString to;

    QCborMap toCbor() const;
    static Protocol::Decoded<RenameRequest> decode(const QCborMap& message);
    bool operator==(const RenameRequest&) const = default;
};

struct PartialRequest
{
    static constexpr RequestType Type = RequestType::Partial;
    qint64 id = 0;
    QString path;

    QCborMap toCbor() const;
    static Protocol::Decoded<PartialRequest> decode(const QCborMap& message);
    bool operator==(const PartialRequest&) const = default;
};

struct PutRequest
{
    static constexpr RequestType Type = RequestType::Put;
    qint64 id = 0;
    QString path;
    qint64 size = 0;
    qint64 offset = 0;
    std::optional<qint64> mtime; // ms since the epoch; absent: the file gets the time it is stored
    QByteArray prefixSha256; // required when offset > 0 (the server checks its length); sent when not empty
    bool replace = true; // false: refused with Exists where a file of that name is (sent only when false)

    QCborMap toCbor() const;
    static Protocol::Decoded<PutRequest> decode(const QCborMap& message);
    bool operator==(const PutRequest&) const = default;
};

struct GetRequest
{
    static constexpr RequestType Type = RequestType::Get;
    qint64 id = 0;
    QString path;
    qint64 offset = 0;
    QByteArray prefixSha256; // required when offset > 0; sent when not empty

    QCborMap toCbor() const;
    static Protocol::Decoded<GetRequest> decode(const QCborMap& message);
    bool operator==(const GetRequest&) const = default;
};

/// The end of an upload: the whole file's SHA-256 (the server checks its length).
struct EndRequest
{
    static constexpr RequestType Type = RequestType::End;
    qint64 id = 0;
    QByteArray sha256;

    QCborMap toCbor() const;
    static Protocol::Decoded<EndRequest> decode(const QCborMap& message);
    bool operator==(const EndRequest&) const = default;
};

// ---- Replies (server to client): {"type":"result","id",...} per request, or failed.

/// What a message from the files service is.
enum class ReplyKind { Result, Failed, End, Data, Other };
ReplyKind replyKind(const QCborMap& message);
/// The id of a result, failed or end; NoId when it has none (or not an unsigned integer).
qint64 replyId(const QCborMap& message);

/// pwd and cd.
struct CwdResult
{
    qint64 id = 0;
    QString cwd;

    QCborMap toCbor() const;
    static Protocol::Decoded<CwdResult> decode(const QCborMap& message);
    bool operator==(const CwdResult&) const = default;
};

/// One page of a listing.
struct LsResult
{
    qint64 id = 0;
    QString path;
    QList<Entry> entries;
    std::optional<qint64> next; // more entries follow from this index

    QCborMap toCbor() const;
    static Protocol::Decoded<LsResult> decode(const QCborMap& message);
    /// Bytes the encoded entries of a page with this id and path may take so that the page,
    /// "next" included, fits in one transport message.
    qint64 entriesBudget() const;
    /// What entry adds to the encoded entries.
    static qint64 encodedSize(const Entry& entry);
    bool operator==(const LsResult&) const = default;
};

struct StatResult
{
    qint64 id = 0;
    QString path;
    Entry entry;

    QCborMap toCbor() const;
    static Protocol::Decoded<StatResult> decode(const QCborMap& message);
    bool operator==(const StatResult&) const = default;
};

struct CatResult
{
    qint64 id = 0;
    qint64 size = 0; // the whole file
    QByteArray data; // the first max bytes

    QCborMap toCbor() const;
    static Protocol::Decoded<CatResult> decode(const QCborMap& message);
    bool operator==(const CatResult&) const = default;
};

/// mkdir, rmdir, rm and rename: a result with nothing but its id.
struct DoneResult
{
    qint64 id = 0;

    QCborMap toCbor() const;
    static Protocol::Decoded<DoneResult> decode(const QCborMap& message);
    bool operator==(const DoneResult&) const = default;
};

struct PartialResult
{
    qint64 id = 0;
    QString path;
    qint64 offset = 0; // bytes of an unfinished upload the server holds

    QCborMap toCbor() const;
    static Protocol::Decoded<PartialResult> decode(const QCborMap& message);
    bool operator==(const PartialResult&) const = default;
};

/// The go-ahead for a put: send the data from offset.
struct PutResult
{
    qint64 id = 0;
    qint64 offset = 0;

    QCborMap toCbor() const;
    static Protocol::Decoded<PutResult> decode(const QCborMap& message);
    bool operator==(const PutResult&) const = default;
};

/// The answer to an upload's end: the file is stored.
struct StoredResult
{
    qint64 id = 0;
    QString path;
    qint64 size = 0;
    QByteArray sha256;

    QCborMap toCbor() const;
    static Protocol::Decoded<StoredResult> decode(const QCborMap& message);
    bool operator==(const StoredResult&) const = default;
};

/// The go-ahead for a get: the data follows from offset.
struct GetResult
{
    qint64 id = 0;
    qint64 size = 0;
    qint64 offset = 0;
    qint64 mtime = 0; // ms since the epoch

    QCborMap toCbor() const;
    static Protocol::Decoded<GetResult> decode(const QCborMap& message);
    bool operator==(const GetResult&) const = default;
};

/// The server's end of a download: {"type":"end","id","size","sha256"}.
struct DownloadEnd
{
    qint64 id = 0;
    qint64 size = 0;
    QByteArray sha256; // of the whole file as sent

    QCborMap toCbor() const;
    static Protocol::Decoded<DownloadEnd> decode(const QCborMap& message);
    bool operator==(const DownloadEnd&) const = default;
};

/// {"type":"failed","id",code,message}; without "id" when id is NoId.
struct Failed
{
    qint64 id = NoId;
    ErrorCode code = ErrorCode::None; // a wire code; one this program does not know decodes as Unknown
    QString message;

    QCborMap toCbor() const;
    static Protocol::Decoded<Failed> decode(const QCborMap& message);
    Failure failure() const { return { code, message }; }
    bool operator==(const Failed&) const = default;
};

/// {"type":"data","data":<bytes>} encoded by hand: the same bytes QCborMap would give,
/// without building a map around every 64 KiB of file data.
QByteArray encodeData(const char* data, qsizetype size);
/// What encodeData() puts in front of size bytes of data, with room reserved behind it for them: a
/// sender can read its file straight into the message (resize, then read behind the header).
QByteArray encodeDataHeader(qsizetype size);
/// The payload of a "data" message, or a null array when message is not one. For messages in
/// the encoding of encodeData() the result shares message's bytes (no copy): use it, or copy it,
/// while message is alive.
QByteArray decodeData(const QByteArray& message);

} // namespace QuietWire::FileProtocol
