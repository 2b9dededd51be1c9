#include "ConversationFiles.h"

#include "FilePaths.h"
#include "ServerConnection.h"
#include "Sha256.h"
#include "TransferModel.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QThread>
#include <memory>

namespace QuietWire::Gui {

ConversationFiles::ConversationFiles(ServerConnection* connection, QObject* parent)
    : QObject(parent)
    , m_connection(connection)
{
    connect(m_connection, &ServerConnection::clientsReplaced, this, &ConversationFiles::attachClient);
    attachClient();
}

void ConversationFiles::attachClient()
{
    m_requests.clear();
    connect(m_connection->files(), &FileClient::replyReceived, this, &ConversationFiles::onReply);
}

void ConversationFiles::setTransferModel(TransferModel* transfers)
{
    if (m_transfers) {
        m_transfers->disconnect(this);
    }
    m_transfers = transfers;
    connect(transfers, &TransferModel::transferFinished, this,
        [this](FileTransfer::Direction direction, const QString& localPath, const QString& remotePath) {
            if (direction != FileTransfer::Direction::Upload) {
                return;
            }
            for (auto it = m_jobs.begin(); it != m_jobs.end(); ++it) {
                if (!it->uploaded && it->local == localPath && it->remote == remotePath) {
                    it->uploaded = true;
                    postIfReady(it.key());
                    return;
                }
            }
        });
    connect(transfers, &TransferModel::transferFailed, this,
        [this](FileTransfer::Direction direction, const QString& localPath, const QString& remotePath,
            const Failure& failure) {
            if (direction != FileTransfer::Direction::Upload || failure.code != ErrorCode::Exists) {
                return; // the transfer list shows the failure; Retry there posts the file when it succeeds
            }
            for (auto it = m_jobs.begin(); it != m_jobs.end(); ++it) {
                if (!it->uploaded && it->local == localPath && it->remote == remotePath) {
                    // Someone took the name while the file was on its way: the next free one.
                    ++it->attempt;
                    m_requests.insert(m_connection->files()->stat(it->folder + QLatin1Char('/')
                                          + FilePaths::numberedName(QFileInfo(it->local).fileName(), it->attempt)),
                        it.key());
                    return;
                }
            }
        });
}

TransferModel* ConversationFiles::transferModel() const
{
    return m_transfers;
}

void ConversationFiles::attach(const QString& localPath, const ChatClient::Destination& destination)
{
    const QFileInfo info(localPath);
    if (!info.isFile()) {
        emit failed(tr("%1 is not a file: only files can be posted into a conversation").arg(localPath));
        return;
    }
    if (!m_transfers || !m_connection->filesReady()) {
        emit failed(tr("%1 cannot be sent yet: the file session is not connected").arg(info.fileName()));
        return;
    }
    const int id = m_nextJob++;
    Job job;
    job.local = info.absoluteFilePath();
    job.destination = destination;
    job.folder = FilePaths::attachmentFolder(destination.room, destination.to, QDateTime::currentDateTimeUtc().date());
    job.size = info.size();
    m_jobs.insert(id, job);
    m_requests.insert(m_connection->files()->makeDirectory(job.folder), id);
    hash(id);
}

void ConversationFiles::hash(int job)
{
    auto digest = std::make_shared<QByteArray>();
    const QString path = m_jobs.value(job).local;
    QThread* thread = QThread::create([digest, path] { *digest = Sha256::hashFile(path); });
    connect(thread, &QThread::finished, this, [this, thread, digest, job] {
        thread->deleteLater();
        const auto it = m_jobs.find(job);
        if (it == m_jobs.end()) {
            return;
        }
        if (digest->isEmpty()) {
            emit failed(tr("%1 cannot be read: it was not posted").arg(it->local));
            m_jobs.erase(it);
            return;
        }
        it->sha256 = *digest;
        it->hashed = true;
        postIfReady(job);
    });
    thread->start();
}

void ConversationFiles::onReply(const FileClient::Reply& reply)
{
    const auto request = m_requests.constFind(reply.id);
    if (request == m_requests.cend()) {
        return;
    }
    const int id = request.value();
    m_requests.erase(request);
    const auto job = m_jobs.find(id);
    if (job == m_jobs.end()) {
        return;
    }
    const QString name = QFileInfo(job->local).fileName();
    if (reply.request == FileProtocol::RequestType::Mkdir) {
        if (!reply.ok && reply.code != ErrorCode::Exists) {
            emit failed(tr("%1 was not posted: %2").arg(name, reply.message));
            m_jobs.erase(job);
            return;
        }
        m_requests.insert(
            m_connection->files()->stat(job->folder + QLatin1Char('/') + FilePaths::numberedName(name, job->attempt)),
            id);
        return;
    }
    // stat of a candidate name: taken (try the next one), free (upload there), or a failure.
    if (reply.ok) {
        ++job->attempt;
        m_requests.insert(
            m_connection->files()->stat(job->folder + QLatin1Char('/') + FilePaths::numberedName(name, job->attempt)),
            id);
    } else if (reply.code == ErrorCode::NotFound) {
        job->remote = job->folder + QLatin1Char('/') + FilePaths::numberedName(name, job->attempt);
        // Never over a file: one that took the name meanwhile makes the server refuse (Exists).
        m_transfers->startUpload(job->local, job->remote, false);
    } else {
        emit failed(tr("%1 was not posted: %2").arg(name, reply.message));
        m_jobs.erase(job);
    }
}

void ConversationFiles::postIfReady(int job)
{
    const auto it = m_jobs.find(job);
    if (it == m_jobs.end() || !it->hashed || !it->uploaded) {
        return;
    }
    ChatProtocol::Attachment attachment;
    attachment.path = it->remote;
    attachment.size = it->size;
    attachment.sha256 = it->sha256;
    const ChatClient::Destination destination = it->destination;
    m_jobs.erase(it);
    emit readyToPost(destination, attachment);
}

QString ConversationFiles::download(const QString& remotePath, const QString& name, const QString& localFolder)
{
    if (!m_transfers) {
        return QString();
    }
    // The name comes from the network: only its last component, and never "." or "..".
    QString safe = QFileInfo(name).fileName();
    if (safe.isEmpty() || safe == QLatin1String(".") || safe == QLatin1String("..")) {
        safe = tr("attachment");
    }
    const QDir folder(localFolder);
    QString local;
    for (int attempt = 1;; ++attempt) {
        local = folder.filePath(FilePaths::numberedName(safe, attempt));
        if (!QFileInfo::exists(local)) {
            break; // a .part of an earlier attempt is continued (TransferModel resumes it)
        }
    }
    m_transfers->startDownload(remotePath, local);
    return local;
}

} // namespace QuietWire::Gui
