#include "RequestCommand.h"

#include "ChatClient.h"
#include "ChatOutput.h"
#include "CliOutput.h"
#include "TerminalText.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QTimer>
#include <algorithm>
#include <functional>

namespace QuietWire::Cli {

namespace {

using TerminalText::escape;
using Action = ChatProtocol::RoomRequest::Action;

int usage(const QString& text)
{
    return fail(QStringLiteral("usage: quietwire-cli %1; see --help").arg(text), 2);
}

/// The conversation a history or search request names: --room, --to, or (def) general.
ChatProtocol::Target targetOf(const RequestOptions& options, bool generalByDefault)
{
    ChatProtocol::Target target;
    if (!options.room.isEmpty()) {
        target.room = options.room;
    } else if (!options.to.isEmpty()) {
        target.with = options.to;
    } else if (generalByDefault) {
        target.room = QStringLiteral("general");
    }
    return target;
}

/// A room action of `room HOST ACTION NAME [ARG]`: its words and what it prints when done.
struct RoomAction
{
    Action action;
    int args; // after NAME
    QString usage;
};

const QHash<QString, RoomAction>& roomActions()
{
    static const QHash<QString, RoomAction> actions {
        { QStringLiteral("create"),
            { Action::Create, 0, QStringLiteral("room HOST[:PORT] create NAME [--private] [--topic TEXT]") } },
        { QStringLiteral("join"), { Action::Join, 0, QStringLiteral("room HOST[:PORT] join NAME") } },
        { QStringLiteral("leave"), { Action::Leave, 0, QStringLiteral("room HOST[:PORT] leave NAME") } },
        { QStringLiteral("invite"), { Action::Invite, 1, QStringLiteral("room HOST[:PORT] invite NAME MEMBER") } },
        { QStringLiteral("remove"), { Action::Remove, 1, QStringLiteral("room HOST[:PORT] remove NAME MEMBER") } },
        { QStringLiteral("topic"), { Action::Topic, 1, QStringLiteral("room HOST[:PORT] topic NAME TEXT") } },
        { QStringLiteral("delete"), { Action::Delete, 0, QStringLiteral("room HOST[:PORT] delete NAME") } },
        { QStringLiteral("members"), { Action::Members, 0, QStringLiteral("room HOST[:PORT] members NAME") } },
    };
    return actions;
}

/// What a done room action tells a person (stderr; stdout stays for data).
QString roomDoneText(const ChatProtocol::RoomRequest& request)
{
    switch (request.action) {
    case Action::Create:
        return QStringLiteral("created room %1").arg(escape(request.room));
    case Action::Join:
        return QStringLiteral("joined room %1").arg(escape(request.room));
    case Action::Leave:
        return QStringLiteral("left room %1").arg(escape(request.room));
    case Action::Invite:
        return QStringLiteral("invited %1 to room %2").arg(escape(request.member), escape(request.room));
    case Action::Remove:
        return QStringLiteral("removed %1 from room %2").arg(escape(request.member), escape(request.room));
    case Action::Topic:
        return QStringLiteral("set the topic of room %1").arg(escape(request.room));
    case Action::Delete:
        return QStringLiteral("deleted room %1").arg(escape(request.room));
    case Action::Members:
        break;
    }
    return QString();
}

/// One version-2 session that sends a request once the conversations are in, and hands each
/// answer to a handler: it prints and returns the next request's seq (a further page), 0 when
/// done, or -1 on a failure it reported.
class RequestSession : public QObject
{
public:
    using Send = std::function<qint64(ChatClient&)>;
    using Answer = std::function<qint64(ChatClient&, const ChatProtocol::Done&)>;

