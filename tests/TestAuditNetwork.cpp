// Issue 11, the network and hand-shake layer: floods of fresh keys, of silent connections and of
// tickets, and strings from the network in the log. The attacks run against the real quietwired
// (with its default limits where the attack worked on them); the policies behind the fixes are
// also tested on their own (HandshakeSlots, KnownClients, LogThrottle, Logging::escaped).

#include "AuthorizedKeys.h"
#include "HandshakeSlots.h"
#include "Identity.h"
#include "KnownClients.h"
#include "LogThrottle.h"
#include "Logging.h"
#include "Protocol.h"
#include "RawClient.h"
#include "ServerProcess.h"

#include <QFile>
#include <QLoggingCategory>
#include <QTemporaryDir>
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

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

int longestLine(const QString& text)
{
    int longest = 0;
    for (const QStringView line : QStringView(text).split(QLatin1Char('\n'))) {
        longest = qMax(longest, static_cast<int>(line.size()));
    }
    return longest;
}

/// Messages logged in this process, for the LogThrottle test.
QStringList g_captured;
QtMessageHandler g_previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    if (qstrcmp(context.category, "test.throttle") == 0) {
        g_captured.append(message);
        return;
    }
    g_previousHandler(type, context, message);
}

Q_LOGGING_CATEGORY(lcTestThrottle, "test.throttle", QtInfoMsg)

} // namespace

class TestAuditNetwork : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    // The pieces.
    void escapedShowsControlCharacters_data();
    void escapedShowsControlCharacters();
    void escapedCutsLongText();
    void logThrottleLetsABurstThroughAndCountsTheRest();
    void sourcesGroupByPrefix_data();
    void sourcesGroupByPrefix();
    void fullTableGivesUpSilentPlacesFirst();
    void fullTableTakesFromTheBusiestSource();
    void knownClientsKeepsRefusedKeysBounded();
    void knownClientsSayWhenTheFileCannotBeWritten();

    // Item 1: known_clients and the log under a flood of fresh keys.
    void freshKeyFloodKeepsKnownClientsAndLogBounded();
    // Item 2: the handshake table held by a few addresses.
    void silentFloodFromEightAddressesLetsAnHonestClientIn_data();
    void silentFloodFromEightAddressesLetsAnHonestClientIn();
    void ipv4PrefixMakesANetworkOneSource();
    // Item 4: the session-port pool.
    void pendingTicketsCountTowardTheSessionLimit();
    void pendingTicketsAreCappedPerKeyAndPerSource();
    void sessionPortTakesOneConnectionPerTicket();
    void ticketFrameOfTheWrongLengthIsClosedAtOnce();
    // Item 9: strings from the network in the log.
    void serviceNameCannotForgeLogLines();

private:
    struct Client
    {
        Noise::KeyPair key;
        QString name;
    };
    /// A client key on the whitelist of the server about to start.
    Client allowedClient(const QString& name);
    bool startServer(const QStringList& options = {}, int poolSize = 8);
    /// Handshake from `from`; the server's first message (session or error), or nothing.
    std::optional<QCborMap> handshake(RawClient& raw, const QHostAddress& from);
    /// The whole set-up as a client does it: handshake, ticket, chat hello, welcome. Empty or why not.
    QString chatSession(const Client& client, const QHostAddress& from);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    QStringList m_allowed;
};

void TestAuditNetwork::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("data")));
    m_allowed.clear();
}

void TestAuditNetwork::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

TestAuditNetwork::Client TestAuditNetwork::allowedClient(const QString& name)
{
    Client client { newKey(), name };
    m_allowed.append(Identity::encodePublicKey(client.key.publicKey) + QLatin1Char(' ') + name);
    return client;
}

bool TestAuditNetwork::startServer(const QStringList& options, int poolSize)
{
    return m_server->start(m_allowed, options, poolSize);
}

std::optional<QCborMap> TestAuditNetwork::handshake(RawClient& raw, const QHostAddress& from)
{
    if (!raw.handshake(from, Localhost, m_server->port)) {
        return std::nullopt;
    }
    return raw.readMainMessage();
}

