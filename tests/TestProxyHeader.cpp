// The PROXY protocol version 2 header as HAProxy's send-proxy-v2 writes it: IPv4 and IPv6 clients
// read with their ports, LOCAL and unspecified families keeping the real addresses, TLVs skipped,
// every shorter prefix asking for more, and everything else refused with the reason.

#include "ProxyHeader.h"

#include <QTest>
#include <QtEndian>

using namespace QuietWire;

namespace {

QByteArray header(quint8 versionCommand, quint8 familyTransport, const QByteArray& block)
{
    QByteArray bytes = ProxyHeader::Signature;
    bytes.append(static_cast<char>(versionCommand));
    bytes.append(static_cast<char>(familyTransport));
    char length[2];
    qToBigEndian<quint16>(static_cast<quint16>(block.size()), length);
    bytes.append(length, 2);
    return bytes + block;
}

QByteArray port(quint16 value)
{
    char bytes[2];
    qToBigEndian(value, bytes);
    return QByteArray(bytes, 2);
}

QByteArray ipv4Block(const QString& source, quint16 sourcePort, const QString& destination, quint16 destinationPort)
{
    char addresses[8];
    qToBigEndian(QHostAddress(source).toIPv4Address(), addresses);
    qToBigEndian(QHostAddress(destination).toIPv4Address(), addresses + 4);
    return QByteArray(addresses, 8) + port(sourcePort) + port(destinationPort);
}

} // namespace

class TestProxyHeader : public QObject
{
    Q_OBJECT

private slots:
    void ipv4ClientIsRead();
    void ipv6ClientIsRead();
    void localAndUnspecifiedKeepTheRealAddresses();
    void everyPrefixAsksForMore();
    void refused_data();
    void refused();
};

void TestProxyHeader::ipv4ClientIsRead()
{
    // With a TLV after the addresses (HAProxy's unique-id), and the connection's own bytes after it.
    const QByteArray tlv = QByteArray("\x05\x00\x03"
                                      "abc",
        6);
    const QByteArray bytes
        = header(0x21, 0x11, ipv4Block(QStringLiteral("203.0.113.7"), 51234, QStringLiteral("127.0.0.1"), 7400) + tlv)
        + "NOISE";
    const ProxyHeader::Result result = ProxyHeader::parse(bytes);
    QCOMPARE(result.status, ProxyHeader::Status::Parsed);
    QVERIFY(result.hasAddresses);
    QCOMPARE(result.source, QHostAddress(QStringLiteral("203.0.113.7")));
    QCOMPARE(result.sourcePort, quint16(51234));
    QCOMPARE(result.destination, QHostAddress(QStringLiteral("127.0.0.1")));
    QCOMPARE(result.destinationPort, quint16(7400));
    QCOMPARE(result.size, 16 + 12 + tlv.size());
    QCOMPARE(bytes.mid(result.size), QByteArray("NOISE"));
}

void TestProxyHeader::ipv6ClientIsRead()
{
    const QHostAddress source(QStringLiteral("2001:db8::42"));
    const QHostAddress destination(QStringLiteral("::1"));
    const Q_IPV6ADDR s = source.toIPv6Address();
    const Q_IPV6ADDR d = destination.toIPv6Address();
    const QByteArray block = QByteArray(reinterpret_cast<const char*>(s.c), 16)
        + QByteArray(reinterpret_cast<const char*>(d.c), 16) + port(40000) + port(7401);
    const ProxyHeader::Result result = ProxyHeader::parse(header(0x21, 0x21, block));
    QCOMPARE(result.status, ProxyHeader::Status::Parsed);
    QVERIFY(result.hasAddresses);
    QCOMPARE(result.source, source);
    QCOMPARE(result.sourcePort, quint16(40000));
    QCOMPARE(result.destination, destination);
    QCOMPARE(result.destinationPort, quint16(7401));
    QCOMPARE(result.size, 16 + 36);
}

void TestProxyHeader::localAndUnspecifiedKeepTheRealAddresses()
{
    // LOCAL: the proxy's own health check, with or without an address block.
    for (const QByteArray& bytes : { header(0x20, 0x00, {}),
             header(0x20, 0x11, ipv4Block(QStringLiteral("10.0.0.1"), 1, QStringLiteral("10.0.0.2"), 2)),
             header(0x21, 0x00, QByteArray(4, 'x')) }) {
        const ProxyHeader::Result result = ProxyHeader::parse(bytes);
        QCOMPARE(result.status, ProxyHeader::Status::Parsed);
        QVERIFY(!result.hasAddresses);
        QCOMPARE(result.size, bytes.size());
    }
}

void TestProxyHeader::everyPrefixAsksForMore()
{
    const QByteArray bytes
        = header(0x21, 0x11, ipv4Block(QStringLiteral("192.0.2.1"), 1234, QStringLiteral("192.0.2.2"), 7400));
    for (qsizetype n = 0; n < bytes.size(); ++n) {
        const ProxyHeader::Result result = ProxyHeader::parse(bytes.left(n));
        QVERIFY2(result.status == ProxyHeader::Status::NeedMore, qPrintable(QString::number(n)));
    }
    QCOMPARE(ProxyHeader::parse(bytes).status, ProxyHeader::Status::Parsed);
}

void TestProxyHeader::refused_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("why");
    const QByteArray v4 = ipv4Block(QStringLiteral("192.0.2.1"), 1, QStringLiteral("192.0.2.2"), 2);
    QTest::newRow("a client's Noise bytes")
        << QByteArray("\x00\x20", 2) + QByteArray(32, 'k') << "no version 2 signature";
    QTest::newRow("version 1 text") << QByteArray("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n") << "no version 2 signature";
    QTest::newRow("a wrong byte late in the signature") << QByteArray("\r\n\r\n\0\r\nQUIX\n", 12) << "signature";
    QTest::newRow("version 1 in a binary header") << header(0x11, 0x11, v4) << "version 1, not 2";
    QTest::newRow("unknown command") << header(0x22, 0x11, v4) << "unknown command 2";
    QTest::newRow("UDP") << header(0x21, 0x12, v4) << "transport 2 is not TCP";
    QTest::newRow("UNIX sockets") << header(0x21, 0x31, QByteArray(216, '\0')) << "address family 3";
    QTest::newRow("short IPv4 block") << header(0x21, 0x11, v4.left(11)) << "less than 12";
    QTest::newRow("short IPv6 block") << header(0x21, 0x21, QByteArray(35, '\0')) << "less than 36";
    QByteArray huge = header(0x21, 0x11, v4);
    huge[14] = '\x10'; // 4096 + 12 bytes announced
    QTest::newRow("too long") << huge << "more than 1024";
}

void TestProxyHeader::refused()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, why);
    const ProxyHeader::Result result = ProxyHeader::parse(bytes);
    QCOMPARE(result.status, ProxyHeader::Status::Invalid);
    QVERIFY2(result.error.contains(why), qPrintable(result.error));
    QVERIFY(result.error.startsWith(QLatin1String("a bad PROXY protocol header")));
}

QTEST_GUILESS_MAIN(TestProxyHeader)
#include "TestProxyHeader.moc"
