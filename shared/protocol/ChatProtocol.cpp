#include "ChatProtocol.h"

#include "Protocol.h"

namespace QuietWire::ChatProtocol {

QCborMap Message::toCbor() const
{
    QCborMap map { { QStringLiteral("type"), notice ? QStringLiteral("notice") : QStringLiteral("message") },
        { QStringLiteral("id"), id }, { QStringLiteral("text"), text },
        { QStringLiteral("time"), time.toMSecsSinceEpoch() } };
    if (!notice) {
        map.insert(QStringLiteral("from"), from);
        map.insert(QStringLiteral("fingerprint"), fingerprint);
    }
    if (!to.isEmpty()) {
        map.insert(QStringLiteral("to"), to);
    }
    if (history) {
        map.insert(QStringLiteral("history"), true);
    }
    return map;
}

Message Message::fromCbor(const QCborMap& map)
{
    Message message;
    message.notice = map.value(QLatin1String("type")).toString() == QLatin1String("notice");
    message.id = Protocol::integer(map.value(QLatin1String("id")));
    message.from = map.value(QLatin1String("from")).toString();
    message.fingerprint = map.value(QLatin1String("fingerprint")).toString();
    message.to = map.value(QLatin1String("to")).toString();
    message.text = map.value(QLatin1String("text")).toString();
    message.time = QDateTime::fromMSecsSinceEpoch(Protocol::integer(map.value(QLatin1String("time"))), Qt::UTC);
    message.history = map.value(QLatin1String("history")).toBool();
    return message;
}

TextError checkText(const QString& text, qsizetype* position)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        const bool allowed = c == u'\n' || c == u'\t';
        if (!allowed && (c < 0x20 || (c >= 0x7f && c <= 0x9f))) {
            if (position) {
                *position = i;
            }
            return TextError::ControlCharacter;
        }
    }
    if (text.trimmed().isEmpty()) {
        return TextError::Empty;
    }
    if (text.toUtf8().size() > MaxTextBytes) {
        return TextError::TooLong;
    }
    return TextError::None;
}

QString describe(TextError error, const QString& text, qsizetype position)
{
    switch (error) {
    case TextError::None:
        return {};
    case TextError::Empty:
        return QStringLiteral("The message has no text");
    case TextError::TooLong:
        return QStringLiteral("The message is longer than %1 bytes").arg(MaxTextBytes);
    case TextError::ControlCharacter: {
        const char16_t c = position >= 0 && position < text.size() ? text.at(position).unicode() : 0;
        return QStringLiteral("The message contains the control character U+%1 at position %2; chat text may "
                              "contain line breaks and tabs but no other control characters")
            .arg(QString::number(c, 16).toUpper().rightJustified(4, QLatin1Char('0')))
            .arg(position);
    }
    }
    return {};
}

QCborMap makeSend(qint64 seq, const QString& text, const QString& to)
{
    QCborMap map { { QStringLiteral("type"), QStringLiteral("message") }, { QStringLiteral("seq"), seq },
        { QStringLiteral("text"), text } };
    if (!to.isEmpty()) {
        map.insert(QStringLiteral("to"), to);
    }
    return map;
}

QCborMap makeMember(const QString& type, const Member& member)
{
    return QCborMap { { QStringLiteral("type"), type }, { QStringLiteral("name"), member.name },
        { QStringLiteral("fingerprint"), member.fingerprint } };
}

QCborMap makeHistoryEnd()
{
    return QCborMap { { QStringLiteral("type"), QStringLiteral("history_end") } };
}

} // namespace QuietWire::ChatProtocol