QString TestAuditNetwork::chatSession(const Client& client, const QHostAddress& from)
{
    RawClient raw(client.key);
    const auto first = handshake(raw, from);
    if (!first) {
        return QStringLiteral("no answer to the handshake");
    }
    if (Protocol::typeOf(*first) != QLatin1String("session")) {
        return QStringLiteral("answer %1 %2")
            .arg(Protocol::typeOf(*first), first->value(QStringLiteral("code")).toString());
    }
    auto socket = raw.redeem(from, Localhost, static_cast<quint16>(first->value(QStringLiteral("port")).toInteger()),
        first->value(QStringLiteral("ticket")).toByteArray());
    if (!socket) {
        return QStringLiteral("session port unreachable");
    }
    socket->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("chat") }.toCbor()));
    const auto welcome = raw.readMessage(*socket);
    if (!welcome || Protocol::typeOf(*welcome) != QLatin1String("welcome")) {
        return QStringLiteral("no welcome");
    }
    return QString();
}

// ---------------------------------------------------------------------------------------------

void TestAuditNetwork::escapedShowsControlCharacters_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QStringLiteral("chat") << QStringLiteral("chat");
    QTest::newRow("newline") << QStringLiteral("chat\n2026-01-01 forged") << QStringLiteral("chat\\n2026-01-01 forged");
    QTest::newRow("carriage return") << QStringLiteral("a\rb") << QStringLiteral("a\\rb");
    QTest::newRow("tab") << QStringLiteral("a\tb") << QStringLiteral("a\\tb");
    QTest::newRow("escape sequence") << QStringLiteral("\x1b[2J") << QStringLiteral("\\x1b[2J");
    QTest::newRow("NUL and DEL") << QString::fromLatin1("a\0b\x7f", 4) << QStringLiteral("a\\x00b\\x7f");
    QTest::newRow("C1 control") << QString(QChar(0x85)) << QStringLiteral("\\x85");
    QTest::newRow("line separator") << QString(QChar(0x2028)) << QStringLiteral("\\u2028");
    QTest::newRow("right-to-left override") << QString(QChar(0x202e)) << QStringLiteral("\\u202e");
    QTest::newRow("backslash") << QStringLiteral("a\\nb") << QStringLiteral("a\\\\nb");
    QTest::newRow("letters of any script") << QStringLiteral("файл 文件") << QStringLiteral("файл 文件");
}

void TestAuditNetwork::escapedShowsControlCharacters()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(Logging::escaped(text), expected);
}

void TestAuditNetwork::escapedCutsLongText()
{
    const QString out = Logging::escaped(QString(5000, QLatin1Char('x')), 40);
    QVERIFY(out.startsWith(QString(40, QLatin1Char('x'))));
    QVERIFY2(out.size() < 80, qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("4960 more")), qPrintable(out));
    // Escapes do not let a long control-character string past the cut either.
    QVERIFY(Logging::escaped(QString(5000, QLatin1Char('\n')), 40).size() < 140);
}

void TestAuditNetwork::logThrottleLetsABurstThroughAndCountsTheRest()
{
    g_captured.clear();
    g_previousHandler = qInstallMessageHandler(captureMessage);
    {
        LogThrottle throttle(lcTestThrottle(), QStringLiteral("test"), 5, 400);
        int written = 0;
        for (int i = 0; i < 1000; ++i) {
            if (throttle.admit()) {
                qCInfo(lcTestThrottle) << "line" << i;
                ++written;
            }
        }
        QCOMPARE(written, 5);
        QCOMPARE(throttle.suppressed(), 995);
        // At the end of the window one line says how many were left out.
        QTRY_VERIFY_WITH_TIMEOUT(
            std::any_of(g_captured.cbegin(), g_captured.cend(),
                [](const QString& line) { return line.contains(QStringLiteral("995 more test")); }),
            5000);
        QCOMPARE(throttle.suppressed(), 0);
        // A new window lets a new burst through.
        QTRY_VERIFY_WITH_TIMEOUT(throttle.admit(), 5000);
    }
    qInstallMessageHandler(g_previousHandler);
    QCOMPARE(g_captured.size(), 6);
}

