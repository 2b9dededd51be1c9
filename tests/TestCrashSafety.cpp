// SIGKILL at random moments: of the server during uploads, of the client during a download, and
// of a whitelist edit. Nothing may ever be damaged or half-written, and every transfer resumes.

#include "AuthorizedKeys.h"
#include "FileClient.h"
#include "Identity.h"
#include "ServerProcess.h"
#include "Sha256.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace QuietWire;

namespace {

QByteArray randomBytes(qint64 size)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32*>(data.data()), size / 4);
    return data;
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString& path, const QByteArray& data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

int randomBetween(int low, int high)
{
    return static_cast<int>(QRandomGenerator::global()->bounded(low, high));
}

} // namespace

class TestCrashSafety : public QObject
{
    Q_OBJECT

private slots:
    void serverKilledDuringUploads();
    void clientKilledDuringDownload();
    void whitelistEditKilled();
};

void TestCrashSafety::serverKilledDuringUploads()
{
    constexpr int Files = 20;
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(QStringLiteral("server"));
    auto identity = Identity::loadOrCreate(dir.filePath(QStringLiteral("client")), QStringLiteral("dora@test"));
    QVERIFY(identity);
    QVERIFY(QDir().mkpath(dataDir));
    QVERIFY(AuthorizedKeys::appendKey(
        dataDir + QStringLiteral("/authorized_keys"), identity->publicKey(), QStringLiteral("dora")));
    const QString home = dataDir + QStringLiteral("/files/dora");
    QList<QByteArray> contents;
    for (int i = 0; i < Files; ++i) {
        contents.append(randomBytes(randomBetween(1, 6) * 1024 * 1024 + randomBetween(0, 4096) * 4));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("src%1.bin").arg(i)), contents.last()));
    }
    const auto checkHome = [&] {
        // Every complete name holds exactly its source; anything else is a .part.
        const auto names = QDir(home).entryList(QDir::Files);
        for (const QString& name : names) {
            if (name.endsWith(QLatin1String(".part"))) {
                continue;
            }
            const int index = name.mid(3, name.indexOf(QLatin1Char('.')) - 3).toInt();
            if (!name.startsWith(QLatin1String("dst"))
                || readFile(home + QLatin1Char('/') + name) != contents.at(index)) {
                qWarning("damaged file %s", qPrintable(name));
                return false;
            }
        }
        return true;
    };

    ServerProcess server(dataDir);
    QList<bool> done(Files, false);
    int resumed = 0;
    for (int round = 0; round < 8 && done.contains(false); ++round) {
        QVERIFY(server.start());
        FileClient client(*identity, dir.filePath(QStringLiteral("client/known_servers")));
        client.connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
        client.setServer(QStringLiteral("127.0.0.1"), server.port);
        QList<FileTransfer*> transfers(Files, nullptr);
        for (int i = 0; i < Files; ++i) {
            if (!done[i]) {
                transfers[i] = client.upload(
                    dir.filePath(QStringLiteral("src%1.bin").arg(i)), QStringLiteral("dst%1.bin").arg(i), true);
            }
        }
        const bool lastRound = round == 7;
        if (!lastRound) {
            // Kill when a random share of what is left has moved, so the kill lands mid-transfer.
            qint64 left = 0;
            qint64 startedAt = 0;
            for (int i = 0; i < Files; ++i) {
                if (transfers[i]) {
                    left += contents.at(i).size();
                }
            }
            const auto moved = [&] {
                qint64 sum = 0;
                for (FileTransfer* t : transfers) {
                    sum += t ? t->bytesDone() : 0;
                }
                return sum;
            };
            QVERIFY(waitUntil([&] { return moved() > 0; }, 30000));
            startedAt = moved();
            const qint64 target = startedAt + (left - startedAt) * randomBetween(10, 80) / 100;
            const auto allEnded = [&] {
                return std::all_of(transfers.begin(), transfers.end(), [](FileTransfer* t) {
                    return !t || t->state() == FileTransfer::State::Finished
                        || t->state() == FileTransfer::State::Failed;
                });
            };
            if (!waitUntil([&] { return moved() >= target || allEnded(); }, 60000)) {
                for (FileTransfer* t : transfers) {
                    if (t) {
                        qWarning("%s: state %d, %lld of %lld, %s", qPrintable(t->remotePath()),
                            static_cast<int>(t->state()), t->bytesDone(), t->bytesTotal(),
                            qPrintable(t->errorString()));
                    }
                }
            }
            server.process()->kill(); // SIGKILL, mid-transfer
            QVERIFY(server.process()->waitForFinished(10000));
        }
        QVERIFY(waitUntil(
            [&] {
                return std::all_of(transfers.begin(), transfers.end(), [](FileTransfer* t) {
                    return !t || t->state() == FileTransfer::State::Finished
                        || t->state() == FileTransfer::State::Failed;
                });
            },
            120000));
        for (int i = 0; i < Files; ++i) {
            if (transfers[i] && transfers[i]->state() == FileTransfer::State::Finished) {
                done[i] = true;
                resumed += transfers[i]->resumedFrom() > 0 ? 1 : 0;
            }
        }
        QVERIFY(checkHome());
        if (!lastRound) {
            continue;
        }
        server.stop();
    }
    server.stop();
    // A last, undisturbed round for whatever is left.
    if (done.contains(false)) {
        QVERIFY(server.start());
        FileClient client(*identity, dir.filePath(QStringLiteral("client/known_servers")));
        client.connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
        client.setServer(QStringLiteral("127.0.0.1"), server.port);
        for (int i = 0; i < Files; ++i) {
            if (!done[i]) {
                FileTransfer* transfer = client.upload(
                    dir.filePath(QStringLiteral("src%1.bin").arg(i)), QStringLiteral("dst%1.bin").arg(i), true);
                QVERIFY(waitUntil(
                    [&] {
                        return transfer->state() == FileTransfer::State::Finished
                            || transfer->state() == FileTransfer::State::Failed;
                    },
                    120000));
                QVERIFY2(transfer->state() == FileTransfer::State::Finished, qPrintable(transfer->errorString()));
                resumed += transfer->resumedFrom() > 0 ? 1 : 0;
            }
        }
    }
    for (int i = 0; i < Files; ++i) {
        QCOMPARE(Sha256::hash(readFile(home + QStringLiteral("/dst%1.bin").arg(i))), Sha256::hash(contents.at(i)));
    }
    // No partial upload is left in the server's staging folder.
    QVERIFY(QDir(home + QStringLiteral("/.partial\\uploads")).entryList(QDir::Files).isEmpty());
    qInfo("%d of %d uploads resumed from a partial file after a crash", resumed, Files);
    QVERIFY(resumed > 0);
}

