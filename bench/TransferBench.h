#pragma once

#include "BenchOptions.h"
#include "FileClient.h"
#include "Identity.h"

#include <QObject>

namespace QuietWire::Bench {

/// Bulk transfers through FileClient/FileTransfer (each transfer on its own fresh session, as in
/// the CLI and the GUI), and the event-loop stall monitor for figure 5.
///
/// upload/download print one `transfer` line per timed run (wall clock from the upload() or
/// download() call to the verified finish of the last of the parallel transfers) and a
/// `transfer_summary` line; stall prints one `stall` line.
class TransferBench : public QObject
{
    Q_OBJECT

public:
    TransferBench(const BenchOptions& options, const Identity& identity, QObject* parent = nullptr);

    int run(FileTransfer::Direction direction, qint64 size);
    int stall(FileTransfer::Direction direction, qint64 size);

private:
    struct Batch
    {
        bool ok = false;
        double seconds = 0;
        double cpuSeconds = 0; // this process, during the batch
        qint64 resumedFrom = 0; // the first transfer's
        QString error;
    };

    bool connectBrowsing();
    QString ensureSource(qint64 size);
    QString ensureRemote(qint64 size);
    /// Starts every transfer at once and waits for all of them; pairs are (local, remote). With
    /// resume, each continues what an earlier batch left; with stopAt >= 0, each is cancelled
    /// (its .part or the server's partial data kept) once stopAt bytes are done, which counts as ok.
    Batch runBatch(FileTransfer::Direction direction, const QList<QPair<QString, QString>>& pairs, bool resume = false,
        qint64 stopAt = -1);
    bool removeRemote(const QString& path);

    BenchOptions m_options;
    FileClient* m_client;
};

} // namespace QuietWire::Bench
