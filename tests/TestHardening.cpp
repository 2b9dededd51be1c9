// Hostile peers, dead peers, rekeying and limits, against EncryptedTcpServer in this process.

#include "EncryptedTcpServer.h"
#include "EncryptedTcpSocket.h"
#include "Protocol.h"
#include "RawClient.h"
#include "ServerProcess.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using namespace QuietWire;

namespace {

const QHostAddress Localhost(QStringLiteral("127.0.0.1"));

Noise::KeyPair newKey()
{
    auto pair = Noise::X25519::generate();
    Q_ASSERT(pair);
    return *pair;
}

QHostAddress loopback(int n)
{
    return QHostAddress(QStringLiteral("127.0.0.%1").arg(n));
}

} // namespace

class TestHardening : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void keepalivesKeepAQuietSessionOpen();
    void silentPeerIsClosedAfterIdleTimeout();
    void rekeyAcrossTheBoundaryBothWays();
    void rekeyLimitsMustAgree();
    void tamperedTraffic_data();
    void tamperedTraffic();
    void handshakeFloodIsRefusedCheaply();
    void byteAtATimeSenderMeetsTheDeadline();
    void randomByteFloodsAreClosed();

private:
    void startServer(EncryptedTcpServer::Options options = {});
    EncryptedTcpSocket* connectClient(const QHostAddress& from, bool sendHello = true);
    /// Handshake, redeem and hello with a raw client; the socket on the session port.
    std::unique_ptr<QTcpSocket> rawSession(RawClient& raw, const QHostAddress& from);

    Noise::KeyPair m_serverKey;
    Noise::KeyPair m_clientKey;
    std::unique_ptr<EncryptedTcpServer> m_server;
    QList<QPointer<EncryptedTcpSocket>> m_sessions;
    QList<QPointer<EncryptedTcpSocket>> m_clients;
};

void TestHardening::init()
{
    m_serverKey = newKey();
    m_clientKey = newKey();
}

void TestHardening::cleanup()
{
    for (const auto& socket : std::as_const(m_sessions)) {
        delete socket.data();
    }
    for (const auto& socket : std::as_const(m_clients)) {
        delete socket.data();
    }
    m_sessions.clear();
    m_clients.clear();
    m_server.reset();
}

void TestHardening::startServer(EncryptedTcpServer::Options options)
{
    m_server = std::make_unique<EncryptedTcpServer>(m_serverKey);
    connect(
        m_server.get(), &EncryptedTcpServer::newSession, this, [this](EncryptedTcpSocket* socket, const QByteArray&) {
            m_sessions.append(socket);
            connect(socket, &EncryptedTcpSocket::messageReceived, socket,
                [socket](const QByteArray& message) { socket->sendMessage(message); });
        });
    const quint16 first = freePortRange(8);
    QVERIFY(first != 0);
    options.address = QHostAddress::Any;
    options.port = 0;
    options.sessionPortFirst = first;
    options.sessionPortLast = static_cast<quint16>(first + 7);
    QString error;
    QVERIFY2(m_server->listen(options, &error), qPrintable(error));
}

EncryptedTcpSocket* TestHardening::connectClient(const QHostAddress& from, bool sendHello)
{
    auto* socket = new EncryptedTcpSocket(m_clientKey, this);
    m_clients.append(socket);
    socket->setLocalAddress(from);
    QSignalSpy ready(socket, &EncryptedTcpSocket::ready);
    QSignalSpy failed(socket, &EncryptedTcpSocket::errorOccurred);
    socket->connectToHost(QStringLiteral("127.0.0.1"), m_server->serverPort());
    if (!QTest::qWaitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, 15000) || ready.isEmpty()) {
        return nullptr;
    }
    if (sendHello) {
        socket->sendMessage(Protocol::encode(Protocol::Hello { QStringLiteral("chat") }.toCbor()));
    }
    return socket;
}

