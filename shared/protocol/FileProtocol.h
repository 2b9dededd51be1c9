#pragma once

#include <QByteArray>
#include <QCborMap>
#include <QDateTime>
#include <QList>
#include <QString>

/// Messages of the "files" service (docs/PROTOCOL.md, section Files), in one place.
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

// Error codes in {"type":"failed"}.
inline constexpr char NotFound[] = "not_found";
inline constexpr char Exists[] = "exists";
inline constexpr char NotEmpty[] = "not_empty";
inline constexpr char Permission[] = "permission";
inline constexpr char Quota[] = "quota";
inline constexpr char BadPath[] = "bad_path";
inline constexpr char Io[] = "io";
inline constexpr char Mismatch[] = "mismatch"; // resume: the partial data differs
inline constexpr char Busy[] = "busy"; // another upload to the same name is running
inline constexpr char BadRequest[] = "bad_request";

struct Entry
{
    enum class Type { File, Directory, Other };
    QString name;
    Type type = Type::Other;
    qint64 size = 0;
    QDateTime modified;

    QCborMap toCbor() const;
    static Entry fromCbor(const QCborMap& map);
    static QString typeName(Type type);
};

/// {"type":"data","data":<bytes>} encoded by hand: the same bytes QCborMap would give,
/// without building a map around every 64 KiB of file data.
QByteArray encodeData(const char* data, qsizetype size);
/// The payload of a "data" message, or a null array when message is not one. For messages in
/// the encoding of encodeData() the result shares message's bytes (no copy): use it, or copy it,
/// while message is alive.
QByteArray decodeData(const QByteArray& message);

QCborMap makeRequest(const QString& type, qint64 id);
QCborMap makeResult(qint64 id);
/// {"type":"failed","id":id,...}; without "id" when id is NoId.
QCborMap makeFailure(qint64 id, const QString& code, const QString& message);

} // namespace QuietWire::FileProtocol
