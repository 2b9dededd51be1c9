#include "FileTransfer.h"

#include "EncryptedTcpSocket.h"
#include "FileIo.h"
#include "FileProtocol.h"
#include "Protocol.h"

#include <QFileInfo>
#include <QTimer>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace QuietWire {

namespace {
constexpr qint64 RequestId = 1;
} // namespace

FileTransfer::FileTransfer(
    ServiceClient* connection, Direction direction, QString localPath, QString remotePath, bool resume, QObject* parent)
    : QObject(parent)
    , m_connection(connection)
    , m_direction(direction)
    , m_localPath(std::move(localPath))
    , m_remotePath(std::move(remotePath))
    , m_resume(resume)
{
    m_connection->setParent(this);
    // File data is taken straight off the wire; only the other messages are CBOR-decoded.
    m_connection->setRawFilter([this](const QByteArray& message) { return onRawMessage(message); });
    connect(m_connection, &ServiceClient::ready, this, &FileTransfer::onReady);
    connect(m_connection, &ServiceClient::messageReceived, this, &FileTransfer::onMessage);
    connect(m_connection, &ServiceClient::errorOccurred, this, [this](const QString& message) {
        const QString code = m_connection->lastErrorCode();
        // A server at its handshake limit closes new connections at once, and one with no free
        // session port says busy: both are worth a few more tries before giving up.
        const bool retriable = code == QLatin1String("RemoteClosed") || code == QLatin1String(Protocol::ErrorBusy)
            || code == QLatin1String(Protocol::ErrorTooManySessions);
        if (m_state == State::Connecting && retriable && m_connectAttempts < MaxConnectAttempts) {
            const int delay = 100 << m_connectAttempts; // 100 ms, 200 ms, ... 3.2 s
            ++m_connectAttempts;
            QTimer::singleShot(delay, this, [this] {
                if (m_state == State::Connecting) {
                    m_connection->connectToService(m_host, m_port, QLatin1String(Protocol::ServiceFiles));
                }
            });
            return;
        }
        setFailed(code.isEmpty() ? QStringLiteral("connection") : code, message);
    });
    connect(m_connection, &ServiceClient::disconnected, this, [this] {
        if (m_state == State::Running) {
            setFailed(QStringLiteral("connection"),
                tr("The connection closed before the transfer finished; resume it "
                   "to continue where it stopped"));
        }
    });
}

FileTransfer::~FileTransfer() = default;

double FileTransfer::bytesPerSecond() const
{
    const qint64 ms = m_clock.isValid() ? m_clock.elapsed() : 0;
    return ms > 0 ? static_cast<double>(m_done - m_offset) * 1000.0 / static_cast<double>(ms) : 0.0;
}

void FileTransfer::start(const QString& host, quint16 port)
{
    m_host = host;
    m_port = port;
    m_state = State::Connecting;
    m_phase = Phase::Ready;
    m_connectAttempts = 0;
    m_errorCode.clear();
    m_errorString.clear();
    if (m_direction == Direction::Upload) {
        m_file.setFileName(m_localPath);
        if (!m_file.open(QIODevice::ReadOnly)) {
            setFailed(QStringLiteral("local"), tr("Cannot read %1: %2").arg(m_localPath, m_file.errorString()));
            return;
        }
        m_total = m_file.size();
    }
    m_connection->connectToService(host, port, QLatin1String(Protocol::ServiceFiles));
}

void FileTransfer::cancel()
{
    if (m_state == State::Queued || m_state == State::Idle) {
        m_state = State::Cancelled;
        emit ended();
        return;
    }
    if (m_state != State::Running && m_state != State::Connecting) {
        return;
    }
    m_state = State::Cancelled;
    if (EncryptedTcpSocket* socket = m_connection->socket()) {
        socket->abort();
    }
    m_file.close();
    discardEmptyPart();
    emit ended();
}

void FileTransfer::discardEmptyPart()
{
    if (m_direction != Direction::Download || !m_startedPart) {
        return;
    }
    m_file.close();
    const QString part = m_localPath + QStringLiteral(".part");
    if (QFileInfo(part).isFile() && QFileInfo(part).size() == 0) {
        QFile::remove(part);
    }
    m_startedPart = false;
}

