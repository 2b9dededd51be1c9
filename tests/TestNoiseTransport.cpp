// NoiseTransport and NoiseHandshake with byte arrays alone: no socket, no event loop.

#include "FrameReader.h"
#include "NoiseHandshake.h"
#include "NoiseTransport.h"
#include "Protocol.h"

#include <QBuffer>
#include <QTest>
#include <QtEndian>
#include <limits>

using namespace QuietWire;

namespace {

Noise::KeyPair newKey()
{
    auto pair = Noise::X25519::generate();
    Q_ASSERT(pair);
    return *pair;
}

/// The length the frame's header announces, checked against what follows it; the body is returned.
QByteArray bodyOf(const QByteArray& frame)
{
    if (frame.size() < Protocol::FrameHeaderSize) {
        return {};
    }
    const int length = qFromBigEndian<quint16>(reinterpret_cast<const uchar*>(frame.constData()));
    return length == frame.size() - Protocol::FrameHeaderSize ? frame.mid(Protocol::FrameHeaderSize) : QByteArray();
}

/// Both ends of one session, from a real handshake.
struct Pair
{
    NoiseTransport client;
    NoiseTransport server;
    QByteArray clientHash;
    QByteArray serverHash;
    QByteArray keySeenByClient;
    QByteArray keySeenByServer;
};

std::optional<Pair> handshake(const Noise::KeyPair& clientKey, const Noise::KeyPair& serverKey)
{
    NoiseHandshake client;
    NoiseHandshake server;
    if (!client.start(NoiseHandshake::Role::Initiator, clientKey)
        || !server.start(NoiseHandshake::Role::Responder, serverKey)) {
        return std::nullopt;
    }
    // Three messages, each written as a frame by one side and read as a frame body by the other.
    for (int message = 0; message < 3; ++message) {
        NoiseHandshake& writer = message % 2 == 0 ? client : server;
        NoiseHandshake& reader = message % 2 == 0 ? server : client;
        QByteArray frame;
        if (!writer.isMyTurn() || !writer.writeFrame(&frame) || !reader.readFrame(bodyOf(frame))) {
            return std::nullopt;
        }
    }
    if (!client.isFinished() || !server.isFinished()) {
        return std::nullopt;
    }
    Pair pair;
    pair.keySeenByClient = client.remoteStaticKey();
    pair.keySeenByServer = server.remoteStaticKey();
    pair.clientHash = client.handshakeHash();
    pair.serverHash = server.handshakeHash();
    pair.client = client.finish();
    pair.server = server.finish();
    return pair;
}

/// A keyed cipher state, its nonce where the test wants it.
Noise::CipherState cipherAt(char keyByte, std::uint64_t nonce)
{
    Noise::CipherState state;
    state.initializeKey(Noise::SecretKey(QByteArray(Noise::SecretKey::Size, keyByte)));
    state.setNonce(nonce);
    return state;
}

} // namespace

class TestNoiseTransport : public QObject
{
    Q_OBJECT

private slots:
    void handshakeGivesMatchingTransports();
    void handshakeMessageOutOfTurnIsRefused();
    void roundTrips_data();
    void roundTrips();
    void rekeyAtTheLimitsAgreesOnBothEnds_data();
    void rekeyAtTheLimitsAgreesOnBothEnds();
    void rekeyReallyChangesTheKey();
    void tamperedFrameIsRefused_data();
    void tamperedFrameIsRefused();
    void emptyMessageIsAKeepalive();
    void largestMessageFitsAndLargerIsRefused();
    void nonceLimit();
    void transportWithoutKeysRefusesEverything();
    void framesGoThroughFrameReader();

private:
    Noise::KeyPair m_clientKey = newKey();
    Noise::KeyPair m_serverKey = newKey();
};

