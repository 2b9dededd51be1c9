#pragma once

// A version-2 chat session for the tests that drive the real quietwired (TestChatRooms,
// TestCluster): requests by seq, their one answer, the events around them, and the requests'
// small builders.

#include "ChatMessages.h"
#include "ChatProtocol.h"
#include "ChatTestSupport.h"

#include <QUuid>

namespace QuietWire::ChatTest {

using namespace QuietWire::ChatProtocol;

/// A version-2 chat session: requests by seq, their one answer, and the events around them.
struct Session2
{
    RawChat chat;
    qint64 nextSeq = 1;
    QString name;
    QList<ChatProtocol::ConversationSummary> conversations; // from the session's start
    QList<QCborMap> unread; // read while waiting for something else, in order

    bool ok() const { return chat.socket != nullptr; }

    /// Reads the start: welcome (version 2), members, conversations, history_end.
    bool start()
    {
        const auto welcome = chat.read();
        if (!welcome || Protocol::typeOf(*welcome) != QLatin1String(Welcome::Type)) {
            return false;
        }
        const auto decoded = Welcome::decode(*welcome);
        if (!decoded.ok() || decoded.value.version != CurrentVersion) {
            return false;
        }
        name = decoded.value.name;
        for (;;) {
            const auto message = chat.read();
            if (!message) {
                return false;
            }
            const QString type = Protocol::typeOf(*message);
            if (type == QLatin1String(HistoryEnd::Type)) {
                return true;
            }
            if (type == QLatin1String(Conversations::Type)) {
                const auto list = Conversations::decode(*message);
                if (!list.ok()) {
                    return false;
                }
                conversations += list.value.conversations;
            }
        }
    }

    qint64 send(QCborMap request)
    {
        const qint64 seq = nextSeq++;
        request.insert(QStringLiteral("seq"), seq);
        chat.send(request);
        return seq;
    }

    /// The done or rejected that answers seq; what comes before it is kept for next().
    std::optional<QCborMap> answer(qint64 seq)
    {
        for (int i = 0; i < 5000; ++i) {
            const auto message = chat.read();
            if (!message) {
                return std::nullopt;
            }
            const QString type = Protocol::typeOf(*message);
            if ((type == QLatin1String(Done::Type) || type == QLatin1String(Rejected::Type)
                    || type == QLatin1String(Accepted::Type))
                && message->value(QStringLiteral("seq")).toInteger() == seq) {
                return message;
            }
            unread.append(*message);
        }
        return std::nullopt;
    }

    /// The next message of type (from what was kept first).
    std::optional<QCborMap> next(const QString& type)
    {
        for (qsizetype i = 0; i < unread.size(); ++i) {
            if (Protocol::typeOf(unread.at(i)) == type) {
                return unread.takeAt(i);
            }
        }
        for (int i = 0; i < 5000; ++i) {
            const auto message = chat.read();
            if (!message) {
                return std::nullopt;
            }
            if (Protocol::typeOf(*message) == type) {
                return message;
            }
            unread.append(*message);
        }
        return std::nullopt;
    }

    /// A request's done, decoded; nullopt (with a warning naming the refusal) otherwise.
    std::optional<Done> done(const QCborMap& request)
    {
        const auto reply = answer(send(request));
        if (!reply || Protocol::typeOf(*reply) != QLatin1String(Done::Type)) {
            qWarning("no done: %s", reply ? qPrintable(reply->value(QStringLiteral("message")).toString()) : "nothing");
            return std::nullopt;
        }
        const auto decoded = Done::decode(*reply);
        return decoded.ok() ? std::optional<Done>(decoded.value) : std::nullopt;
    }

    /// The code a request was rejected with (None when it was not).
    ErrorCode refusal(const QCborMap& request)
    {
        const auto reply = answer(send(request));
        if (!reply || Protocol::typeOf(*reply) != QLatin1String(Rejected::Type)) {
            return ErrorCode::None;
        }
        return Rejected::decode(*reply).value.code;
    }

    /// Sends text (to a room, or to a person) and returns the decoded answer: accepted or rejected.
    std::optional<QCborMap> say(const QString& text, const QString& room = {}, const QString& to = {},
        const QString& clientId = QUuid::createUuid().toString(QUuid::WithoutBraces))
    {
        Send message;
        message.text = text;
        if (!room.isEmpty()) {
            message.room = room;
        }
        if (!to.isEmpty()) {
            message.to = to;
        }
        message.clientId = clientId;
        QCborMap map = message.toCbor();
        map.remove(QStringLiteral("seq"));
        return answer(send(map));
    }
};

inline HistoryRequest historyOf(Target target, qint64 limit = MaxHistoryLimit, std::optional<qint64> before = {})
{
    HistoryRequest request;
    request.target = std::move(target);
    request.limit = limit;
    request.before = before;
    return request;
}

inline QCborMap withoutSeq(QCborMap map)
{
    map.remove(QStringLiteral("seq"));
    return map;
}

inline Target room(const QString& name)
{
    return Target { {}, name, {} };
}

inline RoomRequest roomRequest(RoomRequest::Action action, const QString& name, const QString& member = {})
{
    RoomRequest request;
    request.action = action;
    request.room = name;
    request.member = member;
    return request;
}

} // namespace QuietWire::ChatTest