void TestAuditNetwork::sourcesGroupByPrefix_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<int>("ipv4Prefix");
    QTest::addColumn<bool>("sameSource");
    QTest::newRow("ipv4 /32: two addresses") << "192.0.2.1"
                                             << "192.0.2.2" << 32 << false;
    QTest::newRow("ipv4 /32: one address") << "192.0.2.1"
                                           << "192.0.2.1" << 32 << true;
    QTest::newRow("ipv4 /24: one network") << "192.0.2.1"
                                           << "192.0.2.254" << 24 << true;
    QTest::newRow("ipv4 /24: two networks") << "192.0.2.1"
                                            << "192.0.3.1" << 24 << false;
    QTest::newRow("ipv4-mapped is ipv4") << "::ffff:192.0.2.1"
                                         << "192.0.2.1" << 32 << true;
    QTest::newRow("ipv6: one /64") << "2001:db8:1:2::1"
                                   << "2001:db8:1:2:ffff:ffff:ffff:ffff" << 32 << true;
    QTest::newRow("ipv6: two /64s") << "2001:db8:1:2::1"
                                    << "2001:db8:1:3::1" << 32 << false;
}

void TestAuditNetwork::sourcesGroupByPrefix()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, ipv4Prefix);
    QFETCH(bool, sameSource);
    QCOMPARE(
        HandshakeSlots::sourceOf(QHostAddress(a), ipv4Prefix) == HandshakeSlots::sourceOf(QHostAddress(b), ipv4Prefix),
        sameSource);
    // And the table counts them so: a source at its limit is refused, another is not.
    HandshakeSlots table({ 100, 1, ipv4Prefix });
    QObject first;
    QObject second;
    QCOMPARE(table.admit(&first, QHostAddress(a)).result, HandshakeSlots::Result::Admitted);
    QCOMPARE(table.admit(&second, QHostAddress(b)).result,
        sameSource ? HandshakeSlots::Result::SourceFull : HandshakeSlots::Result::Admitted);
}

void TestAuditNetwork::fullTableGivesUpSilentPlacesFirst()
{
    HandshakeSlots table({ 4, 2, 32 });
    std::vector<std::unique_ptr<QObject>> connections;
    for (int i = 0; i < 5; ++i) {
        connections.push_back(std::make_unique<QObject>());
    }
    QCOMPARE(table.admit(connections[0].get(), QHostAddress(QStringLiteral("192.0.2.1"))).result,
        HandshakeSlots::Result::Admitted);
    QCOMPARE(table.admit(connections[1].get(), QHostAddress(QStringLiteral("192.0.2.1"))).result,
        HandshakeSlots::Result::Admitted);
    QCOMPARE(table.admit(connections[2].get(), QHostAddress(QStringLiteral("192.0.2.2"))).result,
        HandshakeSlots::Result::Admitted);
    QCOMPARE(table.admit(connections[3].get(), QHostAddress(QStringLiteral("192.0.2.3"))).result,
        HandshakeSlots::Result::Admitted);
    table.heard(connections[0].get()); // it talks: it keeps its place
    const auto admission = table.admit(connections[4].get(), QHostAddress(QStringLiteral("192.0.2.9")));
    QCOMPARE(admission.result, HandshakeSlots::Result::Admitted);
    QCOMPARE(admission.evicted, connections[1].get()); // the oldest silent one
    QCOMPARE(table.size(), 4);
    QVERIFY(!table.contains(connections[1].get()));
    QVERIFY(table.contains(connections[0].get()));
    // A source at its limit gets no place, even where others would give one up.
    QObject more;
    QCOMPARE(table.admit(&more, QHostAddress(QStringLiteral("192.0.2.9"))).result, HandshakeSlots::Result::Admitted);
    QObject third;
    QCOMPARE(table.admit(&third, QHostAddress(QStringLiteral("192.0.2.9"))).result, HandshakeSlots::Result::SourceFull);
    table.remove(&more);
    table.remove(connections[4].get());
    QCOMPARE(table.countFrom(QHostAddress(QStringLiteral("192.0.2.9"))), 0);
}

