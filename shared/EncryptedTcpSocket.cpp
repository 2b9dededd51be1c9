#include "EncryptedTcpSocket.h"

#include "FrameReader.h"
#include "Identity.h"
#include "Logging.h"
#include "Protocol.h"

#include <QCborArray>
#include <QNetworkProxy>
#include <QTcpSocket>
#include <QtEndian>

#include <chrono>

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

// Enough for a few full frames, small enough that a peer that floods us meets TCP back-pressure.
constexpr qint64 ReadBufferSize = 256 * 1024;
} // namespace

EncryptedTcpSocket::EncryptedTcpSocket(const Noise::KeyPair& identity, QObject* parent)
    : QObject(parent)
    , m_identity(identity)
    , m_rekeyAfterMessages(Protocol::RekeyAfterMessages)
    , m_rekeyAfterBytes(Protocol::RekeyAfterBytes)
{
    m_keepalive.setSingleShot(true);
    connect(&m_keepalive, &QTimer::timeout, this, [this] {
        if (m_state == State::Established && m_keepaliveMs > 0) {
            if (const int left = remainingMs(m_lastSendMs, m_keepaliveMs); left > 0) {
                m_keepalive.start(left); // something was sent meanwhile
                return;
            }
            writeTransport(QByteArray()); // arms the timer again
        }
    });
    m_idle.setSingleShot(true);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        if (m_idleMs <= 0) {
            return;
        }
        if (const int left = remainingMs(m_lastReceiveMs, m_idleMs); left > 0) {
            m_idle.start(left); // something arrived meanwhile
            return;
        }
        fail(Error::Timeout, tr("Nothing arrived from the peer for %1 seconds, not even a keepalive; the connection "
                                "is considered dead and was closed")
                                 .arg(m_idleMs / 1000.0));
    });
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        switch (m_state) {
        case State::Connecting:
            fail(Error::ConnectionFailed, tr("Connecting to %1 port %2 timed out").arg(m_host).arg(m_mainPort));
            break;
        case State::SwitchingPort:
            fail(Error::SessionPortUnreachable,
                 tr("The handshake with %1 on port %2 worked, but its session port %3 did not answer in time. "
                    "Ask the administrator to open TCP ports %4-%5 as well as %2 in the firewall.")
                     .arg(m_host)
                     .arg(m_mainPort)
                     .arg(m_sessionPort)
                     .arg(m_sessionPortRange.first)
                     .arg(m_sessionPortRange.second));
            break;
        default:
            fail(Error::Timeout, tr("The peer did not complete the QuietWire handshake within %1 seconds")
                                     .arg(m_handshakeTimeoutMs / 1000.0));
            break;
        }
    });
}

