#include "ChatRoom.h"

#include "EncryptedTcpSocket.h"
#include "Logging.h"
#include "MessageFields.h"
#include "Protocol.h"
#include "Session.h"

#include <QCborArray>

namespace QuietWire {

namespace {
// Each entry is at most ~250 bytes (a 32-character name in 4-byte UTF-8, a fingerprint, keys).
constexpr qsizetype MembersPerMessage = 200;
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
    QList<QCborArray> chunks(1);
    for (const Session* member : std::as_const(m_members)) {
        if (chunks.last().size() >= MembersPerMessage) {
            chunks.append(QCborArray());
        }
        chunks.last().append(QCborMap {
            { QStringLiteral("name"), member->name }, { QStringLiteral("fingerprint"), member->fingerprint } });
    }
    m_members.append(session);
    send(session,
        Protocol::encode(QCborMap { { QStringLiteral("type"), QStringLiteral("welcome") },
            { QStringLiteral("name"), session->name }, { QStringLiteral("fingerprint"), session->fingerprint },
            { QStringLiteral("members"), chunks.first() } }));
    for (qsizetype i = 1; i < chunks.size(); ++i) {
        send(session,
            Protocol::encode(QCborMap {
                { QStringLiteral("type"), QStringLiteral("members") }, { QStringLiteral("members"), chunks.at(i) } }));
    }
    for (ChatProtocol::Message message : std::as_const(m_history)) {
        message.history = true;
        send(session, Protocol::encode(message.toCbor()));
    }
    send(session, Protocol::encode(ChatProtocol::makeHistoryEnd()));
    // The newcomer learns of itself from "welcome"; the others from "join".
    const QByteArray joinMessage
        = Protocol::encode(ChatProtocol::makeMember(QStringLiteral("join"), { session->name, session->fingerprint }));
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
    broadcast(ChatProtocol::makeMember(QStringLiteral("leave"), { session->name, session->fingerprint }));
    qCInfo(lcChat).noquote() << session->name << "left the chat (session" << session->id << ")";
}

void ChatRoom::reject(Session* session, qint64 seq, const QString& code, const QString& reason)
{
    send(session,
        Protocol::encode(QCborMap { { QStringLiteral("type"), QStringLiteral("rejected") },
            { QStringLiteral("seq"), seq }, { QStringLiteral("code"), code }, { QStringLiteral("message"), reason } }));
}

bool ChatRoom::handleMessage(Session* session, const QCborMap& message, QString* fatalError)
{
    if (Protocol::typeOf(message) != QLatin1String("message")) {
        return true; // unknown types are ignored so newer clients can add messages
    }
    MessageFields fields(message);
    const qint64 seq = fields.unsignedInteger("seq");
    if (!fields.ok()) {
        // Without a usable seq there is nothing to answer "rejected" to: the session ends.
        *fatalError = fields.error();
        return false;
    }
    const QString text = fields.text("text");
    const QString to = fields.optionalText("to");
    if (!fields.ok()) {
        reject(session, seq, QLatin1String(Protocol::ErrorBadRequest), fields.error());
        return true;
    }
    if (fields.has("to") && to.isEmpty()) {
        // An empty name must not fall back to a room message.
        reject(session, seq, QLatin1String(Protocol::ErrorBadRequest),
            QStringLiteral("field \"to\" must be a member's name; leave it out for a message to the room"));
        return true;
    }
    qsizetype position = -1;
    if (const auto error = ChatProtocol::checkText(text, &position); error != ChatProtocol::TextError::None) {
        reject(session, seq, QLatin1String(Protocol::ErrorBadRequest), ChatProtocol::describe(error, text, position));
        return true;
    }
    ChatProtocol::Message chat;
    chat.from = session->name;
    chat.fingerprint = session->fingerprint;
    chat.text = text;
    chat.time = QDateTime::currentDateTimeUtc();
    chat.to = to;

    QList<Session*> recipients;
    if (!chat.to.isEmpty()) {
        for (Session* member : std::as_const(m_members)) {
            if (member->name == chat.to) {
                recipients.append(member);
            }
        }
        if (recipients.isEmpty()) {
            reject(session, seq, QStringLiteral("not_found"),
                QStringLiteral("%1 is not in the chat; the member list shows who is").arg(chat.to));
            return true;
        }
        if (!recipients.contains(session)) {
            recipients.append(session); // the sender sees its own direct message in order
        }
    }
    chat.id = m_nextId++;
    // "accepted" always goes out before the echo of the same message (docs/PROTOCOL.md, section 7).
    send(session,
        Protocol::encode(QCborMap { { QStringLiteral("type"), QStringLiteral("accepted") },
            { QStringLiteral("seq"), seq }, { QStringLiteral("id"), chat.id } }));
    if (!chat.to.isEmpty()) {
        const QByteArray encoded = Protocol::encode(chat.toCbor()); // carries "to", also in the echo
        for (Session* recipient : std::as_const(recipients)) {
            send(recipient, encoded);
        }
        return true;
    }
    m_history.append(chat);
    while (m_history.size() > ChatProtocol::HistorySize) {
        m_history.removeFirst();
    }
    broadcast(chat.toCbor());
    return true;
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