void TestAuditNetwork::fullTableTakesFromTheBusiestSource()
{
    HandshakeSlots table({ 4, 4, 32 });
    std::vector<std::unique_ptr<QObject>> connections;
    const QString addresses[] = { QStringLiteral("192.0.2.1"), QStringLiteral("192.0.2.1"), QStringLiteral("192.0.2.1"),
        QStringLiteral("192.0.2.2") };
    for (const QString& address : addresses) {
        connections.push_back(std::make_unique<QObject>());
        QCOMPARE(table.admit(connections.back().get(), QHostAddress(address)).result, HandshakeSlots::Result::Admitted);
        table.heard(connections.back().get()); // all of them sent a byte
    }
    QObject newcomer;
    const auto admission = table.admit(&newcomer, QHostAddress(QStringLiteral("192.0.2.7")));
    QCOMPARE(admission.result, HandshakeSlots::Result::Admitted);
    QCOMPARE(admission.evicted, connections[0].get()); // the oldest of the source with three
    // With every source down to its share, a further newcomer is refused.
    table.heard(&newcomer);
    QObject another;
    QCOMPARE(table.admit(&another, QHostAddress(QStringLiteral("192.0.2.8"))).result, HandshakeSlots::Result::Admitted);
    table.heard(&another);
    QObject last;
    QCOMPARE(table.admit(&last, QHostAddress(QStringLiteral("192.0.2.10"))).result, HandshakeSlots::Result::TableFull);
}

void TestAuditNetwork::knownClientsKeepsRefusedKeysBounded()
{
    const QString path = m_dir->filePath(QStringLiteral("known_clients"));
    const QByteArray friendKey = newKey().publicKey;
    KnownClients::Limits limits;
    limits.allowedPerAddress = 3;
    limits.allowedInAll = 6;
    limits.refusedPerAddress = 2;
    limits.refusedInAll = 5;
    {
        KnownClients clients(path, limits);
        clients.record(loopback(1), friendKey, KnownClients::Standing::Allowed);
        for (int i = 0; i < 200; ++i) {
            clients.record(loopback(1 + i % 4), newKey().publicKey, KnownClients::Standing::Refused);
        }
        const auto entries = clients.entries();
        QCOMPARE(entries.size(), 1 + 5);
        QHash<QString, int> perAddress;
        for (const auto& entry : entries) {
            perAddress[entry.address] += entry.standing == KnownClients::Standing::Refused ? 1 : 0;
        }
        for (const int count : std::as_const(perAddress)) {
            QVERIFY(count <= 2);
        }
        // Refused keys never push an allowed one out.
        QCOMPARE(entries.first().key, friendKey);
        QCOMPARE(entries.first().standing, KnownClients::Standing::Allowed);
        QVERIFY(clients.save());
    }
    // Read back, with the same bounds (and an old, overgrown file shrinks to them).
    QFile file(path);
    QVERIFY(file.open(QIODevice::Append));
    for (int i = 0; i < 100; ++i) {
        file.write(QStringLiteral("127.0.0.9 %1 2026-01-01T00:00:00Z 2026-01-01T00:00:00Z refused\n")
                       .arg(Identity::encodePublicKey(newKey().publicKey))
                       .toLatin1());
    }
    file.close();
    KnownClients again(path, limits);
    const auto entries = again.entries();
    QCOMPARE(entries.size(), 1 + 5);
    QCOMPARE(entries.first().key, friendKey);
    // The trimmed file is written without waiting for a new client.
    QTRY_VERIFY_WITH_TIMEOUT(readFile(path).count('\n') == 1 + 6, 5000);
    // A key seen again moves to its new standing.
    again.record(loopback(1), friendKey, KnownClients::Standing::Refused);
    QCOMPARE(again.entries().last().key, friendKey);
    QCOMPARE(again.entries().last().standing, KnownClients::Standing::Refused);
}

