#include "ChatClient.h"

#include "ChatMessages.h"
#include "Logging.h"
#include "Protocol.h"

#include <QUuid>

namespace QuietWire {

ChatClient::ChatClient(const Identity& identity, const QString& knownServersPath, QObject* parent)
    : QObject(parent)
    , m_connection(new ServiceClient(identity, knownServersPath, this))
{
    connect(m_connection, &ServiceClient::messageReceived, this, &ChatClient::onMessage);
    connect(m_connection, &ServiceClient::errorOccurred, this, &ChatClient::errorOccurred);
    connect(m_connection, &ServiceClient::disconnected, this, [this] {
        m_members.clear();
        emit disconnected();
    });
}

void ChatClient::connectToServer(const QString& host, quint16 port)
{
    m_members.clear();
    m_myName.clear();
    m_sessionVersion = 0;
    m_conversations.clear();
    m_conversationsComplete = false;
    m_pendingRequests.clear();
    // Version 1 leaves the field out, so its hello stays byte for byte what it always was.
    m_connection->setServiceVersion(
        m_protocolVersion > ChatProtocol::Version1 ? std::optional<qint64>(m_protocolVersion) : std::nullopt);
    m_connection->connectToService(host, port, QLatin1String(Protocol::ServiceChat));
}

void ChatClient::disconnectFromServer()
{
    m_connection->disconnectFromServer();
}

qint64 ChatClient::sendText(const QString& text, const QString& to)
{
    return sendText(text, Destination { QString(), to });
}

qint64 ChatClient::sendText(const QString& text, const Destination& destination, const QString& clientId,
    const std::optional<ChatProtocol::Attachment>& attachment)
{
    qsizetype position = -1;
    switch (ChatProtocol::checkText(text, &position)) {
    case ChatProtocol::TextError::None:
        break;
    case ChatProtocol::TextError::Empty:
        if (attachment) {
            break; // the file is the message
        }
        m_errorString = tr("Nothing to send: the message is empty");
        return -1;
    case ChatProtocol::TextError::TooLong:
        m_errorString = tr("The message is too long: at most %1 bytes").arg(ChatProtocol::MaxTextBytes);
        return -1;
    case ChatProtocol::TextError::ControlCharacter:
        m_errorString
            = tr("The message contains the control character U+%1; only line breaks and tabs are allowed")
                  .arg(QString::number(text.at(position).unicode(), 16).toUpper().rightJustified(4, QLatin1Char('0')));
        return -1;
    }
    if (!destination.room.isEmpty() && !destination.to.isEmpty()) {
        m_errorString = tr("A message goes to a room or to a person, not both");
        return -1;
    }
    const bool version2 = m_sessionVersion >= ChatProtocol::Version2;
    if (!destination.room.isEmpty() && !version2) {
        m_errorString = tr("This server has one room only (it speaks version 1 of the chat protocol)");
        return -1;
    }
    if (!clientId.isEmpty() && !ChatProtocol::isValidClientId(clientId)) {
        m_errorString
            = tr("A client id is 1 to %1 bytes without control characters").arg(ChatProtocol::MaxClientIdBytes);
        return -1;
    }
    ChatProtocol::Send send { m_nextSeq, text, std::nullopt };
    if (!destination.to.isEmpty()) {
        send.to = destination.to;
    }
    if (!destination.room.isEmpty()) {
        send.room = destination.room;
    }
    if (version2) {
        send.clientId = clientId.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : clientId;
    }
    if (attachment && !version2) {
        m_errorString = tr("This server cannot take files in messages (it speaks version 1 of the chat protocol)");
        return -1;
    }
    send.attachment = attachment;
    if (!m_connection->send(send.toCbor())) {
        m_errorString = tr("Not connected to a chat server");
        return -1;
    }
    m_lastClientId = send.clientId.value_or(QString());
    return m_nextSeq++;
}

template <typename Request>
qint64 ChatClient::sendRequest(Request request)
{
    if (m_sessionVersion < ChatProtocol::Version2) {
        m_errorString = m_sessionVersion == 0
            ? tr("Not connected to a chat server")
            : tr("This server speaks version %1 of the chat protocol; history, search and rooms need version %2")
                  .arg(m_sessionVersion)
                  .arg(ChatProtocol::Version2);
        return -1;
    }
    request.seq = m_nextSeq;
    if (!m_connection->send(request.toCbor())) {
        m_errorString = tr("Not connected to a chat server");
        return -1;
    }
    m_pendingRequests.insert(request.seq);
    return m_nextSeq++;
}

qint64 ChatClient::request(ChatProtocol::HistoryRequest history)
{
    return sendRequest(std::move(history));
}

qint64 ChatClient::request(ChatProtocol::SearchRequest search)
{
    return sendRequest(std::move(search));
}

qint64 ChatClient::request(ChatProtocol::ReadRequest read)
{
    return sendRequest(read);
}

qint64 ChatClient::request(ChatProtocol::RoomsRequest rooms)
{
    return sendRequest(rooms);
}

qint64 ChatClient::request(ChatProtocol::RoomRequest room)
{
    return sendRequest(std::move(room));
}

void ChatClient::onMessage(const QCborMap& message)
{
    const auto decoded = ChatProtocol::decodeServerMessage(message);
    if (!decoded.ok()) {
        // A client ignores a server message it cannot use rather than failing (docs/PROTOCOL.md
        // section 4); the log says what was wrong with it.
        qCWarning(lcChat).noquote() << "ignored a malformed"
                                    << QStringLiteral("\"%1\"").arg(Logging::escaped(Protocol::typeOf(message), 40))
                                    << "from the server:" << decoded.error->message;
        return;
    }
    std::visit([this](const auto& decodedMessage) { handle(decodedMessage); }, decoded.value);
}

void ChatClient::handle(const std::monostate&)
{
    // Unknown types are ignored, so newer servers can add messages.
}

void ChatClient::handle(const ChatProtocol::Welcome& welcome)
{
    m_myName = welcome.name;
    m_members = welcome.members;
    m_sessionVersion = welcome.version.value_or(ChatProtocol::Version1);
    emit joined(m_myName);
    emit membersChanged();
}

void ChatClient::handle(const ChatProtocol::Members& members)
{
    // The rest of a long member list, after "welcome".
    m_members.append(members.members);
    emit membersChanged();
}

void ChatClient::handle(const ChatProtocol::Message& message)
{
    countLive(message);
    emit messageReceived(message);
}

void ChatClient::countLive(const ChatProtocol::Message& message)
{
    if (m_sessionVersion < ChatProtocol::Version2 || !m_conversationsComplete || message.history
        || !message.conversation) {
        return;
    }
    auto known = std::find_if(
        m_conversations.begin(), m_conversations.end(), [&](const ChatProtocol::ConversationSummary& conversation) {
            return conversation.id == *message.conversation;
        });
    if (known == m_conversations.end()) {
        // The server lists a conversation with its first message (a direct conversation someone
        // started): what the message says is what we know of it.
        ChatProtocol::ConversationSummary added;
        added.id = *message.conversation;
        if (message.room.isEmpty()) {
            added.kind = ChatProtocol::ConversationKind::Direct;
            added.isPrivate = true;
            added.name = message.from == m_myName || message.from.isEmpty() ? message.to : message.from;
        } else {
            added.name = message.room;
        }
        known = m_conversations.insert(m_conversations.end(), added);
    }
    known->last = message;
    ++known->unread;
    emit conversationUpdated(*known);
}

void ChatClient::handle(const ChatProtocol::HistoryEnd&)
{
    // Version 1: everything until here was history; the messages say so themselves (history).
    // Version 2: the conversations are complete.
    if (m_sessionVersion >= ChatProtocol::Version2 && !m_conversationsComplete) {
        m_conversationsComplete = true;
        emit conversationsReceived(m_conversations);
    }
}

void ChatClient::handle(const ChatProtocol::Join& join)
{
    m_members.append(join.member);
    emit memberJoined(join.member);
    emit membersChanged();
}

void ChatClient::handle(const ChatProtocol::Leave& leave)
{
    m_members.removeOne(leave.member);
    emit memberLeft(leave.member);
    emit membersChanged();
}

void ChatClient::handle(const ChatProtocol::Presence& presence)
{
    // Counts of sessions: the joined first, so that a session that started and ended since the
    // last presence leaves the list as it found it.
    for (const ChatProtocol::Member& member : presence.joined) {
        m_members.append(member);
        emit memberJoined(member);
    }
    for (const ChatProtocol::Member& member : presence.left) {
        m_members.removeOne(member);
        emit memberLeft(member);
    }
    emit membersChanged();
}

void ChatClient::handle(const ChatProtocol::Accepted& accepted)
{
    emit messageAccepted(accepted.seq, accepted.id);
    emit messageStored(accepted);
}

void ChatClient::handle(const ChatProtocol::Rejected& rejected)
{
    if (m_pendingRequests.remove(rejected.seq)) {
        emit requestRejected(rejected);
        return;
    }
    emit messageRejected(rejected);
}

void ChatClient::handle(const ChatProtocol::Conversations& conversations)
{
    if (m_conversationsComplete) {
        return; // only the session's start lists them; later changes come as events
    }
    m_conversations.append(conversations.conversations);
}

void ChatClient::handle(const ChatProtocol::Done& done)
{
    if (!m_pendingRequests.remove(done.seq)) {
        qCWarning(lcChat) << "ignored a \"done\" for seq" << done.seq << "which no request of this session has";
        return;
    }
    emit requestDone(done);
}

void ChatClient::handle(const ChatProtocol::ReadMarker& marker)
{
    for (auto& conversation : m_conversations) {
        if (conversation.id == marker.conversation) {
            conversation.lastRead = marker.lastRead;
            conversation.unread = marker.unread;
            emit conversationUpdated(conversation);
        }
    }
    emit readMarkerChanged(marker);
}

void ChatClient::handle(const ChatProtocol::RoomChanged& changed)
{
    const auto known = std::find_if(
        m_conversations.begin(), m_conversations.end(), [&](const ChatProtocol::ConversationSummary& conversation) {
            return conversation.id == changed.conversation.id;
        });
    if (known == m_conversations.end()) {
        m_conversations.append(changed.conversation);
    } else {
        *known = changed.conversation;
    }
    emit conversationUpdated(changed.conversation);
    emit roomChanged(changed.conversation);
}

void ChatClient::handle(const ChatProtocol::RoomGone& gone)
{
    m_conversations.removeIf(
        [&](const ChatProtocol::ConversationSummary& conversation) { return conversation.id == gone.conversation; });
    emit roomGone(gone);
}

} // namespace QuietWire
