#include "FileProtocol.h"

#include "Protocol.h"

#include <QIODevice>
#include <QtEndian>

#include <algorithm>
#include <cstring>

namespace QuietWire::FileProtocol {

namespace {
// CBOR: map(2), "type", "data", "data", then a byte string header.
constexpr char DataPrefix[] = "\xa2\x64type\x64\x64\x61ta\x64\x64\x61ta";
constexpr qsizetype DataPrefixSize = sizeof(DataPrefix) - 1;
} // namespace

QCborMap Entry::toCbor() const
{
    return QCborMap {{QStringLiteral("name"), name},
                     {QStringLiteral("type"), typeName(type)},
                     {QStringLiteral("size"), size},
                     {QStringLiteral("mtime"), modified.toMSecsSinceEpoch()}};
}

Entry Entry::fromCbor(const QCborMap& map)
{
    Entry entry;
    entry.name = map.value(QLatin1String("name")).toString();
    const QString type = map.value(QLatin1String("type")).toString();
    entry.type = type == QLatin1String("file") ? Type::File
        : type == QLatin1String("dir")         ? Type::Directory
                                               : Type::Other;
    entry.size = Protocol::integer(map.value(QLatin1String("size")));
    entry.modified = QDateTime::fromMSecsSinceEpoch(Protocol::integer(map.value(QLatin1String("mtime"))), Qt::UTC);
    return entry;
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

qsizetype dataHeaderSize(qsizetype size)
{
    return DataPrefixSize + (size < 24 ? 1 : size < 256 ? 2 : size < 65536 ? 3 : 5);
}

void writeDataHeader(char* out, qsizetype size)
{
    std::memcpy(out, DataPrefix, DataPrefixSize);
    out += DataPrefixSize;
    if (size < 24) {
        out[0] = static_cast<char>(0x40 + size);
    } else if (size < 256) {
        out[0] = '\x58';
        out[1] = static_cast<char>(size);
    } else if (size < 65536) {
        out[0] = '\x59';
        qToBigEndian<quint16>(static_cast<quint16>(size), out + 1);
    } else {
        out[0] = '\x5a';
        qToBigEndian<quint32>(static_cast<quint32>(size), out + 1);
    }
}

QByteArray encodeData(const char* data, qsizetype size)
{
    const qsizetype header = dataHeaderSize(size);
    QByteArray out(header + size, Qt::Uninitialized);
    writeDataHeader(out.data(), size);
    if (size > 0) {
        std::memcpy(out.data() + header, data, static_cast<std::size_t>(size));
    }
    return out;
}

QByteArray readDataMessage(QIODevice& file, qsizetype want, qint64* read)
{
    want = std::clamp<qsizetype>(want, 0, ChunkSize);
    qsizetype header = dataHeaderSize(want);
    QByteArray message(header + want, Qt::Uninitialized);
    const qint64 n = want > 0 ? file.read(message.data() + header, want) : 0;
    *read = n;
    if (n <= 0) {
        return {};
    }
    if (const qsizetype shorter = dataHeaderSize(n); shorter != header) {
        // A short read past a length boundary: the header shrinks, the data moves up to it.
        std::memmove(message.data() + shorter, message.data() + header, static_cast<std::size_t>(n));
        header = shorter;
    }
    message.truncate(header + n);
    writeDataHeader(message.data(), n);
    return message;
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
    // On malformed input Qt hands back a partial value that must not be touched (found by fuzz_cbor).
    QCborParserError error;
    const QCborValue value = QCborValue::fromCbor(message, &error);
    if (error.error != QCborError::NoError || !value.isMap() || value.toMap().value(QLatin1String("type")).toString() != QLatin1String("data")
        || !value.toMap().value(QLatin1String("data")).isByteArray()) {
        return {};
    }
    const QByteArray data = value.toMap().value(QLatin1String("data")).toByteArray();
    return data.isNull() ? QByteArray("") : data;
}

QCborMap makeRequest(const QString& type, qint64 id)
{
    return QCborMap {{QStringLiteral("type"), type}, {QStringLiteral("id"), id}};
}

QCborMap makeResult(qint64 id)
{
    return QCborMap {{QStringLiteral("type"), QStringLiteral("result")}, {QStringLiteral("id"), id}};
}

QCborMap makeFailure(qint64 id, const QString& code, const QString& message)
{
    return QCborMap {{QStringLiteral("type"), QStringLiteral("failed")},
                     {QStringLiteral("id"), id},
                     {QStringLiteral("code"), code},
                     {QStringLiteral("message"), message}};
}

} // namespace QuietWire::FileProtocol
