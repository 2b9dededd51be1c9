#include "UploadTransfer.h"

#include "EncryptedTcpSocket.h"
#include "FileIo.h"
#include "FileProtocol.h"

#include <QFileInfo>

namespace QuietWire {

UploadTransfer::UploadTransfer(
    ServiceClient* connection, Session session, QString localPath, QString remotePath, bool resume, QObject* parent)
    : FileTransfer(connection, session, std::move(localPath), std::move(remotePath), resume, parent)
{ }

FileTransfer::State UploadTransfer::state() const
{
    return stateOfStep(m_step);
}

void UploadTransfer::setStep(Step step)
{
    if (step == m_step) {
        return;
    }
    const State before = state();
    m_step = step;
    emit stepChanged(step);
    reportState(before);
}

void UploadTransfer::enter(State state)
{
    if (const auto step = stepOfState<Step>(state)) { // Running: the steps are this transfer's own
        setStep(*step);
    }
}

bool UploadTransfer::prepare()
{
    m_file.setFileName(m_localPath);
    if (!m_file.open(QIODevice::ReadOnly)) {
        fail(ErrorCode::LocalFile, FileTransfer::tr("Cannot read %1: %2").arg(m_localPath, m_file.errorString()));
        return false;
    }
    m_total = m_file.size();
    return true;
}

void UploadTransfer::onReady()
{
    if (m_resume && !m_restarted) {
        // How much partial data does the server have? Then prove it is the start of our file.
        setStep(Step::AskingPartial);
        m_connection->send(FileProtocol::PartialRequest { RequestId, m_remotePath }.toCbor());
        return;
    }
    sendPut(0, {});
}

void UploadTransfer::sendPut(qint64 offset, const QByteArray& prefixHash)
{
    if (offset == 0) {
        m_hash.reset();
        m_file.seek(0);
    }
    m_offset = offset;
    m_done = offset;
    FileProtocol::PutRequest put { RequestId, m_remotePath, m_total, offset, std::nullopt, {} };
    const qint64 mtime = QFileInfo(m_file).lastModified().toMSecsSinceEpoch();
    if (mtime >= 0) {
        put.mtime = mtime; // unsigned on the wire; else the server keeps "now"
    }
    if (offset > 0) {
        put.prefixSha256 = prefixHash;
    }
    put.replace = m_replace;
    setStep(Step::Requesting);
    m_connection->send(put.toCbor());
}

void UploadTransfer::onMessage(const QCborMap& message)
{
    if (m_step == Step::AskingPartial || m_step == Step::AskingStat) {
        onResumeAnswer(message);
        return;
    }
    const FileProtocol::ReplyKind kind = FileProtocol::replyKind(message);
    if (kind == FileProtocol::ReplyKind::Failed) {
        const auto failed = FileProtocol::Failed::decode(message);
        if (failed.ok() && failed.value.code == ErrorCode::Mismatch && m_offset > 0 && !m_restarted) {
            restartFromZero();
            return;
        }
        failWith(message);
        return;
    }
    if (kind != FileProtocol::ReplyKind::Result) {
        return;
    }
    switch (m_step) {
    case Step::Requesting:
        setStep(Step::Sending);
        connect(m_connection->socket(), &EncryptedTcpSocket::bytesWritten, this, &UploadTransfer::pump,
            Qt::UniqueConnection);
        pump();
        return;
    case Step::Confirming: {
        const auto stored = FileProtocol::StoredResult::decode(message);
        if (!stored.ok() || stored.value.sha256 != m_hash.result()) {
            fail(ErrorCode::Io, FileTransfer::tr("The server stored a file whose SHA-256 differs from yours"));
            return;
        }
        succeed();
        return;
    }
    default:
        return;
    }
}

void UploadTransfer::onResumeAnswer(const QCborMap& message)
{
    const FileProtocol::ReplyKind kind = FileProtocol::replyKind(message);
    if (kind == FileProtocol::ReplyKind::Failed) {
        const auto failed = FileProtocol::Failed::decode(message);
        const ErrorCode code = failed.ok() ? failed.value.code : ErrorCode::Unknown;
        if (m_step == Step::AskingPartial && code == ErrorCode::BadRequest) {
            // A server older than "partial" keeps the partial data in "<remote>.part".
            setStep(Step::AskingStat);
            m_connection->send(
                FileProtocol::StatRequest { RequestId, m_remotePath + QStringLiteral(".part") }.toCbor());
            return;
        }
        if (code == ErrorCode::NotFound) {
            sendPut(0, {}); // nothing to resume; put reports any real problem with the path
            return;
        }
        // Anything else (permission, io, a bad path...) is a real answer, not "nothing there".
        failWith(message);
        return;
    }
    if (kind != FileProtocol::ReplyKind::Result) {
        return;
    }
    // How much partial data the server has; resume if those bytes are the start of our file. An
    // answer that is not understood counts as none: the upload starts from the beginning.
    qint64 have = 0;
    if (m_step == Step::AskingPartial) {
        const auto partial = FileProtocol::PartialResult::decode(message);
        have = partial.ok() ? partial.value.offset : 0;
    } else {
        const auto stat = FileProtocol::StatResult::decode(message);
        have = stat.ok() ? stat.value.entry.size : 0;
    }
    if (have <= 0 || have > m_total) {
        sendPut(0, {});
        return;
    }
    // A prefix that cannot be read counts as none: the upload starts from the beginning.
    hashLocalPrefix(have, [this, have](const QByteArray& prefix, const QString&) {
        if (!prefix.isEmpty()) {
            sendPut(have, prefix);
        } else {
            sendPut(0, {});
        }
    });
}

void UploadTransfer::pump()
{
    EncryptedTcpSocket* socket = m_connection->socket();
    if (m_step != Step::Sending || !socket) {
        return;
    }
    const FileIo::SendResult result
        = FileIo::sendChunks(*socket, m_file, m_total, m_hash, &m_done, [this] { emit progress(m_done, m_total); });
    switch (result) {
    case FileIo::SendResult::Waiting:
        return;
    case FileIo::SendResult::ReadError:
        fail(ErrorCode::LocalFile, FileTransfer::tr("Cannot read %1: %2").arg(m_localPath, m_file.errorString()));
        return;
    case FileIo::SendResult::Finished:
        if (m_done != m_total) {
            fail(ErrorCode::LocalFile, FileTransfer::tr("%1 became shorter during the upload").arg(m_localPath));
            return;
        }
        setStep(Step::Confirming);
        m_connection->send(FileProtocol::EndRequest { RequestId, m_hash.result() }.toCbor());
        return;
    }
}

} // namespace QuietWire