void TestNoiseTransport::handshakeGivesMatchingTransports()
{
    auto pair = handshake(m_clientKey, m_serverKey);
    QVERIFY(pair);
    QCOMPARE(pair->keySeenByClient, m_serverKey.publicKey);
    QCOMPARE(pair->keySeenByServer, m_clientKey.publicKey);
    QCOMPARE(pair->clientHash.size(), 32);
    QCOMPARE(pair->clientHash, pair->serverHash);
    auto other = handshake(m_clientKey, m_serverKey);
    QVERIFY(other);
    QVERIFY(other->clientHash != pair->clientHash); // fresh ephemeral keys: another session

    // And the frame sizes docs/PROTOCOL.md gives: 32, 96 and 64 bytes with empty payloads.
    NoiseHandshake client;
    NoiseHandshake server;
    QVERIFY(client.start(NoiseHandshake::Role::Initiator, m_clientKey));
    QVERIFY(server.start(NoiseHandshake::Role::Responder, m_serverKey));
    QList<int> sizes;
    for (int message = 0; message < 3; ++message) {
        NoiseHandshake& writer = message % 2 == 0 ? client : server;
        NoiseHandshake& reader = message % 2 == 0 ? server : client;
        QByteArray frame;
        QVERIFY(writer.writeFrame(&frame));
        sizes.append(static_cast<int>(bodyOf(frame).size()));
        QVERIFY(reader.readFrame(bodyOf(frame)));
    }
    QCOMPARE(sizes, QList<int>({ 32, 96, 64 }));
}

void TestNoiseTransport::handshakeMessageOutOfTurnIsRefused()
{
    NoiseHandshake client;
    QVERIFY(client.start(NoiseHandshake::Role::Initiator, m_clientKey));
    // The initiator speaks first: a message "from the server" now is out of turn.
    QVERIFY(!client.readFrame(QByteArray(96, 'x')));
    QVERIFY(client.errorString().contains(QStringLiteral("out of turn")));

    NoiseHandshake server;
    QVERIFY(server.start(NoiseHandshake::Role::Responder, m_serverKey));
    QVERIFY(!server.readFrame(QByteArray(5, 'x'))); // too short for an ephemeral key
    QVERIFY(server.errorString().contains(QStringLiteral("invalid")));
    QVERIFY(!server.isFinished());
    NoiseTransport unfinished = server.finish(); // no transport from an unfinished handshake
    QByteArray frame;
    QVERIFY(!unfinished.seal("x", &frame));
    QCOMPARE(unfinished.error(), NoiseTransport::Error::NoKey);
}

void TestNoiseTransport::roundTrips_data()
{
    QTest::addColumn<int>("size");
    QTest::newRow("one byte") << 1;
    QTest::newRow("a chat message") << 200;
    QTest::newRow("a file chunk") << 60000;
    QTest::newRow("the largest") << Protocol::MaxPayload;
}

void TestNoiseTransport::roundTrips()
{
    QFETCH(int, size);
    auto pair = handshake(m_clientKey, m_serverKey);
    QVERIFY(pair);
    for (int i = 0; i < 5; ++i) {
        const QByteArray message(size, static_cast<char>('a' + i));
        QByteArray frame;
        QVERIFY(pair->client.seal(message, &frame));
        QCOMPARE(frame.size(), Protocol::FrameHeaderSize + size + Protocol::TagSize);
        // Not in the clear. Only a run of 16 or more bytes says so: a shorter one turns
        // up in random ciphertext by chance (one byte does in about 7 % of frames).
        if (size >= 16)
            QVERIFY(!frame.contains(message.left(qMin(size, 32))));
        QByteArray opened;
        QVERIFY(pair->server.open(bodyOf(frame), &opened));
        QCOMPARE(opened, message);
        // And back.
        QByteArray reply = message;
        reply[0] = '!';
        QVERIFY(pair->server.seal(reply, &frame));
        QVERIFY(pair->client.open(bodyOf(frame), &opened));
        QCOMPARE(opened, reply);
    }
    QCOMPARE(pair->client.sentMessages(), quint64(5));
    QCOMPARE(pair->server.receivedMessages(), quint64(5));
    QCOMPARE(pair->server.receivedBytes(), quint64(5) * static_cast<quint64>(size));
}

