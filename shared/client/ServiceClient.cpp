#include "ServiceClient.h"

#include "EncryptedTcpSocket.h"
#include "Protocol.h"

#include <QMetaEnum>

namespace QuietWire {

ServiceClient::ServiceClient(const Identity& identity, const QString& knownServersPath, QObject* parent)
    : QObject(parent)
    , m_identity(identity)
    , m_knownServers(knownServersPath)
{ }

ServiceClient::~ServiceClient() = default;

bool ServiceClient::trustServerKey(const QString& hostPort, const QByteArray& key, bool permanently, QString* error)
{
    m_trustedOnce = key;
    m_trustedOnceHostPort = hostPort;
    return !permanently || m_knownServers.add(hostPort, key, error);
}

bool ServiceClient::isReady() const
{
    return m_socket && m_socket->isReady();
}

QByteArray ServiceClient::serverKey() const
{
    return m_socket ? m_socket->peerKey() : QByteArray();
}

quint16 ServiceClient::sessionPort() const
{
    return m_socket ? m_socket->sessionPort() : 0;
}

bool ServiceClient::failureIsTemporary() const
{
    switch (m_lastFailure.code) {
    case ErrorCode::None:
    case ErrorCode::ConnectionLost:
    case ErrorCode::Shutdown:
    case ErrorCode::Busy:
    case ErrorCode::TooManySessions:
    case ErrorCode::Unavailable:
        return true;
    default:
        return false;
    }
}

bool ServiceClient::refusedForLoad() const
{
    return m_lastFailure.code == ErrorCode::Busy || m_lastSocketError == EncryptedTcpSocket::Error::RemoteClosed;
}

void ServiceClient::connectToService(const QString& host, quint16 port, const QString& service)
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_hostPort = KnownServers::hostPort(host, port);
    m_service = service;
    m_lastFailure = {};
    m_serverKeyProblem = ServerKeyProblem::None;
    m_lastSocketError = EncryptedTcpSocket::Error::None;
    m_unknownKey = false;
    m_rejectedKey.clear();
    m_pinnedKey.clear();
    m_pinError.clear();

    m_socket = new EncryptedTcpSocket(m_identity.keyPair(), this);
    m_socket->setLocalAddress(m_localAddress);
    m_socket->setPeerKeyCheck([this](const QByteArray& key) { return checkServerKey(key); });
    connect(m_socket, &EncryptedTcpSocket::ready, this, [this] {
        if (!m_socket->sendMessage(Protocol::encode(Protocol::Hello { m_service, m_serviceVersion }.toCbor()))) {
            setFailure(ErrorCode::ConnectionLost, m_socket->errorString());
            return;
        }
        emit ready();
    });
    connect(m_socket, &EncryptedTcpSocket::messageReceived, this, &ServiceClient::onMessage);
    connect(m_socket, &EncryptedTcpSocket::errorOccurred, this,
        [this](EncryptedTcpSocket::Error error, const QString& message) {
            onSocketError(static_cast<int>(error), message);
        });
    connect(m_socket, &EncryptedTcpSocket::disconnected, this, &ServiceClient::disconnected);
    m_socket->connectToHost(host, port);
}

bool ServiceClient::checkServerKey(const QByteArray& key)
{
    QString error;
    switch (m_knownServers.check(m_hostPort, key, &m_pinnedKey, &error)) {
    case KnownServers::Status::Known:
        return true;
    case KnownServers::Status::Mismatch:
        m_rejectedKey = key;
        m_pinError = error;
        return false;
    case KnownServers::Status::Unknown:
        break;
    }
    if (m_trustedOnceHostPort == m_hostPort && m_trustedOnce == key) {
        return true;
    }
    if (m_trustPolicy == TrustPolicy::TrustNewKeys) {
        if (!m_knownServers.add(m_hostPort, key, &error)) {
            m_pinError = error;
            m_rejectedKey = key;
            return false;
        }
        return true;
    }
    m_unknownKey = true;
    m_rejectedKey = key;
    return false;
}

void ServiceClient::setFailure(ErrorCode code, const QString& message)
{
    m_lastFailure = { code, message };
    emit errorOccurred(message);
}

