// UploadTransfer and DownloadTransfer as units: the steps each goes through against the real
// quietwired, what stateChanged() reports, and that a failed resume question is an error.

#include "FileClient.h"
#include "FileTestSupport.h"
#include "Identity.h"
#include "ServerProcess.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace QuietWire;
using namespace QuietWire::FileTest;

class TestFileTransfer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void uploadGoesThroughItsSteps();
    void resumedUploadAsksThePartialFirst();
    void failedResumeQuestionIsAnError();
    void downloadGoesThroughItsSteps();

private:
    template <typename Transfer>
    QList<typename Transfer::Step> stepsOf(Transfer* transfer, QList<FileTransfer::State>* states);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    std::optional<Identity> m_identity;
    std::unique_ptr<FileClient> m_client;
    QString m_home;
};

void TestFileTransfer::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
    QVERIFY(m_server->start());
    const QString configDir = m_dir->filePath(QStringLiteral("client"));
    QString error;
    m_identity = Identity::loadOrCreate(configDir, QStringLiteral("alice@test"), &error);
    QVERIFY2(m_identity, qPrintable(error));
    QVERIFY(!m_server
                 ->command(QStringLiteral("allow %1 alice").arg(Identity::encodePublicKey(m_identity->publicKey())),
                     QStringLiteral("allowed"))
                 .isEmpty());
    m_client = std::make_unique<FileClient>(*m_identity, configDir + QStringLiteral("/known_servers"));
    m_client->connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
    m_client->setServer(QStringLiteral("127.0.0.1"), m_server->port);
    m_home = m_server->dataDir() + QStringLiteral("/files/alice");
}

void TestFileTransfer::cleanupTestCase()
{
    m_client.reset();
    m_server.reset();
    m_dir.reset();
}

/// Runs transfer to its end and returns every step it took (and every state it reported).
template <typename Transfer>
QList<typename Transfer::Step> TestFileTransfer::stepsOf(Transfer* transfer, QList<FileTransfer::State>* states)
{
    QList<typename Transfer::Step> steps { transfer->step() };
    connect(transfer, &Transfer::stepChanged, this, [&steps](typename Transfer::Step step) { steps << step; });
    connect(transfer, &FileTransfer::stateChanged, this, [states](FileTransfer::State state) { *states << state; });
    if (!QTest::qWaitFor([transfer] { return hasEnded(transfer); }, 60000)) {
        qWarning("the transfer did not end");
    }
    return steps;
}

void TestFileTransfer::uploadGoesThroughItsSteps()
{
    using Step = UploadTransfer::Step;
    const QByteArray data = randomBytes(300 * 1000);
    const QString local = m_dir->filePath(QStringLiteral("up.bin"));
    QVERIFY(writeFile(local, data));
    auto* transfer = qobject_cast<UploadTransfer*>(m_client->upload(local, QStringLiteral("~/up.bin")));
    QVERIFY(transfer);
    QCOMPARE(transfer->state(), FileTransfer::State::Queued);
    QList<FileTransfer::State> states;
    const auto steps = stepsOf(transfer, &states);
    QVERIFY2(transfer->state() == FileTransfer::State::Finished, qPrintable(transfer->errorString()));
    QCOMPARE(steps,
        (QList<Step> {
            Step::Queued, Step::Connecting, Step::Requesting, Step::Sending, Step::Confirming, Step::Finished }));
    QCOMPARE(states,
        (QList<FileTransfer::State> {
            FileTransfer::State::Connecting, FileTransfer::State::Running, FileTransfer::State::Finished }));
    QCOMPARE(readFile(m_home + QStringLiteral("/up.bin")), data);
}

void TestFileTransfer::resumedUploadAsksThePartialFirst()
{
    using Step = UploadTransfer::Step;
    const QString local = m_dir->filePath(QStringLiteral("again.bin"));
    QVERIFY(writeFile(local, randomBytes(1000)));
    auto* transfer = qobject_cast<UploadTransfer*>(m_client->upload(local, QStringLiteral("~/again.bin"), true));
    QVERIFY(transfer);
    QList<FileTransfer::State> states;
    const auto steps = stepsOf(transfer, &states);
    QVERIFY2(transfer->state() == FileTransfer::State::Finished, qPrintable(transfer->errorString()));
    // Nothing partial on the server: the answer is offset 0, and the upload starts from the beginning.
    QCOMPARE(steps,
        (QList<Step> { Step::Queued, Step::Connecting, Step::AskingPartial, Step::Requesting, Step::Sending,
            Step::Confirming, Step::Finished }));
    QCOMPARE(transfer->resumedFrom(), 0);
}

void TestFileTransfer::failedResumeQuestionIsAnError()
{
    using Step = UploadTransfer::Step;
    const QString local = m_dir->filePath(QStringLiteral("home.bin"));
    QVERIFY(writeFile(local, randomBytes(1000)));
    // "partial" for "~" fails with bad_path ("~ is a folder"): a real answer, not "nothing to
    // resume", so the upload ends there instead of sending a put from byte 0.
    auto* transfer = qobject_cast<UploadTransfer*>(m_client->upload(local, QStringLiteral("~"), true));
    QVERIFY(transfer);
    QSignalSpy failed(transfer, &FileTransfer::failed);
    QList<FileTransfer::State> states;
    const auto steps = stepsOf(transfer, &states);
    QCOMPARE(transfer->state(), FileTransfer::State::Failed);
    QCOMPARE(transfer->errorCode(), ErrorCode::BadPath);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(steps, (QList<Step> { Step::Queued, Step::Connecting, Step::AskingPartial, Step::Failed }));
    QCOMPARE(states.last(), FileTransfer::State::Failed);
}

void TestFileTransfer::downloadGoesThroughItsSteps()
{
    using Step = DownloadTransfer::Step;
    const QByteArray data = randomBytes(200 * 1000);
    QVERIFY(writeFile(m_home + QStringLiteral("/down.bin"), data));
    const QString local = m_dir->filePath(QStringLiteral("down.bin"));
    auto* transfer = qobject_cast<DownloadTransfer*>(m_client->download(QStringLiteral("~/down.bin"), local, true));
    QVERIFY(transfer);
    QList<FileTransfer::State> states;
    const auto steps = stepsOf(transfer, &states);
    QVERIFY2(transfer->state() == FileTransfer::State::Finished, qPrintable(transfer->errorString()));
    QCOMPARE(
        steps, (QList<Step> { Step::Queued, Step::Connecting, Step::Requesting, Step::Receiving, Step::Finished }));
    QCOMPARE(readFile(local), data);
    QVERIFY(!QFile::exists(local + QStringLiteral(".part")));
}

QTEST_GUILESS_MAIN(TestFileTransfer)
#include "TestFileTransfer.moc"
