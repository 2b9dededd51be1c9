#pragma once

#include "BenchOptions.h"
#include "ChatRequests.h"
#include "EncryptedTcpSocket.h"
#include "Identity.h"

#include <QElapsedTimer>
#include <QObject>

namespace QuietWire::Bench {

/// One chat session of version 2 (docs/PROTOCOL.md section 7), as the benchmarks of the chat
/// store drive it: its own EncryptedTcpSocket, a hello with the current version (3: presence
/// instead of join and leave; version 2 from an older server), the answers read by seq.
/// ServiceClient's hello has no version on main yet, so the bench speaks to the socket itself;
/// the server's key is accepted without a pin (every bench server has a fresh one).
///
/// Usage:
///     auto* session = new ChatSessionV2(identity, this);
///     connect(session, &ChatSessionV2::joined, ...);   // history_end: the conversations are in
///     connect(session, &ChatSessionV2::accepted, ...); // seq, id, conversation
///     session->start(host, port, localAddress);
///     session->sendText(seq, text, to, clientId);
///     session->request(HistoryRequest { seq, ... }.toCbor()); // done(seq, Done) or rejected(seq, ...)
class ChatSessionV2 : public QObject
{
    Q_OBJECT

public:
    ChatSessionV2(const Identity& identity, QObject* parent = nullptr);

    void start(const QString& host, quint16 port, const QHostAddress& localAddress);
    bool send(const QCborMap& message);
    bool isJoined() const { return m_joined; }
    void close();

    /// Opens count sessions, session i with key i (modulo keys) from options' source address i, at
    /// most options.connectBatch set-ups at once, each retried a few times (a busy server refuses
    /// set-ups beyond its per-address limits). Empty, with error set, when not all of them joined.
    static QList<ChatSessionV2*> openMany(
        const BenchOptions& options, const QList<Identity>& keys, int count, QObject* parent, QString* error);

    /// The user's conversations, as the session start listed them.
    const QList<ChatProtocol::ConversationSummary>& conversations() const { return m_conversations; }
    /// From the hello going out to history_end (welcome, members, conversations), in ms.
    double joinMs() const { return m_joinMs; }
    QString name() const { return m_name; }
    QString lastError() const { return m_lastError; }

signals:
    void joined();
    void accepted(const QuietWire::ChatProtocol::Accepted& accepted);
    void rejected(qint64 seq, const QString& what);
    void done(const QuietWire::ChatProtocol::Done& done);
    void messageReceived(const QuietWire::ChatProtocol::Message& message);
    /// The session could not start, or ended (lastError() says why).
    void failed(const QString& why);

private:
    void onMessage(const QByteArray& data);
    void fail(const QString& why);

    Identity m_identity;
    EncryptedTcpSocket* m_socket = nullptr;
    QElapsedTimer m_clock;
    QList<ChatProtocol::ConversationSummary> m_conversations;
    QString m_name;
    QString m_lastError;
    double m_joinMs = 0;
    bool m_joined = false;
    bool m_failed = false;
};

} // namespace QuietWire::Bench
