#include "DownloadTransfer.h"

#include "FileIo.h"
#include "FileProtocol.h"

#include <QFileInfo>
#include <cerrno>
#include <cstring>

namespace QuietWire {

DownloadTransfer::DownloadTransfer(
    ServiceClient* connection, Session session, QString localPath, QString remotePath, bool resume, QObject* parent)
    : FileTransfer(connection, session, std::move(localPath), std::move(remotePath), resume, parent)
{ }

FileTransfer::State DownloadTransfer::state() const
{
    return stateOfStep(m_step);
}

void DownloadTransfer::setStep(Step step)
{
    if (step == m_step) {
        return;
    }
    const State before = state();
    m_step = step;
    emit stepChanged(step);
    reportState(before);
}

void DownloadTransfer::enter(State state)
{
    if (const auto step = stepOfState<Step>(state)) { // Running: the steps are this transfer's own
        setStep(*step);
    }
}

void DownloadTransfer::cleanUp()
{
    if (!m_startedPart) {
        return;
    }
    const QFileInfo part(partPath());
    if (part.isFile() && part.size() == 0) {
        QFile::remove(partPath());
    }
    m_startedPart = false;
}

void DownloadTransfer::onReady()
{
    const QFileInfo info(partPath());
    const qint64 have = info.isFile() ? info.size() : 0;
    m_file.setFileName(partPath());
    if (m_resume && !m_restarted && have > 0) {
        if (!m_file.open(QIODevice::ReadWrite)) {
            fail(ErrorCode::LocalFile, FileTransfer::tr("Cannot write %1: %2").arg(partPath(), m_file.errorString()));
            return;
        }
        hashLocalPrefix(have, [this, have](const QByteArray& prefix, const QString& error) {
            if (prefix.isEmpty()) {
                fail(ErrorCode::LocalFile, FileTransfer::tr("Cannot read %1: %2").arg(partPath(), error));
                return;
            }
            sendGet(have, prefix);
        });
        return;
    }
    // The .part is created (or emptied) only once the server has said yes: a download that
    // fails at once leaves nothing behind, and an earlier attempt's data stays.
    m_hash.reset();
    sendGet(0, {});
}

void DownloadTransfer::sendGet(qint64 offset, const QByteArray& prefixHash)
{
    m_offset = offset;
    m_done = offset;
    FileProtocol::GetRequest get { RequestId, m_remotePath, offset, {} };
    if (offset > 0) {
        get.prefixSha256 = prefixHash;
    }
    setStep(Step::Requesting);
    m_connection->send(get.toCbor());
}

bool DownloadTransfer::onRawMessage(const QByteArray& message)
{
    if (m_step != Step::Receiving) {
        return false;
    }
    const QByteArray data = FileProtocol::decodeData(message);
    if (data.isNull()) {
        return false; // not file data: onMessage() handles it
    }
    if (m_done + data.size() > m_total) {
        fail(ErrorCode::Unknown, FileTransfer::tr("The server sent more data than the file has"));
        return true;
    }
    if (m_file.write(data) != data.size()) {
        fail(
            ErrorCode::LocalFile, FileTransfer::tr("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        return true;
    }
    m_hash.addData(data);
    m_done += data.size();
    emit progress(m_done, m_total);
    return true;
}

void DownloadTransfer::onMessage(const QCborMap& message)
{
    const FileProtocol::ReplyKind kind = FileProtocol::replyKind(message);
    if (kind == FileProtocol::ReplyKind::Data) {
        return; // file data, taken by onRawMessage()
    }
    if (kind == FileProtocol::ReplyKind::Failed) {
        const auto failed = FileProtocol::Failed::decode(message);
        if (failed.ok() && failed.value.code == ErrorCode::Mismatch && m_offset > 0 && !m_restarted) {
            restartFromZero();
            return;
        }
        failWith(message);
        return;
    }
    if (m_step == Step::Requesting && kind == FileProtocol::ReplyKind::Result) {
        onGoAhead(message);
    } else if (m_step == Step::Receiving && kind == FileProtocol::ReplyKind::End) {
        finish(message);
    }
}

void DownloadTransfer::onGoAhead(const QCborMap& message)
{
    const auto goAhead = FileProtocol::GetResult::decode(message);
    if (!goAhead.ok()) {
        fail(ErrorCode::Unknown,
            FileTransfer::tr("The server's answer to the download is not understood: %1").arg(goAhead.error->message));
        return;
    }
    m_total = goAhead.value.size;
    if (goAhead.value.offset != m_offset || m_total < m_offset) {
        fail(ErrorCode::Unknown, FileTransfer::tr("The server resumed at another offset than asked"));
        return;
    }
    if (!m_file.isOpen()) {
        m_file.setFileName(partPath());
        m_startedPart = true;
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            fail(ErrorCode::LocalFile,
                FileTransfer::tr("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
            return;
        }
    }
    setStep(Step::Receiving);
    emit progress(m_done, m_total);
}

void DownloadTransfer::finish(const QCborMap& message)
{
    const auto end = FileProtocol::DownloadEnd::decode(message);
    if (m_done != m_total || !end.ok() || end.value.sha256 != m_hash.result()) {
        m_file.close();
        QFile::remove(partPath());
        fail(ErrorCode::Io,
            FileTransfer::tr("The downloaded data does not match the server's SHA-256 (the "
                             "file may have changed during the download); download it again"));
        return;
    }
    if (!FileIo::syncFile(m_file)) {
        fail(
            ErrorCode::LocalFile, FileTransfer::tr("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        return;
    }
    m_file.close();
    if (!FileIo::durableRename(AT_FDCWD, partPath(), AT_FDCWD, m_localPath)) {
        const int renameError = errno;
        fail(ErrorCode::LocalFile,
            FileTransfer::tr("Cannot move %1 into place: %2")
                .arg(partPath(), QString::fromLocal8Bit(strerror(renameError))));
        return;
    }
    succeed();
}

} // namespace QuietWire
