#include "SharedFileLedger.h"

#include "Logging.h"
#include "StoreUrl.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace QuietWire {

namespace {
// Which reservations still count: those of connections that are alive.
const QString LiveReservations
    = QStringLiteral("SELECT COALESCE(sum(bytes), 0) FROM file_reservations WHERE home = ? AND backend IN (SELECT "
                     "pid FROM pg_stat_activity)");
} // namespace

SharedFileLedger::SharedFileLedger()
    : m_connection(QStringLiteral("quietwire-files-%1").arg(QUuid::createUuid().toString(QUuid::Id128)))
{ }

SharedFileLedger::~SharedFileLedger()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isOpen()) {
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(m_connection);
}

bool SharedFileLedger::open(const ChatStore::Options& options, QString* error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connection);
    setUpConnection(db, options);
    if (!db.open()) {
        *error = db.lastError().text();
        return false;
    }
    // The event loop waits for these statements: never long.
    QSqlQuery timeout(db);
    if (!timeout.exec(QStringLiteral("SET statement_timeout = 5000"))) {
        *error = timeout.lastError().text();
        return false;
    }
    return true;
}

bool SharedFileLedger::run(QSqlQuery& query)
{
    if (query.exec()) {
        m_failed = false;
        return true;
    }
    m_failed = true;
    qCWarning(lcFiles).noquote() << "the shared file bookkeeping in the chat store failed:" << query.lastError().text();
    // A connection the database closed (a restart) is opened again for the next call.
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    const QString code = query.lastError().nativeErrorCode();
    if (code.isEmpty() || code.startsWith(QLatin1String("08")) || code.startsWith(QLatin1String("57P"))) {
        db.close();
        db.open();
        QSqlQuery timeout(db);
        timeout.exec(QStringLiteral("SET statement_timeout = 5000"));
    }
    return false;
}

std::optional<SharedFileLedger::Usage> SharedFileLedger::usage(const QString& key)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("SELECT bytes, entries, height FROM file_usage WHERE home = ?"));
    query.addBindValue(key);
    if (!run(query) || !query.next()) {
        return std::nullopt;
    }
    return Usage { query.value(0).toLongLong(), query.value(1).toLongLong(), query.value(2).toInt() };
}

bool SharedFileLedger::set(const QString& key, const Usage& usage)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral(
        "INSERT INTO file_usage (home, bytes, entries, height) VALUES (?, ?, ?, ?) ON CONFLICT (home) DO NOTHING"));
    query.addBindValue(key);
    query.addBindValue(usage.bytes);
    query.addBindValue(usage.entries);
    query.addBindValue(usage.height);
    return run(query);
}

bool SharedFileLedger::replace(const QString& key, const Usage& usage)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("INSERT INTO file_usage (home, bytes, entries, height) VALUES (?, ?, ?, ?) ON "
                                 "CONFLICT (home) DO UPDATE SET bytes = excluded.bytes, entries = excluded.entries, "
                                 "height = excluded.height"));
    query.addBindValue(key);
    query.addBindValue(usage.bytes);
    query.addBindValue(usage.entries);
    query.addBindValue(usage.height);
    return run(query);
}

bool SharedFileLedger::adjust(const QString& key, qint64 bytes, qint64 entries)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("UPDATE file_usage SET bytes = GREATEST(0, bytes + ?), entries = GREATEST(0, "
                                 "entries + ?) WHERE home = ?"));
    query.addBindValue(bytes);
    query.addBindValue(entries);
    query.addBindValue(key);
    return run(query);
}

bool SharedFileLedger::noteDepth(const QString& key, int depth)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("UPDATE file_usage SET height = GREATEST(height, ?) WHERE home = ?"));
    query.addBindValue(depth);
    query.addBindValue(key);
    return run(query);
}

SharedFileLedger::Fit SharedFileLedger::reserveIfFits(
    const QString& key, qint64 bytes, qint64 quota, qint64* available, qint64* reservation)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery begin(db);
    if (!begin.exec(QStringLiteral("BEGIN"))) {
        m_failed = true;
        return Fit::Unavailable;
    }
    const auto abandon = [&db](Fit fit) {
        QSqlQuery rollback(db);
        rollback.exec(QStringLiteral("ROLLBACK"));
        return fit;
    };
    // The folder's lock: checks and reservations of one folder take turns across the nodes.
    QSqlQuery lock(db);
    lock.prepare(QStringLiteral("SELECT pg_advisory_xact_lock(hashtextextended(?, 1))"));
    lock.addBindValue(key);
    QSqlQuery used(db);
    used.prepare(
        QStringLiteral("SELECT bytes + (") + LiveReservations + QStringLiteral(") FROM file_usage WHERE home = ?"));
    used.addBindValue(key);
    used.addBindValue(key);
    if (!run(lock) || !run(used) || !used.next()) {
        return abandon(Fit::Unavailable);
    }
    const qint64 free = quota - used.value(0).toLongLong();
    used.finish();
    if (available) {
        *available = qMax<qint64>(0, free);
    }
    if (bytes > 0 && bytes > free) {
        return abandon(Fit::TooBig);
    }
    if (reservation) {
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral(
            "INSERT INTO file_reservations (backend, home, bytes) VALUES (pg_backend_pid(), ?, ?) RETURNING id"));
        insert.addBindValue(key);
        insert.addBindValue(qMax<qint64>(0, bytes));
        if (!run(insert) || !insert.next()) {
            return abandon(Fit::Unavailable);
        }
        *reservation = insert.value(0).toLongLong();
    }
    QSqlQuery commit(db);
    if (!commit.exec(QStringLiteral("COMMIT"))) {
        m_failed = true;
        return Fit::Unavailable;
    }
    return Fit::Fits;
}

qint64 SharedFileLedger::reserved(const QString& key)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(LiveReservations);
    query.addBindValue(key);
    return run(query) && query.next() ? query.value(0).toLongLong() : -1;
}

bool SharedFileLedger::resize(qint64 reservation, qint64 bytes)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("UPDATE file_reservations SET bytes = ? WHERE id = ?"));
    query.addBindValue(qMax<qint64>(0, bytes));
    query.addBindValue(reservation);
    return run(query);
}

void SharedFileLedger::drop(qint64 reservation)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("DELETE FROM file_reservations WHERE id = ? OR backend NOT IN (SELECT pid FROM "
                                 "pg_stat_activity)"));
    query.addBindValue(reservation);
    run(query);
}

bool SharedFileLedger::claim(const QString& targetKey)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("SELECT pg_try_advisory_lock(hashtextextended(?, 2))"));
    query.addBindValue(targetKey);
    return run(query) && query.next() && query.value(0).toBool();
}

void SharedFileLedger::unclaim(const QString& targetKey)
{
    QSqlQuery query(QSqlDatabase::database(m_connection, false));
    query.prepare(QStringLiteral("SELECT pg_advisory_unlock(hashtextextended(?, 2))"));
    query.addBindValue(targetKey);
    run(query);
}

} // namespace QuietWire
