// EncryptedTcpSocket and EncryptedTcpServer in one process, over loopback.

#include "EncryptedTcpServer.h"
#include "EncryptedTcpSocket.h"
#include "Protocol.h"
#include "RawClient.h"
#include "ServerProcess.h"

#include <QPointer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace QuietWire;

namespace {

const QHostAddress Localhost(QStringLiteral("127.0.0.1"));
const QHostAddress ClientA(QStringLiteral("127.0.0.2"));
const QHostAddress ClientB(QStringLiteral("127.0.0.3"));

Noise::KeyPair newKey()
{
    auto pair = Noise::X25519::generate();
    Q_ASSERT(pair);
    return *pair;
}

} // namespace

class TestEncryptedSocket : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void sessionMovesToSessionPort();
    void sessionKeysDifferPerConnection();
    void largestMessageFitsAndLargerIsRefused();
    void peerKeyCheckStopsBeforeClientKeyIsSent();
    void unauthorizedKeyGetsTypedError();
    void wrongTicketIsRefused();
    void ticketCannotBeReused();
    void lateTicketIsRefused();
    void ticketFromAnotherAddressIsRefused();
    void exhaustedPoolSaysBusyThenRecovers();
    void firstMessageMustDecrypt();
    void tamperedFrameClosesOnlyThatSession();
    void oversizedHandshakeFrameIsRefused();
    void unreachableSessionPortNamesTheRange();

private:
    void startServer(int poolSize = 4, int ticketTimeoutMs = 10000);
    EncryptedTcpSocket* connectClient(const Noise::KeyPair& key, const QHostAddress& from = ClientA);

    Noise::KeyPair m_serverKey;
    Noise::KeyPair m_aliceKey;
    std::unique_ptr<EncryptedTcpServer> m_server;
    QList<QPointer<EncryptedTcpSocket>> m_serverSockets;
    QList<QByteArray> m_hellos;
    QSet<QByteArray> m_allowed;
};

void TestEncryptedSocket::init()
{
    m_serverKey = newKey();
    m_aliceKey = newKey();
    m_allowed = { m_aliceKey.publicKey };
    m_serverSockets.clear();
    m_hellos.clear();
}

void TestEncryptedSocket::cleanup()
{
    for (const auto& socket : std::as_const(m_serverSockets)) {
        delete socket.data();
    }
    m_server.reset();
}

void TestEncryptedSocket::startServer(int poolSize, int ticketTimeoutMs)
{
    m_server = std::make_unique<EncryptedTcpServer>(m_serverKey);
    m_server->setAuthorizer([this](const QByteArray& key, const QHostAddress&) {
        if (m_allowed.contains(key)) {
            return EncryptedTcpServer::Decision { true, {}, {} };
        }
        return EncryptedTcpServer::Decision { false, ErrorCode::Unauthorized,
            QStringLiteral("not on the test whitelist") };
    });
    connect(m_server.get(), &EncryptedTcpServer::newSession, this,
        [this](EncryptedTcpSocket* socket, const QByteArray& hello) {
            m_serverSockets.append(socket);
            m_hellos.append(hello);
            // Echo every message back, so tests see both directions.
            connect(socket, &EncryptedTcpSocket::messageReceived, socket,
                [socket](const QByteArray& message) { socket->sendMessage(message); });
        });
    const quint16 first = freePortRange(poolSize);
    QVERIFY(first != 0);
    EncryptedTcpServer::Options options;
    options.address = QHostAddress::Any;
    options.port = 0;
    options.sessionPortFirst = first;
    options.sessionPortLast = static_cast<quint16>(first + poolSize - 1);
    options.ticketTimeoutMs = ticketTimeoutMs;
    QString error;
    QVERIFY2(m_server->listen(options, &error), qPrintable(error));
}

EncryptedTcpSocket* TestEncryptedSocket::connectClient(const Noise::KeyPair& key, const QHostAddress& from)
{
    auto* socket = new EncryptedTcpSocket(key, this);
    socket->setLocalAddress(from);
    socket->connectToHost(QStringLiteral("127.0.0.1"), m_server->serverPort());
    return socket;
}

