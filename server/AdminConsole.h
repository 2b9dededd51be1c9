#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <QTextStream>

namespace QuietWire {

class ServerApp;

/// The administrator's console on quietwired's standard input: one command per line
/// (`help` lists them). Replies go to standard output; end of input closes the console and
/// leaves the server running.
class AdminConsole : public QObject
{
    Q_OBJECT

public:
    explicit AdminConsole(ServerApp* server, QObject* parent = nullptr);

    /// Runs one command line; returns false for `quit`.
    bool execute(const QString& line);

signals:
    void quitRequested();

private:
    void onReadable();
    void print(const QString& text);
    void prompt();

    ServerApp* m_server;
    QSocketNotifier* m_notifier = nullptr;
    QByteArray m_buffer;
    QTextStream m_out;
    bool m_interactive = false;
};

} // namespace QuietWire
