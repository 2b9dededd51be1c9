#include "ChatProtocol.h"

#include "Protocol.h"

namespace QuietWire::ChatProtocol {

QCborMap Message::toCbor() const
{
    QCborMap map {{QStringLiteral("type"), notice ? QStringLiteral("notice") : QStringLiteral("message")},
                  {QStringLiteral("id"), id},
                  {QStringLiteral("text"), text},
                  {QStringLiteral("time"), time.toMSecsSinceEpoch()}};
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

QCborMap makeSend(qint64 seq, const QString& text, const QString& to)
{
    QCborMap map {{QStringLiteral("type"), QStringLiteral("message")},
                  {QStringLiteral("seq"), seq},
                  {QStringLiteral("text"), text}};
    if (!to.isEmpty()) {
        map.insert(QStringLiteral("to"), to);
    }
    return map;
}

QCborMap makeMember(const QString& type, const Member& member)
{
    return QCborMap {{QStringLiteral("type"), type},
                     {QStringLiteral("name"), member.name},
                     {QStringLiteral("fingerprint"), member.fingerprint}};
}

} // namespace QuietWire::ChatProtocol
