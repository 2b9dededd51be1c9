#include "ServerHandshake.h"

#include "EncryptedTcpSocket.h"
#include "FrameReader.h"
#include "Protocol.h"

#include <QTcpSocket>

namespace QuietWire {

ServerHandshake::ServerHandshake(QTcpSocket* connection, const Settings& settings, QObject* parent)
    : QObject(parent)
    , m_settings(settings)
    , m_connection(connection)
    , m_address(EncryptedTcpSocket::plainAddress(connection->peerAddress()))
{
    connection->setParent(this);
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        fail(QStringLiteral("The peer did not complete the QuietWire handshake within %1 seconds")
                 .arg(m_settings.timeoutMs / 1000.0));
    });
}

ServerHandshake::~ServerHandshake()
{
    if (m_connection) {
        m_connection->disconnect(this);
    }
}

void ServerHandshake::start()
{
    QTcpSocket* connection = m_connection;
    connection->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(connection, &QTcpSocket::readyRead, this, &ServerHandshake::readFrames);
    connect(connection, &QTcpSocket::disconnected, this, &ServerHandshake::onPeerClosed);
    connect(connection, &QTcpSocket::errorOccurred, this, &ServerHandshake::onSocketError);
    m_deadline.start(m_settings.timeoutMs);
    if (!m_handshake.start(NoiseHandshake::Role::Responder, m_settings.identity)) {
        fail(m_handshake.errorString());
        return;
    }
    m_state = State::Handshaking;
    readFrames();
}

void ServerHandshake::readFrames()
{
    const QPointer<ServerHandshake> guard(this);
    while (guard && m_connection && m_state == State::Handshaking) {
        QByteArray frame;
        QString refusal;
        switch (FrameReader::readHandshake(*m_connection, &frame, &refusal)) {
        case FrameReader::Result::NeedMore:
            return;
        case FrameReader::Result::TooLarge:
        case FrameReader::Result::TooSmall:
            fail(refusal);
            return;
        case FrameReader::Result::Frame:
            break;
        }
        if (!m_handshake.readFrame(frame)) {
            fail(m_handshake.errorString());
            return;
        }
        if (m_handshake.isFinished()) { // message 3 is the client's
            m_peerKey = m_handshake.remoteStaticKey();
            m_handshakeHash = m_handshake.handshakeHash();
            m_transport = m_handshake.finish();
            m_transport.setRekeyLimits(m_settings.rekeyAfterMessages, m_settings.rekeyAfterBytes);
            // Nothing more is read here: the client sends nothing after message 3 on this port.
            m_state = State::Completed;
            emit completed();
            return;
        }
        QByteArray reply;
        if (!m_handshake.writeFrame(&reply)) {
            fail(m_handshake.errorString());
            return;
        }
        m_connection->write(reply);
    }
}

bool ServerHandshake::writeMessage(const QByteArray& message)
{
    QByteArray frame;
    if (!m_transport.seal(message, &frame)) {
        fail(QStringLiteral("Cannot encrypt: %1").arg(m_transport.errorString()));
        return false;
    }
    m_connection->write(frame);
    return true;
}

void ServerHandshake::refuse(ErrorCode code, const QString& message)
{
    if (m_state != State::Completed
        || !writeMessage(Protocol::encode(Protocol::FatalError { code, message }.toCbor()))) {
        return;
    }
    m_state = State::Refusing;
    m_deadline.stop();
    // A client that never reads must not keep the connection forever.
    QTimer::singleShot(m_settings.timeoutMs, this, &ServerHandshake::close);
    m_connection->disconnectFromHost(); // disconnected() follows once the error is written
}

std::optional<ServerHandshake::HandOff> ServerHandshake::handOff(const QByteArray& sessionMessage)
{
    if (m_state != State::Completed || !writeMessage(sessionMessage)) {
        return std::nullopt;
    }
    m_state = State::HandedOff;
    m_deadline.stop();
    QTcpSocket* connection = m_connection;
    m_connection = nullptr;
    connection->disconnect(this);
    // Graceful close, so the session message already queued still reaches the client.
    connect(connection, &QTcpSocket::disconnected, connection, &QObject::deleteLater);
    connection->disconnectFromHost();
    HandOff handOff;
    handOff.transport = std::move(m_transport);
    handOff.peerKey = m_peerKey;
    handOff.handshakeHash = m_handshakeHash;
    handOff.address = m_address;
    handOff.closingConnection = connection;
    emit finished();
    return handOff;
}

void ServerHandshake::onPeerClosed()
{
    if (m_state == State::Refusing) {
        close(); // the error went out
    } else {
        fail(QStringLiteral("The client closed the connection before the session was set up"));
    }
}

void ServerHandshake::onSocketError()
{
    if (m_connection && m_connection->error() != QAbstractSocket::RemoteHostClosedError) {
        fail(QStringLiteral("Connection error: %1").arg(m_connection->errorString()));
    } // else disconnected() follows
}

void ServerHandshake::abort()
{
    close();
}

void ServerHandshake::fail(const QString& reason)
{
    if (!shutDown()) {
        return;
    }
    const QPointer<ServerHandshake> guard(this);
    emit failed(reason);
    if (guard) {
        emit finished();
    }
}

void ServerHandshake::close()
{
    if (shutDown()) {
        emit finished();
    }
}

bool ServerHandshake::shutDown()
{
    if (m_state == State::HandedOff || m_state == State::Closed) {
        return false;
    }
    m_state = State::Closed;
    m_deadline.stop();
    if (QTcpSocket* connection = m_connection) {
        m_connection = nullptr;
        connection->disconnect(this);
        connection->abort();
        connection->deleteLater();
    }
    return true;
}

} // namespace QuietWire