void TestNoiseTransport::rekeyAtTheLimitsAgreesOnBothEnds_data()
{
    QTest::addColumn<quint64>("messageLimit");
    QTest::addColumn<quint64>("byteLimit");
    QTest::addColumn<int>("messageSize");
    QTest::addColumn<int>("messagesPerRekey");
    QTest::newRow("every message") << quint64(1) << quint64(1000000) << 20 << 1;
    QTest::newRow("message limit first") << quint64(7) << quint64(1000000) << 20 << 7;
    QTest::newRow("byte limit first") << quint64(1000) << quint64(5000) << 1200 << 5; // 6000 >= 5000 at the 5th
    QTest::newRow("byte limit exactly") << quint64(1000) << quint64(4000) << 1000 << 4;
}

void TestNoiseTransport::rekeyAtTheLimitsAgreesOnBothEnds()
{
    QFETCH(quint64, messageLimit);
    QFETCH(quint64, byteLimit);
    QFETCH(int, messageSize);
    QFETCH(int, messagesPerRekey);
    auto pair = handshake(m_clientKey, m_serverKey);
    QVERIFY(pair);
    pair->client.setRekeyLimits(messageLimit, byteLimit);
    pair->server.setRekeyLimits(messageLimit, byteLimit);
    const int rounds = 4;
    for (int i = 0; i < rounds * messagesPerRekey; ++i) {
        const QByteArray message(messageSize, static_cast<char>('a' + i % 26));
        QByteArray frame;
        QVERIFY(pair->client.seal(message, &frame));
        QByteArray opened;
        QVERIFY2(pair->server.open(bodyOf(frame), &opened), qPrintable(pair->server.errorString()));
        QCOMPARE(opened, message);
        // Right after the message that reaches a limit, and not before.
        const quint64 expected = static_cast<quint64>((i + 1) / messagesPerRekey);
        QCOMPARE(pair->client.sendRekeys(), expected);
        QCOMPARE(pair->server.receiveRekeys(), expected);
    }
    QCOMPARE(pair->client.sendRekeys(), quint64(rounds));
    QCOMPARE(pair->client.sentMessages(), quint64(0)); // counting starts again
    QCOMPARE(pair->client.receiveRekeys(), quint64(0)); // the other direction has its own count
    QCOMPARE(pair->server.sendRekeys(), quint64(0));
}

void TestNoiseTransport::rekeyReallyChangesTheKey()
{
    // A receiver on another schedule cannot read what follows the sender's rekey.
    auto pair = handshake(m_clientKey, m_serverKey);
    QVERIFY(pair);
    pair->client.setRekeyLimits(3, Protocol::RekeyAfterBytes);
    QByteArray frame;
    QByteArray opened;
    for (int i = 0; i < 3; ++i) {
        QVERIFY(pair->client.seal("before", &frame));
        QVERIFY(pair->server.open(bodyOf(frame), &opened));
    }
    QCOMPARE(pair->client.sendRekeys(), quint64(1));
    QCOMPARE(pair->server.receiveRekeys(), quint64(0));
    QVERIFY(pair->client.seal("after the rekey", &frame));
    QVERIFY(!pair->server.open(bodyOf(frame), &opened));
    QCOMPARE(pair->server.error(), NoiseTransport::Error::DecryptFailed);
}

void TestNoiseTransport::tamperedFrameIsRefused_data()
{
    QTest::addColumn<QString>("attack");
    for (const char* attack : { "flipped bit", "flipped tag bit", "truncated", "replayed", "reordered", "dropped",
             "other session", "garbage" }) {
        QTest::newRow(attack) << QString::fromLatin1(attack);
    }
}