void TestEncryptedSocket::sessionMovesToSessionPort()
{
    startServer();
    EncryptedTcpSocket* client = connectClient(m_aliceKey);
    QSignalSpy ready(client, &EncryptedTcpSocket::ready);
    QVERIFY(ready.wait(10000));
    QCOMPARE(client->peerKey(), m_serverKey.publicKey);
    QVERIFY(client->sessionPort() >= m_server->options().sessionPortFirst);
    QVERIFY(client->sessionPort() <= m_server->options().sessionPortLast);
    QCOMPARE(client->peerPort(), client->sessionPort());

    QVERIFY(client->sendMessage(Protocol::encode(Protocol::Hello { QStringLiteral("chat") }.toCbor())));
    QTRY_COMPARE_WITH_TIMEOUT(m_serverSockets.size(), 1, 10000);
    EncryptedTcpSocket* server = m_serverSockets.first();
    QCOMPARE(server->peerKey(), m_aliceKey.publicKey);
    QCOMPARE(server->peerAddress(), ClientA);
    QCOMPARE(Protocol::typeOf(*Protocol::decode(m_hellos.first())), QStringLiteral("hello"));
    // The port went back to the pool as soon as the ticket was redeemed.
    QCOMPARE(m_server->sessionPortsInUse(), 0);

    QSignalSpy received(client, &EncryptedTcpSocket::messageReceived);
    for (int i = 0; i < 50; ++i) {
        QVERIFY(client->sendMessage(QByteArray::number(i)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 50, 10000);
    for (int i = 0; i < 50; ++i) {
        QCOMPARE(received.at(i).at(0).toByteArray(), QByteArray::number(i));
    }
    delete client;
}

void TestEncryptedSocket::sessionKeysDifferPerConnection()
{
    startServer();
    QByteArray firstCiphertext;
    QByteArray hashes[2];
    for (int i = 0; i < 2; ++i) {
        RawClient raw(m_aliceKey);
        QVERIFY(raw.handshake(ClientA, Localhost, m_server->serverPort()));
        hashes[i] = raw.handshakeHash;
        // The same plaintext at the same nonce under each session's key.
        const QByteArray ciphertext = raw.encryptFrame(Protocol::Hello { QStringLiteral("chat") }.toCbor());
        if (i == 0) {
            firstCiphertext = ciphertext;
        } else {
            QVERIFY(ciphertext != firstCiphertext);
        }
        const auto session = raw.readMainMessage();
        QVERIFY(session);
        QCOMPARE(Protocol::typeOf(*session), QStringLiteral("session"));
    }
    QCOMPARE(hashes[0].size(), 32);
    QVERIFY(hashes[0] != hashes[1]);

    // Both ends of one connection agree on the hash, and it differs between connections.
    EncryptedTcpSocket* one = connectClient(m_aliceKey);
    QSignalSpy readyOne(one, &EncryptedTcpSocket::ready);
    QVERIFY(readyOne.wait(10000));
    QVERIFY(one->sendMessage(Protocol::encode(Protocol::Hello { QStringLiteral("chat") }.toCbor())));
    EncryptedTcpSocket* two = connectClient(m_aliceKey);
    QSignalSpy readyTwo(two, &EncryptedTcpSocket::ready);
    QVERIFY(readyTwo.wait(10000));
    QVERIFY(two->sendMessage(Protocol::encode(Protocol::Hello { QStringLiteral("chat") }.toCbor())));
    QTRY_COMPARE_WITH_TIMEOUT(m_serverSockets.size(), 2, 10000);
    QVERIFY(one->handshakeHash() != two->handshakeHash());
    QVERIFY(one->handshakeHash() == m_serverSockets.at(0)->handshakeHash()
        || one->handshakeHash() == m_serverSockets.at(1)->handshakeHash());
    delete one;
    delete two;
}

void TestEncryptedSocket::largestMessageFitsAndLargerIsRefused()
{
    startServer();
    EncryptedTcpSocket* client = connectClient(m_aliceKey);
    QSignalSpy ready(client, &EncryptedTcpSocket::ready);
    QVERIFY(ready.wait(10000));
    QVERIFY(client->sendMessage(Protocol::encode(Protocol::Hello { QStringLiteral("chat") }.toCbor())));
    QByteArray largest(Protocol::MaxPayload, Qt::Uninitialized);
    for (qsizetype i = 0; i < largest.size(); ++i) {
        largest[i] = static_cast<char>(i * 7);
    }
    QSignalSpy received(client, &EncryptedTcpSocket::messageReceived);
    QVERIFY(client->sendMessage(largest));
    QVERIFY(!client->sendMessage(QByteArray(Protocol::MaxPayload + 1, 'x')));
    QVERIFY(client->errorString().contains(QStringLiteral("65519")));
    QVERIFY(client->isReady()); // a refused send is the caller's mistake, not a broken session
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 10000);
    QCOMPARE(received.first().first().toByteArray(), largest);
    // Empty transport messages are keepalives: refused from callers, never delivered.
    QVERIFY(!client->sendMessage(QByteArray()));
    QVERIFY(client->isReady());
    delete client;
}

void TestEncryptedSocket::peerKeyCheckStopsBeforeClientKeyIsSent()
{
    startServer();
    QSignalSpy serverFailures(m_server.get(), &EncryptedTcpServer::connectionFailed);
    auto* client = new EncryptedTcpSocket(m_aliceKey, this);
    QByteArray seenKey;
    client->setPeerKeyCheck([&](const QByteArray& key) {
        seenKey = key;
        return false;
    });
    QSignalSpy errors(client, &EncryptedTcpSocket::errorOccurred);
    client->connectToHost(QStringLiteral("127.0.0.1"), m_server->serverPort());
    QVERIFY(errors.wait(10000));
    QCOMPARE(errors.first().first().value<EncryptedTcpSocket::Error>(), EncryptedTcpSocket::Error::PeerKeyRejected);
    QCOMPARE(seenKey, m_serverKey.publicKey);
    // The refused key stays readable, for the question "trust this key?".
    QCOMPARE(client->peerKey(), m_serverKey.publicKey);
    // The server never learnt who we are: its handshake ended without a third message.
    QTRY_VERIFY_WITH_TIMEOUT(!serverFailures.isEmpty(), 15000);
    QVERIFY(m_serverSockets.isEmpty());
    delete client;
}

void TestEncryptedSocket::unauthorizedKeyGetsTypedError()
{
    startServer();
    EncryptedTcpSocket* client = connectClient(newKey());
    QSignalSpy errors(client, &EncryptedTcpSocket::errorOccurred);
    QSignalSpy disconnected(client, &EncryptedTcpSocket::disconnected);
    QVERIFY(errors.wait(10000));
    QCOMPARE(errors.first().first().value<EncryptedTcpSocket::Error>(), EncryptedTcpSocket::Error::RemoteError);
    QCOMPARE(client->remoteErrorCode(), ErrorCode::Unauthorized);
    QVERIFY(errors.first().at(1).toString().contains(QStringLiteral("not on the test whitelist")));
    QTRY_COMPARE(disconnected.size(), 1);
    QCOMPARE(m_server->sessionPortsInUse(), 0);
    delete client;
}

void TestEncryptedSocket::wrongTicketIsRefused()
{
    startServer();
    RawClient raw(m_aliceKey);
    QVERIFY(raw.handshake(ClientA, Localhost, m_server->serverPort()));
    const auto session = raw.readMainMessage();
    QVERIFY(session);
    const auto port = static_cast<quint16>(session->value(QStringLiteral("port")).toInteger());
    QByteArray wrong = session->value(QStringLiteral("ticket")).toByteArray();
    wrong[0] = static_cast<char>(wrong[0] ^ 1);
    auto connection = raw.redeem(ClientA, Localhost, port, wrong);
    QVERIFY(connection);
    connection->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("chat") }.toCbor()));
    QVERIFY(RawClient::waitClosed(*connection));
    QTest::qWait(200);
    QVERIFY(m_serverSockets.isEmpty());
}

