#pragma once

#include "BenchOptions.h"
#include "ChatSessionV2.h"
#include "Identity.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>

namespace QuietWire::Bench {

/// The chat with its store, through a real quietwired and sessions of chat version 2.
///
/// chat-load: --senders sessions (distinct keys) each keep --window messages unanswered (client
/// ids, pipelined) for --seconds; `chat_load` line: messages accepted per second in that time
/// (each one committed durably before its `accepted`: the server's synchronous=FULL group
/// commits; after a warm-up of one message per sender, not timed), p50/p99 from sending to `accepted`, the slowest and
/// fastest whole second. --target ring (sender i writes to sender i+1: direct conversations, each message to two
/// sessions), self (notes to oneself: to the sender's session only) or general (the room of everybody: each message to
/// every session). Then each conversation's history is read back through the server: `chat_load_check` counts accepted
/// messages missing from it, stored twice, or stored without having been accepted.
///
/// chat-query: --sessions sessions join (version 2: the conversations with their unread counts);
/// then --repeat joins of one more session of the first key, timed from hello to history_end
/// (`chat_join` with the unread total it was shown); --queries history pages of 100 and searches
/// of 50 hits, one at a time (`chat_history`, `chat_search`: p50, p99, max in ms from request to
/// `done`); the same joins again after the user read everything (`chat_join_read`). Then
/// `chat_query_ready`, and the sessions stay for --seconds (0: until stdin closes) while
/// bench/run.sh reads the server's memory.
class ChatStoreLoad : public QObject
{
    Q_OBJECT

public:
    ChatStoreLoad(const BenchOptions& options, QList<Identity> keys, QObject* parent = nullptr);
    int load();
    int query();

private:
    struct Sender
    {
        ChatSessionV2* session = nullptr;
        std::optional<QString> to; // nullopt: general
        qint64 nextSeq = 1;
        qint64 sent = 0;
        QHash<qint64, std::pair<qint64, QString>> outstanding; // seq -> sent at (ns), client id
    };
    struct Stored
    {
        qint64 id = 0;
        QString clientId;
    };

    /// Sends the next message of sender index; false when its session is gone.
    bool sendOne(int index);
    /// Keeps --window messages of sender index unanswered until the end of the timed phase.
    void pump(int index);
    bool checkStored(const QList<Stored>& accepted, const QHash<qint64, int>& senderOfConversation);
    /// Sends request on session and waits for its answer: the Done, or nullopt (error set).
    std::optional<ChatProtocol::Done> ask(
        ChatSessionV2* session, const QCborMap& request, qint64 seq, double* ms, QString* error);
    /// --repeat joins of a new session of key 0: one `record` line with their times.
    bool timeJoins(const QString& record);

    BenchOptions m_options;
    QList<Identity> m_keys;
    QElapsedTimer m_clock;
    QList<Sender> m_senders;
    qint64 m_endNs = 0;
    QString m_runTag;
    QString m_padding;
};

} // namespace QuietWire::Bench