    RequestSession(const Identity& identity, const QString& configDir, const RequestOptions& options)
        : m_client(identity, QDir(configDir).filePath(QStringLiteral("known_servers")))
    {
        m_client.setProtocolVersion(ChatProtocol::CurrentVersion);
        m_client.connection()->setTrustPolicy(
            options.trustNew ? ServiceClient::TrustPolicy::TrustNewKeys : ServiceClient::TrustPolicy::AskForNewKeys);
        m_client.connection()->setLocalAddress(options.bindAddress);
        connect(&m_client, &ChatClient::joined, this, [this] {
            if (m_client.sessionVersion() < ChatProtocol::Version2) {
                report(QStringLiteral("the server speaks version %1 of the chat protocol; this command needs "
                                      "version %2 (a newer quietwired)")
                           .arg(m_client.sessionVersion())
                           .arg(ChatProtocol::Version2));
            }
        });
        connect(&m_client, &ChatClient::conversationsReceived, this, [this] { next(m_send(m_client)); });
        connect(&m_client, &ChatClient::requestDone, this, [this](const ChatProtocol::Done& done) {
            if (done.seq == m_seq) {
                next(m_answer(m_client, done));
            }
        });
        connect(&m_client, &ChatClient::requestRejected, this, [this](const ChatProtocol::Rejected& rejected) {
            if (rejected.seq == m_seq) {
                report(escape(rejected.message, TerminalText::LineBreaks::Keep) + codeSuffix(rejected.code));
            }
        });
        connect(&m_client, &ChatClient::errorOccurred, this, [this](const QString& message) {
            if (!m_finished) {
                report(escape(message, TerminalText::LineBreaks::Keep));
            }
        });
        connect(&m_client, &ChatClient::disconnected, this, [this] {
            if (!m_finished) {
                report(QStringLiteral("The server closed the connection before it answered"));
            }
            QCoreApplication::exit(m_exitCode);
        });
    }

    int run(const QString& host, quint16 port, Send send, Answer answer)
    {
        m_send = std::move(send);
        m_answer = std::move(answer);
        m_client.connectToServer(host, port);
        return QCoreApplication::exec();
    }

private:
    void next(qint64 seq)
    {
        if (seq < 0) {
            if (!m_client.errorString().isEmpty() && !m_finished) {
                report(m_client.errorString());
            }
            finish(1);
        } else if (seq == 0) {
            finish(0);
        } else {
            m_seq = seq;
        }
    }

    void report(const QString& message)
    {
        err() << "quietwire-cli: " << message << Qt::endl;
        finish(1);
    }

    void finish(int code)
    {
        if (m_finished) {
            return;
        }
        m_finished = true;
        m_exitCode = code;
        out().flush();
        if (!m_client.connection()->isReady()) {
            QTimer::singleShot(0, [code] { QCoreApplication::exit(code); });
            return;
        }
        m_client.disconnectFromServer();
        QTimer::singleShot(5000, this, [code] { QCoreApplication::exit(code); });
    }

