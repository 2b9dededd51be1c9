#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QString>

namespace QuietWire {

/// The PROXY protocol version 2 header (HAProxy's proxy-protocol.txt, section 2.2) that a load
/// balancer puts before a connection's own bytes to say which client it carries. Binary only (no
/// version 1 text), TCP over IPv4 or IPv6; a LOCAL command (the balancer's own health check) or
/// an unspecified family keeps the connection's real addresses, as the specification asks.
///
/// Trust is the caller's: a header is read only on connections from an address the administrator
/// named (--trusted-proxy); from anyone else the same bytes are just a client that speaks nonsense.
///
/// Usage:
///     const ProxyHeader::Result result = ProxyHeader::parse(socket->peek(ProxyHeader::MaxSize));
///     if (result.status == ProxyHeader::Status::NeedMore) { return; }        // wait for more bytes
///     if (result.status == ProxyHeader::Status::Invalid) { close(result.error); }
///     socket->skip(result.size);
///     if (result.hasAddresses) { clientAddress = result.source; clientPort = result.sourcePort; }
class ProxyHeader
{
public:
    /// The 12 bytes every version 2 header starts with.
    static const QByteArray Signature;
    /// The fixed part: signature, version and command, family and transport, length.
    static constexpr int FixedSize = 16;
    /// The largest header accepted: the fixed part and 1024 bytes of addresses and TLVs (an
    /// IPv6 address block is 36 bytes; HAProxy's optional TLVs add a few dozen).
    static constexpr int MaxSize = FixedSize + 1024;

    enum class Status {
        NeedMore, // a valid beginning: read more bytes
        Invalid, // not a version 2 header, or one this server does not take (error says which)
        Parsed,
    };

    struct Result
    {
        Status status = Status::NeedMore;
        QString error;
        /// Bytes the header takes (Parsed): the connection's own bytes start after them.
        int size = 0;
        /// PROXY over TCP with IPv4 or IPv6: the client's and the original destination's
        /// addresses. False for LOCAL and unspecified families: keep the connection's own.
        bool hasAddresses = false;
        QHostAddress source;
        quint16 sourcePort = 0;
        QHostAddress destination;
        quint16 destinationPort = 0;
    };

    /// Reads a header from the start of data (what has arrived so far).
    static Result parse(const QByteArray& data);
};

} // namespace QuietWire
