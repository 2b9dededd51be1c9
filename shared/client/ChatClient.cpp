#include "ChatClient.h"

#include "Protocol.h"

#include <QCborArray>

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
    if (!m_connection->send(ChatProtocol::makeSend(seq, text, to))) {
        m_errorString = tr("Not connected to a chat server");
        return -1;
    }
    return seq;
}

void ChatClient::onMessage(const QCborMap& message)
{
    const QString type = Protocol::typeOf(message);
    if (type == QLatin1String("welcome")) {
        m_myName = message.value(QLatin1String("name")).toString();
        m_members.clear();
        const QCborArray members = message.value(QLatin1String("members")).toArray();
        for (const QCborValue& value : members) {
            const QCborMap member = value.toMap();
            m_members.append({ member.value(QLatin1String("name")).toString(),
                member.value(QLatin1String("fingerprint")).toString() });
        }
        emit joined(m_myName);
        emit membersChanged();
    } else if (type == QLatin1String("members")) {
        // The rest of a long member list, after "welcome".
        for (const QCborValue& value : message.value(QLatin1String("members")).toArray()) {
            const QCborMap member = value.toMap();
            m_members.append({ member.value(QLatin1String("name")).toString(),
                member.value(QLatin1String("fingerprint")).toString() });
        }
        emit membersChanged();
    } else if (type == QLatin1String("message") || type == QLatin1String("notice")) {
        emit messageReceived(ChatProtocol::Message::fromCbor(message));
    } else if (type == QLatin1String("join") || type == QLatin1String("leave")) {
        const ChatProtocol::Member member { message.value(QLatin1String("name")).toString(),
            message.value(QLatin1String("fingerprint")).toString() };
        if (type == QLatin1String("join")) {
            m_members.append(member);
            emit memberJoined(member);
        } else {
            for (qsizetype i = 0; i < m_members.size(); ++i) {
                if (m_members.at(i).fingerprint == member.fingerprint && m_members.at(i).name == member.name) {
                    m_members.removeAt(i);
                    break;
                }
            }
            emit memberLeft(member);
        }
        emit membersChanged();
    } else if (type == QLatin1String("accepted")) {
        emit messageAccepted(Protocol::integer(message.value(QLatin1String("seq"))),
            Protocol::integer(message.value(QLatin1String("id"))));
    } else if (type == QLatin1String("rejected")) {
        emit messageRejected(
            Protocol::integer(message.value(QLatin1String("seq"))), message.value(QLatin1String("message")).toString());
    }
    // Unknown types are ignored, so newer servers can add messages.
}

} // namespace QuietWire