void TestAuditNetwork::knownClientsSayWhenTheFileCannotBeWritten()
{
    // The file is written on a thread of its own (the event loop never waits for the disk); a write
    // that fails is still logged, naming the file, and save() returns it.
    const QString path = m_dir->filePath(QStringLiteral("missing/known_clients"));
    KnownClients clients(path);
    clients.record(loopback(1), newKey().publicKey, KnownClients::Standing::Allowed);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^Cannot write .*missing/known_clients: ")));
    QString error;
    QVERIFY(!clients.save(&error));
    QVERIFY2(error.startsWith(QStringLiteral("Cannot write %1: ").arg(path)), qPrintable(error));
    QVERIFY(!QFile::exists(path));
}

// ---------------------------------------------------------------------------------------------

void TestAuditNetwork::freshKeyFloodKeepsKnownClientsAndLogBounded()
{
    const Client friendly = allowedClient(QStringLiteral("alice"));
    QVERIFY(startServer());
    QVERIFY2(chatSession(friendly, loopback(11)).isEmpty(), "the allowed client could not connect");
    // Fresh keys from three addresses, as fast as the server completes handshakes.
    constexpr int Handshakes = 300;
    QByteArray lastKey;
    for (int i = 0; i < Handshakes; ++i) {
        const Noise::KeyPair key = newKey();
        RawClient raw(key);
        const auto answer = handshake(raw, loopback(11 + i % 3));
        QVERIFY2(answer, qPrintable(QStringLiteral("handshake %1 got no answer").arg(i)));
        QCOMPARE(answer->value(QStringLiteral("code")).toString(), QStringLiteral("unauthorized"));
        lastKey = key.publicKey;
    }
    const QString knownClientsPath = QDir(m_server->dataDir()).filePath(QStringLiteral("known_clients"));
    // Saved within a second or so; the last refused key is in it.
    QVERIFY(waitUntil([&] { return readFile(knownClientsPath).contains(lastKey.toBase64()); }));
    const QByteArray knownClients = readFile(knownClientsPath);
    const QString log = m_server->log();
    QStringList problems;
    // On today's main: one line per key, about 30 KB for these 300 keys, and growing without end.
    if (knownClients.size() >= 4096) {
        problems.append(QStringLiteral("known_clients holds %1 bytes").arg(knownClients.size()));
    }
    if (knownClients.count("127.0.0.12 ") > 4) {
        problems.append(
            QStringLiteral("known_clients keeps %1 keys of 127.0.0.12").arg(knownClients.count("127.0.0.12 ")));
    }
    if (!knownClients.contains(friendly.key.publicKey.toBase64())) {
        problems.append(QStringLiteral("the allowed key was pushed out of known_clients"));
    }
    // On today's main: a notice per key naming every earlier key of the IP, about 800 KB here
    // with lines of 5 KB (quadratic: 3,000 keys made 234 MB).
    if (log.size() >= 32 * 1024) {
        problems.append(QStringLiteral("the log holds %1 bytes").arg(log.size()));
    }
    if (longestLine(log) >= 400) {
        problems.append(QStringLiteral("a log line of %1 characters").arg(longestLine(log)));
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral("; "))));
    QVERIFY2(log.contains(QStringLiteral("presented a new key")), qPrintable(log.right(2000)));
}

// ---------------------------------------------------------------------------------------------

void TestAuditNetwork::silentFloodFromEightAddressesLetsAnHonestClientIn_data()
{
    QTest::addColumn<bool>("sendAByte");
    QTest::newRow("silent") << false;
    QTest::newRow("one byte each") << true;
}

