#include "RetentionTask.h"

#include "Logging.h"
#include "StoreThread.h"

#include <QDateTime>

namespace QuietWire {

RetentionTask::RetentionTask(StoreThread& store, qint64 maxAgeMs, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_maxAgeMs(maxAgeMs)
{
    m_timer.setInterval(DefaultCheckIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (!m_running) {
            m_running = true;
            m_sweepDeleted = 0;
            nextBatch();
        }
    });
}

RetentionTask* RetentionTask::startForDays(StoreThread& store, int days, QObject* parent)
{
    auto* task = new RetentionTask(store, qint64(days) * 24 * 3600 * 1000, parent);
    connect(task, &RetentionTask::sweepFinished, task, [days](qint64 deleted, const QString& error) {
        if (deleted > 0) {
            qCInfo(lcChat).noquote() << "retention: deleted" << deleted << "message(s) older than" << days << "day(s)";
        }
        if (!error.isEmpty()) {
            qCWarning(lcChat).noquote() << "retention: the sweep stopped:" << error;
        }
    });
    task->start();
    return task;
}

void RetentionTask::start()
{
    m_timer.start();
    m_running = true;
    m_sweepDeleted = 0;
    nextBatch();
}

void RetentionTask::nextBatch()
{
    const qint64 cutoff = QDateTime::currentMSecsSinceEpoch() - m_maxAgeMs;
    const int batch = m_batch;
    m_store.post(
        this,
        [cutoff, batch](ChatStore& store) {
            const auto deleted = store.deleteOlderThan(cutoff, batch);
            return std::make_pair(deleted.value_or(-1), deleted ? QString() : store.failure().message);
        },
        [this, batch](const std::pair<int, QString>& result) {
            if (result.first > 0) {
                m_deleted += result.first;
                m_sweepDeleted += result.first;
            }
            if (result.first == batch) {
                nextBatch(); // more may be left
                return;
            }
            if (m_sweepDeleted > 0 && result.second.isEmpty()) {
                pruneTerms(QString());
                return;
            }
            finishSweep(result.second);
        });
}

void RetentionTask::pruneTerms(const QString& after)
{
    const int batch = m_batch;
    m_store.post(
        this,
        [after, batch](ChatStore& store) {
            const auto pruned = store.pruneTerms(after, batch);
            return std::make_pair(pruned, pruned ? QString() : store.failure().message);
        },
        [this](const std::pair<std::optional<ChatStore::Pruned>, QString>& result) {
            if (!result.first) {
                finishSweep(result.second);
                return;
            }
            m_termsRemoved += result.first->removed;
            if (!result.first->last.isEmpty()) {
                pruneTerms(result.first->last); // more terms after this batch
                return;
            }
            finishSweep(QString());
        });
}

void RetentionTask::finishSweep(const QString& error)
{
    m_running = false;
    emit sweepFinished(m_sweepDeleted, error);
}

} // namespace QuietWire
