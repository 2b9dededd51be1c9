#pragma once

#include "Decoded.h"
#include "ErrorCode.h"

#include <QByteArray>
#include <QCborMap>
#include <QCborValue>
#include <QString>
#include <optional>

namespace QuietWire {
class MessageFields;
}

/// The QuietWire wire protocol in one place; docs/PROTOCOL.md is the prose version: constants, the
/// CBOR envelope (one map with a text "type" per transport message) and its messages as structs.
///
/// Usage:
///     socket->sendMessage(Protocol::encode(Protocol::Hello { QLatin1String(Protocol::ServiceChat) }.toCbor()));
///     const auto map = Protocol::decode(bytes, &why);                // one CBOR map with a text "type"
///     const auto fatal = Protocol::FatalError::decode(*map);         // Decoded<FatalError> (Decoded.h)
///     if (fatal.ok()) { switch (fatal.value.code) ... } else { report(fatal.error->message); }
namespace QuietWire::Protocol {

inline constexpr char NoiseProtocolName[] = "Noise_XX_25519_ChaChaPoly_SHA256";
inline constexpr char Prologue[] = "QuietWire/1";

inline constexpr quint16 DefaultPort = 7400;
inline constexpr quint16 DefaultSessionPortFirst = 7401;
inline constexpr quint16 DefaultSessionPortLast = 7464;

/// Every Noise message travels as a 2-byte big-endian length and the message.
inline constexpr int FrameHeaderSize = 2;
inline constexpr int MaxNoiseMessage = 65535;
inline constexpr int TagSize = 16;
/// The largest application message one transport message can carry.
inline constexpr int MaxPayload = MaxNoiseMessage - TagSize; // 65519
/// Handshake messages carry empty payloads; anything much larger is refused before it is buffered.
inline constexpr int MaxHandshakeMessage = 1024;
inline constexpr int TicketSize = 16;

inline constexpr int HandshakeTimeoutMs = 10000;
inline constexpr int TicketTimeoutMs = 10000;
/// A session that receives nothing (not even a keepalive) for this long is closed.
inline constexpr int IdleTimeoutMs = 60000;
/// Each side sends an empty transport message after this long without sending anything.
inline constexpr int KeepaliveMs = 15000;

/// Each direction's cipher state does Noise Rekey() after this many transport messages or
/// plaintext bytes, whichever comes first (both ends count the same messages, so they agree).
inline constexpr quint64 RekeyAfterMessages = quint64(1) << 20;
inline constexpr quint64 RekeyAfterBytes = quint64(1) << 30;

// Service names in "hello".
inline constexpr char ServiceChat[] = "chat";
inline constexpr char ServiceFiles[] = "files";

QByteArray encode(const QCborMap& message);
/// A CBOR map whose "type" is a text string, or nullopt with a reason. data must be exactly one
/// CBOR item: trailing bytes are refused (docs/PROTOCOL.md, section 4).
std::optional<QCborMap> decode(const QByteArray& data, QString* error = nullptr);
QString typeOf(const QCborMap& message);
/// A CBOR integer, or defaultValue for anything else. Unlike QCborValue::toInteger() it never
/// converts a floating-point value: Qt 6.4 does that with undefined behaviour for values out of
/// range (found by fuzz_cbor), and the protocol has no floating-point fields.
qint64 integer(const QCborValue& value, qint64 defaultValue = 0);

/// "host", "host:port", "[v6]:port" or a bare IPv6 address; the port defaults to DefaultPort.
bool parseHostPort(const QString& text, QString* host, quint16* port);

// The envelope's messages (docs/PROTOCOL.md sections 4 and 5). Each encodes in toCbor() and
// decodes in decode(), the only places that know its keys: decode() checks "type" too, and gives
// a DecodeError (BadRequest, naming the field) for a field missing or of the wrong type; it never
// reads such a field as a default.

/// Client to server, the first message on the session port.
struct Hello
{
    static constexpr char Type[] = "hello";
    QString service; // ServiceChat, ServiceFiles, or a name this server may not offer
    /// The service's protocol version the client speaks (uint, optional; absent: 1).
    std::optional<qint64> version {};

    QCborMap toCbor() const;
    static Decoded<Hello> decode(const QCborMap& map);
    bool operator==(const Hello&) const = default;
};

/// Server to client on the main port: where the session continues.
struct SessionHandoff
{
    static constexpr char Type[] = "session";
    quint16 port = 0; // 1-65535
    QByteArray ticket; // TicketSize random bytes
    quint16 portsFirst = 0; // the session port pool; absent on the wire: port (older servers)
    quint16 portsLast = 0;
    qint64 keepaliveMs = 0; // absent on the wire: 0 (the client keeps its own interval)

    QCborMap toCbor() const;
    static Decoded<SessionHandoff> decode(const QCborMap& map);
    bool operator==(const SessionHandoff&) const = default;
};

/// Server to client, any time: the server closes the connection after it.
struct FatalError
{
    static constexpr char Type[] = "error";
    ErrorCode code = ErrorCode::None; // a wire code; Unknown for a code this program does not know
    QString message; // for a person

    QCborMap toCbor() const;
    static Decoded<FatalError> decode(const QCborMap& map);
    bool operator==(const FatalError&) const = default;
};

// Shared by the codecs of this layer (Protocol.cpp, ChatProtocol.cpp, FileProtocol.cpp).
/// {"type": type}, the start of every message's encoding.
QCborMap typedMap(const char* type);
/// A DecodeError naming "type" unless map's type is type.
std::optional<DecodeError> typeError(const QCborMap& map, const char* type);
/// The first problem fields found (BadRequest naming the field); nullopt when it found none.
std::optional<DecodeError> fieldsError(const MessageFields& fields);

/// True when message's "type" is T::Type.
template <typename T>
bool is(const QCborMap& message)
{
    return typeOf(message) == QLatin1String(T::Type);
}

} // namespace QuietWire::Protocol
