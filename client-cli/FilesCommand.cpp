#include "FilesCommand.h"

#include "CliOutput.h"
#include "FileClient.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <cstdio>
#include <unistd.h>

namespace QuietWire::Cli {

namespace {

QString humanSize(double bytes)
{
    const char* units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    int unit = 0;
    while (bytes >= 1024 && unit < 4) {
        bytes /= 1024;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(bytes, 0, 'f', unit == 0 ? 0 : 1).arg(QLatin1String(units[unit]));
}

QString typeChar(FileProtocol::Entry::Type type)
{
    switch (type) {
    case FileProtocol::Entry::Type::Directory:
        return QStringLiteral("d");
    case FileProtocol::Entry::Type::File:
        return QStringLiteral("-");
    case FileProtocol::Entry::Type::Other:
        break;
    }
    return QStringLiteral("?");
}

QString formatEntry(const FileProtocol::Entry& entry)
{
    return QStringLiteral("%1 %2 %3 %4%5")
        .arg(typeChar(entry.type))
        .arg(entry.size, 12)
        .arg(entry.modified.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")))
        .arg(entry.name)
        .arg(entry.type == FileProtocol::Entry::Type::Directory ? QStringLiteral("/") : QString());
}

int usage(const QString& text)
{
    return fail(QStringLiteral("usage: quietwire-cli files HOST[:PORT] %1").arg(text), 2);
}

/// Runs a transfer to its end, with a progress line on a terminal.
int runTransfer(FileTransfer* transfer)
{
    const bool showProgress = isatty(STDERR_FILENO) == 1;
    const QString name = QFileInfo(
        transfer->direction() == FileTransfer::Direction::Upload ? transfer->localPath() : transfer->remotePath())
                             .fileName();
    QElapsedTimer lastPrint;
    lastPrint.start();
    int code = 1;
    QObject::connect(transfer, &FileTransfer::progress, transfer, [&](qint64 done, qint64 total) {
        if (!showProgress || (lastPrint.elapsed() < 200 && done != total)) {
            return;
        }
        lastPrint.restart();
        err() << QStringLiteral("\r%1  %2%  %3 / %4  %5/s   ")
                     .arg(name)
                     .arg(total > 0 ? done * 100 / total : 100, 3)
                     .arg(humanSize(static_cast<double>(done)), humanSize(static_cast<double>(total)),
                         humanSize(transfer->bytesPerSecond()));
        err().flush();
    });
    QObject::connect(transfer, &FileTransfer::finished, transfer, [&] {
        if (showProgress) {
            err() << '\n';
        }
        err() << (transfer->direction() == FileTransfer::Direction::Upload ? "uploaded " : "downloaded ")
              << humanSize(static_cast<double>(transfer->bytesTotal()))
              << (transfer->resumedFrom() > 0 ? QStringLiteral(" (resumed at byte %1)").arg(transfer->resumedFrom())
                                              : QString())
              << ", SHA-256 verified" << Qt::endl;
        code = 0;
        QCoreApplication::quit();
    });
    QObject::connect(transfer, &FileTransfer::failed, transfer, [&](const Failure& failure) {
        if (showProgress) {
            err() << '\n';
        }
        err() << "quietwire-cli: " << failure.message << codeSuffix(failure.code) << Qt::endl;
        code = 1;
        QCoreApplication::quit();
    });
    QCoreApplication::exec();
    return code;
}

} // namespace

int runFiles(const Identity& identity, const QString& configDir, const QString& host, quint16 port,
    const QStringList& args, const FilesOptions& options)
{
    FileClient client(identity, QDir(configDir).filePath(QStringLiteral("known_servers")));
    client.connection()->setTrustPolicy(
        options.trustNew ? ServiceClient::TrustPolicy::TrustNewKeys : ServiceClient::TrustPolicy::AskForNewKeys);
    client.connection()->setLocalAddress(options.bindAddress);
    client.setServer(host, port);
    const QString command = args.value(0);

    // Transfers run on their own session; they need no browsing session.
    if (command == QLatin1String("get")) {
        if (args.size() < 2 || args.size() > 3) {
            return usage(QStringLiteral("get REMOTE [LOCAL]"));
        }
        QString local = args.value(2, QFileInfo(args.at(1)).fileName());
        if (QFileInfo(local).isDir()) {
            local = QDir(local).filePath(QFileInfo(args.at(1)).fileName());
        }
        return runTransfer(client.download(args.at(1), local, options.resume));
    }
    if (command == QLatin1String("put")) {
        if (args.size() < 2 || args.size() > 3) {
            return usage(QStringLiteral("put LOCAL [REMOTE]"));
        }
        if (!QFileInfo(args.at(1)).isFile()) {
            return fail(QStringLiteral("%1 is not a file").arg(args.at(1)));
        }
        return runTransfer(client.upload(args.at(1), args.value(2, QFileInfo(args.at(1)).fileName()), options.resume));
    }

    struct Operation
    {
        int minArgs;
        int maxArgs;
        QString usage;
    };
    static const QHash<QString, Operation> operations {
        { QStringLiteral("ls"), { 0, 1, QStringLiteral("ls [PATH]") } },
        { QStringLiteral("stat"), { 1, 1, QStringLiteral("stat PATH") } },
        { QStringLiteral("cat"), { 1, 1, QStringLiteral("cat PATH [--max N]") } },
        { QStringLiteral("mkdir"), { 1, 1, QStringLiteral("mkdir PATH") } },
        { QStringLiteral("rm"), { 1, 1, QStringLiteral("rm PATH") } },
        { QStringLiteral("rmdir"), { 1, 1, QStringLiteral("rmdir PATH [--recursive]") } },
        { QStringLiteral("mv"), { 2, 2, QStringLiteral("mv FROM TO") } },
    };
    if (!operations.contains(command)) {
        return fail(QStringLiteral("unknown files command \"%1\": use ls, stat, cat, mkdir, rm, rmdir, mv, get or put")
                        .arg(command),
            2);
    }
    const Operation operation = operations.value(command);
    if (args.size() - 1 < operation.minArgs || args.size() - 1 > operation.maxArgs) {
        return usage(operation.usage);
    }

    int code = 1;
    QObject::connect(&client, &FileClient::connected, &client, [&] {
        if (command == QLatin1String("ls")) {
            client.list(args.value(1));
        } else if (command == QLatin1String("stat")) {
            client.stat(args.at(1));
        } else if (command == QLatin1String("cat")) {
            client.cat(args.at(1), options.catBytes);
        } else if (command == QLatin1String("mkdir")) {
            client.makeDirectory(args.at(1));
        } else if (command == QLatin1String("rm")) {
            client.remove(args.at(1));
        } else if (command == QLatin1String("rmdir")) {
            client.removeDirectory(args.at(1), options.recursive);
        } else if (command == QLatin1String("mv")) {
            client.rename(args.at(1), args.at(2));
        }
    });
    QObject::connect(&client, &FileClient::replyReceived, &client, [&](const FileClient::Reply& reply) {
        if (!reply.ok) {
            err() << "quietwire-cli: " << reply.message << codeSuffix(reply.code) << Qt::endl;
        } else if (reply.request == FileProtocol::RequestType::Ls) {
            for (const auto& entry : reply.entries) {
                out() << formatEntry(entry) << '\n';
            }
        } else if (reply.request == FileProtocol::RequestType::Stat) {
            out() << reply.path << '\n' << formatEntry(reply.entry) << '\n';
        } else if (reply.request == FileProtocol::RequestType::Cat) {
            out().flush();
            std::fwrite(reply.data.constData(), 1, static_cast<size_t>(reply.data.size()), stdout);
            std::fflush(stdout);
        }
        out().flush();
        code = reply.ok ? 0 : 1;
        client.disconnectFromServer();
    });
    QObject::connect(&client, &FileClient::errorOccurred, &client, [&](const QString& message) {
        err() << "quietwire-cli: " << message << Qt::endl;
        code = 1;
    });
    QObject::connect(&client, &FileClient::disconnected, &client, [] { QCoreApplication::quit(); });
    client.connectToServer(host, port);
    QCoreApplication::exec();
    return code;
}

} // namespace QuietWire::Cli