void TestCrashSafety::clientKilledDuringDownload()
{
    QTemporaryDir dir;
    const QString dataDir = dir.filePath(QStringLiteral("server"));
    const QString config = dir.filePath(QStringLiteral("client"));
    auto identity = Identity::loadOrCreate(config, QStringLiteral("eve@test"));
    QVERIFY(identity);
    QVERIFY(QDir().mkpath(dataDir + QStringLiteral("/files/eve")));
    QVERIFY(AuthorizedKeys::appendKey(
        dataDir + QStringLiteral("/authorized_keys"), identity->publicKey(), QStringLiteral("eve")));
    const QByteArray content = randomBytes(48 * 1024 * 1024);
    QVERIFY(writeFile(dataDir + QStringLiteral("/files/eve/big.bin"), content));
    ServerProcess server(dataDir);
    QVERIFY(server.start());
    const QString local = dir.filePath(QStringLiteral("big.bin"));
    const QStringList args { QStringLiteral("--config-dir"), config, QStringLiteral("--trust-new"),
        QStringLiteral("files"), QStringLiteral("127.0.0.1:%1").arg(server.port), QStringLiteral("get"),
        QStringLiteral("big.bin"), local, QStringLiteral("--resume") };
    int kills = 0;
    for (int attempt = 0; attempt < 30; ++attempt) {
        QProcess cli;
        cli.start(binary("quietwire-cli"), args);
        QVERIFY(cli.waitForStarted(10000));
        if (attempt < 6) {
            // Killed once the partial download holds a random share of the file: a fixed delay
            // raced the download itself, which on a fast machine finished first.
            const qint64 threshold = qint64(randomBetween(1, 24)) * 1024 * 1024;
            QElapsedTimer waited;
            waited.start();
            while (cli.state() != QProcess::NotRunning && waited.elapsed() < 60000
                && QFileInfo(local + QStringLiteral(".part")).size() < threshold) {
                QThread::usleep(200);
            }
            if (cli.state() != QProcess::NotRunning) {
                cli.kill();
                QVERIFY(cli.waitForFinished(10000));
                ++kills;
            }
        } else {
            QVERIFY(waitFinished(cli, 120000));
        }
        // The final name appears only complete; a partial download lives in .part.
        if (QFile::exists(local)) {
            QVERIFY(readFile(local) == content);
            if (cli.exitStatus() == QProcess::NormalExit && cli.exitCode() == 0) {
                break;
            }
        }
    }
    QVERIFY(readFile(local) == content);
    QVERIFY(!QFile::exists(local + QStringLiteral(".part")));
    QVERIFY(kills > 0);
}

void TestCrashSafety::whitelistEditKilled()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("authorized_keys"));
    QByteArray before;
    for (int i = 0; i < 40; ++i) {
        const QByteArray key = randomBytes(32);
        QProcess edit;
        edit.start(binary("quietwired"),
            { QStringLiteral("allow"), QStringLiteral("--data-dir"), dir.path(), QString::fromLatin1(key.toBase64()),
                QStringLiteral("user%1").arg(i) });
        QVERIFY(edit.waitForStarted(10000));
        if (!edit.waitForFinished(randomBetween(1, 40))) {
            edit.kill();
            QVERIFY(edit.waitForFinished(10000));
        }
        // Old text, or old text plus the new line: never anything in between.
        const QByteArray after = readFile(path);
        const QByteArray added = key.toBase64() + " user" + QByteArray::number(i) + '\n';
        QVERIFY2(after == before || after == before + added, qPrintable(QStringLiteral("edit %1").arg(i)));
        QString error;
        QVERIFY2(AuthorizedKeys::load(path, &error), qPrintable(error));
        before = after;
    }
    // A lock left by a killed editor does not block the next one.
    QProcess edit;
    edit.start(binary("quietwired"),
        { QStringLiteral("allow"), QStringLiteral("--data-dir"), dir.path(),
            QString::fromLatin1(randomBytes(32).toBase64()), QStringLiteral("last") });
    QVERIFY(edit.waitForFinished(30000));
    QCOMPARE(edit.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "TestCrashSafety.moc"
