#include "Protocol.h"

#include "MessageFields.h"

#include <QCborArray>
#include <QCborStreamReader>
#include <QCborValue>

namespace QuietWire::Protocol {

namespace {
// The wire keys of the envelope's messages; nothing outside this file spells them.
constexpr char TypeKey[] = "type";
constexpr char ServiceKey[] = "service";
constexpr char VersionKey[] = "version";
constexpr char PortKey[] = "port";
constexpr char TicketKey[] = "ticket";
constexpr char PortsKey[] = "ports";
constexpr char KeepaliveKey[] = "keepalive";
constexpr char CodeKey[] = "code";
constexpr char MessageKey[] = "message";

/// A uint field that must be a port number; 0 (and a recorded problem) otherwise.
quint16 portNumber(MessageFields& fields, const char* key, qint64 value)
{
    if (fields.ok() && (value <= 0 || value > 65535)) {
        fields.reject(key, "a port number (1-65535)");
        return 0;
    }
    return static_cast<quint16>(value);
}
} // namespace

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
    if (!value.isMap() || !value.toMap().value(QLatin1String(TypeKey)).isString()) {
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
    return message.value(QLatin1String(TypeKey)).toString();
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

QCborMap typedMap(const char* type)
{
    return QCborMap { { QLatin1String(TypeKey), QLatin1String(type) } };
}

std::optional<DecodeError> typeError(const QCborMap& map, const char* type)
{
    if (typeOf(map) == QLatin1String(type)) {
        return std::nullopt;
    }
    return DecodeError { ErrorCode::BadRequest,
        QStringLiteral("field \"type\" must be \"%1\"").arg(QLatin1String(type)), QLatin1String(TypeKey) };
}

std::optional<DecodeError> fieldsError(const MessageFields& fields)
{
    if (fields.ok()) {
        return std::nullopt;
    }
    return DecodeError { ErrorCode::BadRequest, fields.error(), fields.failedField() };
}

QCborMap Hello::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(ServiceKey), service);
    if (version) {
        map.insert(QLatin1String(VersionKey), *version);
    }
    return map;
}

Decoded<Hello> Hello::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    Hello hello;
    hello.service = fields.text(ServiceKey);
    if (fields.has(VersionKey)) {
        hello.version = fields.unsignedInteger(VersionKey);
    }
    return { hello, fieldsError(fields) };
}

QCborMap SessionHandoff::toCbor() const
{
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(PortKey), port);
    map.insert(QLatin1String(TicketKey), ticket);
    map.insert(QLatin1String(PortsKey), QCborArray { portsFirst, portsLast });
    map.insert(QLatin1String(KeepaliveKey), keepaliveMs);
    return map;
}

Decoded<SessionHandoff> SessionHandoff::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    SessionHandoff handoff;
    handoff.port = portNumber(fields, PortKey, fields.unsignedInteger(PortKey));
    handoff.ticket = fields.bytes(TicketKey);
    if (fields.ok() && handoff.ticket.size() != TicketSize) {
        fields.reject(TicketKey, "a byte string of 16 bytes");
    }
    // How often the server wants to hear from us to keep an idle session open.
    handoff.keepaliveMs = fields.optionalUnsigned(KeepaliveKey, 0);
    // Only for telling the user which ports to open when the session port cannot be reached.
    handoff.portsFirst = handoff.port;
    handoff.portsLast = handoff.port;
    if (fields.has(PortsKey)) {
        const QCborArray ports = fields.array(PortsKey);
        if (fields.ok() && (ports.size() != 2 || !ports.at(0).isInteger() || !ports.at(1).isInteger())) {
            fields.reject(PortsKey, "an array of two port numbers");
        }
        handoff.portsFirst = portNumber(fields, PortsKey, integer(ports.at(0)));
        handoff.portsLast = portNumber(fields, PortsKey, integer(ports.at(1)));
    }
    return { handoff, fieldsError(fields) };
}

QCborMap FatalError::toCbor() const
{
    Q_ASSERT(isWireCode(code));
    QCborMap map = typedMap(Type);
    map.insert(QLatin1String(CodeKey), wireName(code));
    map.insert(QLatin1String(MessageKey), message);
    return map;
}

Decoded<FatalError> FatalError::decode(const QCborMap& map)
{
    if (auto error = typeError(map, Type)) {
        return { {}, error };
    }
    MessageFields fields(map);
    FatalError fatal;
    fatal.code = errorCodeFromWire(fields.text(CodeKey));
    if (fatal.code == ErrorCode::None) {
        fatal.code = ErrorCode::Unknown; // an empty code still ends the session
    }
    fatal.message = fields.text(MessageKey);
    return { fatal, fieldsError(fields) };
}

} // namespace QuietWire::Protocol
