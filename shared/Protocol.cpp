#include "Protocol.h"

#include <QCborArray>
#include <QCborValue>

namespace QuietWire::Protocol {

QByteArray encode(const QCborMap& message)
{
    return message.toCborValue().toCbor();
}

std::optional<QCborMap> decode(const QByteArray& data, QString* error)
{
    QCborParserError parseError;
    const QCborValue value = QCborValue::fromCbor(data, &parseError);
    if (parseError.error != QCborError::NoError) {
        if (error) {
            *error = QStringLiteral("malformed CBOR: %1").arg(parseError.errorString());
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

QCborMap makeError(const QString& code, const QString& message)
{
    return QCborMap {{QStringLiteral("type"), QStringLiteral("error")},
                     {QStringLiteral("code"), code},
                     {QStringLiteral("message"), message}};
}

QCborMap makeHello(const QString& service)
{
    return QCborMap {{QStringLiteral("type"), QStringLiteral("hello")}, {QStringLiteral("service"), service}};
}

QCborMap makeSession(quint16 port, const QByteArray& ticket, quint16 rangeFirst, quint16 rangeLast, int keepaliveMs)
{
    return QCborMap {{QStringLiteral("type"), QStringLiteral("session")},
                     {QStringLiteral("port"), port},
                     {QStringLiteral("ticket"), ticket},
                     {QStringLiteral("ports"), QCborArray {rangeFirst, rangeLast}},
                     {QStringLiteral("keepalive"), keepaliveMs}};
}

} // namespace QuietWire::Protocol
