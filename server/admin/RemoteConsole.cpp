#include "RemoteConsole.h"

#include "AdminConsole.h"

#include <QDir>
#include <QLocalSocket>
#include <QTextStream>
#include <unistd.h>

namespace QuietWire::RemoteConsole {

int run(const QStringList& args, const QString& dataDir, const std::function<void(const QString&)>& fail)
{
    QTextStream out(stdout);
    const QString path = QDir(dataDir).filePath(QLatin1String(AdminConsole::SocketName));
    QLocalSocket socket;
    socket.connectToServer(path);
    if (!socket.waitForConnected(5000)) {
        fail(QStringLiteral("no running server answers on %1 (%2): is it running with --data-dir %3? "
                            "(systemctl status quietwired)")
                 .arg(path, socket.errorString(), dataDir));
        return 1;
    }
    // Sends one line and prints the reply up to its end marker; false if the server went away.
    bool failed = false;
    const auto runLine = [&](const QString& line) {
        socket.write(line.toUtf8() + '\n');
        QByteArray buffer;
        for (;;) {
            const qsizetype end = buffer.indexOf(QByteArray(1, AdminConsole::EndOfReply) + '\n');
            if (end >= 0) {
                const QByteArray reply = buffer.left(end);
                out << QString::fromUtf8(reply) << Qt::flush;
                failed = failed || reply.startsWith("error:");
                return true;
            }
            if (socket.state() != QLocalSocket::ConnectedState && socket.bytesAvailable() == 0) {
                out << QString::fromUtf8(buffer) << Qt::flush;
                return false;
            }
            socket.waitForReadyRead(1000);
            buffer += socket.readAll();
        }
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

} // namespace QuietWire::RemoteConsole
