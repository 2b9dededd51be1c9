#include "FileTransfer.h"

#include "EncryptedTcpSocket.h"
#include "FileIo.h"
#include "FileProtocol.h"
#include "PrefixHasher.h"
#include "Protocol.h"

#include <QFileInfo>
#include <QTimer>
#include <cerrno>
#include <cstring>

namespace QuietWire {

// ---- FileTransfer: the session, its retries, and the ends every transfer shares ----

FileTransfer::FileTransfer(
    ServiceClient* connection, Session session, QString localPath, QString remotePath, bool resume, QObject* parent)
    : QObject(parent)
    , m_connection(connection)
    , m_localPath(std::move(localPath))
    , m_remotePath(std::move(remotePath))
    , m_resume(resume)
    , m_session(session)
{
    if (m_session == Session::Own) {
        m_connection->setParent(this);
        connect(m_connection, &ServiceClient::ready, this, [this] {
            m_clock.start();
            onReady();
        });
    } else {
        m_borrowed = m_connection;
    }
    connect(m_connection, &ServiceClient::messageReceived, this, [this](const QCborMap& message) {
        if (state() == State::Running) {
            onMessage(message);
        }
    });
    connect(m_connection, &ServiceClient::errorOccurred, this, &FileTransfer::onConnectionError);
    connect(m_connection, &ServiceClient::disconnected, this, [this] {
        if (state() == State::Running) {
            fail(ErrorCode::ConnectionLost,
                tr("The connection closed before the transfer finished; resume it "
                   "to continue where it stopped"));
        }
    });
}

FileTransfer::~FileTransfer()
{
    release();
}

void FileTransfer::release()
{
    if (m_session != Session::Borrowed || !m_borrowed) {
        return;
    }
    m_borrowed->setRawFilter({});
    disconnect(m_borrowed, nullptr, this, nullptr);
    if (EncryptedTcpSocket* socket = m_borrowed->socket()) {
        disconnect(socket, nullptr, this, nullptr);
    }
    m_borrowed = nullptr;
}

bool FileTransfer::worthRetrying(const ServiceClient& session)
{
    const ErrorCode serverCode = session.lastFailure().code;
    return session.lastSocketError() == EncryptedTcpSocket::Error::RemoteClosed || serverCode == ErrorCode::Busy
        || serverCode == ErrorCode::TooManySessions;
}

void FileTransfer::onConnectionError(const QString& message)
{
    // Why the session stopped: the server's code when it refused or ended it (busy, shutdown,
    // unauthorized...), the client's own kind when its checks did (an untrusted server key).
    const ErrorCode serverCode = m_connection->lastFailure().code;
    if (m_session == Session::Own && state() == State::Connecting && worthRetrying(*m_connection)
        && m_connectAttempts < MaxConnectAttempts) {
        const int delay = 100 << m_connectAttempts; // 100 ms, 200 ms, ... 3.2 s
        ++m_connectAttempts;
        QTimer::singleShot(delay, this, [this] {
            if (state() == State::Connecting) {
                m_connection->connectToService(m_host, m_port, QLatin1String(Protocol::ServiceFiles));
            }
        });
        return;
    }
    // No code from either side: the connection just failed. A refused server key
    // (ServerKeyNotTrusted) stays what it is: no retry gets past it.
    fail(serverCode == ErrorCode::None ? ErrorCode::ConnectionLost : serverCode, message);
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
    m_failure = {};
    m_sessionClean = false;
    enter(State::Connecting);
    if (!prepare()) {
        return;
    }
    // File data is taken straight off the wire; only the other messages are CBOR-decoded.
    m_connection->setRawFilter([this](const QByteArray& message) { return onRawMessage(message); });
    if (m_session == Session::Own) {
        m_connection->connectToService(host, port, QLatin1String(Protocol::ServiceFiles));
        return;
    }
    if (!m_borrowed || !m_borrowed->isReady()) {
        fail(ErrorCode::ConnectionLost, tr("The session for this transfer has closed; run it again to resume it"));
        return;
    }
    m_clock.start();
    onReady();
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
    stopHashing();
    if (EncryptedTcpSocket* socket = m_connection->socket()) {
        socket->abort();
    }
    release();
    m_file.close();
    cleanUp();
    emit ended();
}

void FileTransfer::failWith(const QCborMap& failed)
{
    const auto answer = FileProtocol::Failed::decode(failed);
    if (!answer.ok()) {
        fail(ErrorCode::Unknown, tr("The server sent a failure that is not understood: %1").arg(answer.error->message));
        return;
    }
    // The server answered before any file data or after all of it: it has dropped this transfer, and a borrowed
    // session can carry the next one. In between, data may still be on its way and the session is closed.
    m_sessionClean = m_done == m_offset || m_done == m_total;
    fail(answer.value.code, answer.value.message);
}

void FileTransfer::fail(ErrorCode code, const QString& message)
{
    const State now = state();
    if (now == State::Failed || now == State::Finished || now == State::Cancelled) {
        return;
    }
    m_failure = { code, message };
    enter(State::Failed);
    stopHashing();
    m_file.close();
    cleanUp();
    // Nothing was sent yet (Connecting), or the server answered: a borrowed session stays usable. Otherwise
    // the session is in the middle of this transfer and is closed.
    const bool keep = m_session == Session::Borrowed && (now == State::Connecting || m_sessionClean);
    if (EncryptedTcpSocket* socket = m_connection->socket(); socket && !keep) {
        socket->abort();
    }
    release();
    emit failed(m_failure);
    emit ended();
}

void FileTransfer::succeed()
{
    enter(State::Finished);
    m_file.close();
    if (m_session == Session::Own) {
        m_connection->disconnectFromServer();
    }
    release();
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

void FileTransfer::hashLocalPrefix(qint64 length, PrefixHashed then)
{
    if (!m_prefixHasher) {
        m_prefixHasher = new PrefixHasher(this);
    }
    m_prefixHasher->disconnect(this);
    // A worker reads the file by its name: m_file stays this thread's.
    connect(m_prefixHasher, &PrefixHasher::finished, this, [this, length, then = std::move(then)](bool ok) {
        const State now = state();
        if (now == State::Failed || now == State::Cancelled || now == State::Finished) {
            return;
        }
        m_hash.reset();
        if (ok && m_file.seek(length)) {
            m_hash = m_prefixHasher->hash();
            then(m_hash.result(), QString());
            return;
        }
        then(QByteArray(), ok ? m_file.errorString() : m_prefixHasher->errorString());
    });
    m_prefixHasher->start(m_file.fileName(), length);
}

void FileTransfer::stopHashing()
{
    if (m_prefixHasher) {
        m_prefixHasher->stop();
    }
}

} // namespace QuietWire