void TestNoiseTransport::tamperedFrameIsRefused()
{
    QFETCH(QString, attack);
    auto pair = handshake(m_clientKey, m_serverKey);
    QVERIFY(pair);
    QByteArray first;
    QByteArray second;
    QVERIFY(pair->client.seal("first message", &first));
    QVERIFY(pair->client.seal("second message", &second));
    QByteArray body = bodyOf(first);
    QByteArray opened;
    if (attack == QLatin1String("flipped bit")) {
        body[3] = static_cast<char>(body[3] ^ 0x01);
    } else if (attack == QLatin1String("flipped tag bit")) {
        body[body.size() - 1] = static_cast<char>(body[body.size() - 1] ^ 0x80);
    } else if (attack == QLatin1String("truncated")) {
        body.chop(1);
    } else if (attack == QLatin1String("replayed")) {
        QVERIFY(pair->server.open(body, &opened)); // once is fine
    } else if (attack == QLatin1String("reordered") || attack == QLatin1String("dropped")) {
        body = bodyOf(second);
    } else if (attack == QLatin1String("other session")) {
        auto other = handshake(m_clientKey, m_serverKey);
        QVERIFY(other);
        QByteArray foreign;
        QVERIFY(other->client.seal("first message", &foreign));
        body = bodyOf(foreign);
    } else if (attack == QLatin1String("garbage")) {
        body = QByteArray(body.size(), 'g');
    }
    opened = "left alone";
    QVERIFY(!pair->server.open(body, &opened));
    QCOMPARE(pair->server.error(), NoiseTransport::Error::DecryptFailed);
    QVERIFY(opened.isEmpty() || opened == "left alone"); // never the forged plaintext
    QCOMPARE(pair->server.receiveRekeys(), quint64(0));
    if (attack == QLatin1String("replayed")) {
        return;
    }
    // A refused frame leaves the transport as it was: the genuine frames still open, in order.
    QVERIFY(pair->server.open(bodyOf(first), &opened));
    QCOMPARE(opened, QByteArray("first message"));
    QVERIFY(pair->server.open(bodyOf(second), &opened));
    QCOMPARE(opened, QByteArray("second message"));
}

void TestNoiseTransport::emptyMessageIsAKeepalive()
{
    auto pair = handshake(m_clientKey, m_serverKey);
    QVERIFY(pair);
    pair->client.setRekeyLimits(2, Protocol::RekeyAfterBytes);
    pair->server.setRekeyLimits(2, Protocol::RekeyAfterBytes);
    QByteArray frame;
    QVERIFY(pair->client.seal(QByteArray(), &frame));
    // The 16-byte frame of docs/PROTOCOL.md: 00 10 and the tag.
    QCOMPARE(frame.size(), Protocol::FrameHeaderSize + Protocol::TagSize);
    QCOMPARE(frame.left(2), QByteArray::fromHex("0010"));
    QByteArray opened = "something";
    QVERIFY(pair->server.open(bodyOf(frame), &opened));
    QVERIFY(opened.isEmpty());
    // Keepalives count like any message: both ends rekey after keepalive + message.
    QCOMPARE(pair->server.receivedMessages(), quint64(1));
    QVERIFY(pair->client.seal("hello", &frame));
    QVERIFY(pair->server.open(bodyOf(frame), &opened));
    QCOMPARE(opened, QByteArray("hello"));
    QCOMPARE(pair->client.sendRekeys(), quint64(1));
    QCOMPARE(pair->server.receiveRekeys(), quint64(1));
    QVERIFY(pair->client.seal("after", &frame));
    QVERIFY(pair->server.open(bodyOf(frame), &opened));
    QCOMPARE(opened, QByteArray("after"));
}

