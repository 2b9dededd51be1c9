#pragma once

// The throwaway PostgreSQL cluster that tests/postgres/pg-cluster.sh starts for CTest (the fixture
// "Postgres" in tests/CMakeLists.txt): QUIETWIRE_TEST_POSTGRES_DIR names its state directory, whose
// "url" file says where it listens, or whose "unavailable" file says why there is none (the test
// then skips itself with that reason: never a silent pass).
//
// Usage:
//     QString why;
//     const QString url = TestPostgres::clusterUrl(&why);
//     if (url.isEmpty()) QSKIP(qPrintable(why));
//     const auto options = TestPostgres::createDatabase(url, "qw_test_1"); // a new, empty database
//     ... ChatStore::open(*options, &failure) ...
//     TestPostgres::dropDatabase(url, "qw_test_1");

#include "ChatStore.h"
#include "StoreUrl.h"

#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <optional>

namespace QuietWire::TestPostgres {

inline QString readState(const QString& dir, const QString& name)
{
    QFile file(QDir(dir).filePath(name));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()).trimmed() : QString();
}

inline QString stateDir()
{
    return qEnvironmentVariable("QUIETWIRE_TEST_POSTGRES_DIR");
}

inline QString clusterUrl(QString* why)
{
    const QString dir = stateDir();
    if (dir.isEmpty()) {
        *why = QStringLiteral("QUIETWIRE_TEST_POSTGRES_DIR is not set: run this through ctest (fixture Postgres)");
        return QString();
    }
    const QString unavailable = readState(dir, QStringLiteral("unavailable"));
    if (!unavailable.isEmpty()) {
        *why = QStringLiteral("no PostgreSQL for this test: ") + unavailable;
        return QString();
    }
    const QString url = readState(dir, QStringLiteral("url"));
    if (url.isEmpty()) {
        *why = QStringLiteral("the PostgreSQL test cluster in %1 is not running (tests/postgres/pg-cluster.sh start)")
                   .arg(dir);
    }
    return url;
}

/// Runs one statement on the database options name, outside any store.
inline bool runSql(const ChatStore::Options& options, const QString& sql)
{
    const QString name = QStringLiteral("test-postgres-raw");
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(options.host);
        db.setPort(options.port);
        db.setUserName(options.user);
        db.setDatabaseName(options.databaseName);
        if (db.open()) {
            QSqlQuery query(db);
            ok = query.exec(sql);
            if (!ok) {
                qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
            }
        } else {
            qWarning("cannot reach the test cluster: %s", qPrintable(db.lastError().text()));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

/// Runs one statement on the cluster's maintenance database.
inline bool runOnCluster(const QString& url, const QString& sql)
{
    QString error;
    const auto options = storeOptionsFromUrl(url, &error);
    if (!options) {
        qWarning("%s", qPrintable(error));
        return false;
    }
    return runSql(*options, sql);
}

inline std::optional<ChatStore::Options> createDatabase(const QString& url, const QString& database)
{
    if (!runOnCluster(url, QStringLiteral("CREATE DATABASE %1").arg(database))) {
        return std::nullopt;
    }
    QString error;
    auto options = storeOptionsFromUrl(url, &error);
    if (options) {
        options->databaseName = database;
    }
    return options;
}

inline bool dropDatabase(const QString& url, const QString& database)
{
    return runOnCluster(url, QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(database));
}

} // namespace QuietWire::TestPostgres
