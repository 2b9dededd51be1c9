#include "Protocol.h"
#include "ServerOptions.h"

#include <QDir>
#include <QTest>

using namespace QuietWire;

/// quietwired's command line (ServerOptions) in-process: the defaults are the protocol's, every
/// option lands in its field, and each bad value is an error that names the option.
class TestServerOptions : public QObject
{
    Q_OBJECT

private slots:
    void defaultsAreTheDocumentedOnes();
    void valuesLandInTheirFields();
    void badValueNamesTheOption_data();
    void badValueNamesTheOption();
    void offlineCommandIgnoresTheServerOptions();
    void samePersonGoesWithAllowOnly();
    void versionIsItsOwnMode();
    void roomCommandsKeepTheirOptions();
    void portRanges_data();
    void portRanges();

private:
    static ServerOptions parse(QStringList arguments)
    {
        arguments.prepend(QStringLiteral("quietwired"));
        if (!arguments.contains(QStringLiteral("--data-dir")))
            arguments << QStringLiteral("--data-dir") << QStringLiteral("/tmp/quietwired-options-test");
        return ServerOptions::parse(arguments);
    }
};

void TestServerOptions::defaultsAreTheDocumentedOnes()
{
    const ServerOptions options = parse({});
    QCOMPARE(options.mode, ServerOptions::Mode::Serve);
    QVERIFY2(options.error.isEmpty(), qPrintable(options.error));
    QCOMPARE(options.dataDir, QStringLiteral("/tmp/quietwired-options-test"));
    const ServerApp::Options& server = options.server;
    QCOMPARE(server.dataDir, options.dataDir);
    QVERIFY(server.network.address.isNull() || server.network.address == QHostAddress::Any);
    QCOMPARE(server.network.port, Protocol::DefaultPort);
    QCOMPARE(server.network.sessionPortFirst, Protocol::DefaultSessionPortFirst);
    QCOMPARE(server.network.sessionPortLast, Protocol::DefaultSessionPortLast);
    QCOMPARE(server.network.ticketTimeoutMs, Protocol::TicketTimeoutMs);
    QCOMPARE(server.network.handshakeTimeoutMs, Protocol::HandshakeTimeoutMs);
    QCOMPARE(server.network.idleTimeoutMs, Protocol::IdleTimeoutMs);
    QCOMPARE(server.network.keepaliveMs, Protocol::KeepaliveMs);
    QCOMPARE(server.network.maxHandshakes, 64);
    QCOMPARE(server.network.maxHandshakesPerAddress, 8);
    QCOMPARE(server.network.handshakeIpv4Prefix, 32);
    QCOMPARE(server.network.maxTicketsPerKey, 8);
    QCOMPARE(server.network.maxTicketsPerSource, 16);
    QCOMPARE(server.maxSessionsPerKey, 32);
    QCOMPARE(server.quotaBytes, qint64(1) << 30);
    QCOMPARE(server.roomQuotaBytes, qint64(1) << 30);
    QCOMPARE(server.maxDepth, 64);
    QCOMPARE(server.maxEntries, qint64(100000));
    QCOMPARE(server.retentionDays, 0); // keep everything
    QVERIFY(server.filesRoot.isEmpty()); // <data-dir>/files, chosen by the server
}

