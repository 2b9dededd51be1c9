#pragma once

#include "ChatStore.h"

#include <QObject>
#include <QString>
#include <memory>

class QThread;

namespace QuietWire {

class ClusterListener;

/// Several nodes on one PostgreSQL store: what the other nodes (and this one) committed, told by
/// the database itself (LISTEN on ChatStore::MessagesChannel and ConversationsChannel; NOTIFY is
/// sent by ChatStore in the same transactions). The listening connection is a connection of its
/// own on a thread of its own, so a database that does not answer never holds up the event loop;
/// the signals arrive in the thread that made the ClusterEvents.
///
/// The connection (and the store's schema version) is checked every CheckIntervalMs; a lost one is opened again, 1 s
/// doubling to 30 s between tries. Notifications sent while it was down are lost: `reconnected` then says that anything
/// may have changed meanwhile (read the new messages and the conversations again).
///
/// Usage:
///     auto* events = new ClusterEvents(storeOptions, this);
///     connect(events, &ClusterEvents::messagesCommitted, chat, &ChatService::fetchCommitted);
///     connect(events, &ClusterEvents::conversationChanged, chat, &ChatService::reload);
///     if (!events->start(&error)) { fail(error); }
class ClusterEvents : public QObject
{
    Q_OBJECT

public:
    static constexpr int CheckIntervalMs = 1000;

    /// options: the store's, with its origin (a node's own conversation changes are not signalled).
    explicit ClusterEvents(const ChatStore::Options& options, QObject* parent = nullptr);
    ~ClusterEvents() override;

    /// Connects and listens; false (error set) when the database cannot be reached now.
    bool start(QString* error);

signals:
    void messagesCommitted();
    /// A conversation or its members changed on another node (or by an offline command).
    void conversationChanged(qint64 conversationId);
    /// The whitelist kept in the store changed (an allow or revoke on any node, or offline).
    void whitelistChanged();
    /// The store's schema is no longer the one this build writes (checked with the connection):
    /// a newer node migrated it. This node must stop.
    void schemaChanged(int version);
    /// Listening again after the connection was lost: notifications may have been missed.
    void reconnected();
    void connectionLost(const QString& reason);

private:
    QThread* m_thread = nullptr;
    ClusterListener* m_listener = nullptr;
};

} // namespace QuietWire
