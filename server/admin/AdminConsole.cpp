#include "AdminConsole.h"

#include "AdminCommands.h"
#include "ServerApp.h"

#include <QLocalSocket>
#include <cerrno>
#include <poll.h>
#include <unistd.h>

namespace QuietWire {

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
    // Standard input is blocking (it may be the administrator's terminal, shared with the shell): a
    // notification that finds nothing there must not leave the whole server waiting for the next line.
    pollfd ready { STDIN_FILENO, POLLIN, 0 };
    if (::poll(&ready, 1, 0) == 0) {
        return;
    }
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
    if (m_waiting) {
        m_inputEnded = true; // after the command running now
        return;
    }
    if (!m_buffer.trimmed().isEmpty()) {
        const QString last = QString::fromUtf8(m_buffer);
        m_buffer.clear();
        execute(last);
        if (m_waiting) {
            m_inputEnded = true;
            return;
        }
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
    runLines();
}

void AdminConsole::runLines()
{
    qsizetype newline;
    while (!m_waiting && (newline = m_buffer.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(m_buffer.left(newline));
        m_buffer.remove(0, newline + 1);
        if (!execute(line)) {
            return;
        }
        if (!m_waiting) {
            prompt();
        }
    }
}

void AdminConsole::finished()
{
    m_waiting = false;
    prompt();
    runLines();
    if (m_inputEnded && !m_waiting) {
        m_inputEnded = false;
        endOfInput();
    }
}

bool AdminConsole::execute(const QString& rawLine)
{
    const QString line = rawLine.trimmed();
    if (line.isEmpty() || line.startsWith(QLatin1Char('#'))) {
        return true;
    }
    const qsizetype space = line.indexOf(QLatin1Char(' '));
    const QString name = space < 0 ? line : line.left(space);
    const QString rest = space < 0 ? QString() : line.mid(space + 1).trimmed();
    const AdminCommand* command = AdminCommands::find(name, AdminContext::Where::Console);
    if (!command) {
        print(QStringLiteral("error: unknown command \"%1\"; `help` lists the commands").arg(name.left(40)));
        return true;
    }
    AdminContext context;
    context.where = AdminContext::Where::Console;
    context.server = m_server;
    context.dataDir = m_server->options().dataDir;
    context.store = m_server->options().store;
    context.remoteConsole = m_socket != nullptr;
    // A command that goes on in the background may outlive this console (its socket closed).
    const QPointer<AdminConsole> console(this);
    context.print = [console](const QString& text) {
        if (console) {
            console->print(text);
        }
    };
    context.fail = [console](const QString& message) {
        if (console) {
            console->print(QStringLiteral("error: %1").arg(message));
        }
    };
    context.finish = [console](bool) {
        if (console) {
            console->finished();
        }
    };
    const AdminCommand::Result result
        = command->execute(context, rest.split(QLatin1Char(' '), Qt::SkipEmptyParts), rest);
    if (result == AdminCommand::Result::Pending) {
        m_waiting = true;
        return true;
    }
    if (result != AdminCommand::Result::Quit) {
        return true;
    }
    if (m_socket) {
        prompt();
        m_socket->disconnectFromServer();
    } else {
        emit quitRequested();
    }
    return false;
}

} // namespace QuietWire
