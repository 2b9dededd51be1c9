#pragma once

#include "Backoff.h"
#include "ChatClient.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace QuietWire {

/// The messages the user typed that the server has not confirmed yet, sent in the order typed,
/// each stored exactly once even when the connection drops in between (docs/CLIENT.md,
/// Reconnection).
///
/// Usage: setClient(chat) (again after the ChatClient is replaced); send(text, destination) for
/// every message typed, connected or not. While the client is joined it goes out at once; else it
/// waits for the next joined() and goes out then, in order. Each message gets its client id when
/// it is typed; in a version-2 session a message whose answer the connection lost is sent again
/// after the next joined() with that same id, and the server stores it once (`duplicate: true`
/// answers a resend it already has). delivered() for each message the server took, rejected()
/// for one it refused for a reason a resend cannot fix (dropped; ChatClient::messageRejected()
/// reports it too), lost() for one that was not sent: the client refused it (too long...) or,
/// in a version-1 session (no client ids), the connection closed before its answer came.
/// A server answer of `unavailable` or `busy` keeps the message and sends it again a little later.
class Outbox : public QObject
{
    Q_OBJECT

public:
    struct Entry
    {
        QString text;
        ChatClient::Destination destination;
        /// Fixed when the message is typed; every resend carries it (version 2).
        QString clientId;
        /// The seq of its send in the current session; -1 while not sent in it.
        qint64 seq = -1;
    };

    explicit Outbox(QObject* parent = nullptr);

    void setClient(ChatClient* chat);
    ChatClient* client() const { return m_chat; }
    /// Keeps the message and sends it now when joined. False when the joined client refused it at
    /// once (errorString(): empty, too long...): nothing is kept then.
    bool send(const QString& text, const ChatClient::Destination& destination);
    /// The messages not confirmed yet, oldest first.
    QList<Entry> pending() const { return m_entries; }
    int count() const { return static_cast<int>(m_entries.size()); }
    /// Forgets every message not confirmed yet, each reported by lost() with reason.
    void clear(const QString& reason);
    QString errorString() const { return m_errorString; }

signals:
    void delivered(const QuietWire::Outbox::Entry& entry, const QuietWire::ChatProtocol::Accepted& accepted);
    void rejected(const QuietWire::Outbox::Entry& entry, const QuietWire::ChatProtocol::Rejected& rejected);
    void lost(const QuietWire::Outbox::Entry& entry, const QString& reason);
    void countChanged(int count);

private:
    void onJoined();
    void onDisconnected();
    void onStored(const ChatProtocol::Accepted& accepted);
    void onRejected(const ChatProtocol::Rejected& answer);
    /// Sends every message not sent in this session yet, in order.
    void flush();
    qsizetype indexOfSeq(qint64 seq) const;
    bool isVersion2() const;
    bool isSendable() const;

    QPointer<ChatClient> m_chat;
    QList<Entry> m_entries;
    bool m_joined = false;
    QString m_errorString;
    /// The store could not take a message now: the next try waits a little (same schedule as reconnecting).
    Backoff m_backoff;
    QTimer m_resendTimer;
};

} // namespace QuietWire