std::unique_ptr<QTcpSocket> TestHardening::rawSession(RawClient& raw, const QHostAddress& from)
{
    if (!raw.handshake(from, Localhost, m_server->serverPort())) {
        return nullptr;
    }
    const auto session = raw.readMainMessage();
    if (!session) {
        return nullptr;
    }
    auto socket = raw.redeem(from, Localhost, static_cast<quint16>(session->value(QStringLiteral("port")).toInteger()),
        session->value(QStringLiteral("ticket")).toByteArray());
    if (socket) {
        socket->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("chat") }.toCbor()));
    }
    return socket;
}

void TestHardening::keepalivesKeepAQuietSessionOpen()
{
    EncryptedTcpServer::Options options;
    options.idleTimeoutMs = 800;
    options.keepaliveMs = 200;
    startServer(options);
    EncryptedTcpSocket* client = connectClient(loopback(2));
    QVERIFY(client);
    client->setIdleTimeout(800);
    QTRY_COMPARE_WITH_TIMEOUT(m_sessions.size(), 1, 10000);
    QSignalSpy clientMessages(client, &EncryptedTcpSocket::messageReceived);
    QSignalSpy clientErrors(client, &EncryptedTcpSocket::errorOccurred);
    // Four idle timeouts of silence from the application: keepalives carry the session.
    QTest::qWait(3200);
    QVERIFY(clientErrors.isEmpty());
    QVERIFY(client->isReady());
    QVERIFY(m_sessions.first() && m_sessions.first()->isReady());
    QVERIFY(clientMessages.isEmpty()); // keepalives never reach the application
    QVERIFY(client->sendMessage("still alive"));
    QVERIFY(clientMessages.wait(5000));
    QCOMPARE(clientMessages.first().first().toByteArray(), QByteArray("still alive"));
}

void TestHardening::silentPeerIsClosedAfterIdleTimeout()
{
    EncryptedTcpServer::Options options;
    options.idleTimeoutMs = 700;
    options.keepaliveMs = 175;
    startServer(options);
    RawClient raw(m_clientKey); // sends no keepalives
    auto socket = rawSession(raw, loopback(3));
    QVERIFY(socket);
    QTRY_COMPARE_WITH_TIMEOUT(m_sessions.size(), 1, 10000);
    QPointer<EncryptedTcpSocket> session = m_sessions.first();
    QSignalSpy errors(session.data(), &EncryptedTcpSocket::errorOccurred);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(errors.wait(10000));
    QCOMPARE(errors.first().first().value<EncryptedTcpSocket::Error>(), EncryptedTcpSocket::Error::Timeout);
    QVERIFY(errors.first().at(1).toString().contains(QStringLiteral("keepalive")));
    QVERIFY(clock.elapsed() >= 600);
    QVERIFY(RawClient::waitClosed(*socket));
}

void TestHardening::rekeyAcrossTheBoundaryBothWays()
{
    EncryptedTcpServer::Options options;
    options.rekeyAfterMessages = 7;
    options.rekeyAfterBytes = 5000;
    startServer(options);
    auto* client = new EncryptedTcpSocket(m_clientKey, this);
    m_clients.append(client);
    client->setRekeyLimits(7, 5000);
    QSignalSpy ready(client, &EncryptedTcpSocket::ready);
    client->connectToHost(QStringLiteral("127.0.0.1"), m_server->serverPort());
    QVERIFY(ready.wait(10000));
    QVERIFY(client->sendMessage(Protocol::encode(Protocol::Hello { QStringLiteral("chat") }.toCbor())));
    QSignalSpy echoed(client, &EncryptedTcpSocket::messageReceived);
    QList<QByteArray> sent;
    for (int i = 0; i < 60; ++i) {
        // Sizes that cross the byte limit at different points than the message limit.
        sent.append(QByteArray(1 + (i * 397) % 3000, static_cast<char>('a' + i % 26)));
        QVERIFY(client->sendMessage(sent.last()));
    }
    QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), 60, 15000);
    for (int i = 0; i < 60; ++i) {
        QCOMPARE(echoed.at(i).first().toByteArray(), sent.at(i));
    }
    QVERIFY(client->sendRekeys() >= 8);
    QVERIFY(client->receiveRekeys() >= 8);
    QCOMPARE(m_sessions.first()->receiveRekeys(), client->sendRekeys());
    QCOMPARE(m_sessions.first()->sendRekeys(), client->receiveRekeys());
}

