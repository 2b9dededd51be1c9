#include "StoreUrl.h"

#include <QSqlDatabase>
#include <QUrl>
#include <QUrlQuery>

namespace QuietWire {

std::optional<ChatStore::Options> storeOptionsFromUrl(const QString& text, QString* error)
{
    const auto refuse = [&](const QString& why) -> std::optional<ChatStore::Options> {
        *error = QStringLiteral("--store %1: %2 (expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE)")
                     .arg(text.section(QLatin1Char('@'), -1), why); // never echo a password
        return std::nullopt;
    };
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid()) {
        return refuse(QStringLiteral("not a URL (%1)").arg(url.errorString()));
    }
    if (url.scheme() != QLatin1String("postgresql") && url.scheme() != QLatin1String("postgres")) {
        return refuse(QStringLiteral("only PostgreSQL URLs are stores here; without --store the server keeps its "
                                     "SQLite store in the data directory"));
    }
    if (url.host().isEmpty()) {
        return refuse(QStringLiteral("no host"));
    }
    if (url.userName().isEmpty()) {
        return refuse(QStringLiteral("no user"));
    }
    const QString database = url.path(QUrl::FullyDecoded).mid(1);
    if (!url.path().startsWith(QLatin1Char('/')) || database.isEmpty() || database.contains(QLatin1Char('/'))) {
        return refuse(QStringLiteral("no database name after the host"));
    }
    if (url.hasFragment()) {
        return refuse(QStringLiteral("a '#' part means nothing here"));
    }
    ChatStore::Options options;
    options.driver = QStringLiteral("QPSQL");
    options.host = url.host(QUrl::FullyDecoded);
    options.port = url.port(5432);
    options.user = url.userName(QUrl::FullyDecoded);
    options.password = url.password(QUrl::FullyDecoded);
    options.databaseName = database;
    QStringList connect;
    for (const auto& [key, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded)) {
        if (key.isEmpty() || value.contains(QLatin1Char(';'))) {
            return refuse(QStringLiteral("the option \"%1\" cannot be handed to libpq").arg(key));
        }
        connect << key + QLatin1Char('=') + value;
    }
    options.connectOptions = connect.join(QLatin1Char(';'));
    return options;
}

void setUpConnection(QSqlDatabase& db, const ChatStore::Options& options)
{
    db.setHostName(options.host);
    db.setPort(options.port);
    db.setUserName(options.user);
    db.setPassword(options.password);
    db.setDatabaseName(options.databaseName);
    // A server that does not answer fails the connection in seconds, not in TCP's minutes.
    QString connect = options.connectOptions;
    if (!connect.contains(QLatin1String("connect_timeout"))) {
        connect += QLatin1String(connect.isEmpty() ? "connect_timeout=5" : ";connect_timeout=5");
    }
    db.setConnectOptions(connect);
}

QString storeUrlForDisplay(const ChatStore::Options& options)
{
    return QStringLiteral("postgresql://%1@%2:%3/%4")
        .arg(options.user, options.host)
        .arg(options.port > 0 ? options.port : 5432)
        .arg(options.databaseName);
}

} // namespace QuietWire
