#pragma once

#include "ChatProtocol.h"
#include "ChatRequests.h"
#include "ServiceClient.h"

#include <QObject>
#include <QSet>

namespace QuietWire {

/// A member of the chat, over a ServiceClient session for the "chat" service.
///
/// Usage: connection() to set the trust policy; connectToServer(host, port); joined() when the
/// server welcomed us (version 1: history follows as messageReceived() with history set);
/// sendText() returns a sequence number that messageAccepted() or messageRejected() answers.
///
/// Version 2 (docs/PROTOCOL.md section 7) is opt-in: setProtocolVersion(2) before connecting.
/// After joined(), sessionVersion() says what the server speaks; conversationsReceived() then
/// lists the user's conversations (no history is replayed). request() sends history, search,
/// read, rooms and room_* requests and returns their seq, answered by requestDone() or
/// requestRejected(). sendText() with a Destination sends to a room or a person with a new
/// client id (lastClientId()); give that id again to resend the same message after a reconnect.
/// roomChanged(), roomGone() and readMarkerChanged() tell what another session or person did.
/// conversationUpdated() follows every change of an entry of conversations(): a live message
/// (its newest message, one more unread, as the server counts them: your own included), a read
/// marker, a room event; a live message of a conversation not listed yet (a new direct
/// conversation) adds it.
class ChatClient : public QObject
{
    Q_OBJECT

public:
    /// Where a message goes: a room by name, or a person by name (not both); neither: general.
    struct Destination
    {
        QString room;
        QString to;
    };

    ChatClient(const Identity& identity, const QString& knownServersPath, QObject* parent = nullptr);

    ServiceClient* connection() const { return m_connection; }
    /// The chat protocol version the hello asks for: ChatProtocol::Version1 (the default) or
    /// ChatProtocol::CurrentVersion (3; an older server answers 2, and sessionVersion() says so). Takes effect at
    /// the next connectToServer().
    void setProtocolVersion(qint64 version) { m_protocolVersion = version; }
    qint64 protocolVersion() const { return m_protocolVersion; }
    /// The version the server speaks in this session, from its welcome (0 before it).
    qint64 sessionVersion() const { return m_sessionVersion; }
    void connectToServer(const QString& host, quint16 port);
    void disconnectFromServer();
    /// Queues text for the room, or for one member when to is a name. Returns the sequence
    /// number, or -1 when it cannot be sent (not connected, empty or too long: see errorString()).
    qint64 sendText(const QString& text, const QString& to = QString());
    /// As above, to a room or a person. In a version-2 session the message carries clientId, or
    /// a new one (a UUID) when it is empty; lastClientId() returns it. With attachment (version 2
    /// only: a file already uploaded into the conversation's shared folder) text may be empty.
    qint64 sendText(const QString& text, const Destination& destination, const QString& clientId = QString(),
        const std::optional<ChatProtocol::Attachment>& attachment = std::nullopt);
    QString lastClientId() const { return m_lastClientId; }

    /// Version 2: sends the request with the next seq (the one in request is ignored) and returns
    /// it, or -1 when it cannot be sent (not a version-2 session, not connected: errorString()).
    qint64 request(ChatProtocol::HistoryRequest history);
    qint64 request(ChatProtocol::SearchRequest search);
    qint64 request(ChatProtocol::ReadRequest read);
    qint64 request(ChatProtocol::RoomsRequest rooms);
    qint64 request(ChatProtocol::RoomRequest room);

    QString myName() const { return m_myName; }
    QList<ChatProtocol::Member> members() const { return m_members; }
    /// Version 2: the user's conversations as the server listed them, kept up to date by the
    /// room, room_gone and read_marker events.
    QList<ChatProtocol::ConversationSummary> conversations() const { return m_conversations; }
    QString errorString() const { return m_errorString; }

signals:
    void joined(const QString& myName);
    void messageReceived(const QuietWire::ChatProtocol::Message& message);
    void memberJoined(const QuietWire::ChatProtocol::Member& member);
    void memberLeft(const QuietWire::ChatProtocol::Member& member);
    /// members() changed: once per welcome, members, join, leave or (version 3) presence message,
    /// which may bring many memberJoined() and memberLeft() before it.
    void membersChanged();
    void messageAccepted(qint64 seq, qint64 id);
    /// The whole answer to a message, right after messageAccepted(): version 2 adds conversation,
    /// duplicate (a resend, stored once) and waiting (kept for a person not connected now).
    void messageStored(const QuietWire::ChatProtocol::Accepted& accepted);
    /// The server did not deliver message seq: rejected.code (BadRequest, NotFound, ...) and a reason.
    void messageRejected(const QuietWire::ChatProtocol::Rejected& rejected);
    /// Version 2, once after joined(): the user's conversations (every `conversations` message
    /// until history_end).
    void conversationsReceived(const QList<QuietWire::ChatProtocol::ConversationSummary>& conversations);
    /// The answer to the request with done.seq.
    void requestDone(const QuietWire::ChatProtocol::Done& done);
    /// The request rejected.seq was refused: its code (NotFound, Permission, ...) and a reason.
    void requestRejected(const QuietWire::ChatProtocol::Rejected& rejected);
    void readMarkerChanged(const QuietWire::ChatProtocol::ReadMarker& marker);
    /// The user was added to a conversation, or it changed (topic, role).
    void roomChanged(const QuietWire::ChatProtocol::ConversationSummary& conversation);
    void roomGone(const QuietWire::ChatProtocol::RoomGone& gone);
    /// Version 2: an entry of conversations() changed or was added (see the class comment).
    void conversationUpdated(const QuietWire::ChatProtocol::ConversationSummary& conversation);
    void errorOccurred(const QString& message);
    void disconnected();

private:
    void onMessage(const QCborMap& message);
    void handle(const std::monostate&);
    void handle(const ChatProtocol::Welcome& welcome);
    void handle(const ChatProtocol::Members& members);
    void handle(const ChatProtocol::Message& message);
    void handle(const ChatProtocol::HistoryEnd&);
    void handle(const ChatProtocol::Join& join);
    void handle(const ChatProtocol::Leave& leave);
    void handle(const ChatProtocol::Presence& presence);
    void handle(const ChatProtocol::Accepted& accepted);
    void handle(const ChatProtocol::Rejected& rejected);
    void handle(const ChatProtocol::Conversations& conversations);
    void handle(const ChatProtocol::Done& done);
    void handle(const ChatProtocol::ReadMarker& marker);
    void handle(const ChatProtocol::RoomChanged& changed);
    void handle(const ChatProtocol::RoomGone& gone);
    /// Version 2: a live message is the conversation's newest and one more unread.
    void countLive(const ChatProtocol::Message& message);
    /// Sends request with the next seq when this is a version-2 session; its seq or -1.
    template <typename Request>
    qint64 sendRequest(Request request);

    ServiceClient* m_connection;
    qint64 m_protocolVersion = ChatProtocol::Version1;
    qint64 m_sessionVersion = 0;
    QString m_myName;
    QList<ChatProtocol::Member> m_members;
    QList<ChatProtocol::ConversationSummary> m_conversations;
    bool m_conversationsComplete = false;
    /// Requests sent and not answered yet: their rejected is requestRejected(), not messageRejected().
    QSet<qint64> m_pendingRequests;
    qint64 m_nextSeq = 1;
    QString m_lastClientId;
    QString m_errorString;
};

} // namespace QuietWire