void TestServerOptions::valuesLandInTheirFields()
{
    const ServerOptions options = parse({ QStringLiteral("--listen=127.0.0.2"), QStringLiteral("--port=0"),
        QStringLiteral("--session-ports=9000-9010"), QStringLiteral("--quota=500M"), QStringLiteral("--room-quota=2G"),
        QStringLiteral("--max-depth=3"), QStringLiteral("--max-entries=12"), QStringLiteral("--ticket-timeout=1500"),
        QStringLiteral("--handshake-timeout=2500"), QStringLiteral("--idle-timeout=0.5"),
        QStringLiteral("--max-handshakes=5"), QStringLiteral("--max-handshakes-per-ip=2"),
        QStringLiteral("--handshake-prefix-v4=24"), QStringLiteral("--max-tickets-per-key=3"),
        QStringLiteral("--max-tickets-per-ip=4"), QStringLiteral("--max-sessions-per-key=6"),
        QStringLiteral("--files-root=relative/files"), QStringLiteral("--retention-days=30"),
        QStringLiteral("--store=postgresql://qw@db1:6543/chat?sslmode=require"),
        QStringLiteral("--rooms-root=shared/rooms"), QStringLiteral("--trusted-proxy=10.0.0.5,192.168.0.0/24"),
        QStringLiteral("--trusted-proxy=::1") });
    QVERIFY2(options.error.isEmpty(), qPrintable(options.error));
    const ServerApp::Options& server = options.server;
    QCOMPARE(server.network.address, QHostAddress(QStringLiteral("127.0.0.2")));
    QCOMPARE(server.network.port, quint16(0));
    QCOMPARE(server.network.sessionPortFirst, quint16(9000));
    QCOMPARE(server.network.sessionPortLast, quint16(9010));
    QCOMPARE(server.quotaBytes, qint64(500) << 20);
    QCOMPARE(server.roomQuotaBytes, qint64(2) << 30);
    QCOMPARE(server.maxDepth, 3);
    QCOMPARE(server.maxEntries, qint64(12));
    QCOMPARE(server.network.ticketTimeoutMs, 1500);
    QCOMPARE(server.network.handshakeTimeoutMs, 2500);
    QCOMPARE(server.network.idleTimeoutMs, 500);
    QCOMPARE(server.network.keepaliveMs, 125); // a quarter of the idle timeout
    QCOMPARE(server.network.maxHandshakes, 5);
    QCOMPARE(server.network.maxHandshakesPerAddress, 2);
    QCOMPARE(server.network.handshakeIpv4Prefix, 24);
    QCOMPARE(server.network.maxTicketsPerKey, 3);
    QCOMPARE(server.network.maxTicketsPerSource, 4);
    QCOMPARE(server.maxSessionsPerKey, 6);
    QCOMPARE(server.retentionDays, 30);
    QCOMPARE(server.filesRoot, QDir(QStringLiteral("relative/files")).absolutePath());
    QCOMPARE(server.roomsRoot, QDir(QStringLiteral("shared/rooms")).absolutePath());
    QCOMPARE(server.network.trustedProxies.size(), 3);
    QCOMPARE(server.network.trustedProxies.at(0), std::make_pair(QHostAddress(QStringLiteral("10.0.0.5")), 32));
    QCOMPARE(server.network.trustedProxies.at(1), std::make_pair(QHostAddress(QStringLiteral("192.168.0.0")), 24));
    QCOMPARE(server.network.trustedProxies.at(2), std::make_pair(QHostAddress(QStringLiteral("::1")), 128));
    QCOMPARE(server.store.driver, QStringLiteral("QPSQL"));
    QCOMPARE(server.store.host, QStringLiteral("db1"));
    QCOMPARE(server.store.port, 6543);
    QCOMPARE(server.store.databaseName, QStringLiteral("chat"));
    QCOMPARE(server.store.connectOptions, QStringLiteral("sslmode=require"));
    QCOMPARE(options.store.host, QStringLiteral("db1")); // the offline commands' too
}

void TestServerOptions::badValueNamesTheOption_data()
{
    QTest::addColumn<QString>("argument");
    QTest::addColumn<QString>("named");
    const QList<std::pair<const char*, const char*>> cases {
        { "--listen=nowhere", "--listen" },
        { "--port=70000", "--port" },
        { "--port=seven", "--port" },
        { "--port=-1", "--port" },
        { "--session-ports=10-5", "--session-ports" },
        { "--session-ports=0", "--session-ports" },
        { "--session-ports=1-2-3", "--session-ports" },
        { "--session-ports=9000-70000", "--session-ports" },
        { "--quota=5Q", "--quota" },
        { "--max-depth=0", "--max-depth" },
        { "--max-depth=1001", "--max-depth" },
        { "--max-entries=0", "--max-entries" },
        { "--ticket-timeout=-1", "--ticket-timeout" },
        { "--handshake-timeout=x", "--handshake-timeout" },
        { "--idle-timeout=0.1", "--idle-timeout" },
        { "--idle-timeout=90000", "--idle-timeout" },
        { "--max-handshakes=0", "--max-handshakes" },
        { "--max-handshakes-per-ip=none", "--max-handshakes-per-ip" },
        { "--max-tickets-per-key=0", "--max-tickets-per-key" },
        { "--max-tickets-per-ip=-3", "--max-tickets-per-ip" },
        { "--max-sessions-per-key=1.5", "--max-sessions-per-key" },
        { "--handshake-prefix-v4=7", "--handshake-prefix-v4" },
        { "--handshake-prefix-v4=33", "--handshake-prefix-v4" },
        { "--retention-days=-1", "--retention-days" },
        { "--retention-days=36501", "--retention-days" },
        { "--retention-days=1.5", "--retention-days" },
        { "--store=mysql://qw@db1/chat", "--store" },
        { "--store=postgresql://db1/chat", "--store" },
        { "--trusted-proxy=haproxy", "--trusted-proxy" },
        { "--trusted-proxy=10.0.0.0/33", "--trusted-proxy" },
    };
    for (const auto& [argument, named] : cases)
        QTest::newRow(argument) << QString::fromLatin1(argument) << QString::fromLatin1(named);
}

void TestServerOptions::badValueNamesTheOption()
{
    QFETCH(QString, argument);
    QFETCH(QString, named);
    const ServerOptions options = parse({ argument });
    QCOMPARE(options.mode, ServerOptions::Mode::Serve);
    QVERIFY2(options.error.startsWith(named + QLatin1Char(' ')), qPrintable(options.error));
}

void TestServerOptions::offlineCommandIgnoresTheServerOptions()
{
    // A bad server option does not stop an offline command: it never reads them.
    const ServerOptions options
        = parse({ QStringLiteral("--port=seven"), QStringLiteral("revoke"), QStringLiteral("alice") });
    QCOMPARE(options.mode, ServerOptions::Mode::Command);
    QVERIFY(options.error.isEmpty());
    QCOMPARE(options.command, QStringLiteral("revoke"));
    QCOMPARE(options.arguments, QStringList { QStringLiteral("alice") });
}

