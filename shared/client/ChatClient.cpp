#include "ChatClient.h"

#include "ChatMessages.h"
#include "Logging.h"
#include "Protocol.h"

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
    m_connection->connectToService(host, port, QLatin1String(Protocol::ServiceChat));
}

void ChatClient::disconnectFromServer()
{
    m_connection->disconnectFromServer();
}

qint64 ChatClient::sendText(const QString& text, const QString& to)
{
    qsizetype position = -1;
    switch (ChatProtocol::checkText(text, &position)) {
    case ChatProtocol::TextError::None:
        break;
    case ChatProtocol::TextError::Empty:
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
    const qint64 seq = m_nextSeq++;
    ChatProtocol::Send send { seq, text, std::nullopt };
    if (!to.isEmpty()) {
        send.to = to;
    }
    if (!m_connection->send(send.toCbor())) {
        m_errorString = tr("Not connected to a chat server");
        return -1;
    }
    return seq;
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
    emit messageReceived(message);
}

void ChatClient::handle(const ChatProtocol::HistoryEnd&)
{
    // Everything until here was history; the messages say so themselves (history).
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

void ChatClient::handle(const ChatProtocol::Accepted& accepted)
{
    emit messageAccepted(accepted.seq, accepted.id);
}

void ChatClient::handle(const ChatProtocol::Rejected& rejected)
{
    emit messageRejected(rejected);
}

} // namespace QuietWire
