#pragma once

#include "ChatProtocol.h"
#include "ServiceClient.h"

#include <QObject>

namespace QuietWire {

/// A member of the chat room, over a ServiceClient session for the "chat" service.
///
/// Usage: connection() to set the trust policy; connectToServer(host, port); joined() when the
/// server welcomed us (history follows as messageReceived() with history set); sendText()
/// returns a sequence number that messageAccepted() or messageRejected() answers.
class ChatClient : public QObject
{
    Q_OBJECT

public:
    ChatClient(const Identity& identity, const QString& knownServersPath, QObject* parent = nullptr);

    ServiceClient* connection() const { return m_connection; }
    void connectToServer(const QString& host, quint16 port);
    void disconnectFromServer();
    /// Queues text for the room, or for one member when to is a name. Returns the sequence
    /// number, or -1 when it cannot be sent (not connected, empty or too long: see errorString()).
    qint64 sendText(const QString& text, const QString& to = QString());

    QString myName() const { return m_myName; }
    QList<ChatProtocol::Member> members() const { return m_members; }
    QString errorString() const { return m_errorString; }

signals:
    void joined(const QString& myName);
    void messageReceived(const QuietWire::ChatProtocol::Message& message);
    void memberJoined(const QuietWire::ChatProtocol::Member& member);
    void memberLeft(const QuietWire::ChatProtocol::Member& member);
    void membersChanged();
    void messageAccepted(qint64 seq, qint64 id);
    /// The server did not deliver message seq: rejected.code (BadRequest, NotFound, ...) and a reason.
    void messageRejected(const QuietWire::ChatProtocol::Rejected& rejected);
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
    void handle(const ChatProtocol::Accepted& accepted);
    void handle(const ChatProtocol::Rejected& rejected);
    /// The version-2 messages: this client says hello as version 1, so a server sends it none.
    template <typename Version2Message>
    void handle(const Version2Message&)
    { }

    ServiceClient* m_connection;
    QString m_myName;
    QList<ChatProtocol::Member> m_members;
    qint64 m_nextSeq = 1;
    QString m_errorString;
};

} // namespace QuietWire
