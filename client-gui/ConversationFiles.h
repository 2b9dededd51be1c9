#pragma once

#include "ChatClient.h"
#include "FileClient.h"

#include <QHash>
#include <QObject>
#include <QPointer>

namespace QuietWire::Gui {

class ServerConnection;
class TransferModel;

/// Files in a conversation (chat protocol version 2), through the Files tab's transfer list:
/// attach() uploads a local file into the conversation's shared folder
/// (attachments/YYYY-MM-DD/, the UTC date, under a name not taken yet: "report (2).pdf"),
/// with its progress in the transfer list, and then emits readyToPost() with the attachment
/// for the message; download() fetches an attachment into a local folder (resumable, checked).
///
/// Usage: setTransferModel() once; attach(path, destination) per file; connect readyToPost()
/// to whatever sends messages, failed() to where errors are shown.
class ConversationFiles : public QObject
{
    Q_OBJECT

public:
    explicit ConversationFiles(ServerConnection* connection, QObject* parent = nullptr);

    void setTransferModel(TransferModel* transfers);
    TransferModel* transferModel() const;
    void attach(const QString& localPath, const ChatClient::Destination& destination);
    /// Downloads remotePath into localFolder as name (or "name (2)" ... when taken); the local path.
    QString download(const QString& remotePath, const QString& name, const QString& localFolder);

signals:
    void readyToPost(
        const QuietWire::ChatClient::Destination& destination, const QuietWire::ChatProtocol::Attachment& attachment);
    void failed(const QString& message);

private:
    struct Job
    {
        QString local;
        ChatClient::Destination destination;
        QString folder;
        QString remote;
        int attempt = 1;
        QByteArray sha256; // computed off the GUI thread
        qint64 size = 0;
        bool hashed = false;
        bool uploaded = false;
    };

    void attachClient();
    void onReply(const FileClient::Reply& reply);
    void hash(int job);
    void postIfReady(int job);

    ServerConnection* m_connection;
    QPointer<TransferModel> m_transfers;
    QHash<int, Job> m_jobs;
    /// Requests of the files session (mkdir, stat) to the job they belong to.
    QHash<qint64, int> m_requests;
    int m_nextJob = 1;
};

} // namespace QuietWire::Gui
