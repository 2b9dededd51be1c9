// quietwire-cli: the headless QuietWire client.

#include "ChatClient.h"
#include "EncryptedTcpSocket.h"
#include "Identity.h"
#include "KnownServers.h"
#include "Protocol.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QSocketNotifier>
#include <QStandardPaths>
#include <QTextStream>
#include <QTimer>

#include <csignal>
#include <iostream>
#include <string>
#include <unistd.h>

using namespace QuietWire;

namespace {

QTextStream& out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream& err()
{
    static QTextStream stream(stderr);
    return stream;
}

int fail(const QString& message, int code = 1)
{
    err() << "quietwire-cli: " << message << Qt::endl;
    return code;
}

bool parseHostPort(const QString& text, QString* host, quint16* port)
{
    *port = Protocol::DefaultPort;
    QString portText;
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1Char(']'));
        if (close < 0) {
            return false;
        }
        *host = text.mid(1, close - 1);
        if (close + 1 < text.size()) {
            if (text.at(close + 1) != QLatin1Char(':')) {
                return false;
            }
            portText = text.mid(close + 2);
        }
    } else if (text.count(QLatin1Char(':')) == 1) {
        *host = text.section(QLatin1Char(':'), 0, 0);
        portText = text.section(QLatin1Char(':'), 1);
    } else {
        *host = text; // a name, an IPv4 address or a bare IPv6 address
    }
    if (!portText.isNull()) {
        bool ok = false;
        const uint value = portText.toUInt(&ok);
        if (!ok || value == 0 || value > 65535) {
            return false;
        }
        *port = static_cast<quint16>(value);
    }
    return !host->isEmpty();
}

QString formatMessage(const ChatProtocol::Message& message)
{
    if (message.notice) {
        return QStringLiteral("* server: %1").arg(message.text);
    }
    if (!message.to.isEmpty()) {
        return QStringLiteral("%1 -> %2: %3").arg(message.from, message.to, message.text);
    }
    return QStringLiteral("%1: %2").arg(message.from, message.text);
}

/// The chat command: interactive, --send or --listen.
class ChatSession : public QObject
{
public:
    enum class Mode { Interactive, Send, Listen };

    ChatSession(const Identity& identity, const QString& configDir, Mode mode)
        : m_client(identity, QDir(configDir).filePath(QStringLiteral("known_servers")))
        , m_mode(mode)
    {
        connect(&m_client, &ChatClient::joined, this, [this](const QString& name) { onJoined(name); });
        connect(&m_client, &ChatClient::messageReceived, this, [this](const ChatProtocol::Message& message) {
            onMessage(message);
        });
        connect(&m_client, &ChatClient::memberJoined, this, [this](const ChatProtocol::Member& member) {
            if (m_mode == Mode::Interactive) {
                out() << "-- " << member.name << " joined" << Qt::endl;
            }
        });
        connect(&m_client, &ChatClient::memberLeft, this, [this](const ChatProtocol::Member& member) {
            if (m_mode == Mode::Interactive) {
                out() << "-- " << member.name << " left" << Qt::endl;
            }
        });
        connect(&m_client, &ChatClient::messageAccepted, this, [this](qint64 seq, qint64) {
            if (m_mode == Mode::Send && seq == m_sendSeq) {
                err() << "sent" << Qt::endl;
                finish(0);
            }
        });
        connect(&m_client, &ChatClient::messageRejected, this, [this](qint64 seq, const QString& reason) {
            err() << "quietwire-cli: message not sent: " << reason << Qt::endl;
            if (m_mode == Mode::Send && seq == m_sendSeq) {
                finish(1);
            }
        });
        connect(m_client.connection(), &ServiceClient::serverKeyUnknown, this,
                [this](const QString& hostPort, const QByteArray& key) { m_unknownKey = {hostPort, key}; });
        connect(&m_client, &ChatClient::errorOccurred, this, [this](const QString& message) {
            m_lastError = message;
        });
        connect(&m_client, &ChatClient::disconnected, this, [this] { onDisconnected(); });
    }

