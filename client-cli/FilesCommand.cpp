#include "FilesCommand.h"

#include "CliOutput.h"
#include "FileClient.h"
#include "TerminalText.h"
#include "TreeTransfer.h"

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
        .arg(TerminalText::escape(entry.name))
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
        err() << "quietwire-cli: " << TerminalText::escape(failure.message, TerminalText::LineBreaks::Keep)
              << codeSuffix(failure.code) << Qt::endl;
        code = 1;
        QCoreApplication::quit();
    });
    QCoreApplication::exec();
    return code;
}

/// Moves a folder tree (put -r, get -r) on a browsing session of client: progress on a terminal, every name skipped
/// or failed on stderr, a summary at the end. 0 when no file failed (skipped names do not fail it), else 1.
int runTree(FileClient& client, const QString& host, quint16 port, FileTransfer::Direction direction,
    const QString& local, const QString& remote)
{
    const bool showProgress = isatty(STDERR_FILENO) == 1;
    const bool upload = direction == FileTransfer::Direction::Upload;
    TreeTransfer tree(&client);
    QElapsedTimer clock;
    clock.start();
    QElapsedTimer lastPrint;
    lastPrint.start();
    bool progressShown = false;
    const auto endProgressLine = [&] {
        if (progressShown) {
            err() << '\n';
            progressShown = false;
        }
    };
    QObject::connect(&tree, &TreeTransfer::progress, &tree, [&](int filesDone, int files, qint64 done, qint64 total) {
        if (!showProgress || (lastPrint.elapsed() < 200 && filesDone != files)) {
            return;
        }
        lastPrint.restart();
        const double seconds = qMax<qint64>(clock.elapsed(), 1) / 1000.0;
        err() << QStringLiteral("\r%1 / %2 files  %3 / %4  %5/s   ")
                     .arg(filesDone)
                     .arg(files)
                     .arg(humanSize(static_cast<double>(done)), humanSize(static_cast<double>(total)),
                         humanSize(static_cast<double>(done) / seconds));
        err().flush();
        progressShown = true;
    });
    const auto report = [&](int index) {
        const TreeTransfer::File& file = tree.file(index);
        if (file.state == TreeTransfer::State::Skipped) {
            endProgressLine();
            err() << "quietwire-cli: skipped " << TerminalText::escape(file.path) << ": "
                  << TerminalText::escape(file.message) << Qt::endl;
        } else if (file.state == TreeTransfer::State::Failed) {
            endProgressLine();
            err() << "quietwire-cli: " << TerminalText::escape(file.path) << ": " << TerminalText::escape(file.message)
                  << codeSuffix(file.code) << Qt::endl;
        } else if (file.state == TreeTransfer::State::Transferred && file.resumedFrom > 0) {
            endProgressLine();
            err() << TerminalText::escape(file.path) << ": resumed at byte " << file.resumedFrom << Qt::endl;
        }
    };
    QObject::connect(&tree, &TreeTransfer::fileChanged, &tree, report);
    QObject::connect(&tree, &TreeTransfer::listed, &tree, [&] {
        // What was skipped while walking (links, devices) is reported now, before the transfers.
        for (int i = 0; i < tree.fileCount(); ++i) {
            report(i);
        }
    });
    // QUIETWIRE_TREE_TIMING=1: the phases on stderr at the end (bench/tree-upload.sh shows them).
    qint64 connectedMs = -1;
    qint64 listedMs = -1;
    QObject::connect(&tree, &TreeTransfer::listed, &tree, [&] { listedMs = clock.elapsed(); });
    QObject::connect(&tree, &TreeTransfer::finished, &tree, [] { QCoreApplication::quit(); });
    QObject::connect(&client, &FileClient::connected, &tree, [&] {
        connectedMs = clock.elapsed();
        if (upload) {
            tree.upload(local, remote);
        } else {
            tree.download(remote, local);
        }
    });
    bool stopped = false;
    QObject::connect(&tree, &TreeTransfer::failed, &tree, [&](const QString& message) {
        endProgressLine();
        err() << "quietwire-cli: " << message << Qt::endl;
        stopped = true;
    });
    QObject::connect(&client, &FileClient::errorOccurred, &tree, [&](const QString& message) {
        endProgressLine();
        err() << "quietwire-cli: " << message << Qt::endl;
        stopped = true;
        tree.cancel();
        QCoreApplication::quit();
    });
    client.connectToServer(host, port);
    QCoreApplication::exec();
    endProgressLine();
    if (qEnvironmentVariable("QUIETWIRE_TREE_TIMING") == QLatin1String("1")) {
        err() << QStringLiteral("timing: browsing session up %1 ms, tree walked and folders made %2 ms later, files "
                                "moved %3 ms later (%4 ms from connecting to the end)")
                     .arg(connectedMs)
                     .arg(listedMs - connectedMs)
                     .arg(clock.elapsed() - listedMs)
                     .arg(clock.elapsed())
              << Qt::endl;
    }
    const TreeTransfer::Summary summary = tree.summary();
    err() << (upload ? "uploaded " : "downloaded ") << (upload ? local : remote) << " to " << (upload ? remote : local)
          << ": " << summary.files << " entries, " << summary.transferred << " transferred, " << summary.upToDate
          << " already there (same SHA-256), " << summary.skipped << " skipped, " << summary.failed << " failed; "
          << humanSize(static_cast<double>(summary.bytesDone)) << " of "
          << humanSize(static_cast<double>(summary.bytes)) << " in place"
          << (summary.cancelled ? QStringLiteral("; stopped: run it again to continue") : QString()) << Qt::endl;
    return summary.failed == 0 && !summary.cancelled && !stopped
            && summary.transferred + summary.upToDate + summary.skipped == summary.files
        ? 0
        : 1;
}

