#include "ChatRoom.h"

#include "EncryptedTcpSocket.h"
#include "Logging.h"
#include "Protocol.h"
#include "Session.h"

namespace QuietWire {

namespace {
// A member whose unread backlog grows past this is too slow to keep: it would hold the
// server's memory hostage. It is disconnected and may reconnect.
constexpr qint64 MaxBacklogBytes = 16 * 1024 * 1024;
} // namespace

ChatRoom::ChatRoom(QObject* parent)
    : QObject(parent)
{ }

void ChatRoom::send(Session* session, const QByteArray& encoded)
{
    EncryptedTcpSocket* socket = session->socket;
    if (!socket || !socket->isReady()) {
        return;
    }
    if (socket->bytesToWrite() > MaxBacklogBytes) {
        qCWarning(lcChat).noquote() << "session" << session->id << session->name << "does not read its messages;"
                                    << "disconnecting it";
        socket->abort();
        return;
    }
    if (!socket->sendMessage(encoded)) {
        qCWarning(lcChat).noquote() << "could not send to session" << session->id << session->name << "-"
                                    << socket->errorString();
    }
}

void ChatRoom::broadcast(const QCborMap& message)
{
    const QByteArray encoded = Protocol::encode(message);
    // Copy: send() may abort a session, and leave() would then edit m_members under us.
    const QList<Session*> members = m_members;
    for (Session* member : members) {
        send(member, encoded);
    }
}

void ChatRoom::join(Session* session)
{
    // The member list goes in chunks that each fit one transport message: the welcome carries
    // the first, "members" messages the rest (a room of thousands would not fit in one).
    QList<QList<ChatProtocol::Member>> chunks(1);
    for (const Session* member : std::as_const(m_members)) {
        if (chunks.last().size() >= ChatProtocol::MembersPerMessage) {
            chunks.append(QList<ChatProtocol::Member>());
        }
        chunks.last().append(ChatProtocol::Member { member->name, member->fingerprint });
    }
    m_members.append(session);
    send(session,
        Protocol::encode(ChatProtocol::Welcome { session->name, session->fingerprint, chunks.first() }.toCbor()));
    for (qsizetype i = 1; i < chunks.size(); ++i) {
        send(session, Protocol::encode(ChatProtocol::Members { chunks.at(i) }.toCbor()));
    }
    for (ChatProtocol::Message message : std::as_const(m_history)) {
        message.history = true;
        send(session, Protocol::encode(message.toCbor()));
    }
    send(session, Protocol::encode(ChatProtocol::HistoryEnd {}.toCbor()));
    // The newcomer learns of itself from "welcome"; the others from "join".
    const QByteArray joinMessage
        = Protocol::encode(ChatProtocol::Join { { session->name, session->fingerprint } }.toCbor());
    for (Session* member : QList<Session*>(m_members)) {
        if (member != session) {
            send(member, joinMessage);
        }
    }
    qCInfo(lcChat).noquote() << session->name << "joined the chat (session" << session->id << ")";
}

void ChatRoom::leave(Session* session)
{
    if (!m_members.removeOne(session)) {
        return;
    }
    broadcast(ChatProtocol::Leave { { session->name, session->fingerprint } }.toCbor());
    qCInfo(lcChat).noquote() << session->name << "left the chat (session" << session->id << ")";
}

void ChatRoom::reject(Session* session, qint64 seq, ErrorCode code, const QString& reason)
{
    send(session, Protocol::encode(ChatProtocol::Rejected { seq, code, reason }.toCbor()));
}

bool ChatRoom::handleMessage(Session* session, const QCborMap& message, QString* fatalError)
{
    if (!Protocol::is<ChatProtocol::Send>(message)) {
        return true; // unknown types are ignored so newer clients can add messages
    }
    const auto send = ChatProtocol::Send::decode(message);
    if (!ChatProtocol::Send::hasSeq(send)) {
        // Without a usable seq there is nothing to answer "rejected" to: the session ends.
        *fatalError = send.error->message;
        return false;
    }
    if (!send.ok()) {
        reject(session, send.value.seq, send.error->code, send.error->message);
        return true;
    }
    post(session, send.value);
    return true;
}

void ChatRoom::post(Session* session, const ChatProtocol::Send& request)
{
    const qint64 seq = request.seq;
    qsizetype position = -1;
    if (const auto error = ChatProtocol::checkText(request.text, &position); error != ChatProtocol::TextError::None) {
        reject(session, seq, ErrorCode::BadRequest, ChatProtocol::describe(error, request.text, position));
        return;
    }
    ChatProtocol::Message chat;
    chat.from = session->name;
    chat.fingerprint = session->fingerprint;
    chat.text = request.text;
    chat.time = QDateTime::currentDateTimeUtc();
    chat.to = request.to.value_or(QString());

    QList<Session*> recipients;
    if (!chat.to.isEmpty()) {
        for (Session* member : std::as_const(m_members)) {
            if (member->name == chat.to) {
                recipients.append(member);
            }
        }
        if (recipients.isEmpty()) {
            reject(session, seq, ErrorCode::NotFound,
                QStringLiteral("%1 is not in the chat; the member list shows who is").arg(chat.to));
            return;
        }
        if (!recipients.contains(session)) {
            recipients.append(session); // the sender sees its own direct message in order
        }
    }
    chat.id = m_nextId++;
    // "accepted" always goes out before the echo of the same message (docs/PROTOCOL.md, section 7).
    send(session, Protocol::encode(ChatProtocol::Accepted { seq, chat.id }.toCbor()));
    if (!chat.to.isEmpty()) {
        const QByteArray encoded = Protocol::encode(chat.toCbor()); // carries "to", also in the echo
        for (Session* recipient : std::as_const(recipients)) {
            send(recipient, encoded);
        }
        return;
    }
    m_history.append(chat);
    while (m_history.size() > ChatProtocol::HistorySize) {
        m_history.removeFirst();
    }
    broadcast(chat.toCbor());
}

void ChatRoom::notice(const QString& text)
{
    ChatProtocol::Message chat;
    chat.notice = true;
    chat.id = m_nextId++;
    chat.text = text;
    chat.time = QDateTime::currentDateTimeUtc();
    m_history.append(chat);
    while (m_history.size() > ChatProtocol::HistorySize) {
        m_history.removeFirst();
    }
    broadcast(chat.toCbor());
}

} // namespace QuietWire