void FileTransfer::setFailed(const QString& code, const QString& message)
{
    if (m_state == State::Failed || m_state == State::Finished || m_state == State::Cancelled) {
        return;
    }
    m_state = State::Failed;
    m_errorCode = code;
    m_errorString = message;
    m_file.close();
    discardEmptyPart();
    if (EncryptedTcpSocket* socket = m_connection->socket()) {
        socket->abort();
    }
    emit failed(code, message);
    emit ended();
}

bool FileTransfer::hashLocalPrefix(QFile& file, qint64 length, QByteArray* prefixHash)
{
    m_hash.reset();
    if (!FileIo::hashPrefix(file, length, m_hash)) {
        return false;
    }
    *prefixHash = m_hash.result();
    return true;
}

void FileTransfer::onReady()
{
    m_state = State::Running;
    m_clock.start();
    if (m_direction == Direction::Upload) {
        if (m_resume && !m_restarted) {
            // How much partial data does the server have? Then prove it is the start of our file.
            QCborMap partial = FileProtocol::makeRequest(QStringLiteral("partial"), RequestId);
            partial.insert(QStringLiteral("path"), m_remotePath);
            m_phase = Phase::Partial;
            m_connection->send(partial);
            return;
        }
        sendPut(0, {});
        return;
    }
    const QString part = m_localPath + QStringLiteral(".part");
    const qint64 have = QFileInfo(part).isFile() ? QFileInfo(part).size() : 0;
    m_file.setFileName(part);
    if (m_resume && !m_restarted && have > 0) {
        if (!m_file.open(QIODevice::ReadWrite)) {
            setFailed(QStringLiteral("local"), tr("Cannot write %1: %2").arg(part, m_file.errorString()));
            return;
        }
        QByteArray prefix;
        if (!hashLocalPrefix(m_file, have, &prefix)) {
            setFailed(QStringLiteral("local"), tr("Cannot read %1: %2").arg(part, m_file.errorString()));
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

void FileTransfer::sendPut(qint64 offset, const QByteArray& prefixHash)
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
    m_phase = Phase::Ready;
    m_connection->send(put);
}

void FileTransfer::sendGet(qint64 offset, const QByteArray& prefixHash)
{
    m_offset = offset;
    m_done = offset;
    QCborMap get = FileProtocol::makeRequest(QStringLiteral("get"), RequestId);
    get.insert(QStringLiteral("path"), m_remotePath);
    get.insert(QStringLiteral("offset"), offset);
    if (offset > 0) {
        get.insert(QStringLiteral("prefix_sha256"), prefixHash);
    }
    m_phase = Phase::Ready;
    m_connection->send(get);
}

void FileTransfer::restartFromZero()
{
    // A fresh session for the fresh start keeps the protocol simple: one transfer per session.
    m_restarted = true;
    m_file.close();
    m_state = State::Idle;
    start(m_host, m_port);
}

bool FileTransfer::onRawMessage(const QByteArray& message)
{
    if (m_direction != Direction::Download || m_phase != Phase::Streaming || m_state != State::Running) {
        return false;
    }
    const QByteArray data = FileProtocol::decodeData(message);
    if (data.isNull()) {
        return false; // not file data: onMessage() handles it
    }
    if (m_done + data.size() > m_total) {
        setFailed(QStringLiteral("protocol"), tr("The server sent more data than the file has"));
        return true;
    }
    if (m_file.write(data) != data.size()) {
        setFailed(QStringLiteral("local"), tr("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        return true;
    }
    m_hash.addData(data);
    m_done += data.size();
    emit progress(m_done, m_total);
    return true;
}

void FileTransfer::onMessage(const QCborMap& message)
{
    if (m_state != State::Running) {
        return;
    }
    const QString type = Protocol::typeOf(message);
    if (type == QLatin1String("data")) {
        return; // file data, taken by onRawMessage()
    }
    if (type == QLatin1String("failed")) {
        const QString code = message.value(QLatin1String("code")).toString();
        if (m_phase == Phase::Partial && code == QLatin1String(FileProtocol::BadRequest)) {
            // A server older than "partial" keeps the partial data in "<remote>.part".
            QCborMap stat = FileProtocol::makeRequest(QStringLiteral("stat"), RequestId);
            stat.insert(QStringLiteral("path"), m_remotePath + QStringLiteral(".part"));
            m_phase = Phase::Stat;
            m_connection->send(stat);
            return;
        }
        if (m_phase == Phase::Partial || m_phase == Phase::Stat) {
            sendPut(0, {}); // nothing to resume; put reports any real problem with the path
            return;
        }
        if (code == QLatin1String(FileProtocol::Mismatch) && m_offset > 0 && !m_restarted) {
            restartFromZero();
            return;
        }
        setFailed(code, message.value(QLatin1String("message")).toString());
        return;
    }
    switch (m_phase) {
    case Phase::Partial:
    case Phase::Stat: {
        // How much partial data the server has; resume if those bytes are the start of our file.
        const qint64 have = m_phase == Phase::Partial
            ? Protocol::integer(message.value(QLatin1String("offset")))
            : Protocol::integer(message.value(QLatin1String("entry")).toMap().value(QLatin1String("size")));
        QByteArray prefix;
        if (type == QLatin1String("result") && have > 0 && have <= m_total && hashLocalPrefix(m_file, have, &prefix)) {
            sendPut(have, prefix);
        } else {
            sendPut(0, {});
        }
        return;
    }
    case Phase::Ready:
        if (type != QLatin1String("result")) {
            return;
        }
        m_phase = Phase::Streaming;
        if (m_direction == Direction::Upload) {
            connect(m_connection->socket(), &EncryptedTcpSocket::bytesWritten, this, &FileTransfer::pumpUpload,
                Qt::UniqueConnection);
            pumpUpload();
        } else {
            m_total = Protocol::integer(message.value(QLatin1String("size")));
            if (Protocol::integer(message.value(QLatin1String("offset"))) != m_offset || m_total < m_offset) {
                setFailed(QStringLiteral("protocol"), tr("The server resumed at another offset than asked"));
                return;
            }
            if (!m_file.isOpen()) {
                m_file.setFileName(m_localPath + QStringLiteral(".part"));
                m_startedPart = true;
                if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
                    setFailed(QStringLiteral("local"),
                        tr("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
                    return;
                }
            }
            emit progress(m_done, m_total);
        }
        return;
    case Phase::Streaming:
        if (m_direction == Direction::Download && type == QLatin1String("end")) {
            finishDownload(message);
        }
        return;
    case Phase::Confirm:
        if (type != QLatin1String("result")) {
            return;
        }
        if (message.value(QLatin1String("sha256")).toByteArray() != m_hash.result()) {
            setFailed(QLatin1String(FileProtocol::Io), tr("The server stored a file whose SHA-256 differs from yours"));
            return;
        }
        m_state = State::Finished;
        m_file.close();
        m_connection->disconnectFromServer();
        emit finished();
        emit ended();
        return;
    }
}

void FileTransfer::pumpUpload()
{
    EncryptedTcpSocket* socket = m_connection->socket();
    if (m_state != State::Running || m_phase != Phase::Streaming || !socket) {
        return;
    }
    const auto result
        = FileIo::sendChunks(*socket, m_file, m_total, m_hash, &m_done, [this] { emit progress(m_done, m_total); });
    if (result == FileIo::SendResult::ReadError) {
        setFailed(QStringLiteral("local"), tr("Cannot read %1: %2").arg(m_localPath, m_file.errorString()));
        return;
    }
    if (result == FileIo::SendResult::Finished) {
        if (m_done != m_total) {
            setFailed(QStringLiteral("local"), tr("%1 became shorter during the upload").arg(m_localPath));
            return;
        }
        m_phase = Phase::Confirm;
        m_connection->send(QCborMap { { QStringLiteral("type"), QStringLiteral("end") },
            { QStringLiteral("id"), RequestId }, { QStringLiteral("sha256"), m_hash.result() } });
    }
}

void FileTransfer::finishDownload(const QCborMap& end)
{
    if (m_done != m_total || end.value(QLatin1String("sha256")).toByteArray() != m_hash.result()) {
        const QString part = m_file.fileName();
        m_file.close();
        QFile::remove(part);
        setFailed(QLatin1String(FileProtocol::Io),
            tr("The downloaded data does not match the server's SHA-256 (the "
               "file may have changed during the download); download it again"));
        return;
    }
    if (!FileIo::syncFile(m_file)) {
        setFailed(QStringLiteral("local"), tr("Cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
        return;
    }
    const QString part = m_file.fileName();
    m_file.close();
    if (!FileIo::durableRename(AT_FDCWD, part, AT_FDCWD, m_localPath)) {
        setFailed(QStringLiteral("local"),
            tr("Cannot move %1 into place: %2").arg(part, QString::fromLocal8Bit(strerror(errno))));
        return;
    }
    m_state = State::Finished;
    m_connection->disconnectFromServer();
    emit finished();
    emit ended();
}

} // namespace QuietWire
