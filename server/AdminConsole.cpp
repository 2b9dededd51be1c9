#include "AdminConsole.h"

#include "AuthorizedKeys.h"
#include "ChatProtocol.h"
#include "FileArea.h"
#include "Identity.h"
#include "KnownClients.h"
#include "ServerApp.h"
#include "Whitelist.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QLocalSocket>

#include <cerrno>
#include <unistd.h>

namespace QuietWire {

namespace {

const char HelpText[] = R"(Commands:
  help                          this list
  whitelist                     the allowed keys (authorized_keys)
  allow <key line> <name>       allow a client key: paste the line from its identity.pub, then
                                the name you choose (the line's comment is never used as a name);
                                --same-person: another key of someone already on the whitelist
  revoke <key|fingerprint|name> remove a key; its live sessions are closed at once
  sessions                      the live sessions
  kick <id>                     close one session
  clients                       the keys each client IP has presented (known_clients)
  say <text>                    send a notice to everyone in the chat
  files <name>                  disk usage of a user's file folder
  fingerprint                   this server's public key and fingerprint
  quit                          stop the server (in `quietwired console`: close the console only)
)";

} // namespace

AdminConsole::AdminConsole(ServerApp* server, QObject* parent)
    : QObject(parent)
    , m_server(server)
    , m_out(stdout)
{
    m_interactive = isatty(STDIN_FILENO) == 1;
    m_notifier = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &AdminConsole::onReadable);
    prompt();
}

AdminConsole::AdminConsole(ServerApp* server, QLocalSocket* socket)
    : QObject(socket)
    , m_server(server)
    , m_socket(socket)
{
    connect(socket, &QLocalSocket::readyRead, this, [this] { consume(m_socket->readAll()); });
    connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
}

void AdminConsole::print(const QString& text)
{
    if (m_socket) {
        m_socket->write(text.toUtf8());
        if (!text.endsWith(QLatin1Char('\n'))) {
            m_socket->write("\n");
        }
        return;
    }
    m_out << text;
    if (!text.endsWith(QLatin1Char('\n'))) {
        m_out << '\n';
    }
    m_out.flush();
}

void AdminConsole::prompt()
{
    if (m_socket) {
        m_socket->write(QByteArray(1, EndOfReply) + '\n');
        return;
    }
    if (m_interactive) {
        m_out << "quietwired> ";
        m_out.flush();
    }
}

void AdminConsole::onReadable()
{
    char chunk[4096];
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        m_notifier->setEnabled(false);
        endOfInput();
        return;
    }
    consume(QByteArray(chunk, n));
}

void AdminConsole::endOfInput()
{
    if (!m_buffer.trimmed().isEmpty()) {
        execute(QString::fromUtf8(m_buffer));
    }
    m_buffer.clear();
    print(QStringLiteral("Console input closed; the server keeps running (stop it with SIGTERM or Ctrl+C)."));
}

void AdminConsole::consume(const QByteArray& chunk)
{
    m_buffer.append(chunk);
    if (m_buffer.size() > 64 * 1024 && !m_buffer.contains('\n')) {
        print(QStringLiteral("error: console line longer than 64 KiB ignored"));
        m_buffer.clear();
        prompt();
        return;
    }
    qsizetype newline;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(m_buffer.left(newline));
        m_buffer.remove(0, newline + 1);
        if (!execute(line)) {
            return;
        }
        prompt();
    }
}