EncryptedTcpSocket::~EncryptedTcpSocket()
{
    if (m_socket) {
        m_socket->disconnect(this);
    }
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

void EncryptedTcpSocket::setRekeyLimits(quint64 messages, quint64 bytes)
{
    m_rekeyAfterMessages = qMax<quint64>(1, messages);
    m_rekeyAfterBytes = qMax<quint64>(1, bytes);
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
    // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; people and logs expect a.b.c.d.
    return m_socket ? plainAddress(m_socket->peerAddress()) : QHostAddress();
}

quint16 EncryptedTcpSocket::peerPort() const
{
    return m_socket ? m_socket->peerPort() : 0;
}

qint64 EncryptedTcpSocket::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void EncryptedTcpSocket::setState(State state)
{
    m_state = state;
}

void EncryptedTcpSocket::attach(QTcpSocket* socket)
{
    m_socket = socket;
    socket->setParent(this);
    socket->setReadBufferSize(ReadBufferSize);
    connect(socket, &QTcpSocket::readyRead, this, &EncryptedTcpSocket::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &EncryptedTcpSocket::onTransportDisconnected);
    connect(socket, &QTcpSocket::errorOccurred, this, &EncryptedTcpSocket::onTransportError);
    connect(socket, &QTcpSocket::bytesWritten, this, [this](qint64 bytes) {
        if (m_state == State::Established) {
            emit bytesWritten(bytes);
        }
    });
}

void EncryptedTcpSocket::connectToHost(const QString& host, quint16 port)
{
    if (m_state != State::Unconnected) {
        abort();
    }
    m_isServer = false;
    m_host = host;
    m_mainPort = port;
    m_error = Error::None;
    m_errorString.clear();
    m_remoteErrorCode.clear();
    m_peerKey.clear();

    auto* socket = new QTcpSocket(this);
    // QuietWire talks straight to its server; asking the system for a proxy costs a thread and
    // about a fifth of a connect's CPU (bench/ANALYSIS.md).
    socket->setProxy(QNetworkProxy::NoProxy);
    if (!m_localAddress.isNull()) {
        socket->bind(m_localAddress, 0);
    }
    attach(socket);
    connect(socket, &QTcpSocket::connected, this, [this, socket] {
        if (socket != m_socket || m_state != State::Connecting) {
            return;
        }
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        if (beginHandshake(Noise::HandshakeState::Role::Initiator)) {
            writeHandshakeMessage();
        }
    });
    setState(State::Connecting);
    m_deadline.start(m_handshakeTimeoutMs);
    socket->connectToHost(host, port);
}

void EncryptedTcpSocket::startServerHandshake(QTcpSocket* socket)
{
    m_isServer = true;
    attach(socket);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_deadline.start(m_handshakeTimeoutMs);
    if (beginHandshake(Noise::HandshakeState::Role::Responder)) {
        onReadyRead();
    }
}

bool EncryptedTcpSocket::beginHandshake(Noise::HandshakeState::Role role)
{
    m_handshake = std::make_unique<Noise::HandshakeState>();
    Noise::HandshakeState::Config config;
    config.protocolName = Protocol::NoiseProtocolName;
    config.role = role;
    config.prologue = Protocol::Prologue;
    config.localStatic = m_identity;
    if (!m_handshake->initialize(config)) {
        fail(Error::HandshakeFailed, m_handshake->errorString());
        return false;
    }
    setState(State::Handshaking);
    return true;
}

void EncryptedTcpSocket::detachForRedemption()
{
    if (QTcpSocket* old = m_socket) {
        old->disconnect(this);
        // Graceful close, so the session message already queued still reaches the client.
        connect(old, &QTcpSocket::disconnected, old, &QObject::deleteLater);
        old->disconnectFromHost();
    }
    m_socket = nullptr;
    m_deadline.stop();
    setState(State::AwaitingRedemption);
}

void EncryptedTcpSocket::adoptSessionSocket(QTcpSocket* socket)
{
    attach(socket);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    setState(State::AwaitingFirstMessage);
    m_deadline.start(m_handshakeTimeoutMs);
    onReadyRead();
}

int EncryptedTcpSocket::maxFrameForState() const
{
    return m_state == State::Handshaking ? Protocol::MaxHandshakeMessage : Protocol::MaxNoiseMessage;
}

void EncryptedTcpSocket::onReadyRead()
{
    readFrames();
}

void EncryptedTcpSocket::readFrames()
{
    const QPointer<EncryptedTcpSocket> guard(this);
    while (guard && m_socket) {
        if (m_state == State::SwitchingPort || m_state == State::AwaitingRedemption || m_state == State::Closing
            || m_state == State::Unconnected) {
            return;
        }
        const int minimum = m_state == State::Handshaking ? 0 : Protocol::TagSize;
        QByteArray frame;
        int length = 0;
        switch (FrameReader::read(*m_socket, minimum, maxFrameForState(), &frame, &length)) {
        case FrameReader::Result::NeedMore:
            return;
        case FrameReader::Result::TooLarge:
            fail(Error::FrameTooLarge, tr("The peer sent a %1-byte frame during the handshake (at most %2 allowed)")
                                           .arg(length)
                                           .arg(maxFrameForState()));
            return;
        case FrameReader::Result::TooSmall:
            fail(Error::ProtocolError,
                 tr("The peer sent a %1-byte transport frame, shorter than the authentication tag").arg(length));
            return;
        case FrameReader::Result::Frame:
            if (!processFrame(frame)) {
                return;
            }
            break;
        }
    }
}

bool EncryptedTcpSocket::processFrame(const QByteArray& frame)
{
    if (m_state == State::Handshaking) {
        return processHandshakeFrame(frame);
    }
    QByteArray plaintext;
    plaintext.reserve(frame.size());
    if (!m_receiveCipher.decryptWithAd({}, frame, plaintext)) {
        fail(Error::DecryptFailed, tr("A message from %1 failed authentication (tampered with, replayed, dropped, "
                                      "reordered or from another session); the connection was closed")
                                       .arg(m_isServer ? peerAddress().toString() : m_host));
        return false;
    }
    if (m_idleMs > 0 && m_state == State::Established) {
        touchIdle();
    }
    m_receivedBytes += static_cast<quint64>(plaintext.size());
    if (++m_receivedMessages >= m_rekeyAfterMessages || m_receivedBytes >= m_rekeyAfterBytes) {
        m_receivedMessages = 0;
        m_receivedBytes = 0;
        ++m_receiveRekeys;
        if (!m_receiveCipher.rekey()) {
            fail(Error::ProtocolError, tr("Rekeying failed: %1").arg(m_receiveCipher.errorString()));
            return false;
        }
    }
    if (plaintext.isEmpty() && (m_state == State::Established || m_state == State::AwaitingFirstMessage)) {
        return true; // a keepalive
    }
    switch (m_state) {
    case State::AwaitingSession:
        if (m_isServer) {
            fail(Error::ProtocolError, tr("The client sent data on the main port instead of the session port"));
            return false;
        }
        return processSessionMessage(plaintext);
    case State::AwaitingFirstMessage:
        m_deadline.stop();
        setState(State::Established);
        startSessionTimers();
        [[fallthrough]];
    case State::Established: {
        const QPointer<EncryptedTcpSocket> guard(this);
        emit messageReceived(plaintext);
        return guard && m_state == State::Established;
    }
    default:
        return false;
    }
}

bool EncryptedTcpSocket::processHandshakeFrame(const QByteArray& frame)
{
    if (m_handshake->isMyTurn()) {
        fail(Error::HandshakeFailed, tr("The peer sent a handshake message out of turn"));
        return false;
    }
    QByteArray payload;
    if (!m_handshake->readMessage(frame, payload)) {
        fail(Error::HandshakeFailed,
             tr("Handshake message from the peer is invalid (%1); is it a QuietWire/1 peer?")
                 .arg(m_handshake->errorString()));
        return false;
    }
    if (!m_isServer && !m_handshake->remoteStaticKey().isEmpty() && m_peerKey.isEmpty()) {
        m_peerKey = m_handshake->remoteStaticKey();
        // Check the server before our own static key goes out in the third message.
        if (m_peerKeyCheck && !m_peerKeyCheck(m_peerKey)) {
            fail(Error::PeerKeyRejected,
                 tr("The server key %1 was not accepted").arg(Identity::fingerprint(m_peerKey)));
            return false;
        }
    }
    if (m_handshake->isFinished()) {
        finishHandshake();
        return m_state != State::Unconnected;
    }
    return writeHandshakeMessage();
}

bool EncryptedTcpSocket::writeHandshakeMessage()
{
    QByteArray message;
    if (!m_handshake->writeMessage({}, message)) {
        fail(Error::HandshakeFailed, tr("Cannot write handshake message: %1").arg(m_handshake->errorString()));
        return false;
    }
    QByteArray frame(Protocol::FrameHeaderSize, Qt::Uninitialized);
    qToBigEndian<quint16>(static_cast<quint16>(message.size()), frame.data());
    frame += message;
    m_socket->write(frame);
    if (m_handshake->isFinished()) {
        finishHandshake();
        return m_state != State::Unconnected;
    }
    return true;
}

void EncryptedTcpSocket::finishHandshake()
{
    auto [initiatorToResponder, responderToInitiator] = m_handshake->split();
    if (m_isServer) {
        m_sendCipher = std::move(responderToInitiator);
        m_receiveCipher = std::move(initiatorToResponder);
    } else {
        m_sendCipher = std::move(initiatorToResponder);
        m_receiveCipher = std::move(responderToInitiator);
    }
    m_peerKey = m_handshake->remoteStaticKey();
    m_handshakeHash = m_handshake->handshakeHash();
    m_sentMessages = m_sentBytes = m_receivedMessages = m_receivedBytes = 0;
    m_sendRekeys = m_receiveRekeys = 0;
    m_handshake.reset(); // wipes the ephemeral key and chaining key
    setState(State::AwaitingSession);
    emit handshakeCompleted(m_peerKey);
}

bool EncryptedTcpSocket::processSessionMessage(const QByteArray& plaintext)
{
    QString decodeError;
    const auto message = Protocol::decode(plaintext, &decodeError);
    if (!message) {
        fail(Error::ProtocolError, tr("The server's first message is not understood: %1").arg(decodeError));
        return false;
    }
    const QString type = Protocol::typeOf(*message);
    if (type == QLatin1String("error")) {
        m_remoteErrorCode = message->value(QLatin1String("code")).toString();
        fail(Error::RemoteError, message->value(QLatin1String("message")).toString());
        return false;
    }
    const qint64 port = Protocol::integer(message->value(QLatin1String("port")), -1);
    const QByteArray ticket = message->value(QLatin1String("ticket")).toByteArray();
    if (type != QLatin1String("session") || port <= 0 || port > 65535 || ticket.size() != Protocol::TicketSize) {
        fail(Error::ProtocolError, tr("The server's first message is not a valid session hand-off"));
        return false;
    }
    m_sessionPort = static_cast<quint16>(port);
    m_ticket = ticket;
    // The server says how often it wants to hear from us to keep an idle session open.
    const qint64 keepalive = Protocol::integer(message->value(QLatin1String("keepalive")), 0);
    if (keepalive > 0 && (m_keepaliveMs <= 0 || keepalive < m_keepaliveMs)) {
        m_keepaliveMs = static_cast<int>(qMax<qint64>(100, keepalive));
    }
    const QCborArray range = message->value(QLatin1String("ports")).toArray();
    m_sessionPortRange = range.size() == 2
        ? qMakePair(static_cast<quint16>(Protocol::integer(range.at(0))), static_cast<quint16>(Protocol::integer(range.at(1))))
        : qMakePair(m_sessionPort, m_sessionPort);
    switchToSessionPort();
    return false; // stop reading the main connection
}

void EncryptedTcpSocket::switchToSessionPort()
{
    QTcpSocket* old = m_socket;
    const QHostAddress serverAddress = old->peerAddress();
    const QHostAddress localAddress = old->localAddress();
    old->disconnect(this);
    connect(old, &QTcpSocket::disconnected, old, &QObject::deleteLater);
    old->disconnectFromHost();

    auto* socket = new QTcpSocket(this);
    socket->setProxy(QNetworkProxy::NoProxy);
    // The server accepts the ticket only from the address that did the handshake.
    socket->bind(localAddress, 0);
    attach(socket);
    connect(socket, &QTcpSocket::connected, this, [this, socket] {
        if (socket != m_socket || m_state != State::SwitchingPort) {
            return;
        }
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        QByteArray frame(Protocol::FrameHeaderSize, Qt::Uninitialized);
        qToBigEndian<quint16>(static_cast<quint16>(m_ticket.size()), frame.data());
        frame += m_ticket;
        socket->write(frame);
        m_deadline.stop();
        setState(State::Established);
        startSessionTimers();
        emit ready();
    });
    setState(State::SwitchingPort);
    socket->connectToHost(serverAddress, m_sessionPort);
}

bool EncryptedTcpSocket::sendMessage(const QByteArray& message)
{
    const bool canSend = m_state == State::Established || (m_isServer && m_state == State::AwaitingSession);
    if (!canSend || !m_socket) {
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
    return writeTransport(message);
}

bool EncryptedTcpSocket::writeTransport(const QByteArray& message)
{
    QByteArray frame;
    frame.reserve(Protocol::FrameHeaderSize + message.size() + Protocol::TagSize);
    frame.resize(Protocol::FrameHeaderSize);
    if (!m_sendCipher.encryptWithAd({}, message, frame)) {
        fail(Error::NonceExhausted, tr("Cannot encrypt: %1; reconnect to start a new session")
                                        .arg(m_sendCipher.errorString()));
        return false;
    }
    qToBigEndian<quint16>(static_cast<quint16>(frame.size() - Protocol::FrameHeaderSize), frame.data());
    m_sentBytes += static_cast<quint64>(message.size());
    if (++m_sentMessages >= m_rekeyAfterMessages || m_sentBytes >= m_rekeyAfterBytes) {
        m_sentMessages = 0;
        m_sentBytes = 0;
        ++m_sendRekeys;
        if (!m_sendCipher.rekey()) {
            fail(Error::ProtocolError, tr("Rekeying failed: %1").arg(m_sendCipher.errorString()));
            return false;
        }
    }
    if (m_keepaliveMs > 0 && m_state == State::Established) {
        touchKeepalive();
    }
    return m_socket->write(frame) == frame.size();
}

void EncryptedTcpSocket::disconnectFromHost()
{
    m_deadline.stop();
    m_keepalive.stop();
    if (!m_socket || m_state == State::Unconnected) {
        setState(State::Unconnected);
        return;
    }
    setState(State::Closing);
    m_socket->disconnectFromHost();
}

void EncryptedTcpSocket::abort()
{
    m_deadline.stop();
    m_keepalive.stop();
    m_idle.stop();
    const State previous = m_state;
    setState(State::Unconnected);
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    m_handshake.reset();
    if (previous != State::Unconnected) {
        emit disconnected();
    }
}

void EncryptedTcpSocket::fail(Error error, const QString& message)
{
    if (m_state == State::Unconnected) {
        return;
    }
    m_keepalive.stop();
    m_idle.stop();
    if (m_isServer && m_state == State::Established) {
        // Before that the socket is EncryptedTcpServer's, which logs its failures (throttled:
        // anyone can cause them).
        qCInfo(lcNet).noquote() << "connection from" << peerAddress().toString() << "closed:" << message;
    } else if (!m_isServer) {
        qCDebug(lcNet).noquote() << "connection to" << m_host << "closed:" << message;
    }
    m_error = error;
    m_errorString = message;
    m_deadline.stop();
    setState(State::Unconnected);
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    m_handshake.reset();
    const QPointer<EncryptedTcpSocket> guard(this);
    emit errorOccurred(error, message);
    if (guard) {
        emit disconnected();
    }
}

void EncryptedTcpSocket::onTransportDisconnected()
{
    switch (m_state) {
    case State::Unconnected:
    case State::AwaitingRedemption:
        return;
    case State::Established:
    case State::Closing: {
        // What the peer sent before it closed is still owed to the application.
        const QPointer<EncryptedTcpSocket> guard(this);
        if (m_state == State::Established) {
            readFrames();
        }
        if (!guard || m_state == State::Unconnected) {
            return;
        }
        m_deadline.stop();
        m_keepalive.stop();
        m_idle.stop();
        setState(State::Unconnected);
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->deleteLater();
            m_socket = nullptr;
        }
        emit disconnected();
        return;
    }
    default:
        fail(Error::RemoteClosed,
             m_isServer ? tr("The client closed the connection before the session was set up")
                        : tr("%1 closed the connection during the handshake: the server may be busy with too "
                             "many connections (try again shortly), or it is not a QuietWire server (protocol %2) "
                             "on port %3")
                              .arg(m_host, protocolName())
                              .arg(m_mainPort));
    }
}

void EncryptedTcpSocket::onTransportError()
{
    if (!m_socket) {
        return;
    }
    const auto socketError = m_socket->error();
    if (socketError == QAbstractSocket::RemoteHostClosedError) {
        return; // disconnected() follows and says what it means in this state
    }
    switch (m_state) {
    case State::Connecting:
        fail(Error::ConnectionFailed,
             tr("Cannot connect to %1 port %2: %3").arg(m_host).arg(m_mainPort).arg(m_socket->errorString()));
        break;
    case State::SwitchingPort:
        fail(Error::SessionPortUnreachable,
             tr("The handshake with %1 on port %2 worked, but its session port %3 cannot be reached (%4). "
                "Ask the administrator to open TCP ports %5-%6 as well as %2 in the firewall.")
                 .arg(m_host)
                 .arg(m_mainPort)
                 .arg(m_sessionPort)
                 .arg(m_socket->errorString())
                 .arg(m_sessionPortRange.first)
                 .arg(m_sessionPortRange.second));
        break;
    case State::Unconnected:
        break;
    default:
        fail(Error::NetworkError, tr("Connection error: %1").arg(m_socket->errorString()));
    }
}

} // namespace QuietWire
