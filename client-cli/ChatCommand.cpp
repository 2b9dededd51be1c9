#include "ChatCommand.h"

#include "Backoff.h"
#include "ChatClient.h"
#include "ChatOutput.h"
#include "CliOutput.h"
#include "EncryptedTcpSocket.h"
#include "Outbox.h"
#include "TerminalText.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QTimer>
#include <iostream>
#include <string>
#include <unistd.h>

namespace QuietWire::Cli {

namespace {

using TerminalText::escape;

/// A message the server or the client library wrote, which may quote what the server sent.
QString safeError(const QString& message)
{
    return escape(message, TerminalText::LineBreaks::Keep);
}

/// The chat command: interactive, --send or --listen.
class ChatSession : public QObject
{
public:
    using Mode = ChatOptions::Mode;

    ChatSession(const Identity& identity, const QString& configDir, const ChatOptions& options)
        : m_client(identity, QDir(configDir).filePath(QStringLiteral("known_servers")))
        , m_mode(options.mode)
        , m_options(options)
    {
        if (!options.room.isEmpty() || !options.to.isEmpty()) {
            m_client.setProtocolVersion(ChatProtocol::CurrentVersion);
        }
        connect(&m_client, &ChatClient::joined, this, [this](const QString& name) { onJoined(name); });
        connect(&m_client, &ChatClient::conversationsReceived, this, [this] { begin(); });
        connect(&m_client, &ChatClient::roomChanged, this, [this](const ChatProtocol::ConversationSummary& room) {
            if (m_mode == Mode::Interactive && room.kind == ChatProtocol::ConversationKind::Room) {
                out() << "-- room " << escape(room.name) << (room.topic.isEmpty() ? QString() : QStringLiteral(": "))
                      << escape(room.topic) << Qt::endl;
            }
        });
        connect(&m_client, &ChatClient::roomGone, this, [this](const ChatProtocol::RoomGone& gone) {
            if (m_mode == Mode::Interactive) {
                const char* why = gone.reason == ChatProtocol::RoomGone::Reason::Deleted ? "was deleted"
                    : gone.reason == ChatProtocol::RoomGone::Reason::Removed             ? "removed you"
                                                                                         : "left";
                out() << "-- room " << escape(gone.room) << ": " << why << Qt::endl;
            }
        });
        connect(&m_client, &ChatClient::messageReceived, this,
            [this](const ChatProtocol::Message& message) { onMessage(message); });
        connect(&m_client, &ChatClient::memberJoined, this, [this](const ChatProtocol::Member& member) {
            if (m_mode == Mode::Interactive) {
                out() << "-- " << escape(member.name) << " joined" << Qt::endl;
            }
        });
        connect(&m_client, &ChatClient::memberLeft, this, [this](const ChatProtocol::Member& member) {
            if (m_mode == Mode::Interactive) {
                out() << "-- " << escape(member.name) << " left" << Qt::endl;
            }
        });
        connect(&m_client, &ChatClient::messageStored, this, [this](const ChatProtocol::Accepted& accepted) {
            if (m_mode == Mode::Send && accepted.seq == m_sendSeq) {
                onSent(accepted);
            }
        });
        connect(&m_client, &ChatClient::messageRejected, this, [this](const ChatProtocol::Rejected& rejected) {
            err() << "quietwire-cli: message not sent: " << safeError(rejected.message) << codeSuffix(rejected.code)
                  << Qt::endl;
            if (m_mode == Mode::Send && rejected.seq == m_sendSeq) {
                finish(1);
            }
        });
        connect(m_client.connection(), &ServiceClient::serverKeyUnknown, this,
            [this](const QString& hostPort, const QByteArray& key) {
                m_unknownKey = { hostPort, key };
            });
        connect(&m_client, &ChatClient::errorOccurred, this, [this](const QString& message) { m_lastError = message; });
        connect(&m_client, &ChatClient::disconnected, this, [this] { onDisconnected(); });
        // Typed lines go through the outbox: kept while reconnecting, each stored once.
        m_outbox.setClient(&m_client);
        connect(&m_outbox, &Outbox::lost, this, [](const Outbox::Entry& entry, const QString& reason) {
            err() << "quietwire-cli: message not delivered (" << escape(entry.text.left(60))
                  << "): " << safeError(reason) << Qt::endl;
        });
        m_retryTimer.setSingleShot(true);
        connect(&m_retryTimer, &QTimer::timeout, this, [this] { m_client.connectToServer(m_host, m_port); });
    }

