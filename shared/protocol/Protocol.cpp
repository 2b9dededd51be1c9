#include "Protocol.h"

#include <QCborArray>
#include <QCborStreamReader>
#include <QCborValue>

namespace QuietWire::Protocol {

QByteArray encode(const QCborMap& message)
{
    return message.toCborValue().toCbor();
}

std::optional<QCborMap> decode(const QByteArray& data, QString* error)
{
    QCborStreamReader reader(data);
    const QCborValue value = QCborValue::fromCbor(reader);
    if (reader.lastError() != QCborError::NoError) {
        if (error) {
            *error = QStringLiteral("malformed CBOR: %1").arg(reader.lastError().toString());
        }
        return std::nullopt;
    }
    // One message is exactly one CBOR item: bytes after it would be a second, unread message.
    if (reader.currentOffset() != data.size()) {
        if (error) {
            *error = QStringLiteral("%1 bytes after the CBOR item; a message is exactly one item")
                         .arg(data.size() - reader.currentOffset());
        }
        return std::nullopt;
    }
    if (!value.isMap() || !value.toMap().value(QLatin1String("type")).isString()) {
        if (error) {
            *error = QStringLiteral("message is not a CBOR map with a text \"type\"");
        }
        return std::nullopt;
    }
    return value.toMap();
}

qint64 integer(const QCborValue& value, qint64 defaultValue)
{
    return value.isInteger() ? value.toInteger() : defaultValue;
}

QString typeOf(const QCborMap& message)
{
    return message.value(QLatin1String("type")).toString();
}

bool parseHostPort(const QString& text, QString* host, quint16* port)
{
    *port = DefaultPort;
    QString portText;
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1Char(']'));
        if (close < 0) {
            return false;
        }
        *host = text.mid(1, close - 1);
        if (close + 1 < text.size()) {
            if (text.at(close + 1) != QLatin1Char(':')) {
                return false;
            }
            portText = text.mid(close + 2);
        }
    } else if (text.count(QLatin1Char(':')) == 1) {
        *host = text.section(QLatin1Char(':'), 0, 0);
        portText = text.section(QLatin1Char(':'), 1);
    } else {
        *host = text;
    }
    if (!portText.isNull()) {
        bool ok = false;
        const uint value = portText.toUInt(&ok);
        if (!ok || value == 0 || value > 65535) {
            return false;
        }
        *port = static_cast<quint16>(value);
    }
    return !host->isEmpty();
}

QCborMap makeError(const QString& code, const QString& message)
{
    return QCborMap { { QStringLiteral("type"), QStringLiteral("error") }, { QStringLiteral("code"), code },
        { QStringLiteral("message"), message } };
}

QCborMap makeHello(const QString& service)
{
    return QCborMap { { QStringLiteral("type"), QStringLiteral("hello") }, { QStringLiteral("service"), service } };
}

QCborMap makeSession(quint16 port, const QByteArray& ticket, quint16 rangeFirst, quint16 rangeLast, int keepaliveMs)
{
    return QCborMap { { QStringLiteral("type"), QStringLiteral("session") }, { QStringLiteral("port"), port },
        { QStringLiteral("ticket"), ticket }, { QStringLiteral("ports"), QCborArray { rangeFirst, rangeLast } },
        { QStringLiteral("keepalive"), keepaliveMs } };
}

} // namespace QuietWire::Protocol
