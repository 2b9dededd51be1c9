#pragma once

#include "ErrorCode.h"
#include "FilePaths.h"
#include "StoreTypes.h"

#include <QList>
#include <QString>
#include <functional>
#include <utility>

class QObject;

namespace QuietWire {

/// The store's answer to "may this user open this shared folder now?" (FolderAccess::check).
struct FolderGrant
{
    ErrorCode code = ErrorCode::None; // not None: refused, message says why
    QString message;
    Conversation conversation; // Room, Direct: the conversation whose folder it is
    /// Rooms, Directs: the folders the user may open (room name or the other person's name) and
    /// when each conversation was created (ms since the epoch).
    QList<std::pair<QString, qint64>> folders;
};

/// What the files service asks of the chat to serve shared folders (ServerApp wires it to
/// ChatService), so server/files does not depend on server/chat.
///
/// Usage:
///     access.check(user, where, context, [](const FolderGrant& grant) { ... }); // answers later, never at once
///     access.notice(grant.conversation, user, fingerprint, "alice uploaded /rooms/general/a.pdf");
struct FolderAccess
{
    /// Decides on the store's thread, after everything posted before it (a removal committed
    /// before the check is honoured), then calls done on context's thread (not when context is gone).
    std::function<void(const QString& user, const FilePaths::Location& where, QObject* context,
        std::function<void(const FolderGrant&)> done)>
        check;
    /// Posts text into conversation as a notice from user, stored and sent like other messages.
    std::function<void(
        const Conversation& conversation, const QString& user, const QString& fingerprint, const QString& text)>
        notice;
};

} // namespace QuietWire