void TestEncryptedSocket::ticketCannotBeReused()
{
    startServer(1);
    RawClient raw(m_aliceKey);
    QVERIFY(raw.handshake(ClientA, Localhost, m_server->serverPort()));
    const auto session = raw.readMainMessage();
    QVERIFY(session);
    const auto port = static_cast<quint16>(session->value(QStringLiteral("port")).toInteger());
    const QByteArray ticket = session->value(QStringLiteral("ticket")).toByteArray();
    auto first = raw.redeem(ClientA, Localhost, port, ticket);
    QVERIFY(first);
    first->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("chat") }.toCbor()));
    QTRY_COMPARE_WITH_TIMEOUT(m_serverSockets.size(), 1, 10000);

    // The same ticket again: the port is closed, or (if another client took it) the ticket is unknown.
    auto second = raw.redeem(ClientA, Localhost, port, ticket);
    if (second) {
        second->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("chat") }.toCbor()));
        QVERIFY(RawClient::waitClosed(*second));
    }
    QTest::qWait(200);
    QCOMPARE(m_serverSockets.size(), 1);
}

void TestEncryptedSocket::lateTicketIsRefused()
{
    startServer(1, 300);
    RawClient raw(m_aliceKey);
    QVERIFY(raw.handshake(ClientA, Localhost, m_server->serverPort()));
    const auto session = raw.readMainMessage();
    QVERIFY(session);
    QCOMPARE(m_server->sessionPortsInUse(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->sessionPortsInUse(), 0, 5000); // expired, port back in the pool
    const auto port = static_cast<quint16>(session->value(QStringLiteral("port")).toInteger());
    auto late = raw.redeem(ClientA, Localhost, port, session->value(QStringLiteral("ticket")).toByteArray());
    if (late) {
        late->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("chat") }.toCbor()));
        QVERIFY(RawClient::waitClosed(*late));
    }
    QVERIFY(m_serverSockets.isEmpty());
}