    ChatClient& client() { return m_client; }
    void setSendText(const QString& text, const QString& to)
    {
        m_sendText = text;
        m_sendTo = to;
    }
    void setListenCount(int count) { m_listenCount = count; }

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
            QCoreApplication::exit(code);
            return;
        }
        // Exit once what was typed has left: a graceful close flushes the socket first.
        m_client.disconnectFromServer();
        QTimer::singleShot(5000, this, [code] { QCoreApplication::exit(code); });
    }

    void onJoined(const QString& name)
    {
        ServiceClient* connection = m_client.connection();
        err() << "Connected to " << connection->hostPort() << " (server key "
              << Identity::fingerprint(connection->serverKey()) << ", session port " << connection->sessionPort()
              << ", " << EncryptedTcpSocket::protocolName() << "); joined as " << name << Qt::endl;
        if (m_mode == Mode::Send) {
            m_sendSeq = m_client.sendText(m_sendText, m_sendTo);
            if (m_sendSeq < 0) {
                err() << "quietwire-cli: " << m_client.errorString() << Qt::endl;
                finish(1);
            }
        } else if (m_mode == Mode::Listen && m_listenCount == 0) {
            finish(0);
        } else if (m_mode == Mode::Interactive) {
            QStringList names;
            for (const auto& member : m_client.members()) {
                names << member.name;
            }
            out() << "-- in the room: " << (names.isEmpty() ? QStringLiteral("nobody else") : names.join(QStringLiteral(", ")))
                  << "\n-- type a message and press Enter; /msg NAME TEXT, /who, /quit" << Qt::endl;
            m_stdin = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
            connect(m_stdin, &QSocketNotifier::activated, this, [this] { onStdin(); });
        }
    }

    void onMessage(const ChatProtocol::Message& message)
    {
        if (m_mode == Mode::Send) {
            return;
        }
        if (m_mode == Mode::Listen) {
            if (message.history) {
                return;
            }
            out() << formatMessage(message) << Qt::endl;
            if (++m_received >= m_listenCount) {
                finish(0);
            }
            return;
        }
        // People get the time; --listen output stays one plain message per line for scripts.
        out() << message.time.toLocalTime().toString(QStringLiteral("[HH:mm] ")) << formatMessage(message) << Qt::endl;
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
                    out() << "-- " << member.name << "  " << member.fingerprint << '\n';
                }
                out().flush();
                continue;
            }
            QString to;
            QString text = line;
            if (line.startsWith(QLatin1String("/msg "))) {
                to = line.section(QLatin1Char(' '), 1, 1);
                text = line.section(QLatin1Char(' '), 2);
            }
            if (m_client.sendText(text, to) < 0) {
                err() << "quietwire-cli: " << m_client.errorString() << Qt::endl;
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
        // Only an interactive chat may end because the server closed it without an error.
        const bool clean = m_lastError.isEmpty() && m_mode == Mode::Interactive;
        err() << "quietwire-cli: "
              << (m_lastError.isEmpty() ? QStringLiteral("The server closed the connection") : m_lastError)
              << Qt::endl;
        finish(clean ? 0 : 1);
    }

    ChatClient m_client;
    Mode m_mode;
    QString m_host;
    quint16 m_port = 0;
    QString m_sendText;
    QString m_sendTo;
    qint64 m_sendSeq = -1;
    int m_listenCount = 0;
    int m_received = 0;
    QSocketNotifier* m_stdin = nullptr;
    QByteArray m_buffer;
    QString m_lastError;
    QPair<QString, QByteArray> m_unknownKey;
    bool m_finished = false;
    int m_exitCode = 0;
};

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    // Shares its configuration directory (identity, known_servers) with the desktop client.
    QCoreApplication::setOrganizationName(QStringLiteral("QuietWire"));
    QCoreApplication::setApplicationName(QStringLiteral("quietwire"));
    QCoreApplication::setApplicationVersion(QStringLiteral(QUIETWIRE_VERSION));
    std::signal(SIGPIPE, SIG_IGN);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "QuietWire command-line client.\n\n"
        "Commands:\n"
        "  key                  print this client's public key line (created on first use); give it to the\n"
        "                       server administrator\n"
        "  chat HOST[:PORT]     chat interactively (/msg NAME TEXT, /who, /quit), or with --send / --listen\n"
        "  servers              list the pinned server keys (known_servers)\n"
        "  forget HOST[:PORT]   remove a pinned server key, after the administrator confirmed a new one"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption configDirOption(
        QStringLiteral("config-dir"),
        QStringLiteral("Directory with identity.key, identity.pub and known_servers (default: %1).")
            .arg(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation)),
        QStringLiteral("DIR"));
    const QCommandLineOption sendOption(QStringLiteral("send"),
                                        QStringLiteral("chat: send TEXT, wait until the server took it, exit."),
                                        QStringLiteral("TEXT"));
    const QCommandLineOption toOption(QStringLiteral("to"),
                                      QStringLiteral("chat --send: send a direct message to member NAME."),
                                      QStringLiteral("NAME"));
    const QCommandLineOption listenOption(
        QStringLiteral("listen"),
        QStringLiteral("chat: print the next N messages, one per line, then exit (history and join/leave notices "
                       "do not count)."),
        QStringLiteral("N"));
    const QCommandLineOption trustNewOption(QStringLiteral("trust-new"),
                                            QStringLiteral("Accept and pin the server key if this server is not "
                                                           "known yet (never overrides a changed key)."));
    const QCommandLineOption bindOption(QStringLiteral("bind"),
                                        QStringLiteral("Local address to connect from."), QStringLiteral("ADDR"));
    parser.addOptions({configDirOption, sendOption, toOption, listenOption, trustNewOption, bindOption});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("key, chat, servers or forget."),
                                 QStringLiteral("command [args...]"));
    parser.process(app);

    const QStringList args = parser.positionalArguments();
    if (args.isEmpty()) {
        return fail(QStringLiteral("no command given; see --help"), 2);
    }
    const QString command = args.first();
    const QString configDir = QDir(parser.isSet(configDirOption)
                                       ? parser.value(configDirOption)
                                       : QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
                                  .absolutePath();
    KnownServers knownServers(QDir(configDir).filePath(QStringLiteral("known_servers")));

    if (command == QLatin1String("servers")) {
        QString error;
        const auto entries = knownServers.entries(&error);
        if (!entries) {
            return fail(error);
        }
        for (const auto& entry : *entries) {
            out() << entry.hostPort << "  " << Identity::fingerprint(entry.key) << '\n';
        }
        out().flush();
        return 0;
    }
    if (command == QLatin1String("forget")) {
        QString host;
        quint16 port = 0;
        if (args.size() != 2 || !parseHostPort(args.at(1), &host, &port)) {
            return fail(QStringLiteral("usage: quietwire-cli forget HOST[:PORT]"), 2);
        }
        QString error;
        const int removed = knownServers.remove(KnownServers::hostPort(host, port), &error);
        if (removed < 0) {
            return fail(error);
        }
        if (removed == 0) {
            return fail(QStringLiteral("%1 is not in %2").arg(KnownServers::hostPort(host, port), knownServers.path()));
        }
        out() << "Removed the pinned key of " << KnownServers::hostPort(host, port) << Qt::endl;
        return 0;
    }

    QString error;
    bool created = false;
    const auto identity = Identity::loadOrCreate(configDir, Identity::defaultComment(), &error, &created);
    if (!identity) {
        return fail(error);
    }
    if (created) {
        err() << "Created a new key in " << configDir << Qt::endl;
    }

    if (command == QLatin1String("key")) {
        out() << identity->publicKeyLine() << Qt::endl;
        err() << "Fingerprint: " << identity->fingerprint() << Qt::endl;
        return 0;
    }
    if (command != QLatin1String("chat")) {
        return fail(QStringLiteral("unknown command \"%1\"; see --help").arg(command), 2);
    }
    QString host;
    quint16 port = 0;
    if (args.size() != 2 || !parseHostPort(args.at(1), &host, &port)) {
        return fail(QStringLiteral("usage: quietwire-cli chat HOST[:PORT] [--send TEXT | --listen N]"), 2);
    }
    if (parser.isSet(sendOption) && parser.isSet(listenOption)) {
        return fail(QStringLiteral("--send and --listen cannot be combined"), 2);
    }
    ChatSession::Mode mode = ChatSession::Mode::Interactive;
    if (parser.isSet(sendOption)) {
        mode = ChatSession::Mode::Send;
    } else if (parser.isSet(listenOption)) {
        mode = ChatSession::Mode::Listen;
    }
    ChatSession session(*identity, configDir, mode);
    if (mode == ChatSession::Mode::Send) {
        session.setSendText(parser.value(sendOption), parser.value(toOption));
    }
    if (mode == ChatSession::Mode::Listen) {
        bool ok = false;
        const int count = parser.value(listenOption).toInt(&ok);
        if (!ok || count < 0) {
            return fail(QStringLiteral("--listen needs a number of messages"), 2);
        }
        session.setListenCount(count);
    }
    if (parser.isSet(trustNewOption)) {
        session.client().connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
    }
    if (parser.isSet(bindOption)) {
        const QHostAddress bindAddress(parser.value(bindOption));
        if (bindAddress.isNull()) {
            return fail(QStringLiteral("--bind %1 is not an IP address").arg(parser.value(bindOption)), 2);
        }
        session.client().connection()->setLocalAddress(bindAddress);
    }
    session.start(host, port);
    return app.exec();
}