void TestAuditNetwork::silentFloodFromEightAddressesLetsAnHonestClientIn()
{
    QFETCH(bool, sendAByte);
    const Client honest = allowedClient(QStringLiteral("bob"));
    // The server's defaults: 64 handshakes in all, 8 per source, 10 s to finish one.
    QVERIFY(startServer());
    std::vector<std::unique_ptr<QTcpSocket>> flood;
    const auto open = [&](int index) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->bind(loopback(50 + index % 8), 0);
        socket->connectToHost(Localhost, m_server->port);
        if (socket->waitForConnected(5000) && sendAByte) {
            socket->write(QByteArray(1, '\0')); // the start of a frame header, never finished
        }
        return socket;
    };
    for (int i = 0; i < 64; ++i) {
        flood.push_back(open(i));
    }
    const auto connectedCount = [&] {
        return std::count_if(
            flood.begin(), flood.end(), [](const auto& s) { return s->state() == QAbstractSocket::ConnectedState; });
    };
    QTest::qWait(500);
    QCOMPARE(connectedCount(), 64); // every place taken
    for (int round = 0; round < 5; ++round) {
        // On today's main the table stays full and the honest client is closed at once.
        const QString why = chatSession(honest, loopback(99));
        QVERIFY2(why.isEmpty(), qPrintable(QStringLiteral("round %1: %2").arg(round).arg(why)));
        // The flood takes back what it lost, as an attacker would.
        for (int i = 0; i < 64; ++i) {
            if (flood[i]->state() != QAbstractSocket::ConnectedState) {
                flood[i] = open(i);
            }
        }
        QTest::qWait(200);
    }
}

void TestAuditNetwork::ipv4PrefixMakesANetworkOneSource()
{
    const Client honest = allowedClient(QStringLiteral("carol"));
    QVERIFY(startServer({ QStringLiteral("--handshake-prefix-v4"), QStringLiteral("24") }));
    // Thirty addresses of one /24: one source, 8 places.
    std::vector<std::unique_ptr<QTcpSocket>> flood;
    for (int i = 0; i < 30; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->bind(loopback(60 + i), 0);
        socket->connectToHost(Localhost, m_server->port);
        flood.push_back(std::move(socket));
    }
    QTRY_COMPARE_WITH_TIMEOUT(std::count_if(flood.begin(), flood.end(),
                                  [](const auto& s) { return s->state() == QAbstractSocket::UnconnectedState; }),
        22, 10000);
    // Another /24 is another source; the same /24 is at its limit.
    QVERIFY(chatSession(honest, QHostAddress(QStringLiteral("127.0.1.5"))).isEmpty());
    RawClient raw(honest.key);
    QVERIFY(!handshake(raw, loopback(99)));
    QVERIFY(m_server->waitForLog(QStringLiteral("from 127.0.0.0/24")));
    // And the option is explained, and checked.
    QProcess help;
    help.start(binary("quietwired"), { QStringLiteral("--help") });
    QVERIFY(waitFinished(help));
    QVERIFY(QString::fromUtf8(help.readAllStandardOutput()).contains(QStringLiteral("--handshake-prefix-v4")));
    QProcess wrong;
    wrong.start(binary("quietwired"),
        { QStringLiteral("--data-dir"), m_dir->filePath(QStringLiteral("other")),
            QStringLiteral("--handshake-prefix-v4"), QStringLiteral("33") });
    QVERIFY(waitFinished(wrong));
    QCOMPARE(wrong.exitCode(), 1);
    QVERIFY(QString::fromUtf8(wrong.readAllStandardError()).contains(QStringLiteral("from 8 to 32")));
}

// ---------------------------------------------------------------------------------------------