void TestEncryptedSocket::ticketFromAnotherAddressIsRefused()
{
    startServer();
    RawClient raw(m_aliceKey);
    QVERIFY(raw.handshake(ClientA, Localhost, m_server->serverPort()));
    const auto session = raw.readMainMessage();
    QVERIFY(session);
    const auto port = static_cast<quint16>(session->value(QStringLiteral("port")).toInteger());
    const QByteArray ticket = session->value(QStringLiteral("ticket")).toByteArray();
    const QByteArray hello = raw.encryptFrame(Protocol::Hello { QStringLiteral("chat") }.toCbor());
    auto stolen = raw.redeem(ClientB, Localhost, port, ticket);
    if (stolen) {
        stolen->write(hello);
        QVERIFY(RawClient::waitClosed(*stolen));
    }
    QTest::qWait(100);
    QVERIFY(m_serverSockets.isEmpty());
    // The refused attempt did not spend the ticket: the rightful address still redeems it.
    auto owner = raw.redeem(ClientA, Localhost, port, ticket);
    QVERIFY(owner);
    owner->write(hello);
    QTRY_COMPARE_WITH_TIMEOUT(m_serverSockets.size(), 1, 10000);
    QCOMPARE(m_serverSockets.first()->peerAddress(), ClientA);
}

void TestEncryptedSocket::exhaustedPoolSaysBusyThenRecovers()
{
    startServer(1, 1500);
    RawClient holder(m_aliceKey);
    QVERIFY(holder.handshake(ClientA, Localhost, m_server->serverPort()));
    QVERIFY(holder.readMainMessage());
    QCOMPARE(m_server->sessionPortsInUse(), 1);

    EncryptedTcpSocket* client = connectClient(m_aliceKey, ClientB);
    QSignalSpy errors(client, &EncryptedTcpSocket::errorOccurred);
    QVERIFY(errors.wait(10000));
    QCOMPARE(client->remoteErrorCode(), ErrorCode::Busy);
    QVERIFY(errors.first().at(1).toString().contains(QStringLiteral("session port")));

    // Once the holder's ticket expires the port is free again.
    QTRY_COMPARE_WITH_TIMEOUT(m_server->sessionPortsInUse(), 0, 10000);
    QSignalSpy ready(client, &EncryptedTcpSocket::ready);
    client->connectToHost(QStringLiteral("127.0.0.1"), m_server->serverPort());
    QVERIFY(ready.wait(10000));
    delete client;
}

void TestEncryptedSocket::firstMessageMustDecrypt()
{
    startServer();
    QSignalSpy failures(m_server.get(), &EncryptedTcpServer::connectionFailed);
    RawClient raw(m_aliceKey);
    QVERIFY(raw.handshake(ClientA, Localhost, m_server->serverPort()));
    const auto session = raw.readMainMessage();
    QVERIFY(session);
    auto connection
        = raw.redeem(ClientA, Localhost, static_cast<quint16>(session->value(QStringLiteral("port")).toInteger()),
            session->value(QStringLiteral("ticket")).toByteArray());
    QVERIFY(connection);
    connection->write(RawClient::frame(QByteArray(40, 'x')));
    QVERIFY(RawClient::waitClosed(*connection));
    QVERIFY(m_serverSockets.isEmpty());
    QTRY_VERIFY(!failures.isEmpty());
    QVERIFY(failures.last().at(1).toString().contains(QStringLiteral("authentication")));
}

