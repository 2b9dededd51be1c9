// 210 chat clients from several loopback addresses, each sending 100 messages while files move.

#include "ChatClient.h"
#include "Identity.h"
#include "ServerProcess.h"
#include "Sha256.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <map>

using namespace QuietWire;

class TestLoad : public QObject
{
    Q_OBJECT

private slots:
    void manyClientsLoseNothing();
};

void TestLoad::manyClientsLoseNothing()
{
    constexpr int Clients = 210; // past 200, so the member list needs a second message
    constexpr int PerClient = 100;
    constexpr int Addresses = 10;
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(QStringLiteral("server"));
    QVERIFY(QDir().mkpath(dataDir));

    // Keys and the whitelist are written before the server starts.
    std::vector<Identity> identities;
    QByteArray whitelist;
    for (int i = 0; i < Clients; ++i) {
        auto identity = Identity::generate(QStringLiteral("c%1@load").arg(i));
        QVERIFY(identity);
        whitelist += Identity::encodePublicKey(identity->publicKey()).toLatin1() + " c" + QByteArray::number(i) + '\n';
        identities.push_back(*identity);
    }
    QFile file(dataDir + QStringLiteral("/authorized_keys"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(whitelist);
    file.close();
    ServerProcess server(dataDir);
    QVERIFY(server.start({}, 64)); // a session port for each client of a wave
    const QString pins = dir.filePath(QStringLiteral("known_servers"));

    // received[client][sender] = the sequence numbers it saw, in order.
    std::vector<std::map<QString, QList<int>>> received(Clients);
    std::vector<std::unique_ptr<ChatClient>> clients;
    int joined = 0;
    for (int i = 0; i < Clients; ++i) {
        auto client = std::make_unique<ChatClient>(identities[i], pins);
        client->connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
        client->connection()->setLocalAddress(QHostAddress(QStringLiteral("127.0.0.%1").arg(2 + i % Addresses)));
        connect(client.get(), &ChatClient::joined, this, [&joined] { ++joined; });
        connect(client.get(), &ChatClient::messageReceived, this, [&received, i](const ChatProtocol::Message& message) {
            if (!message.history && !message.notice) {
                received[i][message.from].append(message.text.section(QLatin1Char(' '), 1).toInt());
            }
        });
        clients.push_back(std::move(client));
    }
    // Connect in waves that stay within the server's per-address handshake limit.
    for (int wave = 0; wave < Clients; wave += 40) {
        for (int i = wave; i < qMin(Clients, wave + 40); ++i) {
            clients[i]->connectToServer(QStringLiteral("127.0.0.1"), server.port);
        }
        QVERIFY2(waitUntil([&] { return joined >= qMin(Clients, wave + 40); }, 60000),
            qPrintable(QStringLiteral("%1 of %2 joined").arg(joined).arg(qMin(Clients, wave + 40))));
    }

    // The last one in saw everybody else, though the list did not fit one message.
    QTRY_COMPARE_WITH_TIMEOUT(clients.back()->members().size(), Clients - 1, 30000);

    // Files move at the same time, on their own sessions, from a client process of their own.
    const QString filesConfig = dir.filePath(QStringLiteral("files-client"));
    QVERIFY(identities[0].save(filesConfig));
    QByteArray blob(96 * 1024 * 1024, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32*>(blob.data()), blob.size() / 4);
    QFile local(dir.filePath(QStringLiteral("blob.bin")));
    QVERIFY(local.open(QIODevice::WriteOnly));
    local.write(blob);
    local.close();
    QProcess upload;
    upload.start(binary("quietwire-cli"),
        { QStringLiteral("--config-dir"), filesConfig, QStringLiteral("--trust-new"), QStringLiteral("files"),
            QStringLiteral("127.0.0.1:%1").arg(server.port), QStringLiteral("put"), local.fileName() });

    // The transfer is under way before the storm starts, and goes on during it.
    // (The server keeps the partial upload in its staging folder, named by the SHA-256 of the path.)
    const QString part = dataDir + QStringLiteral("/files/c0/.partial\\uploads/")
        + QString::fromLatin1(Sha256::hash(QByteArrayLiteral("blob.bin")).toHex()) + QStringLiteral(".part");
    QVERIFY(waitUntil([&] { return QFile::exists(part) || upload.state() == QProcess::NotRunning; }, 30000));

    int accepted = 0;
    for (auto& client : clients) {
        connect(client.get(), &ChatClient::messageAccepted, this, [&accepted] { ++accepted; });
    }
    for (int n = 0; n < PerClient; ++n) {
        for (int i = 0; i < Clients; ++i) {
            QVERIFY(clients[i]->sendText(QStringLiteral("msg %1").arg(n)) > 0);
        }
        QCoreApplication::processEvents();
    }
    QVERIFY2(waitUntil([&] { return accepted == Clients * PerClient; }, 240000),
        qPrintable(QStringLiteral("%1 of %2 accepted").arg(accepted).arg(Clients * PerClient)));
    const auto complete = [&] {
        for (int i = 0; i < Clients; ++i) {
            qsizetype total = 0;
            for (const auto& [sender, seqs] : received[i]) {
                total += seqs.size();
            }
            if (total < Clients * PerClient) {
                return false;
            }
        }
        return true;
    };
    QVERIFY2(waitUntil(complete, 240000), "not every client received every message");
    for (int i = 0; i < Clients; ++i) {
        QCOMPARE(received[i].size(), std::size_t(Clients));
        for (const auto& [sender, seqs] : received[i]) {
            QList<int> expected(PerClient);
            std::iota(expected.begin(), expected.end(), 0);
            // Each sender's messages once each, in the order sent.
            QVERIFY2(seqs == expected, qPrintable(QStringLiteral("client %1, sender %2").arg(i).arg(sender)));
        }
    }
    QVERIFY(waitUntil([&] { return upload.state() == QProcess::NotRunning; }, 120000));
    QVERIFY2(upload.exitCode() == 0, upload.readAllStandardError().constData());
    QFile stored(dataDir + QStringLiteral("/files/c0/blob.bin"));
    QVERIFY(stored.open(QIODevice::ReadOnly));
    QVERIFY(stored.readAll() == blob);
    QCOMPARE(server.process()->state(), QProcess::Running);
}

QTEST_GUILESS_MAIN(TestLoad)
#include "TestLoad.moc"