void TestHardening::rekeyLimitsMustAgree()
{
    // Proof that Rekey() really changes the key: a client that rekeys on another schedule
    // than the server is cut off at its first rekey.
    startServer();
    auto* client = new EncryptedTcpSocket(m_clientKey, this);
    m_clients.append(client);
    client->setRekeyLimits(3, Protocol::RekeyAfterBytes);
    QSignalSpy ready(client, &EncryptedTcpSocket::ready);
    client->connectToHost(QStringLiteral("127.0.0.1"), m_server->serverPort());
    QVERIFY(ready.wait(10000));
    QSignalSpy failures(m_server.get(), &EncryptedTcpServer::connectionFailed);
    QVERIFY(client->sendMessage(Protocol::encode(Protocol::Hello { QStringLiteral("chat") }.toCbor())));
    QVERIFY(client->sendMessage("two"));
    QVERIFY(client->sendMessage("three"));
    QTRY_COMPARE_WITH_TIMEOUT(m_sessions.size(), 1, 10000);
    QPointer<EncryptedTcpSocket> session = m_sessions.first();
    QSignalSpy sessionErrors(session.data(), &EncryptedTcpSocket::errorOccurred);
    QVERIFY(client->sendMessage("four, under a rekeyed key"));
    QVERIFY(sessionErrors.wait(10000));
    QCOMPARE(
        sessionErrors.first().first().value<EncryptedTcpSocket::Error>(), EncryptedTcpSocket::Error::DecryptFailed);
}

void TestHardening::tamperedTraffic_data()
{
    QTest::addColumn<QString>("attack");
    for (const char* attack :
        { "flipped bit", "replayed", "dropped", "reordered", "truncated", "other session", "garbage frame" }) {
        QTest::newRow(attack) << QString::fromLatin1(attack);
    }
}

void TestHardening::tamperedTraffic()
{
    QFETCH(QString, attack);
    startServer();
    EncryptedTcpSocket* bystander = connectClient(loopback(9));
    QVERIFY(bystander);
    RawClient raw(m_clientKey);
    auto socket = rawSession(raw, loopback(4));
    QVERIFY(socket);
    QTRY_COMPARE_WITH_TIMEOUT(m_sessions.size(), 2, 10000);
    const auto frame = [&](const char* text) {
        return raw.encryptFrame(QCborMap { { QStringLiteral("type"), QString::fromLatin1(text) } });
    };
    const QByteArray one = frame("one");
    const QByteArray two = frame("two");
    QByteArray attackBytes;
    if (attack == QLatin1String("flipped bit")) {
        attackBytes = one;
        attackBytes[attackBytes.size() - 3] = static_cast<char>(attackBytes[attackBytes.size() - 3] ^ 0x04);
    } else if (attack == QLatin1String("replayed")) {
        attackBytes = one + one;
    } else if (attack == QLatin1String("dropped")) {
        attackBytes = two; // one never arrives
    } else if (attack == QLatin1String("reordered")) {
        attackBytes = two + one;
    } else if (attack == QLatin1String("truncated")) {
        // A consistent length field around a ciphertext that lost its last bytes.
        attackBytes = RawClient::frame(one.mid(2, one.size() - 2 - 5));
    } else if (attack == QLatin1String("other session")) {
        RawClient other(m_clientKey);
        auto otherSocket = rawSession(other, loopback(5));
        QVERIFY(otherSocket);
        attackBytes = other.encryptFrame(QCborMap { { QStringLiteral("type"), QStringLiteral("x") } });
    } else {
        attackBytes = RawClient::frame(QByteArray(200, '\x5a'));
    }
    // For "replayed" the first copy is genuine and echoed; the second must be refused.
    socket->write(attackBytes);
    QVERIFY(RawClient::waitClosed(*socket));
    QTRY_VERIFY_WITH_TIMEOUT(std::count_if(m_sessions.begin(), m_sessions.end(),
                                 [](const QPointer<EncryptedTcpSocket>& s) { return s && s->isReady(); })
            >= 1,
        5000);
    // The bystander is still served.
    QSignalSpy echoed(bystander, &EncryptedTcpSocket::messageReceived);
    QVERIFY(bystander->sendMessage("unaffected"));
    QVERIFY(echoed.wait(10000));
    QCOMPARE(echoed.first().first().toByteArray(), QByteArray("unaffected"));
}