    ChatClient& client() { return m_client; }

    void start(const QString& host, quint16 port)
    {
        m_host = host;
        m_port = port;
        m_client.connectToServer(host, port);
    }

private:
    void finish(int code)
    {
        if (m_finished) {
            return;
        }
        m_finished = true;
        m_exitCode = code;
        if (!m_client.connection()->isReady()) {
            if (m_outbox.count() > 0) {
                err() << "quietwire-cli: " << m_outbox.count() << " message(s) typed while disconnected were not sent"
                      << Qt::endl;
            }
            QCoreApplication::exit(code);
            return;
        }
        // Exit once what was typed has left: a graceful close flushes the socket first.
        m_client.disconnectFromServer();
        QTimer::singleShot(5000, this, [code] { QCoreApplication::exit(code); });
    }

    void onJoined(const QString& name)
    {
        m_backoff.reset();
        ServiceClient* connection = m_client.connection();
        err() << "Connected to " << connection->hostPort() << " (server key "
              << Identity::fingerprint(connection->serverKey()) << ", session port " << connection->sessionPort()
              << ", " << EncryptedTcpSocket::protocolName() << "); joined as " << escape(name) << Qt::endl;
        if (m_client.sessionVersion() >= ChatProtocol::Version2) {
            return; // begin() once the conversations are in
        }
        if (!m_options.room.isEmpty()) {
            err() << "quietwire-cli: the server speaks version " << m_client.sessionVersion()
                  << " of the chat protocol, which has one room only; --room needs version " << ChatProtocol::Version2
                  << " (a newer quietwired)" << Qt::endl;
            finish(1);
            return;
        }
        begin();
    }

    /// The session is ready: send, listen or read what is typed.
    void begin()
    {
        if (m_mode == Mode::Send) {
            m_sendSeq = m_client.sendText(m_options.sendText, destination(), QString(), m_options.attachment);
            if (m_sendSeq < 0) {
                err() << "quietwire-cli: " << m_client.errorString() << Qt::endl;
                finish(1);
            }
        } else if (m_mode == Mode::Listen && m_options.listenCount == 0) {
            finish(0);
        } else if (m_mode == Mode::Interactive && m_stdin) {
            // Rejoined after reconnecting: what was typed meanwhile goes out now (the outbox).
            if (m_outbox.count() > 0) {
                err() << "-- sending " << m_outbox.count() << " message(s) typed while disconnected" << Qt::endl;
            }
        } else if (m_mode == Mode::Interactive) {
            QStringList names;
            for (const auto& member : m_client.members()) {
                names << escape(member.name);
            }
            const QString others = names.isEmpty() ? QStringLiteral("nobody else") : names.join(QStringLiteral(", "));
            if (!m_options.room.isEmpty() || !m_options.to.isEmpty()) {
                QStringList unread;
                for (const auto& conversation : m_client.conversations()) {
                    if (conversation.unread > 0) {
                        unread << QStringLiteral("%1%2 %3")
                                      .arg(QLatin1String(
                                          conversation.kind == ChatProtocol::ConversationKind::Room ? "#" : "@"))
                                      .arg(escape(conversation.name))
                                      .arg(conversation.unread);
                    }
                }
                if (!unread.isEmpty()) {
                    out() << "-- unread (quietwire-cli history): " << unread.join(QStringLiteral(", ")) << '\n';
                }
                out() << "-- online: " << others << "\n-- type a message for "
                      << (m_options.room.isEmpty() ? escape(m_options.to)
                                                   : QStringLiteral("#") + escape(m_options.room))
                      << " and press Enter; /msg NAME TEXT, /who, /quit" << Qt::endl;
            } else {
                out() << "-- in the room: " << others
                      << "\n-- type a message and press Enter; /msg NAME TEXT, /who, /quit" << Qt::endl;
            }
            m_stdin = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
            connect(m_stdin, &QSocketNotifier::activated, this, [this] { onStdin(); });
        }
    }

