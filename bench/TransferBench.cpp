#include "TransferBench.h"

#include "BenchKeys.h"
#include "EventLoop.h"
#include "Report.h"
#include "StallMonitor.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace QuietWire::Bench {

namespace {

constexpr qint64 ConnectTimeoutMs = 15000;

/// Fills path with size bytes of fast pseudo-random data (xorshift64*): not compressible, and
/// generated at memory speed so a 1 GiB source takes a second, not a minute of /dev/urandom.
bool writeGenerated(const QString& path, qint64 size, quint64 seed)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        note(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    QByteArray block(1 << 20, Qt::Uninitialized);
    quint64 x = seed | 1;
    for (qint64 left = size; left > 0;) {
        auto* words = reinterpret_cast<quint64*>(block.data());
        for (qsizetype i = 0; i < block.size() / 8; ++i) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            words[i] = x * 0x2545F4914F6CDD1DULL;
        }
        const qint64 n = qMin<qint64>(left, block.size());
        if (file.write(block.constData(), n) != n) {
            note(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
            return false;
        }
        left -= n;
    }
    return true;
}

} // namespace

TransferBench::TransferBench(const BenchOptions& options, const Identity& identity, QObject* parent)
    : QObject(parent)
    , m_options(options)
    , m_client(new FileClient(identity, BenchKeys::knownServersPath(options.keysDir), this))
{
    m_client->connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
    m_client->connection()->setLocalAddress(options.sourceAddress(0));
}

bool TransferBench::connectBrowsing()
{
    if (m_client->isConnected()) {
        return true;
    }
    bool done = false;
    QString error;
    const auto c1 = connect(m_client, &FileClient::connected, this, [&] { done = true; });
    const auto c2 = connect(m_client, &FileClient::errorOccurred, this, [&](const QString& message) {
        error = message;
        done = true;
    });
    m_client->connectToServer(m_options.host, m_options.port);
    spinUntil([&] { return done; }, ConnectTimeoutMs);
    disconnect(c1);
    disconnect(c2);
    if (!m_client->isConnected()) {
        note(QStringLiteral("cannot open a files session on %1:%2: %3")
                 .arg(m_options.host)
                 .arg(m_options.port)
                 .arg(error.isEmpty() ? QStringLiteral("timeout") : error));
        return false;
    }
    return true;
}

QString TransferBench::ensureSource(qint64 size)
{
    if (!m_options.sourceFile.isEmpty()) {
        return m_options.sourceFile;
    }
    const QString path = QDir(m_options.workDir).filePath(QStringLiteral("src-%1").arg(sizeLabel(size)));
    if (QFileInfo(path).size() == size) {
        return path;
    }
    return writeGenerated(path, size, static_cast<quint64>(size) * 0x9E3779B97F4A7C15ULL) ? path : QString();
}

bool TransferBench::removeRemote(const QString& path)
{
    if (!connectBrowsing()) {
        return false;
    }
    bool done = false;
    const qint64 id = m_client->remove(path);
    const auto c = connect(m_client, &FileClient::replyReceived, this,
        [&](const FileClient::Reply& reply) { done = done || reply.id == id; });
    spinUntil([&] { return done; }, ConnectTimeoutMs);
    disconnect(c);
    return done;
}

QString TransferBench::ensureRemote(qint64 size)
{
    // Downloads read a file the server already has: upload it once, untimed.
    const QString remote = QStringLiteral("~/dl-%1").arg(sizeLabel(size));
    if (!connectBrowsing()) {
        return {};
    }
    FileClient::Reply answer;
    bool done = false;
    const qint64 id = m_client->stat(remote);
    const auto c = connect(m_client, &FileClient::replyReceived, this, [&](const FileClient::Reply& reply) {
        if (reply.id == id) {
            answer = reply;
            done = true;
        }
    });
    spinUntil([&] { return done; }, ConnectTimeoutMs);
    disconnect(c);
    if (answer.ok && answer.entry.size == size) {
        return remote;
    }
    const QString source = ensureSource(size);
    if (source.isEmpty()) {
        return {};
    }
    const Batch seed = runBatch(FileTransfer::Direction::Upload, { { source, remote } });
    if (!seed.ok) {
        note(QStringLiteral("cannot upload the download source %1: %2").arg(remote, seed.error));
        return {};
    }
    return remote;
}

TransferBench::Batch TransferBench::runBatch(
    FileTransfer::Direction direction, const QList<QPair<QString, QString>>& pairs, bool resume, qint64 stopAt)
{
    Batch batch;
    int open = static_cast<int>(pairs.size());
    QList<FileTransfer*> transfers;
    QElapsedTimer clock;
    clock.start();
    const double cpuBefore = cpuSeconds();
    for (const auto& [local, remote] : pairs) {
        FileTransfer* transfer = direction == FileTransfer::Direction::Upload
            ? m_client->upload(local, remote, resume)
            : m_client->download(remote, local, resume);
        transfers.append(transfer);
        connect(transfer, &FileTransfer::finished, this, [&open] { --open; });
        if (stopAt >= 0) {
            connect(transfer, &FileTransfer::progress, this, [&open, transfer, stopAt](qint64 done, qint64) {
                if (done >= stopAt && transfer->state() == FileTransfer::State::Running) {
                    transfer->cancel();
                    --open;
                }
            });
        }
        connect(transfer, &FileTransfer::failed, this, [&open, &batch](const Failure& failure) {
            --open;
            batch.error = wireName(failure.code) + QStringLiteral(": ") + failure.message;
        });
        if (transfer->state() == FileTransfer::State::Failed) {
            --open; // failed before start() returned (unreadable source)
            batch.error = transfer->errorString();
        }
    }
    spinUntil([&] { return open <= 0; }, -1);
    batch.seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    batch.cpuSeconds = cpuSeconds() - cpuBefore;
    batch.ok = batch.error.isEmpty();
    batch.resumedFrom = transfers.isEmpty() ? 0 : transfers.first()->resumedFrom();
    for (FileTransfer* transfer : transfers) {
        transfer->disconnect(this);
        transfer->deleteLater();
    }
    return batch;
}

