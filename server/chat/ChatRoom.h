#pragma once

#include "ChatProtocol.h"

#include <QCborMap>
#include <QList>
#include <QObject>

namespace QuietWire {

struct Session;

/// The one chat room of a server: relays each message to every member with the sender's
/// whitelist name and fingerprint (so nobody can choose someone else's name), announces joins
/// and leaves, keeps the last ChatProtocol::HistorySize room messages for newcomers, and
/// delivers direct messages to every session of the named member (and back to the sender).
class ChatRoom : public QObject
{
    Q_OBJECT

public:
    explicit ChatRoom(QObject* parent = nullptr);

    void join(Session* session);
    void leave(Session* session);
    /// Decodes and handles one message of a member. False when the session must end: fatalError
    /// then says why (a message without a usable seq cannot be answered with "rejected").
    bool handleMessage(Session* session, const QCborMap& message, QString* fatalError);
    void notice(const QString& text);
    int memberCount() const { return static_cast<int>(m_members.size()); }

private:
    void send(Session* session, const QByteArray& encoded);
    void broadcast(const QCborMap& message);
    /// A member's message, decoded: checked, then relayed (or rejected).
    void post(Session* session, const ChatProtocol::Send& request);
    void reject(Session* session, qint64 seq, ErrorCode code, const QString& reason);

    QList<Session*> m_members;
    QList<ChatProtocol::Message> m_history;
    qint64 m_nextId = 1;
};

} // namespace QuietWire
