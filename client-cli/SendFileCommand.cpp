#include "SendFileCommand.h"

#include "ChatCommand.h"
#include "CliOutput.h"
#include "FileClient.h"
#include "FilePaths.h"
#include "Sha256.h"
#include "TerminalText.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>

namespace QuietWire::Cli {

int runSendFile(const Identity& identity, const QString& configDir, const QString& host, quint16 port,
    const SendFileOptions& options)
{
    const QFileInfo local(options.local);
    if (!local.isFile()) {
        return fail(QStringLiteral("%1 is not a file").arg(options.local), 2);
    }
    const QString folder
        = FilePaths::attachmentFolder(options.room, options.to, QDateTime::currentDateTimeUtc().date());
    const QByteArray sha256 = Sha256::hashFile(local.absoluteFilePath());
    if (sha256.isEmpty()) {
        return fail(QStringLiteral("%1 cannot be read").arg(options.local));
    }

    FileClient client(identity, QDir(configDir).filePath(QStringLiteral("known_servers")));
    client.connection()->setTrustPolicy(
        options.trustNew ? ServiceClient::TrustPolicy::TrustNewKeys : ServiceClient::TrustPolicy::AskForNewKeys);
    client.connection()->setLocalAddress(options.bindAddress);
    client.setServer(host, port);
    int code = 1;
    int attempt = 1;
    QString remote;
    const auto upload = [&] {
        FileTransfer* transfer = client.upload(local.absoluteFilePath(), remote, true);
        QObject::connect(transfer, &FileTransfer::finished, transfer, [&] {
            code = 0;
            client.disconnectFromServer();
        });
        QObject::connect(transfer, &FileTransfer::failed, transfer, [&](const Failure& failure) {
            err() << "quietwire-cli: " << TerminalText::escape(failure.message, TerminalText::LineBreaks::Keep)
                  << codeSuffix(failure.code) << Qt::endl;
            client.disconnectFromServer();
        });
    };
    QObject::connect(&client, &FileClient::connected, &client, [&] { client.makeDirectory(folder); });
    QObject::connect(&client, &FileClient::replyReceived, &client, [&](const FileClient::Reply& reply) {
        if (reply.request == FileProtocol::RequestType::Mkdir) {
            if (!reply.ok && reply.code != ErrorCode::Exists) {
                err() << "quietwire-cli: " << TerminalText::escape(reply.message) << codeSuffix(reply.code) << Qt::endl;
                client.disconnectFromServer();
                return;
            }
            client.stat(folder + QLatin1Char('/') + FilePaths::numberedName(local.fileName(), attempt));
            return;
        }
        // stat of a candidate name: taken (try the next one), free (upload there), or a failure.
        if (reply.ok) {
            client.stat(folder + QLatin1Char('/') + FilePaths::numberedName(local.fileName(), ++attempt));
        } else if (reply.code == ErrorCode::NotFound) {
            remote = folder + QLatin1Char('/') + FilePaths::numberedName(local.fileName(), attempt);
            upload();
        } else {
            err() << "quietwire-cli: " << TerminalText::escape(reply.message) << codeSuffix(reply.code) << Qt::endl;
            client.disconnectFromServer();
        }
    });
    QObject::connect(&client, &FileClient::errorOccurred, &client, [&](const QString& message) {
        err() << "quietwire-cli: " << message << Qt::endl;
        code = 1;
        QCoreApplication::quit();
    });
    QObject::connect(&client, &FileClient::disconnected, &client, [] { QCoreApplication::quit(); });
    client.connectToServer(host, port);
    QCoreApplication::exec();
    if (code != 0) {
        return code;
    }
    err() << "uploaded " << remote << " (" << local.size() << " bytes, SHA-256 verified)" << Qt::endl;

    ChatOptions chat;
    chat.mode = ChatOptions::Mode::Send;
    chat.sendText = options.text;
    chat.room = options.to.isEmpty() && options.room.isEmpty() ? QStringLiteral("general") : options.room;
    chat.to = options.to;
    chat.json = options.json;
    chat.trustNew = options.trustNew;
    chat.bindAddress = options.bindAddress;
    ChatProtocol::Attachment attachment;
    attachment.path = remote;
    attachment.size = local.size();
    attachment.sha256 = sha256;
    chat.attachment = attachment;
    return runChat(identity, configDir, host, port, chat);
}

} // namespace QuietWire::Cli
