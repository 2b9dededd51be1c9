#pragma once

#include <QByteArray>
#include <QCborMap>
#include <QCborValue>
#include <QString>
#include <optional>

/// The QuietWire wire protocol in one place; docs/PROTOCOL.md is the prose version.
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

// Error codes in {"type":"error"}.
inline constexpr char ErrorUnauthorized[] = "unauthorized";
inline constexpr char ErrorBusy[] = "busy";
inline constexpr char ErrorBadRequest[] = "bad_request";
inline constexpr char ErrorUnknownService[] = "unknown_service";
inline constexpr char ErrorRevoked[] = "revoked";
inline constexpr char ErrorKicked[] = "kicked";
inline constexpr char ErrorShutdown[] = "shutdown";
inline constexpr char ErrorTooManySessions[] = "too_many_sessions";

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

QCborMap makeError(const QString& code, const QString& message);
QCborMap makeHello(const QString& service);
QCborMap makeSession(quint16 port, const QByteArray& ticket, quint16 rangeFirst, quint16 rangeLast, int keepaliveMs);

} // namespace QuietWire::Protocol
