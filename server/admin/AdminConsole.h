#pragma once

#include <QObject>
#include <QPointer>
#include <QSocketNotifier>
#include <QTextStream>

class QLocalSocket;

namespace QuietWire {

class ServerApp;

/// The administrator's console: one command per line, from the table in AdminCommands (`help`
/// lists them).
/// On quietwired's standard input, replies go to standard output; end of input closes the
/// console and leaves the server running. The same console is served on the Unix socket
/// <data-dir>/console.sock for `quietwired console` (a server run as a service has no terminal):
/// there each reply ends with a line holding only EndOfReply, and `quit` closes that console,
/// not the server.
class AdminConsole : public QObject
{
    Q_OBJECT

public:
    static constexpr char EndOfReply = '\x1e';
    static constexpr char SocketName[] = "console.sock";

    explicit AdminConsole(ServerApp* server, QObject* parent = nullptr);
    /// A console on a connection to console.sock; deletes itself with the socket.
    AdminConsole(ServerApp* server, QLocalSocket* socket);

    /// Runs one command line; returns false for `quit`. A command that goes on in the background
    /// (`backup`) holds the lines after it until it is over.
    bool execute(const QString& line);

signals:
    void quitRequested();

private:
    void onReadable();
    void consume(const QByteArray& chunk);
    /// Runs the whole lines in the buffer, until one is `quit` or goes on in the background.
    void runLines();
    /// A command that went on in the background is over.
    void finished();
    void endOfInput();
    void print(const QString& text);
    void prompt();

    ServerApp* m_server;
    QSocketNotifier* m_notifier = nullptr;
    QPointer<QLocalSocket> m_socket;
    QByteArray m_buffer;
    QTextStream m_out;
    bool m_interactive = false;
    bool m_waiting = false; // for a command that goes on in the background
    bool m_inputEnded = false; // while waiting
};

} // namespace QuietWire
