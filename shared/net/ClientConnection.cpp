#include "ClientConnection.h"

#include "FrameReader.h"
#include "Identity.h"
#include "Logging.h"
#include "Protocol.h"

#include <QNetworkProxy>
#include <QTcpSocket>
#include <limits>

namespace QuietWire {

ClientConnection::ClientConnection(const Settings& settings, QObject* parent)
    : QObject(parent)
    , m_settings(settings)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &ClientConnection::onDeadline);
}

ClientConnection::~ClientConnection()
{
    if (m_socket) {
        m_socket->disconnect(this);
    }
}

QTcpSocket* ClientConnection::newSocket()
{
    auto* socket = new QTcpSocket(this);
    // QuietWire talks straight to its server; asking the system for a proxy costs a thread and
    // about a fifth of a connect's CPU (bench/ANALYSIS.md).
    socket->setProxy(QNetworkProxy::NoProxy);
    connect(socket, &QTcpSocket::readyRead, this, &ClientConnection::readFrames);
    connect(socket, &QTcpSocket::disconnected, this, &ClientConnection::onPeerClosed);
    connect(socket, &QTcpSocket::errorOccurred, this, &ClientConnection::onSocketError);
    m_socket = socket;
    return socket;
}

void ClientConnection::start(const QString& host, quint16 port)
{
    m_host = host;
    m_mainPort = port;
    QTcpSocket* socket = newSocket();
    if (!m_settings.localAddress.isNull()) {
        socket->bind(m_settings.localAddress, 0);
    }
    connect(socket, &QTcpSocket::connected, this, &ClientConnection::onMainConnected);
    m_state = State::Connecting;
    m_deadline.start(m_settings.timeoutMs);
    socket->connectToHost(host, port);
}

void ClientConnection::onMainConnected()
{
    if (m_state != State::Connecting) {
        return;
    }
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (!m_handshake.start(NoiseHandshake::Role::Initiator, m_settings.identity)) {
        fail(Error::HandshakeFailed, m_handshake.errorString());
        return;
    }
    m_state = State::Handshaking;
    writeHandshakeFrame(); // message 1, at once: a silent connection may lose its place at the server
}

void ClientConnection::readFrames()
{
    const QPointer<ClientConnection> guard(this);
    while (guard && m_socket && (m_state == State::Handshaking || m_state == State::AwaitingSession)) {
        const bool handshaking = m_state == State::Handshaking;
        QByteArray frame;
        QString refusal;
        const FrameReader::Result result = handshaking ? FrameReader::readHandshake(*m_socket, &frame, &refusal)
                                                       : FrameReader::readTransport(*m_socket, &frame, &refusal);
        if (result == FrameReader::Result::NeedMore) {
            return;
        }
        if (result != FrameReader::Result::Frame) {
            fail(EncryptedTcpSocket::frameError(result), refusal);
            return;
        }
        if (!(handshaking ? onHandshakeFrame(frame) : onSessionFrame(frame))) {
            return;
        }
    }
}

bool ClientConnection::onHandshakeFrame(const QByteArray& frame)
{
    if (!m_handshake.readFrame(frame)) {
        fail(Error::HandshakeFailed, m_handshake.errorString());
        return false;
    }
    if (m_peerKey.isEmpty() && !m_handshake.remoteStaticKey().isEmpty()) {
        m_peerKey = m_handshake.remoteStaticKey();
        // Check the server before our own static key goes out in the third message.
        if (m_settings.peerKeyCheck && !m_settings.peerKeyCheck(m_peerKey)) {
            fail(
                Error::PeerKeyRejected, tr("The server key %1 was not accepted").arg(Identity::fingerprint(m_peerKey)));
            return false;
        }
    }
    return writeHandshakeFrame();
}

bool ClientConnection::writeHandshakeFrame()
{
    QByteArray frame;
    if (!m_handshake.writeFrame(&frame)) {
        fail(Error::HandshakeFailed, m_handshake.errorString());
        return false;
    }
    m_socket->write(frame);
    if (m_handshake.isFinished()) { // message 3 is ours
        m_handshakeHash = m_handshake.handshakeHash();
        m_transport = m_handshake.finish();
        m_transport.setRekeyLimits(m_settings.rekeyAfterMessages, m_settings.rekeyAfterBytes);
        m_state = State::AwaitingSession;
    }
    return true;
}

bool ClientConnection::onSessionFrame(const QByteArray& frame)
{
    QByteArray plaintext;
    if (!m_transport.open(frame, &plaintext)) {
        if (m_transport.error() == NoiseTransport::Error::RekeyFailed) {
            fail(Error::ProtocolError, tr("Rekeying failed: %1").arg(m_transport.errorString()));
        } else {
            fail(Error::DecryptFailed,
                tr("A message from %1 failed authentication (tampered with, replayed, "
                   "dropped, reordered or from another session); the connection was closed")
                    .arg(m_host));
        }
        return false;
    }
    if (!takeSessionMessage(plaintext)) {
        return false;
    }
    switchToSessionPort();
    return false; // nothing more is read on the main connection
}