void TestHardening::handshakeFloodIsRefusedCheaply()
{
    EncryptedTcpServer::Options options;
    options.maxHandshakes = 6;
    options.maxHandshakesPerAddress = 2;
    options.handshakeTimeoutMs = 1500;
    startServer(options);
    // Many connections that never send a byte, from several addresses.
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < 200; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->bind(loopback(20 + i % 10), 0);
        socket->connectToHost(Localhost, m_server->serverPort());
        idle.push_back(std::move(socket));
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_server->handshakesInProgress(), 6, 10000);
    // The rest were closed at once, without a handshake.
    QTRY_VERIFY_WITH_TIMEOUT(std::count_if(idle.begin(), idle.end(),
                                 [](const auto& s) { return s->state() == QAbstractSocket::UnconnectedState; })
            >= 190,
        10000);
    QVERIFY(m_server->handshakesInProgress() <= 6);
    // An honest client gets in once the idle ones hit the handshake deadline.
    QElapsedTimer clock;
    clock.start();
    EncryptedTcpSocket* honest = nullptr;
    while (!honest && clock.elapsed() < 15000) {
        honest = connectClient(loopback(99));
        if (!honest) {
            QTest::qWait(200);
        }
    }
    QVERIFY2(honest, "an honest client could not connect within 15 s of a handshake flood");
    // Bound: the idle connections' handshake deadline (1.5 s) plus scheduling slack.
    QVERIFY2(clock.elapsed() < 8000, qPrintable(QString::number(clock.elapsed())));
}

void TestHardening::byteAtATimeSenderMeetsTheDeadline()
{
    EncryptedTcpServer::Options options;
    options.handshakeTimeoutMs = 1000;
    startServer(options);
    QSignalSpy failures(m_server.get(), &EncryptedTcpServer::connectionFailed);
    QTcpSocket slow;
    slow.bind(loopback(6), 0);
    slow.connectToHost(Localhost, m_server->serverPort());
    QVERIFY(slow.waitForConnected(5000));
    const QByteArray first = RawClient::frame(QByteArray(32, '\x11'));
    QElapsedTimer clock;
    clock.start();
    int sent = 0;
    EncryptedTcpSocket* honest = nullptr;
    while (slow.state() == QAbstractSocket::ConnectedState && clock.elapsed() < 10000) {
        if (sent < first.size()) {
            slow.write(first.mid(sent++, 1));
        }
        if (!honest && clock.elapsed() > 200) {
            honest = connectClient(loopback(7)); // served meanwhile
        }
        QTest::qWait(100);
    }
    QVERIFY(slow.state() != QAbstractSocket::ConnectedState);
    QVERIFY(clock.elapsed() < 5000);
    QVERIFY(honest && honest->isReady());
    QTRY_VERIFY(std::any_of(failures.begin(), failures.end(), [](const QList<QVariant>& args) {
        return args.at(1).toString().contains(QStringLiteral("handshake within"));
    }));
}

void TestHardening::randomByteFloodsAreClosed()
{
    startServer();
    std::vector<std::unique_ptr<QTcpSocket>> floods;
    for (int i = 0; i < 40; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->bind(loopback(40 + i % 8), 0);
        socket->connectToHost(Localhost, m_server->serverPort());
        floods.push_back(std::move(socket));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(floods.begin(), floods.end(),
                                 [](const auto& s) { return s->state() != QAbstractSocket::ConnectingState; }),
        10000);
    for (auto& socket : floods) {
        QByteArray noise(64 * 1024, Qt::Uninitialized);
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32*>(noise.data()), noise.size() / 4);
        socket->write(noise);
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(floods.begin(), floods.end(),
                                 [](const auto& s) {
                                     s->readAll();
                                     return s->state() == QAbstractSocket::UnconnectedState;
                                 }),
        15000);
    QVERIFY(m_sessions.isEmpty());
    QVERIFY(connectClient(loopback(8)));
}

QTEST_GUILESS_MAIN(TestHardening)
#include "TestHardening.moc"