void ServiceClient::onSocketError(int error, const QString& message)
{
    const auto kind = static_cast<EncryptedTcpSocket::Error>(error);
    m_lastSocketError = kind;
    if (kind == EncryptedTcpSocket::Error::PeerKeyRejected) {
        const QString offered = Identity::fingerprint(m_rejectedKey);
        if (m_unknownKey) {
            m_serverKeyProblem = ServerKeyProblem::Unknown;
            m_lastFailure.code = ErrorCode::ServerKeyNotTrusted;
            emit serverKeyUnknown(m_hostPort, m_rejectedKey);
            setFailure(ErrorCode::ServerKeyNotTrusted,
                tr("The server %1 is not known yet. Its key fingerprint is %2. Compare it with the "
                   "fingerprint the administrator gives you (`quietwired fingerprint`) and, if they "
                   "match, trust it (quietwire-cli: --trust-new).")
                    .arg(m_hostPort, offered));
        } else if (!m_pinError.isEmpty()) {
            m_serverKeyProblem = ServerKeyProblem::PinsUnreadable;
            setFailure(ErrorCode::ServerKeyNotTrusted, tr("Cannot check the server key: %1").arg(m_pinError));
        } else {
            m_serverKeyProblem = ServerKeyProblem::Changed;
            setFailure(ErrorCode::ServerKeyNotTrusted,
                tr("WARNING: THE KEY OF SERVER %1 HAS CHANGED.\n"
                   "  Pinned key:  %2\n"
                   "  Offered key: %3\n"
                   "Someone may be intercepting this connection, or the administrator replaced the server key. "
                   "The connection was stopped before your key was sent. Ask the administrator for the server's "
                   "fingerprint; only if it is the offered one, remove the old pin (quietwire-cli forget %1, or "
                   "Keys > Trusted servers) and connect again.")
                    .arg(m_hostPort, Identity::fingerprint(m_pinnedKey), offered));
        }
        return;
    }
    if (kind == EncryptedTcpSocket::Error::RemoteError) {
        const ErrorCode code = m_socket ? m_socket->remoteErrorCode() : ErrorCode::Unknown;
        if (code == ErrorCode::Unauthorized) {
            setFailure(code,
                tr("The server %1 refused your key %2: it is not on the server's whitelist. Give the "
                   "administrator this line to allow it:\n%3")
                    .arg(m_hostPort, m_identity.fingerprint(), m_identity.publicKeyLine()));
            return;
        }
        setFailure(code, tr("The server %1 refused the session: %2").arg(m_hostPort, message));
        return;
    }
    setFailure(ErrorCode::ConnectionLost, message);
}

void ServiceClient::onMessage(const QByteArray& data)
{
    if (m_rawFilter && m_rawFilter(data)) {
        return;
    }
    QString error;
    const auto message = Protocol::decode(data, &error);
    if (!message) {
        emit errorOccurred(tr("The server sent a message that is not understood (%1); closing").arg(error));
        m_socket->abort();
        return;
    }
    if (Protocol::is<Protocol::FatalError>(*message)) {
        // A fatal error: the server closes the session after it.
        const auto decoded = Protocol::FatalError::decode(*message);
        if (!decoded.ok()) {
            // Still the end of the session; say what was wrong with the error itself.
            setFailure(ErrorCode::Unknown, tr("The server closed the session: %1").arg(decoded.error->message));
            return;
        }
        const Protocol::FatalError& fatal = decoded.value;
        if (fatal.code == ErrorCode::Shutdown) {
            setFailure(fatal.code,
                tr("The server %1 shut down (its administrator stopped it); it may be back soon (the "
                   "desktop client and an interactive chat reconnect by themselves).")
                    .arg(m_hostPort));
            return;
        }
        setFailure(fatal.code, tr("The server closed the session: %1").arg(fatal.message));
        return;
    }
    emit messageReceived(*message);
}

bool ServiceClient::send(const QCborMap& message)
{
    if (!isReady()) {
        return false;
    }
    return m_socket->sendMessage(Protocol::encode(message));
}

void ServiceClient::disconnectFromServer()
{
    if (m_socket) {
        m_socket->disconnectFromHost();
    }
}

} // namespace QuietWire
