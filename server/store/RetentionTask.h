#pragma once

#include <QObject>
#include <QTimer>

namespace QuietWire {

class StoreThread;

/// Deletes messages older than the retention period (--retention-days) in the background: a
/// small batch at a time on the store's thread, so the event loop never waits and group commits
/// of new messages go in between. Runs at start, then every checkInterval; while batches come
/// back full it asks for the next one at once. A sweep that deleted messages then walks the
/// search vocabulary, a batch of terms at a time, and removes the words no message has any more
/// (the retention period covers what was said, its words included).
///
/// Usage:
///     RetentionTask retention(store, 30LL * 24 * 3600 * 1000);
///     retention.start();
///     // or, in the server: RetentionTask::startForDays(storeThread, options.retentionDays, this);
class RetentionTask : public QObject
{
    Q_OBJECT

public:
    static constexpr int DefaultBatch = 500;
    static constexpr int DefaultCheckIntervalMs = 10 * 60 * 1000;

    RetentionTask(StoreThread& store, qint64 maxAgeMs, QObject* parent = nullptr);
    /// --retention-days: a task for messages older than days, started, each sweep that deleted
    /// something (or failed) logged in one line.
    static RetentionTask* startForDays(StoreThread& store, int days, QObject* parent);

    void setBatch(int batch) { m_batch = batch; }
    void setCheckInterval(int ms) { m_timer.setInterval(ms); }
    void start();
    qint64 deleted() const { return m_deleted; }
    qint64 termsRemoved() const { return m_termsRemoved; }

signals:
    /// One sweep is over: nothing older than the period is left, nor a word of it in the
    /// vocabulary (or the store failed: message).
    void sweepFinished(qint64 deleted, const QString& error);

private:
    void nextBatch();
    void pruneTerms(const QString& after);
    void finishSweep(const QString& error);

    StoreThread& m_store;
    qint64 m_maxAgeMs;
    int m_batch = DefaultBatch;
    QTimer m_timer;
    bool m_running = false;
    qint64 m_deleted = 0;
    qint64 m_sweepDeleted = 0;
    qint64 m_termsRemoved = 0;
};

} // namespace QuietWire
