#include "ChatOutput.h"

#include "TerminalText.h"

#include <QJsonDocument>

namespace QuietWire::Cli::ChatOutput {

using TerminalText::escape;

QString messageText(const ChatProtocol::Message& original, const QString& prefix)
{
    ChatProtocol::Message message = original;
    if (message.attachment) {
        // The file on a line of its own: name, size, "removed" when it is, and the path to get.
        const QString line = ChatProtocol::attachmentLine(*message.attachment);
        message.text = message.text.isEmpty() ? line : message.text + QLatin1Char('\n') + line;
    }
    if (message.notice) {
        return TerminalText::message(prefix + QStringLiteral("* server: "), message.text);
    }
    if (!message.to.isEmpty()) {
        return TerminalText::message(
            prefix + QStringLiteral("%1 -> %2: ").arg(escape(message.from), escape(message.to)), message.text);
    }
    return TerminalText::message(prefix + QStringLiteral("%1: ").arg(escape(message.from)), message.text);
}

QString messageLine(const ChatProtocol::Message& message)
{
    return messageText(message,
        QStringLiteral("%1  %2  ")
            .arg(message.id)
            .arg(message.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))));
}

QJsonObject messageJson(const ChatProtocol::Message& message)
{
    QJsonObject object { { QStringLiteral("type"),
                             message.notice ? QStringLiteral("notice") : QStringLiteral("message") },
        { QStringLiteral("id"), message.id }, { QStringLiteral("time"), isoTime(message.time) },
        { QStringLiteral("text"), message.text } };
    if (message.conversation) {
        object.insert(QStringLiteral("conversation"), *message.conversation);
    }
    if (!message.room.isEmpty()) {
        object.insert(QStringLiteral("room"), message.room);
    }
    if (!message.to.isEmpty()) {
        object.insert(QStringLiteral("to"), message.to);
    }
    if (!message.notice) {
        object.insert(QStringLiteral("from"), message.from);
        object.insert(QStringLiteral("fingerprint"), message.fingerprint);
    }
    if (!message.clientId.isEmpty()) {
        object.insert(QStringLiteral("client_id"), message.clientId);
    }
    if (message.attachment) {
        const ChatProtocol::Attachment& attachment = *message.attachment;
        object.insert(QStringLiteral("attachment"),
            QJsonObject { { QStringLiteral("path"), attachment.path }, { QStringLiteral("name"), attachment.name },
                { QStringLiteral("size"), attachment.size },
                { QStringLiteral("sha256"), QString::fromLatin1(attachment.sha256.toHex()) },
                { QStringLiteral("removed"), attachment.removed } });
    }
    return object;
}

QString isoTime(const QDateTime& time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QString line(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject roomJson(const ChatProtocol::RoomInfo& room)
{
    return QJsonObject { { QStringLiteral("type"), QStringLiteral("room") }, { QStringLiteral("id"), room.id },
        { QStringLiteral("name"), room.name }, { QStringLiteral("topic"), room.topic },
        { QStringLiteral("private"), room.isPrivate }, { QStringLiteral("members"), room.members },
        { QStringLiteral("joined"), room.joined } };
}

QString roleName(ChatProtocol::Role role)
{
    return role == ChatProtocol::Role::Owner ? QStringLiteral("owner") : QStringLiteral("member");
}

} // namespace QuietWire::Cli::ChatOutput