    ChatClient::Destination destination() const { return { m_options.room, m_options.to }; }

    void onSent(const ChatProtocol::Accepted& accepted)
    {
        if (m_options.json) {
            QJsonObject object { { QStringLiteral("type"), QStringLiteral("accepted") },
                { QStringLiteral("id"), accepted.id }, { QStringLiteral("duplicate"), accepted.duplicate },
                { QStringLiteral("waiting"), accepted.waiting } };
            if (accepted.conversation) {
                object.insert(QStringLiteral("conversation"), *accepted.conversation);
            }
            if (!m_client.lastClientId().isEmpty()) {
                object.insert(QStringLiteral("client_id"), m_client.lastClientId());
            }
            out() << ChatOutput::line(object) << Qt::endl;
        }
        if (accepted.duplicate) {
            err() << "sent before (the server had it already)" << Qt::endl;
        } else if (accepted.waiting) {
            err() << "stored for " << escape(m_options.to) << ", who is not connected now" << Qt::endl;
        } else {
            err() << "sent" << Qt::endl;
        }
        if (m_options.attachment && !m_options.json) {
            out() << accepted.id << Qt::endl; // send-file: the message's id
        }
        finish(0);
    }

    /// --listen with --room or --to prints that conversation's messages only.
    bool isListenedTo(const ChatProtocol::Message& message) const
    {
        if (!m_options.room.isEmpty()) {
            return message.room == m_options.room;
        }
        if (!m_options.to.isEmpty()) {
            const QString me = m_client.myName();
            return !message.to.isEmpty()
                && ((message.from == m_options.to && message.to == me)
                    || (message.from == me && message.to == m_options.to));
        }
        return true;
    }

    void onMessage(const ChatProtocol::Message& message)
    {
        if (m_mode == Mode::Send) {
            return;
        }
        // After a reconnect a version-1 welcome replays the room's history: only what came
        // meanwhile is new (ids grow in server-wide order).
        if (message.history && message.id <= m_lastSeenId) {
            return;
        }
        m_lastSeenId = qMax(m_lastSeenId, message.id);
        if (m_options.json) {
            if (m_mode != Mode::Listen || (!message.history && isListenedTo(message))) {
                out() << ChatOutput::line(ChatOutput::messageJson(message)) << Qt::endl;
            }
        } else if (m_mode == Mode::Listen) {
            if (message.history || !isListenedTo(message)) {
                return;
            }
            out() << ChatOutput::messageText(message) << Qt::endl;
        } else {
            // People get the time (and, in version 2, the room); --listen output stays plain for scripts
            // (continuation lines marked all the same).
            QString prefix = message.time.toLocalTime().toString(QStringLiteral("[HH:mm] "));
            if (!message.room.isEmpty()) {
                prefix += QStringLiteral("#%1 ").arg(escape(message.room));
            }
            out() << ChatOutput::messageText(message, prefix) << Qt::endl;
        }
        if (m_mode == Mode::Listen && !message.history && isListenedTo(message)
            && ++m_received >= m_options.listenCount) {
            finish(0);
        }
    }

