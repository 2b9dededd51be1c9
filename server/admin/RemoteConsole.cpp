#include "RemoteConsole.h"

#include "AdminConsole.h"

#include <QDir>
#include <QLocalSocket>
#include <QTextStream>
#include <unistd.h>

namespace QuietWire::RemoteConsole {

namespace {

/// A connection to console.sock: one command line at a time, each reply read up to its end marker.
class Connection
{
public:
    explicit Connection(const QString& dataDir)
        : m_dataDir(dataDir)
    { }

    bool connect(const std::function<void(const QString&)>& fail)
    {
        const QString path = QDir(m_dataDir).filePath(QLatin1String(AdminConsole::SocketName));
        m_socket.connectToServer(path);
        if (m_socket.waitForConnected(5000)) {
            return true;
        }
        fail(QStringLiteral("no running server answers on %1 (%2): is it running with --data-dir %3? "
                            "(systemctl status quietwired)")
                 .arg(path, m_socket.errorString(), m_dataDir));
        return false;
    }

    /// Sends one line and reads the reply up to its end marker into *reply; false if the server
    /// went away first (*reply holds what came).
    bool request(const QString& line, QByteArray* reply)
    {
        m_socket.write(line.toUtf8() + '\n');
        QByteArray buffer;
        for (;;) {
            const qsizetype end = buffer.indexOf(QByteArray(1, AdminConsole::EndOfReply) + '\n');
            if (end >= 0) {
                *reply = buffer.left(end);
                return true;
            }
            if (m_socket.state() != QLocalSocket::ConnectedState && m_socket.bytesAvailable() == 0) {
                *reply = buffer;
                return false;
            }
            m_socket.waitForReadyRead(1000);
            buffer += m_socket.readAll();
        }
    }

private:
    QString m_dataDir;
    QLocalSocket m_socket;
};

} // namespace

int run(const QStringList& args, const QString& dataDir, const std::function<void(const QString&)>& fail)
{
    QTextStream out(stdout);
    Connection connection(dataDir);
    if (!connection.connect(fail)) {
        return 1;
    }
    // Sends one line and prints the reply; false if the server went away.
    bool failed = false;
    const auto runLine = [&](const QString& line) {
        QByteArray reply;
        const bool answered = connection.request(line, &reply);
        out << QString::fromUtf8(reply) << Qt::flush;
        failed = failed || (answered && reply.startsWith("error:"));
        return answered;
    };
    if (!args.isEmpty()) {
        if (!runLine(args.join(QLatin1Char(' ')))) {
            fail(QStringLiteral("the server closed the console"));
            return 1;
        }
        return failed ? 1 : 0;
    }
    const bool interactive = isatty(STDIN_FILENO) == 1;
    if (interactive) {
        out << "Console of the quietwired running on " << dataDir << "; `help` lists the commands, "
            << "`quit` or Ctrl+D closes the console (the server keeps running)." << Qt::endl;
    }
    QTextStream in(stdin);
    for (;;) {
        if (interactive) {
            out << "quietwired> " << Qt::flush;
        }
        const QString line = in.readLine();
        if (line.isNull()) {
            return 0;
        }
        if (!runLine(line)) {
            return 0; // `quit`, or the server stopped
        }
    }
}

int forward(const QString& line, const QString& dataDir, const std::function<void(const QString&)>& print,
    const std::function<void(const QString&)>& fail)
{
    Connection connection(dataDir);
    if (!connection.connect(fail)) {
        return 1;
    }
    QByteArray reply;
    if (!connection.request(line, &reply)) {
        fail(QStringLiteral("the server closed the console"));
        return 1;
    }
    const QString text = QString::fromUtf8(reply).chopped(reply.endsWith('\n') ? 1 : 0);
    if (text.startsWith(QLatin1String("error: "))) {
        fail(text.mid(7));
        return 1;
    }
    if (!text.isEmpty()) {
        print(text);
    }
    return 0;
}

} // namespace QuietWire::RemoteConsole
