#include "FileProtocol.h"

#include "Protocol.h"

#include <QtEndian>

namespace QuietWire::FileProtocol {

namespace {
// CBOR: map(2), "type", "data", "data", then a byte string header.
constexpr char DataPrefix[] = "\xa2\x64type\x64\x64\x61ta\x64\x64\x61ta";
constexpr qsizetype DataPrefixSize = sizeof(DataPrefix) - 1;
} // namespace

QCborMap Entry::toCbor() const
{
    return QCborMap { { QStringLiteral("name"), name }, { QStringLiteral("type"), typeName(type) },
        { QStringLiteral("size"), size }, { QStringLiteral("mtime"), modified.toMSecsSinceEpoch() } };
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

QByteArray encodeData(const char* data, qsizetype size)
{
    QByteArray out;
    out.reserve(DataPrefixSize + 9 + size);
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
    out.append(data, size);
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

QCborMap makeRequest(const QString& type, qint64 id)
{
    return QCborMap { { QStringLiteral("type"), type }, { QStringLiteral("id"), id } };
}

QCborMap makeResult(qint64 id)
{
    return QCborMap { { QStringLiteral("type"), QStringLiteral("result") }, { QStringLiteral("id"), id } };
}

QCborMap makeFailure(qint64 id, const QString& code, const QString& message)
{
    QCborMap failure { { QStringLiteral("type"), QStringLiteral("failed") }, { QStringLiteral("code"), code },
        { QStringLiteral("message"), message } };
    if (id != NoId) {
        failure.insert(QStringLiteral("id"), id);
    }
    return failure;
}

} // namespace QuietWire::FileProtocol