    void onStdin()
    {
        char chunk[4096];
        const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
        if (n <= 0) {
            m_stdin->setEnabled(false);
            finish(0);
            return;
        }
        m_buffer.append(chunk, n);
        qsizetype newline;
        while ((newline = m_buffer.indexOf('\n')) >= 0) {
            const QString line = QString::fromUtf8(m_buffer.left(newline)).trimmed();
            m_buffer.remove(0, newline + 1);
            if (line.isEmpty()) {
                continue;
            }
            if (line == QLatin1String("/quit")) {
                finish(0);
                return;
            }
            if (line == QLatin1String("/who")) {
                for (const auto& member : m_client.members()) {
                    out() << "-- " << escape(member.name) << "  " << escape(member.fingerprint) << '\n';
                }
                out().flush();
                continue;
            }
            ChatClient::Destination target = destination();
            QString text = line;
            if (line.startsWith(QLatin1String("/msg "))) {
                target = { QString(), line.section(QLatin1Char(' '), 1, 1) };
                text = line.section(QLatin1Char(' '), 2);
            }
            if (!m_outbox.send(text, target)) {
                err() << "quietwire-cli: " << m_outbox.errorString() << Qt::endl;
            } else if (m_retryTimer.isActive() || !m_client.connection()->isReady()) {
                err() << "-- kept; it is sent once reconnected" << Qt::endl;
            }
        }
    }

    void onDisconnected()
    {
        if (m_finished) {
            QCoreApplication::exit(m_exitCode);
            return;
        }
        if (m_unknownKey.second.size() && m_mode == Mode::Interactive && isatty(STDIN_FILENO)) {
            const auto [hostPort, key] = m_unknownKey;
            m_unknownKey = {};
            err() << "The server " << hostPort << " is not known yet. Its key fingerprint is\n  "
                  << Identity::fingerprint(key)
                  << "\nCompare it with the fingerprint from the administrator. Trust it? [yes/no]: " << Qt::endl;
            std::string answer;
            std::getline(std::cin, answer);
            if (answer != "yes" && answer != "y") {
                err() << "Not trusted; nothing was sent." << Qt::endl;
                finish(1);
                return;
            }
            QString error;
            if (!m_client.connection()->trustServerKey(hostPort, key, true, &error)) {
                err() << "quietwire-cli: " << error << Qt::endl;
                finish(1);
                return;
            }
            m_client.connectToServer(m_host, m_port);
            return;
        }
        if (m_mode == Mode::Interactive && m_stdin && m_client.connection()->failureIsTemporary()) {
            // Joined before: the server restarted or the network broke; try again on the Backoff schedule.
            const int delay = m_backoff.nextDelayMs(
                m_client.connection()->refusedForLoad() ? Backoff::Cause::LoadRefusal : Backoff::Cause::Failure);
            err() << "quietwire-cli: "
                  << (m_lastError.isEmpty() ? QStringLiteral("The server closed the connection")
                                            : safeError(m_lastError))
                  << "; reconnecting in " << qMax(1, (delay + 500) / 1000) << " s" << Qt::endl;
            m_lastError.clear();
            m_retryTimer.start(delay);
            return;
        }
        // Only an interactive chat may end because the server closed it without an error.
        const bool clean = m_lastError.isEmpty() && m_mode == Mode::Interactive;
        err() << "quietwire-cli: "
              << (m_lastError.isEmpty() ? QStringLiteral("The server closed the connection") : safeError(m_lastError))
              << Qt::endl;
        finish(clean ? 0 : 1);
    }

    ChatClient m_client;
    Outbox m_outbox;
    Backoff m_backoff;
    qint64 m_lastSeenId = 0;
    QTimer m_retryTimer;
    Mode m_mode;
    ChatOptions m_options;
    QString m_host;
    quint16 m_port = 0;
    qint64 m_sendSeq = -1;
    int m_received = 0;
    QSocketNotifier* m_stdin = nullptr;
    QByteArray m_buffer;
    QString m_lastError;
    QPair<QString, QByteArray> m_unknownKey;
    bool m_finished = false;
    int m_exitCode = 0;
};

} // namespace

int runChat(
    const Identity& identity, const QString& configDir, const QString& host, quint16 port, const ChatOptions& options)
{
    ChatSession session(identity, configDir, options);
    if (options.trustNew) {
        session.client().connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
    }
    session.client().connection()->setLocalAddress(options.bindAddress);
    session.start(host, port);
    return QCoreApplication::exec();
}

} // namespace QuietWire::Cli