void TestAuditNetwork::pendingTicketsCountTowardTheSessionLimit()
{
    const Client greedy = allowedClient(QStringLiteral("greedy"));
    const Client other = allowedClient(QStringLiteral("other"));
    QVERIFY(startServer({ QStringLiteral("--max-sessions-per-key"), QStringLiteral("2") }, 16));
    // Tickets taken and never redeemed.
    std::vector<std::unique_ptr<RawClient>> held;
    QStringList answers;
    for (int i = 0; i < 16; ++i) {
        held.push_back(std::make_unique<RawClient>(greedy.key));
        const auto answer = handshake(*held.back(), loopback(21));
        QVERIFY(answer);
        answers.append(answer->value(QStringLiteral("type")).toString() + QLatin1Char(' ')
            + answer->value(QStringLiteral("code")).toString());
    }
    // On today's main all 16 get a session port, and the pool is empty for everyone else.
    QCOMPARE(answers.count(QStringLiteral("session ")), 2);
    QCOMPARE(answers.count(QStringLiteral("error too_many_sessions")), 14);
    QVERIFY(chatSession(other, loopback(22)).isEmpty());
}

void TestAuditNetwork::pendingTicketsAreCappedPerKeyAndPerSource()
{
    const Client a = allowedClient(QStringLiteral("a"));
    const Client b = allowedClient(QStringLiteral("b"));
    const Client c = allowedClient(QStringLiteral("c"));
    QVERIFY(startServer({ QStringLiteral("--max-tickets-per-key"), QStringLiteral("2"),
                            QStringLiteral("--max-tickets-per-ip"), QStringLiteral("3") },
        16));
    std::vector<std::unique_ptr<RawClient>> held;
    QString lastMessage;
    const auto take = [&](const Client& client, int from) {
        held.push_back(std::make_unique<RawClient>(client.key));
        const auto answer = handshake(*held.back(), loopback(from));
        lastMessage = answer ? answer->value(QStringLiteral("message")).toString() : QString();
        return answer ? Protocol::typeOf(*answer) + QLatin1Char(' ') + answer->value(QStringLiteral("code")).toString()
                      : QStringLiteral("nothing");
    };
    QCOMPARE(take(a, 31), QStringLiteral("session "));
    QCOMPARE(take(a, 31), QStringLiteral("session "));
    // The key's two tickets are waiting, from whatever address it comes.
    QCOMPARE(take(a, 32), QStringLiteral("error too_many_sessions"));
    QVERIFY2(lastMessage.contains(QStringLiteral("being set up")), qPrintable(lastMessage));
    QCOMPARE(take(b, 31), QStringLiteral("session "));
    // 127.0.0.31 holds three.
    QCOMPARE(take(b, 31), QStringLiteral("error busy"));
    QVERIFY2(lastMessage.contains(QStringLiteral("try again")), qPrintable(lastMessage));
    QCOMPARE(take(c, 34), QStringLiteral("session "));
}

void TestAuditNetwork::sessionPortTakesOneConnectionPerTicket()
{
    const Client client = allowedClient(QStringLiteral("dave"));
    QVERIFY(startServer());
    RawClient raw(client.key);
    const auto session = handshake(raw, loopback(41));
    QVERIFY(session);
    QCOMPARE(Protocol::typeOf(*session), QStringLiteral("session"));
    const auto port = static_cast<quint16>(session->value(QStringLiteral("port")).toInteger());
    // The ticket's own connection first, then more from the same address that send nothing.
    auto first = std::make_unique<QTcpSocket>();
    first->bind(loopback(41), 0);
    first->connectToHost(Localhost, port);
    QVERIFY(first->waitForConnected(5000));
    QTest::qWait(200);
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < 40; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->bind(loopback(41), 0);
        socket->connectToHost(Localhost, port);
        idle.push_back(std::move(socket));
    }
    // On today's main each stays open, holding a file descriptor, until the ticket expires (10 s).
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(idle.begin(), idle.end(),
                                 [](const auto& s) { return s->state() == QAbstractSocket::UnconnectedState; }),
        4000);
    // The first connection still redeems the ticket.
    first->write(RawClient::frame(session->value(QStringLiteral("ticket")).toByteArray()));
    first->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("chat") }.toCbor()));
    const auto welcome = raw.readMessage(*first);
    QVERIFY(welcome);
    QCOMPARE(Protocol::typeOf(*welcome), QStringLiteral("welcome"));
}

