#include "ProxyHeader.h"

#include <QtEndian>

namespace QuietWire {

const QByteArray ProxyHeader::Signature = QByteArray::fromRawData("\r\n\r\n\0\r\nQUIT\n", 12);

namespace {

ProxyHeader::Result invalid(const QString& why)
{
    ProxyHeader::Result result;
    result.status = ProxyHeader::Status::Invalid;
    result.error = QStringLiteral("a bad PROXY protocol header: %1").arg(why);
    return result;
}

quint16 port(const char* bytes)
{
    return qFromBigEndian<quint16>(bytes);
}

} // namespace

ProxyHeader::Result ProxyHeader::parse(const QByteArray& data)
{
    // As much of the signature as has arrived must match it.
    const qsizetype known = std::min<qsizetype>(data.size(), Signature.size());
    if (data.left(known) != Signature.left(known)) {
        return invalid(QStringLiteral("no version 2 signature (the proxy must send PROXY protocol version 2: "
                                      "HAProxy's send-proxy-v2)"));
    }
    if (data.size() < FixedSize) {
        return {};
    }
    const auto byte = [&data](int i) { return static_cast<quint8>(data.at(i)); };
    const int version = byte(12) >> 4;
    const int command = byte(12) & 0x0f;
    const int family = byte(13) >> 4;
    const int transport = byte(13) & 0x0f;
    const int length = port(data.constData() + 14);
    if (version != 2) {
        return invalid(QStringLiteral("version %1, not 2").arg(version));
    }
    if (command > 1) {
        return invalid(QStringLiteral("unknown command %1").arg(command));
    }
    if (FixedSize + length > MaxSize) {
        return invalid(QStringLiteral("%1 bytes of addresses, more than %2").arg(length).arg(MaxSize - FixedSize));
    }
    if (data.size() < FixedSize + length) {
        return {};
    }
    Result result;
    result.status = Status::Parsed;
    result.size = FixedSize + length;
    if (command == 0 || family == 0) {
        return result; // LOCAL (the proxy's own connection), or an unspecified family: real addresses
    }
    if (transport != 1) {
        return invalid(QStringLiteral("transport %1 is not TCP").arg(transport));
    }
    const char* block = data.constData() + FixedSize;
    if (family == 1) {
        if (length < 12) {
            return invalid(QStringLiteral("an IPv4 block of %1 bytes, less than 12").arg(length));
        }
        result.source = QHostAddress(qFromBigEndian<quint32>(block));
        result.destination = QHostAddress(qFromBigEndian<quint32>(block + 4));
        result.sourcePort = port(block + 8);
        result.destinationPort = port(block + 10);
    } else if (family == 2) {
        if (length < 36) {
            return invalid(QStringLiteral("an IPv6 block of %1 bytes, less than 36").arg(length));
        }
        result.source = QHostAddress(reinterpret_cast<const quint8*>(block));
        result.destination = QHostAddress(reinterpret_cast<const quint8*>(block + 16));
        result.sourcePort = port(block + 32);
        result.destinationPort = port(block + 34);
    } else {
        return invalid(QStringLiteral("address family %1 is not IPv4 or IPv6").arg(family));
    }
    result.hasAddresses = true;
    return result;
}

} // namespace QuietWire