int TransferBench::run(FileTransfer::Direction direction, qint64 size)
{
    const bool upload = direction == FileTransfer::Direction::Upload;
    const QString label = sizeLabel(size);
    QList<QPair<QString, QString>> pairs;
    if (upload) {
        const QString source = ensureSource(size);
        if (source.isEmpty() || !connectBrowsing()) {
            return 1;
        }
        size = QFileInfo(source).size();
        for (int i = 0; i < m_options.parallel; ++i) {
            pairs.append({ source, QStringLiteral("~/up-%1-%2").arg(label).arg(i) });
        }
    } else {
        const QString remote = ensureRemote(size);
        if (remote.isEmpty()) {
            return 1;
        }
        for (int i = 0; i < m_options.parallel; ++i) {
            pairs.append({ QDir(m_options.workDir).filePath(QStringLiteral("dl-%1-%2").arg(label).arg(i)), remote });
        }
    }
    // The browsing session is idle from here on; transfers do not need it.
    const QString kind = upload ? QStringLiteral("upload") : QStringLiteral("download");
    QList<double> rates;
    for (int run = 1; run <= m_options.repeat; ++run) {
        const Batch batch = runBatch(direction, pairs);
        if (!upload) {
            for (const auto& pair : std::as_const(pairs)) {
                QFile::remove(pair.first);
                QFile::remove(pair.first + QStringLiteral(".part"));
            }
        }
        if (!batch.ok) {
            note(QStringLiteral("%1 of %2 failed: %3").arg(kind, label, batch.error));
            return 1;
        }
        const double bytes = static_cast<double>(size) * m_options.parallel;
        const double mbps = bytes / batch.seconds / 1e6;
        rates.append(mbps);
        Report(QStringLiteral("transfer"))
            .add(QStringLiteral("direction"), kind)
            .add(QStringLiteral("size"), size)
            .add(QStringLiteral("parallel"), m_options.parallel)
            .add(QStringLiteral("run"), run)
            .add(QStringLiteral("seconds"), batch.seconds, 6)
            .add(QStringLiteral("MBps"), mbps, 2)
            .add(QStringLiteral("cpu_seconds"), batch.cpuSeconds, 3)
            .print();
    }
    const Stats stats(rates);
    Report(QStringLiteral("transfer_summary"))
        .add(QStringLiteral("direction"), kind)
        .add(QStringLiteral("size"), size)
        .add(QStringLiteral("parallel"), m_options.parallel)
        .add(QStringLiteral("runs"), static_cast<int>(stats.count()))
        .add(QStringLiteral("median_MBps"), stats.median(), 2)
        .add(QStringLiteral("min_MBps"), stats.min(), 2)
        .add(QStringLiteral("max_MBps"), stats.max(), 2)
        .add(QStringLiteral("client_hwm_kib"), selfStatusKiB("VmHWM"))
        .print();
    if (upload && !m_options.keep) {
        for (const auto& pair : std::as_const(pairs)) {
            removeRemote(pair.second);
        }
    }
    return 0;
}

int TransferBench::stall(FileTransfer::Direction direction, qint64 size)
{
    const bool upload = direction == FileTransfer::Direction::Upload;
    QString local;
    QString remote;
    if (upload) {
        local = ensureSource(size);
        remote = QStringLiteral("~/stall-up-%1").arg(sizeLabel(size));
        if (local.isEmpty() || !connectBrowsing()) {
            return 1;
        }
    } else {
        remote = ensureRemote(size);
        local = QDir(m_options.workDir).filePath(QStringLiteral("stall-dl-%1").arg(sizeLabel(size)));
        if (remote.isEmpty()) {
            return 1;
        }
    }

    if (m_options.resume) {
        // Untimed: the first half, then stopped; the measured run resumes it, hashing that half first.
        const Batch first = runBatch(direction, { { local, remote } }, false, size / 2);
        if (!first.ok) {
            note(QStringLiteral("stall: the first half failed: %1").arg(first.error));
            return 1;
        }
    }
    StallMonitor monitor(m_options.intervalMs);
    monitor.start();
    QElapsedTimer idle;
    idle.start();
    spinUntil([&] { return idle.elapsed() > 300; }, -1); // the idle loop, for comparison

    monitor.setMeasuring(true);
    const Batch batch = runBatch(direction, { { local, remote } }, m_options.resume);
    monitor.setMeasuring(false);
    monitor.stop();
    if (!upload) {
        QFile::remove(local);
        QFile::remove(local + QStringLiteral(".part"));
    } else if (!m_options.keep) {
        removeRemote(remote);
    }
    if (!batch.ok) {
        note(QStringLiteral("stall: transfer failed: %1").arg(batch.error));
        return 1;
    }
    Report report(QStringLiteral("stall"));
    report.add(QStringLiteral("direction"), upload ? QStringLiteral("upload") : QStringLiteral("download"))
        .add(QStringLiteral("size"), size)
        .add(QStringLiteral("resumed_from"), batch.resumedFrom)
        .add(QStringLiteral("seconds"), batch.seconds, 3)
        .add(QStringLiteral("MBps"), static_cast<double>(size - batch.resumedFrom) / batch.seconds / 1e6, 2);
    monitor.addTo(report).print();
    return 0;
}

} // namespace QuietWire::Bench