void TestServerOptions::samePersonGoesWithAllowOnly()
{
    const ServerOptions allow = parse({ QStringLiteral("allow"), QStringLiteral("KEY LINE"), QStringLiteral("bob"),
        QStringLiteral("--same-person") });
    QCOMPARE(allow.mode, ServerOptions::Mode::Command);
    QVERIFY(allow.usageError.isEmpty());
    QCOMPARE(allow.arguments,
        (QStringList { QStringLiteral("KEY LINE"), QStringLiteral("bob"), QStringLiteral("--same-person") }));

    const ServerOptions whitelist = parse({ QStringLiteral("--same-person"), QStringLiteral("whitelist") });
    QVERIFY(whitelist.usageError.contains(QStringLiteral("--same-person goes with allow only")));
    const ServerOptions serve = parse({ QStringLiteral("--same-person") });
    QVERIFY(!serve.usageError.isEmpty());
}

void TestServerOptions::versionIsItsOwnMode()
{
    QCOMPARE(parse({ QStringLiteral("--version") }).mode, ServerOptions::Mode::Version);
}

void TestServerOptions::roomCommandsKeepTheirOptions()
{
    // The room command's own options stay among its words, in their place; quietwired's own
    // options (here --data-dir, after the words) are still quietwired's.
    const ServerOptions create = parse({ QStringLiteral("room"), QStringLiteral("create"), QStringLiteral("plans"),
        QStringLiteral("--private"), QStringLiteral("--topic"), QStringLiteral("Our plans"), QStringLiteral("--owner"),
        QStringLiteral("alice"), QStringLiteral("--data-dir"), QStringLiteral("/tmp/rooms-test") });
    QCOMPARE(create.mode, ServerOptions::Mode::Command);
    QCOMPARE(create.command, QStringLiteral("room"));
    QCOMPARE(create.dataDir, QStringLiteral("/tmp/rooms-test"));
    QCOMPARE(create.arguments,
        (QStringList { QStringLiteral("create"), QStringLiteral("plans"), QStringLiteral("--private"),
            QStringLiteral("--topic"), QStringLiteral("Our plans"), QStringLiteral("--owner"),
            QStringLiteral("alice") }));
    const ServerOptions add
        = parse({ QStringLiteral("--data-dir"), QStringLiteral("/tmp/rooms-test"), QStringLiteral("room"),
            QStringLiteral("add"), QStringLiteral("plans"), QStringLiteral("bob"), QStringLiteral("--owner") });
    QCOMPARE(add.dataDir, QStringLiteral("/tmp/rooms-test"));
    QCOMPARE(add.arguments,
        (QStringList {
            QStringLiteral("add"), QStringLiteral("plans"), QStringLiteral("bob"), QStringLiteral("--owner") }));
    // The same through the console.
    const ServerOptions console = parse({ QStringLiteral("console"), QStringLiteral("room"), QStringLiteral("create"),
        QStringLiteral("x"), QStringLiteral("--private") });
    QCOMPARE(console.command, QStringLiteral("console"));
    QCOMPARE(console.arguments,
        (QStringList {
            QStringLiteral("room"), QStringLiteral("create"), QStringLiteral("x"), QStringLiteral("--private") }));
    // Other commands are as before: --same-person is quietwired's.
    const ServerOptions allow = parse(
        { QStringLiteral("allow"), QStringLiteral("KEY"), QStringLiteral("bob"), QStringLiteral("--same-person") });
    QCOMPARE(allow.arguments,
        (QStringList { QStringLiteral("KEY"), QStringLiteral("bob"), QStringLiteral("--same-person") }));
}

void TestServerOptions::portRanges_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("first");
    QTest::addColumn<int>("last");
    QTest::newRow("range") << "7401-7464" << true << 7401 << 7464;
    QTest::newRow("one port") << "7401" << true << 7401 << 7401;
    QTest::newRow("whole range") << "1-65535" << true << 1 << 65535;
    QTest::newRow("reversed") << "7464-7401" << false << 0 << 0;
    QTest::newRow("zero") << "0-10" << false << 0 << 0;
    QTest::newRow("too high") << "65535-65536" << false << 0 << 0;
    QTest::newRow("three parts") << "1-2-3" << false << 0 << 0;
    QTest::newRow("open end") << "7401-" << false << 0 << 0;
    QTest::newRow("text") << "low-high" << false << 0 << 0;
    QTest::newRow("empty") << "" << false << 0 << 0;
}

void TestServerOptions::portRanges()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(int, first);
    QFETCH(int, last);
    quint16 a = 0;
    quint16 b = 0;
    QCOMPARE(ServerOptions::parsePortRange(text, &a, &b), valid);
    if (valid) {
        QCOMPARE(int(a), first);
        QCOMPARE(int(b), last);
    }
}

QTEST_GUILESS_MAIN(TestServerOptions)
#include "TestServerOptions.moc"