void TestAuditNetwork::ticketFrameOfTheWrongLengthIsClosedAtOnce()
{
    const Client client = allowedClient(QStringLiteral("erin"));
    QVERIFY(startServer({ QStringLiteral("--ticket-timeout"), QStringLiteral("8000") }));
    const auto connectWithTicket = [&](const QByteArray& bytes) -> std::unique_ptr<QTcpSocket> {
        RawClient raw(client.key);
        const auto session = handshake(raw, loopback(42));
        if (!session || Protocol::typeOf(*session) != QLatin1String("session")) {
            return nullptr;
        }
        auto socket = std::make_unique<QTcpSocket>();
        socket->bind(loopback(42), 0);
        socket->connectToHost(Localhost, static_cast<quint16>(session->value(QStringLiteral("port")).toInteger()));
        if (!socket->waitForConnected(5000)) {
            return nullptr;
        }
        socket->write(bytes);
        return socket;
    };
    QElapsedTimer clock;
    // A 15-byte ticket frame, complete: closed at once (on today's main it waits for the deadline).
    auto fifteen = connectWithTicket(RawClient::frame(QByteArray(15, 'x')));
    QVERIFY(fifteen);
    clock.start();
    QVERIFY(RawClient::waitClosed(*fifteen, 7000));
    QVERIFY2(clock.elapsed() < 4000, qPrintable(QString::number(clock.elapsed())));
    // A 17-byte length: closed as soon as the two header bytes are in.
    auto header = connectWithTicket(QByteArray::fromHex("0011"));
    QVERIFY(header);
    clock.start();
    QVERIFY(RawClient::waitClosed(*header, 7000));
    QVERIFY2(clock.elapsed() < 4000, qPrintable(QString::number(clock.elapsed())));
    // The right length with a short body waits until the ticket's deadline.
    auto shortBody = connectWithTicket(QByteArray::fromHex("0010") + QByteArray(5, 'x'));
    QVERIFY(shortBody);
    clock.start();
    QTest::qWait(1500);
    QCOMPARE(shortBody->state(), QAbstractSocket::ConnectedState);
    QVERIFY(RawClient::waitClosed(*shortBody, 15000));
}

// ---------------------------------------------------------------------------------------------

void TestAuditNetwork::serviceNameCannotForgeLogLines()
{
    const Client client = allowedClient(QStringLiteral("frank"));
    QVERIFY(startServer());
    RawClient raw(client.key);
    const auto session = handshake(raw, loopback(43));
    QVERIFY(session);
    auto socket
        = raw.redeem(loopback(43), Localhost, static_cast<quint16>(session->value(QStringLiteral("port")).toInteger()),
            session->value(QStringLiteral("ticket")).toByteArray());
    QVERIFY(socket);
    const QString forged = QStringLiteral("2026-12-01 10:00:00.000 quietwire.auth: accepted SHA256:forged (root)");
    socket->write(raw.encryptFrame(Protocol::Hello { QStringLiteral("chat\x1b[2J\n") + forged }.toCbor()));
    const auto answer = raw.readMessage(*socket);
    QVERIFY(answer);
    QCOMPARE(answer->value(QStringLiteral("code")).toString(), QStringLiteral("unknown_service"));
    QVERIFY(m_server->waitForLog(QStringLiteral("2026-12-01 10:00:00.000")));
    const QString log = m_server->log();
    // On today's main the newline starts a line of the client's making.
    for (const QString& line : log.split(QLatin1Char('\n'))) {
        QVERIFY2(!line.startsWith(QStringLiteral("2026-12-01 10:00:00.000")), qPrintable(line));
    }
    QVERIFY(!log.contains(QLatin1Char('\x1b')));
    QVERIFY2(log.contains(QStringLiteral("service \"chat\\x1b[2J\\n2026-12-01")), qPrintable(log));
}

QTEST_GUILESS_MAIN(TestAuditNetwork)
#include "TestAuditNetwork.moc"
