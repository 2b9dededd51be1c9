#include "SendFileCommand.h"

#include "ChatCommand.h"
#include "CliOutput.h"
#include "FileClient.h"
#include "Sha256.h"
#include "TerminalText.h"
#include "UploadTransfer.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <functional>

namespace QuietWire::Cli {

namespace {

/// How many names ("report.pdf", "report (2).pdf", ...) are tried before giving up.
constexpr int MaxNameAttempts = 1000;

/// "report.pdf", then "report (2).pdf", "report (3).pdf", ...
QString candidate(const QString& name, int attempt)
{
    if (attempt == 1) {
        return name;
    }
    const QFileInfo info(name);
    const QString suffix = info.suffix();
    return suffix.isEmpty() || info.completeBaseName().isEmpty()
        ? QStringLiteral("%1 (%2)").arg(name).arg(attempt)
        : QStringLiteral("%1 (%2).%3").arg(info.completeBaseName()).arg(attempt).arg(suffix);
}

/// The SHA-256 of the file at path; empty when it cannot be read.
QByteArray hashOf(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    Sha256 hash;
    while (!file.atEnd()) {
        const QByteArray chunk = file.read(1 << 20);
        if (chunk.isEmpty() && file.error() != QFileDevice::NoError) {
            return {};
        }
        hash.addData(chunk);
    }
    return hash.result();
}

} // namespace

int runSendFile(const Identity& identity, const QString& configDir, const QString& host, quint16 port,
    const SendFileOptions& options)
{
    const QFileInfo local(options.local);
    if (!local.isFile()) {
        return fail(QStringLiteral("%1 is not a file").arg(options.local), 2);
    }
    const QString conversationFolder = !options.to.isEmpty()
        ? QStringLiteral("/direct/") + options.to
        : QStringLiteral("/rooms/") + (options.room.isEmpty() ? QStringLiteral("general") : options.room);
    const QString folder = conversationFolder + QStringLiteral("/attachments/")
        + QDateTime::currentDateTimeUtc().date().toString(QStringLiteral("yyyy-MM-dd"));
    const QByteArray sha256 = hashOf(local.absoluteFilePath());
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
    // Each candidate name is uploaded with replace: false, so the server refuses a name that is
    // taken (at the start, or by someone else while the upload ran) and the next one is tried.
    std::function<void()> upload = [&] {
        remote = folder + QLatin1Char('/') + candidate(local.fileName(), attempt);
        FileTransfer* transfer = client.upload(local.absoluteFilePath(), remote, true);
        if (auto* uploadTransfer = qobject_cast<UploadTransfer*>(transfer)) {
            uploadTransfer->setReplaceExisting(false);
        }
        QObject::connect(transfer, &FileTransfer::finished, transfer, [&] {
            code = 0;
            client.disconnectFromServer();
        });
        QObject::connect(transfer, &FileTransfer::failed, transfer, [&](const Failure& failure) {
            if (failure.code == ErrorCode::Exists && attempt < MaxNameAttempts) {
                ++attempt;
                upload();
                return;
            }
            err() << "quietwire-cli: " << TerminalText::escape(failure.message, TerminalText::LineBreaks::Keep)
                  << codeSuffix(failure.code) << Qt::endl;
            client.disconnectFromServer();
        });
    };
    QObject::connect(&client, &FileClient::connected, &client, [&] { client.makeDirectory(folder); });
    QObject::connect(&client, &FileClient::replyReceived, &client, [&](const FileClient::Reply& reply) {
        if (reply.request != FileProtocol::RequestType::Mkdir) {
            return;
        }
        if (!reply.ok && reply.code != ErrorCode::Exists) {
            err() << "quietwire-cli: " << TerminalText::escape(reply.message) << codeSuffix(reply.code) << Qt::endl;
            client.disconnectFromServer();
            return;
        }
        upload();
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