/// The last name of a remote path ("docs/a" -> "a"); empty for the home folder.
QString remoteName(const QString& path)
{
    const QStringList names = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    return names.isEmpty() || names.last() == QLatin1String("~") || names.last() == QLatin1String(".")
            || names.last() == QLatin1String("..")
        ? QString()
        : names.last();
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

    // A folder tree: walked and made on the browsing session, moved over sessions of its own.
    if (options.recursive && command == QLatin1String("get")) {
        if (args.size() < 2 || args.size() > 3) {
            return usage(QStringLiteral("get -r REMOTE_DIR [LOCAL_DIR]"));
        }
        const QString local = args.value(2, remoteName(args.at(1)));
        if (local.isEmpty()) {
            return usage(QStringLiteral("get -r REMOTE_DIR LOCAL_DIR (name the local folder for %1)").arg(args.at(1)));
        }
        return runTree(client, host, port, FileTransfer::Direction::Download, local, args.at(1));
    }
    if (options.recursive && command == QLatin1String("put")) {
        if (args.size() < 2 || args.size() > 3) {
            return usage(QStringLiteral("put -r LOCAL_DIR [REMOTE_DIR]"));
        }
        if (!QFileInfo(args.at(1)).isDir()) {
            return fail(QStringLiteral("%1 is not a folder").arg(args.at(1)));
        }
        const QString remote = args.value(2, QFileInfo(QDir(args.at(1)).absolutePath()).fileName());
        if (remote.isEmpty()) {
            return usage(QStringLiteral("put -r LOCAL_DIR REMOTE_DIR (name the remote folder for %1)").arg(args.at(1)));
        }
        return runTree(client, host, port, FileTransfer::Direction::Upload, args.at(1), remote);
    }

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
            return fail(QStringLiteral("%1 is not a file%2")
                            .arg(args.at(1),
                                QFileInfo(args.at(1)).isDir() ? QStringLiteral(" (a folder: put -r LOCAL_DIR sends it "
                                                                               "whole)")
                                                              : QString()));
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
            err() << "quietwire-cli: " << TerminalText::escape(reply.message) << codeSuffix(reply.code) << Qt::endl;
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
