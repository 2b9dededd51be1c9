#include "FileTransfer.h"

#include "EncryptedTcpSocket.h"
#include "FileIo.h"
#include "FileProtocol.h"
#include "Protocol.h"

#include <QFileInfo>
#include <QTimer>
#include <cerrno>
#include <cstring>

namespace QuietWire {

// ---- FileTransfer: the session, its retries, and the ends every transfer shares ----

FileTransfer::FileTransfer(
    ServiceClient* connection, QString localPath, QString remotePath, bool resume, QObject* parent)
    : QObject(parent)
    , m_connection(connection)
    , m_localPath(std::move(localPath))
    , m_remotePath(std::move(remotePath))
    , m_resume(resume)
{
    m_connection->setParent(this);
    // File data is taken straight off the wire; only the other messages are CBOR-decoded.
    m_connection->setRawFilter([this](const QByteArray& message) { return onRawMessage(message); });
    connect(m_connection, &ServiceClient::ready, this, [this] {
        m_clock.start();
        onReady();
    });
    connect(m_connection, &ServiceClient::messageReceived, this, [this](const QCborMap& message) {
        if (state() == State::Running) {
            onMessage(message);
        }
    });
    connect(m_connection, &ServiceClient::errorOccurred, this, &FileTransfer::onConnectionError);
    connect(m_connection, &ServiceClient::disconnected, this, [this] {
        if (state() == State::Running) {
            fail(QStringLiteral("connection"),
                tr("The connection closed before the transfer finished; resume it "
                   "to continue where it stopped"));
        }
    });
}

FileTransfer::~FileTransfer() = default;

void FileTransfer::onConnectionError(const QString& message)
{
    const QString code = m_connection->lastErrorCode();
    // A server at its handshake limit closes new connections at once, and one with no free
    // session port says busy: both are worth a few more tries before giving up.
    const bool retriable = code == QLatin1String("RemoteClosed") || code == wireName(ErrorCode::Busy)
        || code == wireName(ErrorCode::TooManySessions);
    if (state() == State::Connecting && retriable && m_connectAttempts < MaxConnectAttempts) {
        const int delay = 100 << m_connectAttempts; // 100 ms, 200 ms, ... 3.2 s
        ++m_connectAttempts;
        QTimer::singleShot(delay, this, [this] {
            if (state() == State::Connecting) {
                m_connection->connectToService(m_host, m_port, QLatin1String(Protocol::ServiceFiles));
            }
        });
        return;
    }
    fail(code.isEmpty() ? QStringLiteral("connection") : code, message);
}

double FileTransfer::bytesPerSecond() const
{
    const qint64 ms = m_clock.isValid() ? m_clock.elapsed() : 0;
    return ms > 0 ? static_cast<double>(m_done - m_offset) * 1000.0 / static_cast<double>(ms) : 0.0;
}

void FileTransfer::reportState(State before)
{
    if (state() != before) {
        emit stateChanged(state());
    }
}

void FileTransfer::start(const QString& host, quint16 port)
{
    m_host = host;
    m_port = port;
    m_connectAttempts = 0;
    m_errorCode.clear();
    m_errorString.clear();
    enter(State::Connecting);
    if (!prepare()) {
        return;
    }
    m_connection->connectToService(host, port, QLatin1String(Protocol::ServiceFiles));
}

void FileTransfer::setQueued()
{
    enter(State::Queued);
}

void FileTransfer::cancel()
{
    const State now = state();
    if (now == State::Queued || now == State::Idle) {
        enter(State::Cancelled);
        emit ended();
        return;
    }
    if (now != State::Running && now != State::Connecting) {
        return;
    }
    enter(State::Cancelled);
    if (EncryptedTcpSocket* socket = m_connection->socket()) {
        socket->abort();
    }
    m_file.close();
    cleanUp();
    emit ended();
}

void FileTransfer::fail(const QString& code, const QString& message)
{
    const State now = state();
    if (now == State::Failed || now == State::Finished || now == State::Cancelled) {
        return;
    }
    m_errorCode = code;
    m_errorString = message;
    enter(State::Failed);
    m_file.close();
    cleanUp();
    if (EncryptedTcpSocket* socket = m_connection->socket()) {
        socket->abort();
    }
    emit failed(code, message);
    emit ended();
}

void FileTransfer::succeed()
{
    enter(State::Finished);
    m_file.close();
    m_connection->disconnectFromServer();
    emit finished();
    emit ended();
}

void FileTransfer::restartFromZero()
{
    // A fresh session for the fresh start keeps the protocol simple: one transfer per session.
    m_restarted = true;
    m_file.close();
    start(m_host, m_port);
}

bool FileTransfer::hashLocalPrefix(qint64 length, QByteArray* prefixHash)
{
    m_hash.reset();
    if (!FileIo::hashPrefix(m_file, length, m_hash)) {
        return false;
    }
    *prefixHash = m_hash.result();
    return true;
}

// ---- UploadTransfer ----

UploadTransfer::UploadTransfer(
    ServiceClient* connection, QString localPath, QString remotePath, bool resume, QObject* parent)
    : FileTransfer(connection, std::move(localPath), std::move(remotePath), resume, parent)
{ }

FileTransfer::State UploadTransfer::state() const
{
    switch (m_step) {
    case Step::Idle:
        return State::Idle;
    case Step::Queued:
        return State::Queued;
    case Step::Connecting:
        return State::Connecting;
    case Step::AskingPartial:
    case Step::AskingStat:
    case Step::Requesting:
    case Step::Sending:
    case Step::Confirming:
        return State::Running;
    case Step::Finished:
        return State::Finished;
    case Step::Failed:
        return State::Failed;
    case Step::Cancelled:
        return State::Cancelled;
    }
    return State::Idle;
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
    switch (state) {
    case State::Idle:
        setStep(Step::Idle);
        return;
    case State::Queued:
        setStep(Step::Queued);
        return;
    case State::Connecting:
        setStep(Step::Connecting);
        return;
    case State::Running: // each running step is chosen by the upload itself
        return;
    case State::Finished:
        setStep(Step::Finished);
        return;
    case State::Failed:
        setStep(Step::Failed);
        return;
    case State::Cancelled:
        setStep(Step::Cancelled);
        return;
    }
}

bool UploadTransfer::prepare()
{
    m_file.setFileName(m_localPath);
    if (!m_file.open(QIODevice::ReadOnly)) {
        fail(QStringLiteral("local"), FileTransfer::tr("Cannot read %1: %2").arg(m_localPath, m_file.errorString()));
        return false;
    }
    m_total = m_file.size();
    return true;
}

void UploadTransfer::onReady()
{
    if (m_resume && !m_restarted) {
        // How much partial data does the server have? Then prove it is the start of our file.
        QCborMap partial = FileProtocol::makeRequest(QStringLiteral("partial"), RequestId);
        partial.insert(QStringLiteral("path"), m_remotePath);
        setStep(Step::AskingPartial);
        m_connection->send(partial);
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
    QCborMap put = FileProtocol::makeRequest(QStringLiteral("put"), RequestId);
    put.insert(QStringLiteral("path"), m_remotePath);
    put.insert(QStringLiteral("size"), m_total);
    put.insert(QStringLiteral("offset"), offset);
    const qint64 mtime = QFileInfo(m_file).lastModified().toMSecsSinceEpoch();
    if (mtime >= 0) {
        put.insert(QStringLiteral("mtime"), mtime); // unsigned on the wire; else the server keeps "now"
    }
    if (offset > 0) {
        put.insert(QStringLiteral("prefix_sha256"), prefixHash);
    }
    setStep(Step::Requesting);
    m_connection->send(put);
}

void UploadTransfer::onMessage(const QCborMap& message)
{
    const QString type = Protocol::typeOf(message);
    if (m_step == Step::AskingPartial || m_step == Step::AskingStat) {
        onResumeAnswer(message);
        return;
    }
    if (type == QLatin1String("failed")) {
        const QString code = message.value(QLatin1String("code")).toString();
        if (code == QLatin1String(FileProtocol::Mismatch) && m_offset > 0 && !m_restarted) {
            restartFromZero();
            return;
        }
        fail(code, message.value(QLatin1String("message")).toString());
        return;
    }
    if (type != QLatin1String("result")) {
        return;
    }
    switch (m_step) {
    case Step::Requesting:
        setStep(Step::Sending);
        connect(m_connection->socket(), &EncryptedTcpSocket::bytesWritten, this, &UploadTransfer::pump,
            Qt::UniqueConnection);
        pump();
        return;
    case Step::Confirming:
        if (message.value(QLatin1String("sha256")).toByteArray() != m_hash.result()) {
            fail(QLatin1String(FileProtocol::Io),
                FileTransfer::tr("The server stored a file whose SHA-256 differs from yours"));
            return;
        }
        succeed();
        return;
    default:
        return;
    }
}

void UploadTransfer::onResumeAnswer(const QCborMap& message)
{
    if (Protocol::typeOf(message) == QLatin1String("failed")) {
        const QString code = message.value(QLatin1String("code")).toString();
        if (m_step == Step::AskingPartial && code == QLatin1String(FileProtocol::BadRequest)) {
            // A server older than "partial" keeps the partial data in "<remote>.part".
            QCborMap stat = FileProtocol::makeRequest(QStringLiteral("stat"), RequestId);
            stat.insert(QStringLiteral("path"), m_remotePath + QStringLiteral(".part"));
            setStep(Step::AskingStat);
            m_connection->send(stat);
            return;
        }
        if (code == QLatin1String(FileProtocol::NotFound)) {
            sendPut(0, {}); // nothing to resume; put reports any real problem with the path
            return;
        }
        // Anything else (permission, io, a bad path...) is a real answer, not "nothing there".
        fail(code, message.value(QLatin1String("message")).toString());
        return;
    }
    if (Protocol::typeOf(message) != QLatin1String("result")) {
        return;
    }
    // How much partial data the server has; resume if those bytes are the start of our file.
    const qint64 have = m_step == Step::AskingPartial
        ? Protocol::integer(message.value(QLatin1String("offset")))
        : Protocol::integer(message.value(QLatin1String("entry")).toMap().value(QLatin1String("size")));
    QByteArray prefix;
    if (have > 0 && have <= m_total && hashLocalPrefix(have, &prefix)) {
        sendPut(have, prefix);
    } else {
        sendPut(0, {});
    }
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
        fail(QStringLiteral("local"), FileTransfer::tr("Cannot read %1: %2").arg(m_localPath, m_file.errorString()));
        return;
    case FileIo::SendResult::Finished:
        if (m_done != m_total) {
            fail(QStringLiteral("local"), FileTransfer::tr("%1 became shorter during the upload").arg(m_localPath));
            return;
        }
        setStep(Step::Confirming);
        m_connection->send(QCborMap { { QStringLiteral("type"), QStringLiteral("end") },
            { QStringLiteral("id"), RequestId }, { QStringLiteral("sha256"), m_hash.result() } });
        return;
    }
}

// ---- DownloadTransfer ----

DownloadTransfer::DownloadTransfer(
    ServiceClient* connection, QString localPath, QString remotePath, bool resume, QObject* parent)
    : FileTransfer(connection, std::move(localPath), std::move(remotePath), resume, parent)
{ }

FileTransfer::State DownloadTransfer::state() const
{
    switch (m_step) {
    case Step::Idle:
        return State::Idle;
    case Step::Queued:
        return State::Queued;
    case Step::Connecting:
        return State::Connecting;
    case Step::Requesting:
    case Step::Receiving:
        return State::Running;
    case Step::Finished:
        return State::Finished;
    case Step::Failed:
        return State::Failed;
    case Step::Cancelled:
        return State::Cancelled;
    }
    return State::Idle;
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
    switch (state) {
    case State::Idle:
        setStep(Step::Idle);
        return;
    case State::Queued:
        setStep(Step::Queued);
        return;
    case State::Connecting:
        setStep(Step::Connecting);
        return;
    case State::Running: // each running step is chosen by the download itself
        return;
    case State::Finished:
        setStep(Step::Finished);
        return;
    case State::Failed:
        setStep(Step::Failed);
        return;
    case State::Cancelled:
        setStep(Step::Cancelled);
        return;
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
            fail(
                QStringLiteral("local"), FileTransfer::tr("Cannot write %1: %2").arg(partPath(), m_file.errorString()));
            return;
        }
        QByteArray prefix;
        if (!hashLocalPrefix(have, &prefix)) {
            fail(QStringLiteral("local"), FileTransfer::tr("Cannot read %1: %2").arg(partPath(), m_file.errorString()));
            return;
        }
        sendGet(have, prefix);
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
    QCborMap get = FileProtocol::makeRequest(QStringLiteral("get"), RequestId);
    get.insert(QStringLiteral("path"), m_remotePath);
    get.insert(QStringLiteral("offset"), offset);
    if (offset > 0) {
        get.insert(QStringLiteral("prefix_sha256"), prefixHash);
    }
    setStep(Step::Requesting);
    m_connection->send(get);
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
        fail(QStringLiteral("protocol"), FileTransfer::tr("The server sent more data than the file has"));
        return true;
    }
    if (m_file.write(data) != data.size()) {
        fail(QStringLiteral("local"),
            FileTransfer::tr("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        return true;
    }
    m_hash.addData(data);
    m_done += data.size();
    emit progress(m_done, m_total);
    return true;
}

void DownloadTransfer::onMessage(const QCborMap& message)
{
    const QString type = Protocol::typeOf(message);
    if (type == QLatin1String("data")) {
        return; // file data, taken by onRawMessage()
    }
    if (type == QLatin1String("failed")) {
        const QString code = message.value(QLatin1String("code")).toString();
        if (code == QLatin1String(FileProtocol::Mismatch) && m_offset > 0 && !m_restarted) {
            restartFromZero();
            return;
        }
        fail(code, message.value(QLatin1String("message")).toString());
        return;
    }
    if (m_step == Step::Requesting && type == QLatin1String("result")) {
        onGoAhead(message);
    } else if (m_step == Step::Receiving && type == QLatin1String("end")) {
        finish(message);
    }
}

void DownloadTransfer::onGoAhead(const QCborMap& message)
{
    m_total = Protocol::integer(message.value(QLatin1String("size")));
    if (Protocol::integer(message.value(QLatin1String("offset"))) != m_offset || m_total < m_offset) {
        fail(QStringLiteral("protocol"), FileTransfer::tr("The server resumed at another offset than asked"));
        return;
    }
    if (!m_file.isOpen()) {
        m_file.setFileName(partPath());
        m_startedPart = true;
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            fail(QStringLiteral("local"),
                FileTransfer::tr("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
            return;
        }
    }
    setStep(Step::Receiving);
    emit progress(m_done, m_total);
}

void DownloadTransfer::finish(const QCborMap& end)
{
    if (m_done != m_total || end.value(QLatin1String("sha256")).toByteArray() != m_hash.result()) {
        m_file.close();
        QFile::remove(partPath());
        fail(QLatin1String(FileProtocol::Io),
            FileTransfer::tr("The downloaded data does not match the server's SHA-256 (the "
                             "file may have changed during the download); download it again"));
        return;
    }
    if (!FileIo::syncFile(m_file)) {
        fail(QStringLiteral("local"),
            FileTransfer::tr("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        return;
    }
    m_file.close();
    if (!FileIo::durableRename(AT_FDCWD, partPath(), AT_FDCWD, m_localPath)) {
        const int renameError = errno;
        fail(QStringLiteral("local"),
            FileTransfer::tr("Cannot move %1 into place: %2")
                .arg(partPath(), QString::fromLocal8Bit(strerror(renameError))));
        return;
    }
    succeed();
}

} // namespace QuietWire
