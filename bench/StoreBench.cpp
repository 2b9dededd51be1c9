#include "StoreBench.h"

#include "ChatStore.h"
#include "Report.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>

namespace QuietWire::Bench {

namespace {
// Words of the generated messages: common ones in most texts, rare ones in a few, both scripts.
const QStringList CommonWords
    = { QStringLiteral("the"), QStringLiteral("server"), QStringLiteral("deploy"), QStringLiteral("build"),
          QStringLiteral("сервер"), QStringLiteral("сборка"), QStringLiteral("today"), QStringLiteral("review"),
          QStringLiteral("тест"), QStringLiteral("files"), QStringLiteral("meeting"), QStringLiteral("отчёт") };

QString rareWord(quint32 n)
{
    return QStringLiteral("w%1x").arg(n);
}
} // namespace

StoreBench::StoreBench(const BenchOptions& options)
    : m_options(options)
{ }

int StoreBench::run()
{
    const QString path = QDir(m_options.workDir).filePath(QStringLiteral("bench-store.db"));
    for (const QString& suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") }) {
        QFile::remove(path + suffix);
    }
    QDir().mkpath(m_options.workDir);
    StoreFailure failure;
    ChatStore::Options storeOptions;
    storeOptions.databaseName = path;
    auto store = ChatStore::open(storeOptions, &failure);
    if (!store) {
        note(failure.message);
        return 1;
    }
    const int conversations = qMax(1, m_options.conversations);
    QList<qint64> ids;
    for (int i = 0; i < conversations; ++i) {
        const auto room = store->createRoom(QStringLiteral("room-%1").arg(i), QString(), false, QStringLiteral("bench"),
            QDateTime::currentMSecsSinceEpoch());
        if (!room) {
            note(store->failure().message);
            return 1;
        }
        ids << room->id;
    }

    // Fill, in batches of 1000 (the group commit's largest), each a durable commit.
    QRandomGenerator random(42);
    const qint64 total = m_options.stored;
    const quint32 rareWords = static_cast<quint32>(qMax<qint64>(1, total / 20));
    QElapsedTimer timer;
    timer.start();
    qint64 stored = 0;
    while (stored < total) {
        QList<ChatStore::NewMessage> batch;
        for (int i = 0; i < 1000 && stored + i < total; ++i) {
            ChatStore::NewMessage message;
            message.conversation = ids[random.bounded(conversations)];
            message.sender = QStringLiteral("user%1").arg(random.bounded(100));
            message.fingerprint = QStringLiteral("SHA256:bench%1").arg(random.bounded(100));
            message.clientId = QStringLiteral("c%1").arg(stored + i);
            message.timeMs = QDateTime::currentMSecsSinceEpoch();
            QStringList words;
            for (int w = 0; w < 8; ++w) {
                words << CommonWords[random.bounded(CommonWords.size())];
            }
            words << rareWord(random.bounded(rareWords));
            message.text = words.join(QLatin1Char(' '));
            batch << message;
        }
        if (!store->append(batch)) {
            note(store->failure().message);
            return 1;
        }
        stored += batch.size();
    }
    const double fillSeconds = timer.nsecsElapsed() / 1e9;
    Report(QStringLiteral("store_fill"))
        .add(QStringLiteral("messages"), stored)
        .add(QStringLiteral("conversations"), conversations)
        .add(QStringLiteral("per_s"), stored / fillSeconds, 0)
        .add(QStringLiteral("file_mb"), QFileInfo(path).size() / 1e6, 1)
        .print();

    // History pages of 100: the newest page, or one from a random point.
    const qint64 lastId = store->lastMessageId().value_or(0);
    QList<double> history;
    for (int i = 0; i < m_options.queries; ++i) {
        const qint64 conversation = ids[random.bounded(conversations)];
        const qint64 before = i % 2 ? 0 : 1 + static_cast<qint64>(random.bounded(static_cast<quint32>(lastId)));
        timer.restart();
        const auto page = store->history(conversation, before, 100);
        history << timer.nsecsElapsed() / 1e6;
        if (!page) {
            note(store->failure().message);
            return 1;
        }
    }
    const Stats historyStats(history);
    Report(QStringLiteral("store_history"))
        .add(QStringLiteral("queries"), history.size())
        .add(QStringLiteral("p50_ms"), historyStats.median())
        .add(QStringLiteral("p99_ms"), historyStats.percentile(99))
        .add(QStringLiteral("max_ms"), historyStats.max())
        .print();

    // Searches of 50 hits: a rare word, a common one, or both (as a member of every conversation).
    QList<double> search;
    for (int i = 0; i < m_options.queries; ++i) {
        QString words;
        switch (i % 3) {
        case 0:
            words = rareWord(random.bounded(rareWords));
            break;
        case 1:
            words = CommonWords[random.bounded(CommonWords.size())];
            break;
        default:
            words = CommonWords[random.bounded(CommonWords.size())] + QLatin1Char(' ')
                + rareWord(random.bounded(rareWords));
        }
        timer.restart();
        const auto hits
            = store->search(QStringLiteral("bench"), words, 0, 0, 50, QStringLiteral("["), QStringLiteral("]"));
        search << timer.nsecsElapsed() / 1e6;
        if (!hits) {
            note(store->failure().message);
            return 1;
        }
    }
    const Stats searchStats(search);
    Report(QStringLiteral("store_search"))
        .add(QStringLiteral("queries"), search.size())
        .add(QStringLiteral("p50_ms"), searchStats.median())
        .add(QStringLiteral("p99_ms"), searchStats.percentile(99))
        .add(QStringLiteral("max_ms"), searchStats.max())
        .print();
    return 0;
}

} // namespace QuietWire::Bench
