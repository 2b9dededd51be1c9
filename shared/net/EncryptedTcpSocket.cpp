#include "EncryptedTcpSocket.h"

#include "ClientConnection.h"
#include "FrameReader.h"
#include "Logging.h"
#include "Protocol.h"

#include <QTcpSocket>
#include <chrono>
#include <sys/socket.h>
#include <utility>

namespace QuietWire {

namespace {

qint64 monotonicMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/// What is left of intervalMs since lastMs; 0 when it has passed.
int remainingMs(qint64 lastMs, int intervalMs)
{
    const qint64 left = lastMs + intervalMs - monotonicMs();
    return left > 0 ? static_cast<int>(qMin<qint64>(left, intervalMs)) : 0;
}

} // namespace

EncryptedTcpSocket::EncryptedTcpSocket(const Noise::KeyPair& identity, QObject* parent)
    : QObject(parent)
    , m_identity(identity)
{
    setUpTimers();
}

EncryptedTcpSocket::EncryptedTcpSocket(Established session, QObject* parent)
    : QObject(parent)
{
    setUpTimers();
    adopt(std::move(session));
    // The connection may hold messages already (the hello behind the ticket); whoever made this
    // socket connects to messageReceived() first.
    QMetaObject::invokeMethod(this, &EncryptedTcpSocket::readFrames, Qt::QueuedConnection);
}

EncryptedTcpSocket::~EncryptedTcpSocket()
{
    if (m_socket) {
        m_socket->disconnect(this);
    }
}

void EncryptedTcpSocket::setUpTimers()
{
    m_keepalive.setSingleShot(true);
    connect(&m_keepalive, &QTimer::timeout, this, &EncryptedTcpSocket::onKeepaliveTimer);
    m_idle.setSingleShot(true);
    connect(&m_idle, &QTimer::timeout, this, &EncryptedTcpSocket::onIdleTimer);
}

void EncryptedTcpSocket::setKeepaliveInterval(int milliseconds)
{
    m_keepaliveMs = qMax(0, milliseconds);
    m_keepalive.stop();
    if (m_keepaliveMs > 0 && m_state == State::Established) {
        m_lastSendMs = monotonicMs();
        m_keepalive.start(m_keepaliveMs);
    }
}

void EncryptedTcpSocket::setIdleTimeout(int milliseconds)
{
    m_idleMs = qMax(0, milliseconds);
    m_idle.stop();
    if (m_idleMs > 0 && m_state == State::Established) {
        m_lastReceiveMs = monotonicMs();
        m_idle.start(m_idleMs);
    }
}

void EncryptedTcpSocket::setRekeyLimits(quint64 messages, quint64 bytes)
{
    m_rekeyAfterMessages = messages;
    m_rekeyAfterBytes = bytes;
    m_transport.setRekeyLimits(messages, bytes);
}

void EncryptedTcpSocket::touchKeepalive()
{
    m_lastSendMs = monotonicMs();
    if (!m_keepalive.isActive()) {
        m_keepalive.start(m_keepaliveMs);
    }
}

void EncryptedTcpSocket::touchIdle()
{
    m_lastReceiveMs = monotonicMs();
    if (!m_idle.isActive()) {
        m_idle.start(m_idleMs);
    }
}

void EncryptedTcpSocket::startSessionTimers()
{
    if (m_keepaliveMs > 0) {
        m_keepalive.stop();
        touchKeepalive();
    }
    if (m_idleMs > 0) {
        m_idle.stop();
        touchIdle();
    }
}

void EncryptedTcpSocket::onKeepaliveTimer()
{
    if (m_state != State::Established || m_keepaliveMs <= 0) {
        return;
    }
    if (const int left = remainingMs(m_lastSendMs, m_keepaliveMs); left > 0) {
        m_keepalive.start(left); // something was sent meanwhile
        return;
    }
    // A keepalive goes out alone: straight to the kernel with flushQueued(), as a broadcast's copies
    // do, not into QTcpSocket's buffer, whose write notifier costs two epoll_ctl calls and a turn of
    // the loop per keepalive (with 10,000 idle sessions, hundreds a second). Sealing arms the timer again.
    QByteArray frame;
    if (seal(QByteArray(), &frame)) {
        m_queued += frame; // behind a broadcast's frames, if any are waiting
        flushQueued();
    }
}

void EncryptedTcpSocket::onIdleTimer()
{
    if (m_idleMs <= 0) {
        return;
    }
    if (const int left = remainingMs(m_lastReceiveMs, m_idleMs); left > 0) {
        m_idle.start(left); // something arrived meanwhile
        return;
    }
    fail(Error::Timeout,
        tr("Nothing arrived from the peer for %1 seconds, not even a keepalive; the connection "
           "is considered dead and was closed")
            .arg(m_idleMs / 1000.0));
}

QString EncryptedTcpSocket::protocolName()
{
    return QString::fromLatin1(Protocol::NoiseProtocolName);
}

QHostAddress EncryptedTcpSocket::plainAddress(const QHostAddress& address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

QHostAddress EncryptedTcpSocket::peerAddress() const
{
    if (!m_peerAddress.isNull()) {
        return m_peerAddress;
    }
    // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; people and logs expect a.b.c.d.
    return m_socket ? plainAddress(m_socket->peerAddress()) : QHostAddress();
}

quint16 EncryptedTcpSocket::peerPort() const
{
    return m_socket ? m_socket->peerPort() : 0;
}

qint64 EncryptedTcpSocket::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() + m_queued.size() : 0;
}

void EncryptedTcpSocket::connectToHost(const QString& host, quint16 port)
{
    if (m_state != State::Unconnected) {
        abort();
    }
    m_error = Error::None;
    m_errorString.clear();
    m_remoteErrorCode = ErrorCode::None;
    m_peerKey.clear();
    m_handshakeHash.clear();
    m_peerName = host;
    m_sessionPort = 0;

    ClientConnection::Settings settings;
    settings.identity = m_identity;
    settings.localAddress = m_localAddress;
    settings.peerKeyCheck = m_peerKeyCheck;
    settings.timeoutMs = m_handshakeTimeoutMs;
    settings.rekeyAfterMessages = m_rekeyAfterMessages;
    settings.rekeyAfterBytes = m_rekeyAfterBytes;
    auto* connection = new ClientConnection(settings, this);
    m_connecting = connection;
    connect(connection, &ClientConnection::established, this, [this, connection] {
        m_connecting = nullptr;
        adopt(connection->takeEstablished());
        connection->deleteLater();
        emit ready();
    });
    connect(connection, &ClientConnection::failed, this, [this, connection](Error error, const QString& message) {
        // What the set-up learnt stays readable: the key a person is asked to trust, the refusal's code.
        m_peerKey = connection->peerKey();
        m_handshakeHash = connection->handshakeHash();
        m_sessionPort = connection->sessionPort();
        m_remoteErrorCode = connection->remoteErrorCode();
        fail(error, message);
    });
    m_state = State::Connecting;
    connection->start(host, port);
}

void EncryptedTcpSocket::adopt(Established session)
{
    // Enough for a few full frames, small enough that a peer that floods us meets TCP back-pressure.
    constexpr qint64 ReadBufferSize = 256 * 1024;
    QTcpSocket* socket = session.connection;
    m_socket = socket;
    socket->setParent(this);
    socket->setReadBufferSize(ReadBufferSize);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(socket, &QTcpSocket::readyRead, this, &EncryptedTcpSocket::readFrames);
    connect(socket, &QTcpSocket::disconnected, this, &EncryptedTcpSocket::onPeerClosed);
    connect(socket, &QTcpSocket::errorOccurred, this, &EncryptedTcpSocket::onSocketError);
    connect(socket, &QTcpSocket::bytesWritten, this, [this](qint64 bytes) {
        if (m_state == State::Established) {
            emit bytesWritten(bytes);
        }
    });
    m_transport = std::move(session.transport);
    m_peerKey = session.peerKey;
    m_handshakeHash = session.handshakeHash;
    m_peerName = session.peerName;
    m_peerAddress = session.peerAddress;
    m_sessionPort = session.sessionPort;
    // The peer says how often it wants to hear from us to keep an idle session open.
    if (session.peerKeepaliveMs > 0 && (m_keepaliveMs <= 0 || session.peerKeepaliveMs < m_keepaliveMs)) {
        m_keepaliveMs = qMax(100, session.peerKeepaliveMs);
    }
    m_state = State::Established;
    startSessionTimers();
}

EncryptedTcpSocket::Error EncryptedTcpSocket::frameError(FrameReader::Result refused)
{
    return refused == FrameReader::Result::TooLarge ? Error::FrameTooLarge : Error::ProtocolError;
}

void EncryptedTcpSocket::readFrames()
{
    const QPointer<EncryptedTcpSocket> guard(this);
    while (guard && m_socket && m_state == State::Established) {
        QByteArray frame;
        QString refusal;
        const FrameReader::Result result = FrameReader::readTransport(*m_socket, &frame, &refusal);
        if (result == FrameReader::Result::NeedMore) {
            return;
        }
        if (result != FrameReader::Result::Frame) {
            fail(frameError(result), refusal);
            return;
        }
        QByteArray message;
        if (!m_transport.open(frame, &message)) {
            if (m_transport.error() == NoiseTransport::Error::RekeyFailed) {
                fail(Error::ProtocolError, tr("Rekeying failed: %1").arg(m_transport.errorString()));
            } else {
                fail(Error::DecryptFailed,
                    tr("A message from %1 failed authentication (tampered with, replayed, "
                       "dropped, reordered or from another session); the connection was "
                       "closed")
                        .arg(m_peerName));
            }
            return;
        }
        if (m_idleMs > 0) {
            touchIdle();
        }
        if (!message.isEmpty()) { // empty: a keepalive
            emit messageReceived(message);
        }
    }
}

bool EncryptedTcpSocket::sendMessage(const QByteArray& message)
{
    return checkSendable(message) && writeFrame(message);
}

bool EncryptedTcpSocket::queueMessage(const QByteArray& message)
{
    QByteArray frame;
    if (!checkSendable(message) || !seal(message, &frame)) {
        return false;
    }
    m_queued += frame;
    return true;
}

void EncryptedTcpSocket::flushQueued()
{
    if (m_queued.isEmpty()) {
        return;
    }
    const QByteArray data = std::exchange(m_queued, QByteArray());
    if (!m_socket || m_state == State::Unconnected) {
        return;
    }
    qsizetype written = 0;
    if (m_socket->bytesToWrite() == 0 && m_socket->state() == QAbstractSocket::ConnectedState) {
        const ssize_t n = ::send(static_cast<int>(m_socket->socketDescriptor()), data.constData(),
            static_cast<size_t>(data.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        written = n > 0 ? n : 0; // EAGAIN or an error: QTcpSocket's path below queues it and reports errors
    }
    if (written < data.size()) {
        m_socket->write(data.constData() + written, data.size() - written);
    }
}

bool EncryptedTcpSocket::checkSendable(const QByteArray& message)
{
    if (m_state != State::Established || !m_socket) {
        m_errorString = tr("Cannot send: the encrypted session is not established");
        return false;
    }
    if (message.size() > Protocol::MaxPayload) {
        m_errorString = tr("Cannot send a %1-byte message: at most %2 bytes fit in one transport message")
                            .arg(message.size())
                            .arg(Protocol::MaxPayload);
        return false;
    }
    if (message.isEmpty()) {
        m_errorString = tr("Cannot send an empty message: empty transport messages are keepalives");
        return false;
    }
    return true;
}

bool EncryptedTcpSocket::writeFrame(const QByteArray& message)
{
    QByteArray frame;
    if (!seal(message, &frame)) {
        return false;
    }
    if (!m_queued.isEmpty()) {
        m_queued += frame; // behind a broadcast's frames, which flushQueued() writes
        return true;
    }
    return m_socket->write(frame) == frame.size();
}

bool EncryptedTcpSocket::seal(const QByteArray& message, QByteArray* frame)
{
    if (!m_transport.seal(message, frame)) {
        if (m_transport.error() == NoiseTransport::Error::RekeyFailed) {
            fail(Error::ProtocolError, tr("Rekeying failed: %1").arg(m_transport.errorString()));
        } else {
            fail(Error::NonceExhausted,
                tr("Cannot encrypt: %1; reconnect to start a new session").arg(m_transport.errorString()));
        }
        return false;
    }
    if (m_keepaliveMs > 0) {
        touchKeepalive();
    }
    return true;
}

void EncryptedTcpSocket::disconnectFromHost()
{
    m_keepalive.stop();
    if (m_state == State::Connecting) {
        abort(); // nothing of ours is queued yet
        return;
    }
    if (!m_socket || m_state == State::Unconnected) {
        m_state = State::Unconnected;
        return;
    }
    flushQueued();
    m_state = State::Closing;
    m_socket->disconnectFromHost();
}

void EncryptedTcpSocket::abort()
{
    tearDown(Teardown::Abort);
}

void EncryptedTcpSocket::fail(Error error, const QString& message)
{
    tearDown(Teardown::Abort, error, message);
}

void EncryptedTcpSocket::onPeerClosed()
{
    if (m_state == State::Established) {
        // What the peer sent before it closed is still owed to the application.
        const QPointer<EncryptedTcpSocket> guard(this);
        readFrames();
        if (!guard) {
            return;
        }
    }
    if (m_state == State::Established || m_state == State::Closing) {
        tearDown(Teardown::PeerClosed);
    }
}

void EncryptedTcpSocket::onSocketError()
{
    if (!m_socket || m_state == State::Unconnected) {
        return;
    }
    if (m_socket->error() == QAbstractSocket::RemoteHostClosedError) {
        return; // disconnected() follows
    }
    fail(Error::NetworkError, tr("Connection error: %1").arg(m_socket->errorString()));
}

void EncryptedTcpSocket::tearDown(Teardown how, Error error, const QString& message)
{
    const State previous = m_state;
    if (previous == State::Unconnected && error != Error::None) {
        return; // failed already
    }
    m_keepalive.stop();
    m_idle.stop();
    if (ClientConnection* connection = m_connecting) {
        m_connecting = nullptr;
        connection->disconnect(this);
        connection->abort();
        connection->deleteLater();
    }
    if (error != Error::None) {
        qCDebug(lcNet).noquote() << "session with" << m_peerName << "closed:" << message;
        m_error = error;
        m_errorString = message;
    }
    m_state = State::Unconnected;
    m_queued.clear();
    if (QTcpSocket* socket = m_socket) {
        m_socket = nullptr;
        socket->disconnect(this);
        if (how == Teardown::Abort) {
            socket->abort();
        }
        socket->deleteLater();
    }
    const QPointer<EncryptedTcpSocket> guard(this);
    if (error != Error::None) {
        emit errorOccurred(error, message);
    }
    if (guard && previous != State::Unconnected) {
        emit disconnected();
    }
}

} // namespace QuietWire
