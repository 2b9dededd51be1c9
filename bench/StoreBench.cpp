#include "StoreBench.h"

#include "BenchKeys.h"
#include "ChatStore.h"
#include "Report.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

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

QString StoreBench::searchWords(int i, QRandomGenerator& random, qint64 stored)
{
    const auto rareWords = static_cast<quint32>(qMax<qint64>(1, stored / 20));
    switch (i % 3) {
    case 0:
        return rareWord(random.bounded(rareWords));
    case 1:
        return CommonWords[random.bounded(CommonWords.size())];
    default:
        return CommonWords[random.bounded(CommonWords.size())] + QLatin1Char(' ') + rareWord(random.bounded(rareWords));
    }
}

bool StoreBench::fillMessages(ChatStore& store, const QList<qint64>& conversations, const QStringList& senders,
    QRandomGenerator& random, const QString& path)
{
    const qint64 total = m_options.stored;
    const auto rareWords = static_cast<quint32>(qMax<qint64>(1, total / 20));
    const int count = static_cast<int>(conversations.size());
    const int senderCount = static_cast<int>(senders.size());
    QElapsedTimer timer;
    timer.start();
    qint64 stored = 0;
    while (stored < total) {
        QList<ChatStore::NewMessage> batch;
        for (int i = 0; i < 1000 && stored + i < total; ++i) {
            ChatStore::NewMessage message;
            message.conversation = conversations[random.bounded(count)];
            const int sender = random.bounded(senderCount);
            message.sender = senders.at(sender);
            message.fingerprint = QStringLiteral("SHA256:bench%1").arg(sender);
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
        if (!store.append(batch)) {
            note(store.failure().message);
            return false;
        }
        stored += batch.size();
    }
    const double fillSeconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    Report(QStringLiteral("store_fill"))
        .add(QStringLiteral("messages"), stored)
        .add(QStringLiteral("conversations"), count)
        .add(QStringLiteral("per_s"), static_cast<double>(stored) / fillSeconds, 0)
        .add(QStringLiteral("seconds"), fillSeconds, 1)
        .add(QStringLiteral("file_mb"), static_cast<double>(QFileInfo(path).size()) / 1e6, 1)
        .print();
    return true;
}

bool StoreBench::addMembers(const QString& path, const QList<qint64>& conversations, const QStringList& names)
{
    // ChatStore::addMember commits each one durably (5000 fsyncs for 100 names in 50 rooms, half a
    // minute on this disk): a fixture needs them in one transaction, on a connection of its own.
    // The rows are the ones addMember writes (members: conversation_id, name, role).
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bench-members"));
        db.setDatabaseName(path);
        if (db.open() && db.transaction()) {
            QSqlQuery insert(db);
            insert.prepare(QStringLiteral(
                "INSERT INTO members (conversation_id, name, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
            ok = true;
            for (const qint64 id : conversations) {
                for (const QString& name : names) {
                    insert.addBindValue(id);
                    insert.addBindValue(name);
                    insert.addBindValue(static_cast<int>(MemberRole::Member));
                    ok = ok && insert.exec();
                }
            }
            ok = ok && db.commit();
        }
        if (!ok) {
            note(QStringLiteral("cannot add the members to %1: %2").arg(path, db.lastError().text()));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bench-members"));
    return ok;
}

std::unique_ptr<ChatStore> StoreBench::openStore(const QString& path)
{
    StoreFailure failure;
    ChatStore::Options storeOptions;
    storeOptions.databaseName = path;
    auto store = ChatStore::open(storeOptions, &failure);
    if (!store) {
        note(failure.message);
    }
    return store;
}

int StoreBench::fill()
{
    // The server's own store file in its data dir; quietwired opens it as it finds it.
    const QString path = QDir(m_options.workDir).filePath(QString::fromLatin1(ChatStore::FileName));
    QDir().mkpath(m_options.workDir);
    auto store = openStore(path);
    if (!store) {
        return 1;
    }
    QStringList members;
    for (int i = 0; i < m_options.members; ++i) {
        members << BenchKeys::name(i);
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<qint64> ids;
    const auto general = store->room(QString::fromLatin1(ChatStore::GeneralRoom));
    if (!general) {
        note(store->failure().message);
        return 1;
    }
    ids << general->id;
    for (int i = 1; i < qMax(1, m_options.conversations); ++i) {
        const auto room = store->createRoom(QStringLiteral("room-%1").arg(i), QString(), false, members.first(), now);
        if (!room) {
            note(store->failure().message);
            return 1;
        }
        ids << room->id;
    }
    if (!addMembers(path, ids, members)) {
        return 1;
    }
    QRandomGenerator random(42);
    return fillMessages(*store, ids, members, random, path) ? 0 : 1;
}

int StoreBench::run()
{
    const QString path = QDir(m_options.workDir).filePath(QStringLiteral("bench-store.db"));
    for (const QString& suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") }) {
        QFile::remove(path + suffix);
    }
    QDir().mkpath(m_options.workDir);
    auto store = openStore(path);
    if (!store) {
        return 1;
    }
    const int conversations = qMax(1, m_options.conversations);
    QList<qint64> ids;
    QRandomGenerator random(42);
    for (int i = 0; i < conversations; ++i) {
        const auto room = store->createRoom(QStringLiteral("room-%1").arg(i), QString(), false, QStringLiteral("bench"),
            QDateTime::currentMSecsSinceEpoch());
        if (!room) {
            note(store->failure().message);
            return 1;
        }
        ids << room->id;
    }

    QStringList senders;
    for (int i = 0; i < 100; ++i) {
        senders << QStringLiteral("user%1").arg(i);
    }
    if (!fillMessages(*store, ids, senders, random, path)) {
        return 1;
    }
    return queries(*store, ids, QStringLiteral("bench")) ? 0 : 1;
}

int StoreBench::query()
{
    const QString path = QDir(m_options.workDir).filePath(QString::fromLatin1(ChatStore::FileName));
    if (!QFileInfo::exists(path)) {
        note(QStringLiteral("there is no store %1").arg(path));
        return 1;
    }
    auto store = openStore(path);
    if (!store) {
        return 1;
    }
    const auto rooms = store->rooms();
    if (!rooms) {
        note(store->failure().message);
        return 1;
    }
    QList<qint64> ids;
    for (const Conversation& room : *rooms) {
        ids << room.id;
    }
    return queries(*store, ids, BenchKeys::name(0)) ? 0 : 1;
}

bool StoreBench::queries(ChatStore& store, const QList<qint64>& ids, const QString& user)
{
    QRandomGenerator random(7);
    const int conversations = static_cast<int>(ids.size());
    QElapsedTimer timer;
    timer.start();

    // History pages of 100: the newest page, or one from a random point.
    const qint64 lastId = store.lastMessageId().value_or(0);
    QList<double> history;
    for (int i = 0; i < m_options.queries; ++i) {
        const qint64 conversation = ids[random.bounded(conversations)];
        const qint64 before = i % 2 ? 0 : 1 + static_cast<qint64>(random.bounded(static_cast<quint32>(lastId)));
        timer.restart();
        const auto page = store.history(conversation, before, 100);
        history << timer.nsecsElapsed() / 1e6;
        if (!page) {
            note(store.failure().message);
            return false;
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
        const QString words = searchWords(i, random, m_options.stored);
        timer.restart();
        const auto hits = store.search(user, words, 0, 0, 50, QStringLiteral("["), QStringLiteral("]"));
        search << timer.nsecsElapsed() / 1e6;
        if (!hits) {
            note(store.failure().message);
            return false;
        }
    }
    const Stats searchStats(search);
    Report(QStringLiteral("store_search"))
        .add(QStringLiteral("queries"), search.size())
        .add(QStringLiteral("p50_ms"), searchStats.median())
        .add(QStringLiteral("p99_ms"), searchStats.percentile(99))
        .add(QStringLiteral("max_ms"), searchStats.max())
        .print();
    return true;
}

} // namespace QuietWire::Bench