    ChatClient m_client;
    Send m_send;
    Answer m_answer;
    qint64 m_seq = -1;
    bool m_finished = false;
    int m_exitCode = 1;
};

/// "#room" or "@person" for a conversation id of the user's, as the session's start listed it.
QJsonObject conversationFields(const ChatClient& client, qint64 id)
{
    for (const auto& conversation : client.conversations()) {
        if (conversation.id == id) {
            return { { conversation.kind == ChatProtocol::ConversationKind::Room ? QStringLiteral("room")
                                                                                 : QStringLiteral("with"),
                conversation.name } };
        }
    }
    return {};
}

QString conversationLabel(const ChatClient& client, qint64 id)
{
    const QJsonObject fields = conversationFields(client, id);
    if (fields.contains(QStringLiteral("room"))) {
        return QStringLiteral("#") + escape(fields.value(QStringLiteral("room")).toString());
    }
    if (fields.contains(QStringLiteral("with"))) {
        return QStringLiteral("@") + escape(fields.value(QStringLiteral("with")).toString());
    }
    return QStringLiteral("conversation %1").arg(id);
}

void printRooms(const QList<ChatProtocol::RoomInfo>& rooms, bool json)
{
    qsizetype width = 4;
    for (const auto& room : rooms) {
        width = std::max(width, escape(room.name).size());
    }
    for (const auto& room : rooms) {
        if (json) {
            out() << ChatOutput::line(ChatOutput::roomJson(room)) << '\n';
            continue;
        }
        // NAME  MEMBERS  joined|-  private|public  TOPIC (one line: the topic's line breaks escaped)
        const QString line = QStringLiteral("%1  %2  %3  %4  %5")
                                 .arg(escape(room.name).leftJustified(width),
                                     QStringLiteral("%1 member%2")
                                         .arg(room.members, 4)
                                         .arg(QLatin1String(room.members == 1 ? "" : "s"))
                                         .leftJustified(12),
                                     QLatin1String(room.joined ? "joined" : "-     "),
                                     QLatin1String(room.isPrivate ? "private" : "public "), escape(room.topic));
        out() << line.trimmed() << '\n';
    }
}

int runRoom(
    RequestSession& session, const QString& host, quint16 port, const QStringList& args, const RequestOptions& options)
{
    const QString word = args.value(0);
    if (!roomActions().contains(word)) {
        return fail(QStringLiteral("unknown room command \"%1\": use create, join, leave, invite, remove, topic, "
                                   "delete or members")
                        .arg(escape(word)),
            2);
    }
    const RoomAction action = roomActions().value(word);
    if (args.size() != 2 + action.args) {
        return usage(action.usage);
    }
    if ((options.isPrivate || !options.topic.isEmpty()) && action.action != Action::Create) {
        return usage(QStringLiteral("room HOST[:PORT] create NAME [--private] [--topic TEXT] (--private and "
                                    "--topic are for create)"));
    }
    ChatProtocol::RoomRequest request;
    request.action = action.action;
    request.room = args.at(1);
    if (action.action == Action::Invite || action.action == Action::Remove) {
        request.member = args.at(2);
    } else if (action.action == Action::Topic) {
        request.topic = args.at(2);
    } else if (action.action == Action::Create) {
        request.topic = options.topic;
        request.isPrivate = options.isPrivate;
    }
    return session.run(
        host, port, [request](ChatClient& client) { return client.request(request); },
        [request, json = options.json](ChatClient&, const ChatProtocol::Done& done) -> qint64 {
            if (request.action == Action::Members) {
                for (const auto& member : done.members.value_or(QList<ChatProtocol::RoomMember>())) {
                    if (json) {
                        out() << ChatOutput::line({ { QStringLiteral("type"), QStringLiteral("member") },
                            { QStringLiteral("room"), request.room }, { QStringLiteral("name"), member.name },
                            { QStringLiteral("role"), ChatOutput::roleName(member.role) } })
                              << '\n';
                    } else {
                        out() << escape(member.name) << "  " << ChatOutput::roleName(member.role) << '\n';
                    }
                }
                return 0;
            }
            if (json) {
                QJsonObject object { { QStringLiteral("type"), QStringLiteral("done") },
                    { QStringLiteral("action"), ChatProtocol::RoomRequest::typeName(request.action) },
                    { QStringLiteral("room"), request.room } };
                if (done.conversation) {
                    object.insert(QStringLiteral("conversation"), *done.conversation);
                }
                if (!request.member.isEmpty()) {
                    object.insert(QStringLiteral("member"), request.member);
                }
                out() << ChatOutput::line(object) << '\n';
            }
            err() << roomDoneText(request) << Qt::endl;
            return 0;
        });
}

int runHistory(RequestSession& session, const QString& host, quint16 port, const RequestOptions& options)
{
    ChatProtocol::HistoryRequest request;
    request.target = targetOf(options, true);
    request.before = options.before;
    request.limit
        = options.limit.value_or(options.all ? ChatProtocol::MaxHistoryLimit : ChatProtocol::DefaultHistoryLimit);
    // Pages come newest first; printed at the end, oldest first.
    auto collected = std::make_shared<QList<ChatProtocol::Message>>();
    return session.run(
        host, port, [request](ChatClient& client) { return client.request(request); },
        [request, collected, options](ChatClient& client, const ChatProtocol::Done& done) -> qint64 {
            const auto page = done.messages.value_or(QList<ChatProtocol::Message>());
            collected->append(page);
            if (options.all && done.more && !page.isEmpty()) {
                ChatProtocol::HistoryRequest next = request;
                next.before = page.last().id;
                return client.request(next);
            }
            for (auto message = collected->crbegin(); message != collected->crend(); ++message) {
                out() << (options.json ? ChatOutput::line(ChatOutput::messageJson(*message))
                                       : ChatOutput::messageLine(*message))
                      << '\n';
            }
            if (done.more && !collected->isEmpty()) {
                err() << "-- older messages: --before " << collected->last().id << Qt::endl;
            }
            return 0;
        });
}

int runSearch(
    RequestSession& session, const QString& host, quint16 port, const QStringList& words, const RequestOptions& options)
{
    ChatProtocol::SearchRequest request;
    request.text = words.join(QLatin1Char(' ')).trimmed();
    if (request.text.isEmpty()) {
        return usage(QStringLiteral("search HOST[:PORT] TEXT [--room NAME | --to NAME] [--before ID] [--limit N]"));
    }
    request.target = targetOf(options, false);
    request.before = options.before;
    request.limit = options.limit.value_or(ChatProtocol::DefaultSearchLimit);
    return session.run(
        host, port, [request](ChatClient& client) { return client.request(request); },
        [json = options.json](ChatClient& client, const ChatProtocol::Done& done) -> qint64 {
            const auto hits = done.hits.value_or(QList<ChatProtocol::SearchHit>());
            for (const auto& hit : hits) {
                if (json) {
                    QJsonObject object { { QStringLiteral("type"), QStringLiteral("hit") },
                        { QStringLiteral("id"), hit.id }, { QStringLiteral("conversation"), hit.conversation },
                        { QStringLiteral("from"), hit.from }, { QStringLiteral("fingerprint"), hit.fingerprint },
                        { QStringLiteral("time"), ChatOutput::isoTime(hit.time) },
                        { QStringLiteral("snippet"), hit.snippet } };
                    const QJsonObject where = conversationFields(client, hit.conversation);
                    for (auto field = where.begin(); field != where.end(); ++field) {
                        object.insert(field.key(), field.value());
                    }
                    QJsonArray marks;
                    for (const auto& [start, end] : hit.marks) {
                        marks.append(QJsonArray { start, end });
                    }
                    object.insert(QStringLiteral("marks"), marks);
                    out() << ChatOutput::line(object) << '\n';
                } else {
                    out() << TerminalText::message(
                        QStringLiteral("%1  %2  %3  %4: ")
                            .arg(hit.id)
                            .arg(hit.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                            .arg(conversationLabel(client, hit.conversation))
                            .arg(escape(hit.from)),
                        hit.snippet)
                          << '\n';
                }
            }
            if (done.more && !hits.isEmpty()) {
                err() << "-- more hits: --before " << hits.last().id << Qt::endl;
            }
            return 0;
        });
}

} // namespace

int runRequest(const Identity& identity, const QString& configDir, const QString& host, quint16 port,
    const QString& command, const QStringList& args, const RequestOptions& options)
{
    if (!options.room.isEmpty() && !options.to.isEmpty()) {
        return fail(QStringLiteral("--room and --to cannot be combined"), 2);
    }
    if (options.before && *options.before <= 0) {
        return fail(QStringLiteral("--before needs a message id"), 2);
    }
    const qint64 maxLimit
        = command == QLatin1String("search") ? ChatProtocol::MaxSearchLimit : ChatProtocol::MaxHistoryLimit;
    if (options.limit && (*options.limit < 1 || *options.limit > maxLimit)) {
        return fail(QStringLiteral("--limit needs a number from 1 to %1").arg(maxLimit), 2);
    }
    RequestSession session(identity, configDir, options);
    if (command == QLatin1String("rooms")) {
        if (!args.isEmpty()) {
            return usage(QStringLiteral("rooms HOST[:PORT]"));
        }
        return session.run(
            host, port, [](ChatClient& client) { return client.request(ChatProtocol::RoomsRequest {}); },
            [json = options.json](ChatClient&, const ChatProtocol::Done& done) -> qint64 {
                printRooms(done.rooms.value_or(QList<ChatProtocol::RoomInfo>()), json);
                return 0;
            });
    }
    if (command == QLatin1String("room")) {
        return runRoom(session, host, port, args, options);
    }
    if (command == QLatin1String("history")) {
        if (!args.isEmpty()) {
            return usage(
                QStringLiteral("history HOST[:PORT] [--room NAME | --to NAME] [--before ID] [--limit N] [--all]"));
        }
        return runHistory(session, host, port, options);
    }
    return runSearch(session, host, port, args, options);
}

} // namespace QuietWire::Cli