void TestEncryptedSocket::tamperedFrameClosesOnlyThatSession()
{
    startServer();
    EncryptedTcpSocket* bystander = connectClient(m_aliceKey, ClientB);
    QSignalSpy bystanderReady(bystander, &EncryptedTcpSocket::ready);
    QVERIFY(bystanderReady.wait(10000));
    QVERIFY(bystander->sendMessage(Protocol::encode(Protocol::Hello { QStringLiteral("chat") }.toCbor())));

    RawClient raw(m_aliceKey);
    QVERIFY(raw.handshake(ClientA, Localhost, m_server->serverPort()));
    const auto session = raw.readMainMessage();
    QVERIFY(session);
    auto connection
        = raw.redeem(ClientA, Localhost, static_cast<quint16>(session->value(QStringLiteral("port")).toInteger()),
            session->value(QStringLiteral("ticket")).toByteArray());
    QVERIFY(connection);
    connection->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("chat") }.toCbor()));
    QTRY_COMPARE_WITH_TIMEOUT(m_serverSockets.size(), 2, 10000);
    QByteArray tampered = raw.encryptFrame(Protocol::Hello { QStringLiteral("tampered") }.toCbor());
    tampered[tampered.size() / 2] = static_cast<char>(tampered[tampered.size() / 2] ^ 0x01);
    connection->write(tampered);
    QVERIFY(RawClient::waitClosed(*connection));

    // Everyone else is still served.
    QSignalSpy echoed(bystander, &EncryptedTcpSocket::messageReceived);
    QVERIFY(bystander->sendMessage("still here"));
    QVERIFY(echoed.wait(10000));
    QCOMPARE(echoed.first().first().toByteArray(), QByteArray("still here"));
    delete bystander;
}

void TestEncryptedSocket::oversizedHandshakeFrameIsRefused()
{
    startServer();
    QSignalSpy failures(m_server.get(), &EncryptedTcpServer::connectionFailed);
    QTcpSocket socket;
    socket.connectToHost(Localhost, m_server->serverPort());
    QVERIFY(socket.waitForConnected(10000));
    // Only the header: the server must refuse before it buffers 65535 bytes.
    socket.write(QByteArray::fromHex("ffff"));
    QVERIFY(RawClient::waitClosed(socket));
    QTRY_VERIFY(!failures.isEmpty());
    QVERIFY(failures.first().at(1).toString().contains(QStringLiteral("65535")));
}

void TestEncryptedSocket::unreachableSessionPortNamesTheRange()
{
    // A fake server: real handshake, then a session port nobody listens on.
    QTcpServer fake;
    QVERIFY(fake.listen(Localhost, 0));
    const quint16 deadPort = freePortRange(1);
    EncryptedTcpSocket* client = new EncryptedTcpSocket(m_aliceKey, this);
    QSignalSpy errors(client, &EncryptedTcpSocket::errorOccurred);
    client->connectToHost(QStringLiteral("127.0.0.1"), fake.serverPort());
    QVERIFY(fake.waitForNewConnection(10000));
    std::unique_ptr<QTcpSocket> accepted(fake.nextPendingConnection());
    Noise::HandshakeState handshake;
    Noise::HandshakeState::Config config;
    config.protocolName = Protocol::NoiseProtocolName;
    config.prologue = Protocol::Prologue;
    config.role = Noise::HandshakeState::Role::Responder;
    config.localStatic = m_serverKey;
    QVERIFY(handshake.initialize(config));
    auto message = RawClient::readFrame(*accepted);
    QByteArray payload;
    QVERIFY(message && handshake.readMessage(*message, payload));
    QByteArray reply;
    QVERIFY(handshake.writeMessage({}, reply));
    accepted->write(RawClient::frame(reply));
    message = RawClient::readFrame(*accepted);
    QVERIFY(message && handshake.readMessage(*message, payload));
    auto [c1, c2] = handshake.split();
    QByteArray ciphertext;
    QVERIFY(c2.encryptWithAd({},
        Protocol::encode(Protocol::SessionHandoff { deadPort, QByteArray(16, 'T'), 9001, 9064, 0 }.toCbor()),
        ciphertext));
    accepted->write(RawClient::frame(ciphertext));
    QVERIFY(errors.wait(15000));
    QCOMPARE(
        errors.first().first().value<EncryptedTcpSocket::Error>(), EncryptedTcpSocket::Error::SessionPortUnreachable);
    const QString text = errors.first().at(1).toString();
    QVERIFY2(text.contains(QStringLiteral("9001-9064")), qPrintable(text));
    QVERIFY2(text.contains(QString::number(deadPort)), qPrintable(text));
    delete client;
}

QTEST_GUILESS_MAIN(TestEncryptedSocket)
#include "TestEncryptedSocket.moc"