void TestNoiseTransport::largestMessageFitsAndLargerIsRefused()
{
    auto pair = handshake(m_clientKey, m_serverKey);
    QVERIFY(pair);
    QByteArray frame;
    QVERIFY(pair->client.seal(QByteArray(Protocol::MaxPayload, 'x'), &frame));
    QCOMPARE(frame.left(2), QByteArray::fromHex("ffff"));
    QByteArray opened;
    QVERIFY(pair->server.open(bodyOf(frame), &opened));
    QCOMPARE(opened, QByteArray(Protocol::MaxPayload, 'x'));
    QVERIFY(!pair->client.seal(QByteArray(Protocol::MaxPayload + 1, 'x'), &frame));
    QCOMPARE(pair->client.error(), NoiseTransport::Error::MessageTooLarge);
    QVERIFY(frame.isEmpty());
    QCOMPARE(pair->client.sentMessages(), quint64(1)); // the refused one used no nonce
    QVERIFY(pair->client.seal("next", &frame));
    QVERIFY(pair->server.open(bodyOf(frame), &opened));
    QCOMPARE(opened, QByteArray("next"));
}

void TestNoiseTransport::nonceLimit()
{
    // Nonce 2^64-1 is reserved (Noise spec 5.1): the last usable message is the one at 2^64-2.
    constexpr std::uint64_t Last = std::numeric_limits<std::uint64_t>::max() - 1;
    NoiseTransport sender(cipherAt('k', Last), cipherAt('r', 0));
    NoiseTransport receiver(cipherAt('r', 0), cipherAt('k', Last));
    QByteArray frame;
    QVERIFY(sender.seal("the last one", &frame));
    QByteArray opened;
    QVERIFY(receiver.open(bodyOf(frame), &opened));
    QCOMPARE(opened, QByteArray("the last one"));
    QVERIFY(!sender.seal("one too many", &frame));
    QCOMPARE(sender.error(), NoiseTransport::Error::NonceExhausted);
    QVERIFY(frame.isEmpty());
    QVERIFY(sender.errorString().contains(QStringLiteral("nonce")));
    // Nor does the receiver take anything at the reserved nonce.
    QVERIFY(!receiver.open(QByteArray(Protocol::TagSize + 4, 'x'), &opened));
    QCOMPARE(receiver.error(), NoiseTransport::Error::DecryptFailed);
}

void TestNoiseTransport::transportWithoutKeysRefusesEverything()
{
    NoiseTransport transport;
    QByteArray frame;
    QVERIFY(!transport.seal("secret", &frame));
    QCOMPARE(transport.error(), NoiseTransport::Error::NoKey);
    QVERIFY(!frame.contains("secret"));
    QByteArray opened;
    QVERIFY(!transport.open(QByteArray("0123456789abcdef-plain"), &opened));
    QCOMPARE(transport.error(), NoiseTransport::Error::NoKey);
    QVERIFY(opened.isEmpty());
}

void TestNoiseTransport::framesGoThroughFrameReader()
{
    // What seal() writes is what FrameReader takes off a stream, frame by frame.
    auto pair = handshake(m_clientKey, m_serverKey);
    QVERIFY(pair);
    QByteArray stream;
    const QList<QByteArray> messages { "one", QByteArray(), QByteArray(5000, 'z'), "four" };
    for (const QByteArray& message : messages) {
        QByteArray frame;
        QVERIFY(pair->client.seal(message, &frame));
        stream += frame;
    }
    stream += QByteArray::fromHex("000f"); // a transport frame shorter than the tag
    QBuffer device(&stream);
    QVERIFY(device.open(QIODevice::ReadOnly));
    QList<QByteArray> received;
    QByteArray frame;
    QString refusal;
    while (FrameReader::readTransport(device, &frame, &refusal) == FrameReader::Result::Frame) {
        QByteArray opened;
        QVERIFY(pair->server.open(frame, &opened));
        received.append(opened);
    }
    QCOMPARE(received, messages);
    QCOMPARE(FrameReader::readTransport(device, &frame, &refusal), FrameReader::Result::TooSmall);
    QVERIFY(refusal.contains(QStringLiteral("15-byte")));
    QCOMPARE(FrameReader::framed("ticket"), QByteArray::fromHex("0006") + "ticket");
}

QTEST_GUILESS_MAIN(TestNoiseTransport)
#include "TestNoiseTransport.moc"
