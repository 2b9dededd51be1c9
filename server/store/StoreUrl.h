#pragma once

#include "ChatStore.h"

#include <QSqlDatabase>
#include <QString>
#include <optional>

namespace QuietWire {

/// Reads the store a server option names: a PostgreSQL URL as libpq writes them,
///     postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?KEY=VALUE&...]
/// ("postgres://" too; KEY=VALUE are libpq connection keywords such as sslmode=verify-full or
/// passfile=/etc/quietwire/pgpass, handed on as they are). Percent-escapes are decoded. Anything
/// else is refused with a message naming what is wrong and the form expected.
///
/// Usage:
///     QString error;
///     const auto options = storeOptionsFromUrl("postgresql://quietwire@db1:5432/quietwire", &error);
///     if (!options) { fail(error); }
std::optional<ChatStore::Options> storeOptionsFromUrl(const QString& url, QString* error);

/// Points db (a QPSQL connection, not yet open) at the server options names, with libpq's
/// connect_timeout at 5 s unless the options set it: one place for the store, the nodes'
/// notification listener and the shared file ledger.
void setUpConnection(QSqlDatabase& db, const ChatStore::Options& options);

/// The URL without its password (for logs and messages).
QString storeUrlForDisplay(const ChatStore::Options& options);

} // namespace QuietWire