bool AdminConsole::execute(const QString& rawLine)
{
    const QString line = rawLine.trimmed();
    if (line.isEmpty() || line.startsWith(QLatin1Char('#'))) {
        return true;
    }
    const qsizetype space = line.indexOf(QLatin1Char(' '));
    const QString command = space < 0 ? line : line.left(space);
    const QString rest = space < 0 ? QString() : line.mid(space + 1).trimmed();
    const QStringList args = rest.split(QLatin1Char(' '), Qt::SkipEmptyParts);

    if (command == QLatin1String("help")) {
        print(QString::fromLatin1(HelpText));
    } else if (command == QLatin1String("whitelist")) {
        const auto& entries = m_server->whitelist()->keys().entries();
        if (entries.isEmpty()) {
            print(QStringLiteral("The whitelist is empty: no client can connect. Use `allow <key line> <name>`."));
        }
        for (const auto& entry : entries) {
            print(QStringLiteral("%1  %2  %3")
                      .arg(AuthorizedKeys::displayName(entry), -16)
                      .arg(Identity::fingerprint(entry.key), Identity::encodePublicKey(entry.key)));
        }
    } else if (command == QLatin1String("allow")) {
        // The whole identity.pub line (the key, then its comment), then the name the administrator
        // chooses: nothing is taken from the comment, which the key's owner wrote.
        AuthorizedKeys::AllowCommand allow;
        const auto parseError = AuthorizedKeys::parseAllowWords(args, &allow);
        if (parseError != AuthorizedKeys::AllowError::None) {
            print(QStringLiteral("error: %1")
                      .arg(AuthorizedKeys::allowErrorMessage(parseError, allow, AuthorizedKeys::AllowSyntax::Console)));
            return true;
        }
        QString error;
        if (!AuthorizedKeys::appendKey(m_server->authorizedKeysPath(), allow.key, allow.name, &error,
                                       allow.samePerson ? AuthorizedKeys::SharedName::SamePerson
                                                        : AuthorizedKeys::SharedName::Refuse)) {
            print(QStringLiteral("error: %1").arg(error));
            return true;
        }
        m_server->whitelist()->reload();
        print(QStringLiteral("allowed %1 as %2").arg(Identity::fingerprint(allow.key), allow.name));
    } else if (command == QLatin1String("revoke")) {
        if (args.size() != 1) {
            print(QStringLiteral("error: usage: revoke <key|fingerprint|name>"));
            return true;
        }
        QString error;
        const auto removed = AuthorizedKeys::removeKeys(m_server->authorizedKeysPath(), args.at(0), &error);
        if (!removed) {
            print(QStringLiteral("error: %1").arg(error));
            return true;
        }
        m_server->whitelist()->reload();
        for (const auto& entry : *removed) {
            print(QStringLiteral("revoked %1 (%2)").arg(Identity::fingerprint(entry.key),
                                                         AuthorizedKeys::displayName(entry)));
        }
    } else if (command == QLatin1String("sessions")) {
        const auto sessions = m_server->sessions();
        if (sessions.isEmpty()) {
            print(QStringLiteral("No sessions."));
        }
        for (const Session* session : sessions) {
            print(QStringLiteral("%1  %2  %3  %4  %5  port %6  since %7")
                      .arg(session->id, 4)
                      .arg(session->name, -16)
                      .arg(session->fingerprint, session->address.toString(), session->service)
                      .arg(session->sessionPort)
                      .arg(session->since.toString(Qt::ISODate)));
        }
    } else if (command == QLatin1String("kick")) {
        bool ok = false;
        const int id = args.value(0).toInt(&ok);
        QString error;
        if (!ok || args.size() != 1) {
            print(QStringLiteral("error: usage: kick <session id>  (`sessions` lists the ids)"));
        } else if (!m_server->kick(id, &error)) {
            print(QStringLiteral("error: %1").arg(error));
        } else {
            print(QStringLiteral("kicked session %1").arg(id));
        }
    } else if (command == QLatin1String("clients")) {
        const auto& entries = m_server->knownClients()->entries();
        if (entries.isEmpty()) {
            print(QStringLiteral("No client has connected yet."));
        }
        for (const auto& entry : entries) {
            const auto* allowed = m_server->whitelist()->find(entry.key);
            print(QStringLiteral("%1  %2  %3  first %4  last %5")
                      .arg(entry.address, -15)
                      .arg(Identity::fingerprint(entry.key))
                      .arg(allowed ? AuthorizedKeys::displayName(*allowed) : QStringLiteral("(not allowed)"), -16)
                      .arg(entry.firstSeen.toString(Qt::ISODate), entry.lastSeen.toString(Qt::ISODate)));
        }
    } else if (command == QLatin1String("say")) {
        if (rest.isEmpty()) {
            print(QStringLiteral("error: usage: say <text>"));
            return true;
        }
        // The same rules as a member's message: no escape sequences in the members' terminals.
        qsizetype position = -1;
        if (const auto error = ChatProtocol::checkText(rest, &position); error != ChatProtocol::TextError::None) {
            print(QStringLiteral("error: %1").arg(ChatProtocol::describe(error, rest, position)));
            return true;
        }
        m_server->say(rest);
        print(QStringLiteral("said to %1").arg(QStringLiteral("everyone in the chat")));
    } else if (command == QLatin1String("files")) {
        QString error;
        const QString home = args.size() == 1 ? m_server->homeFolderOf(args.at(0), &error) : QString();
        if (home.isEmpty()) {
            print(QStringLiteral("error: %1").arg(args.size() == 1 ? error : QStringLiteral("usage: files <name>")));
            return true;
        }
        const FileArea::Usage usage = QFileInfo::exists(home) ? m_server->fileArea()->usage(home) : FileArea::Usage();
        const qint64 used = usage.bytes;
        const qint64 count = usage.entries;
        const qint64 quota = m_server->fileArea()->quota();
        print(QStringLiteral("%1: %2 bytes in %3 files and folders, %4% of the %5-byte quota (%6)")
                  .arg(args.at(0))
                  .arg(used)
                  .arg(count)
                  .arg(quota > 0 ? used * 100 / quota : 0)
                  .arg(quota)
                  .arg(home));
    } else if (command == QLatin1String("fingerprint")) {
        print(m_server->identity().publicKeyLine());
        print(m_server->identity().fingerprint());
    } else if ((command == QLatin1String("quit") || command == QLatin1String("exit")) && m_socket) {
        print(QStringLiteral("Console closed; the server keeps running (systemctl stop quietwired stops it)."));
        prompt();
        m_socket->disconnectFromServer();
        return false;
    } else if (command == QLatin1String("quit") || command == QLatin1String("exit")) {
        print(QStringLiteral("Stopping the server."));
        emit quitRequested();
        return false;
    } else {
        print(QStringLiteral("error: unknown command \"%1\"; `help` lists the commands").arg(command.left(40)));
    }
    return true;
}

} // namespace QuietWire