bool ClientConnection::takeSessionMessage(const QByteArray& plaintext)
{
    QString decodeError;
    const auto message = Protocol::decode(plaintext, &decodeError);
    if (!message) {
        fail(Error::ProtocolError, tr("The server's first message is not understood: %1").arg(decodeError));
        return false;
    }
    if (Protocol::is<Protocol::FatalError>(*message)) {
        const auto fatal = Protocol::FatalError::decode(*message);
        if (!fatal.ok()) {
            fail(
                Error::ProtocolError, tr("The server's first message is not understood: %1").arg(fatal.error->message));
            return false;
        }
        m_remoteErrorCode = fatal.value.code;
        fail(Error::RemoteError, fatal.value.message);
        return false;
    }
    if (!Protocol::is<Protocol::SessionHandoff>(*message)) {
        fail(Error::ProtocolError, tr("The server's first message is not a valid session hand-off"));
        return false;
    }
    const auto decoded = Protocol::SessionHandoff::decode(*message);
    if (!decoded.ok()) {
        fail(Error::ProtocolError, tr("The server's first message is not understood: %1").arg(decoded.error->message));
        return false;
    }
    const Protocol::SessionHandoff& handoff = decoded.value;
    m_sessionPort = handoff.port;
    m_ticket = handoff.ticket;
    // How often the server wants to hear from us to keep an idle session open.
    m_serverKeepaliveMs = static_cast<int>(qMin<qint64>(handoff.keepaliveMs, std::numeric_limits<int>::max()));
    // Only for telling the user which ports to open when the session port cannot be reached.
    m_sessionPortFirst = handoff.portsFirst;
    m_sessionPortLast = handoff.portsLast;
    return true;
}

void ClientConnection::switchToSessionPort()
{
    QTcpSocket* old = m_socket;
    const QHostAddress serverAddress = old->peerAddress();
    const QHostAddress localAddress = old->localAddress();
    old->disconnect(this);
    connect(old, &QTcpSocket::disconnected, old, &QObject::deleteLater);
    old->disconnectFromHost();

    QTcpSocket* socket = newSocket();
    // The server accepts the ticket only from the address that did the handshake.
    socket->bind(localAddress, 0);
    connect(socket, &QTcpSocket::connected, this, &ClientConnection::onSessionPortConnected);
    m_state = State::SwitchingPort;
    socket->connectToHost(serverAddress, m_sessionPort);
}

void ClientConnection::onSessionPortConnected()
{
    if (m_state != State::SwitchingPort) {
        return;
    }
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->write(FrameReader::framed(m_ticket));
    m_deadline.stop();
    m_state = State::Established;
    emit established();
}

EncryptedTcpSocket::Established ClientConnection::takeEstablished()
{
    EncryptedTcpSocket::Established session;
    if (m_state != State::Established || !m_socket) {
        return session;
    }
    m_socket->disconnect(this);
    session.connection = m_socket;
    m_socket = nullptr;
    session.transport = std::move(m_transport);
    session.peerKey = m_peerKey;
    session.handshakeHash = m_handshakeHash;
    session.peerName = m_host;
    session.sessionPort = m_sessionPort;
    session.peerKeepaliveMs = m_serverKeepaliveMs;
    return session;
}

void ClientConnection::onDeadline()
{
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
                .arg(m_sessionPortFirst)
                .arg(m_sessionPortLast));
        break;
    case State::Handshaking:
    case State::AwaitingSession:
        fail(Error::Timeout,
            tr("The peer did not complete the QuietWire handshake within %1 seconds")
                .arg(m_settings.timeoutMs / 1000.0));
        break;
    case State::Idle:
    case State::Established:
    case State::Failed:
        break;
    }
}

void ClientConnection::onPeerClosed()
{
    if (m_state == State::Established || m_state == State::Failed || m_state == State::Idle) {
        return;
    }
    fail(Error::RemoteClosed,
        tr("%1 closed the connection during the handshake: the server may be busy with too many connections (try "
           "again shortly), or it is not a QuietWire server (protocol %2) on port %3")
            .arg(m_host, EncryptedTcpSocket::protocolName())
            .arg(m_mainPort));
}

void ClientConnection::onSocketError()
{
    if (!m_socket || m_state == State::Established || m_state == State::Failed) {
        return;
    }
    if (m_socket->error() == QAbstractSocket::RemoteHostClosedError) {
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
                .arg(m_sessionPortFirst)
                .arg(m_sessionPortLast));
        break;
    default:
        fail(Error::NetworkError, tr("Connection error: %1").arg(m_socket->errorString()));
    }
}

void ClientConnection::abort()
{
    m_state = State::Failed;
    m_deadline.stop();
    closeSocket();
}

void ClientConnection::fail(Error error, const QString& message)
{
    if (m_state == State::Failed || m_state == State::Established) {
        return;
    }
    qCDebug(lcNet).noquote() << "connection to" << m_host << "closed:" << message;
    abort();
    emit failed(error, message);
}

void ClientConnection::closeSocket()
{
    if (QTcpSocket* socket = m_socket) {
        m_socket = nullptr;
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
}

} // namespace QuietWire
