#include "ServerConnection.h"

#include "Outbox.h"

#include <QDir>

namespace QuietWire::Gui {

ServerConnection::ServerConnection(const Identity& identity, const QString& configDir, QObject* parent)
    : QObject(parent)
    , m_identity(identity)
    , m_configDir(configDir)
    , m_outbox(new Outbox(this))
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ServerConnection::attempt);
    createClients();
}

ServerConnection::~ServerConnection() = default;

QString ServerConnection::knownServersPath() const
{
    return QDir(m_configDir).filePath(QStringLiteral("known_servers"));
}

void ServerConnection::createClients()
{
    if (m_chat) {
        m_chat->disconnect(this);
        m_chat->deleteLater();
    }
    if (m_files) {
        m_files->disconnect(this);
        m_files->deleteLater();
    }
    m_chat = new ChatClient(m_identity, knownServersPath(), this);
    // Conversations, history and search (the Chat tab); a version-1 server answers with version 1.
    m_chat->setProtocolVersion(ChatProtocol::CurrentVersion);
    m_files = new FileClient(m_identity, knownServersPath(), this);
    for (ServiceClient* connection : { m_chat->connection(), m_files->connection() }) {
        connection->setTrustPolicy(
            m_trustNewKeys ? ServiceClient::TrustPolicy::TrustNewKeys : ServiceClient::TrustPolicy::AskForNewKeys);
        connection->setLocalAddress(m_localAddress);
    }

    connect(m_chat, &ChatClient::joined, this, &ServerConnection::onJoined);
    connect(m_chat, &ChatClient::errorOccurred, this, &ServerConnection::onChatError);
    connect(m_chat, &ChatClient::disconnected, this, &ServerConnection::onChatDisconnected);
    connect(m_files, &FileClient::connected, this, &ServerConnection::filesConnected);
    m_outbox->setClient(m_chat);
}

void ServerConnection::onJoined()
{
    const bool wasRetrying = m_retrying;
    m_retrying = false;
    m_backoff.reset();
    m_dropReason.clear();
    setState(State::Connected);
    // The files session starts once the chat session proved the server key is accepted,
    // so a trust question is asked once, not twice.
    m_files->connectToServer(m_host, m_port);
    if (wasRetrying) {
        emit reconnected();
    }
}

void ServerConnection::setIdentity(const Identity& identity)
{
    disconnectFromServer();
    m_identity = identity;
    createClients();
    emit clientsReplaced();
}

void ServerConnection::setTrustNewKeys(bool trust)
{
    m_trustNewKeys = trust;
    const auto policy = trust ? ServiceClient::TrustPolicy::TrustNewKeys : ServiceClient::TrustPolicy::AskForNewKeys;
    m_chat->connection()->setTrustPolicy(policy);
    m_files->connection()->setTrustPolicy(policy);
}

void ServerConnection::setLocalAddress(const QHostAddress& address)
{
    m_localAddress = address;
    m_chat->connection()->setLocalAddress(address);
    m_files->connection()->setLocalAddress(address);
}

QString ServerConnection::hostPort() const
{
    return m_host.isEmpty() ? QString() : KnownServers::hostPort(m_host, m_port);
}

QByteArray ServerConnection::serverKey() const
{
    return m_state == State::Connected ? m_chat->connection()->serverKey() : QByteArray();
}

quint16 ServerConnection::sessionPort() const
{
    return m_state == State::Connected ? m_chat->connection()->sessionPort() : 0;
}

bool ServerConnection::filesReady() const
{
    return m_state == State::Connected && m_files->isConnected();
}

void ServerConnection::connectToServer(const QString& host, quint16 port)
{
    if (m_state != State::Disconnected) {
        disconnectFromServer();
    }
    stopRetrying();
    if (!m_host.isEmpty() && KnownServers::hostPort(host, port) != hostPort()) {
        // Typed for another server: never sent to this one.
        m_outbox->clear(tr("not sent: you connected to another server"));
    }
    m_host = host;
    m_port = port;
    m_lastError.clear();
    m_files->setServer(host, port);
    setState(State::Connecting);
    m_chat->connectToServer(host, port);
}

void ServerConnection::disconnectFromServer()
{
    stopRetrying();
    if (m_state == State::Disconnected) {
        return;
    }
    setState(State::Disconnected);
    m_chat->disconnectFromServer();
    m_files->disconnectFromServer();
}

void ServerConnection::trustServerKey(const QString& hostPort, const QByteArray& key, bool permanently)
{
    QString error;
    // Pinned once in known_servers (when permanently), trusted for this run by both sessions.
    if (!m_chat->connection()->trustServerKey(hostPort, key, permanently, &error)) {
        emit connectionFailed(tr("Cannot save the server key in %1: %2").arg(knownServersPath(), error));
        return;
    }
    m_files->connection()->trustServerKey(hostPort, key, false);
    connectToServer(m_host, m_port);
}

void ServerConnection::onChatError(const QString& message)
{
    m_lastError = message;
    if (m_state != State::Connecting) {
        return; // reported with the disconnect
    }
    ServiceClient* connection = m_chat->connection();
    if (m_retrying && connection->failureIsTemporary()) {
        scheduleRetry(message);
        return;
    }
    // Not worth another try (or the user's own attempt): the signals below say why.
    stopRetrying();
    setState(State::Disconnected);
    const ServiceClient::ServerKeyProblem keyProblem = connection->serverKeyProblem();
    if (keyProblem == ServiceClient::ServerKeyProblem::Unknown) {
        // serverKeyUnknown() carries the key; ask the user.
        emit serverKeyUnknown(connection->hostPort(), connection->serverKey());
    } else if (keyProblem == ServiceClient::ServerKeyProblem::Changed) {
        QByteArray pinned;
        connection->knownServers().check(connection->hostPort(), connection->serverKey(), &pinned);
        emit serverKeyChanged(connection->hostPort(), pinned, connection->serverKey());
    } else if (connection->lastFailure().code == ErrorCode::Unauthorized) {
        emit keyRefused(connection->hostPort());
    } else {
        emit connectionFailed(message);
    }
}

void ServerConnection::onChatDisconnected()
{
    if (m_state == State::Disconnected || m_state == State::Reconnecting) {
        return;
    }
    const bool wasConnected = m_state == State::Connected;
    m_files->disconnectFromServer();
    const QString message
        = m_lastError.isEmpty() ? tr("The server %1 closed the connection").arg(hostPort()) : m_lastError;
    if ((wasConnected || m_retrying) && m_chat->connection()->failureIsTemporary()) {
        // connectionLost() first (isRetrying() already true), so a view can say so before the
        // state says Reconnecting.
        m_retrying = true;
        if (wasConnected) {
            emit connectionLost(message);
        }
        scheduleRetry(message);
        return;
    }
    stopRetrying();
    setState(State::Disconnected);
    if (wasConnected) {
        emit connectionLost(message);
    } else {
        emit connectionFailed(message);
    }
}

void ServerConnection::scheduleRetry(const QString& reason)
{
    m_retrying = true;
    m_dropReason = reason;
    m_lastError.clear();
    m_retryTimer.start(m_backoff.nextDelayMs(
        m_chat->connection()->refusedForLoad() ? Backoff::Cause::LoadRefusal : Backoff::Cause::Failure));
    setState(State::Reconnecting);
}

int ServerConnection::retryInMs() const
{
    return m_state == State::Reconnecting ? m_retryTimer.remainingTime() : -1;
}

void ServerConnection::retryNow()
{
    if (m_state == State::Reconnecting) {
        attempt();
    }
}

void ServerConnection::attempt()
{
    m_retryTimer.stop();
    if (!m_retrying) {
        return;
    }
    m_lastError.clear();
    setState(State::Connecting);
    m_chat->connectToServer(m_host, m_port);
}

void ServerConnection::stopRetrying()
{
    m_retryTimer.stop();
    m_retrying = false;
    m_backoff.reset();
    m_dropReason.clear();
}

void ServerConnection::setState(State state)
{
    if (m_state == state) {
        return;
    }
    m_state = state;
    emit stateChanged(state);
}

} // namespace QuietWire::Gui
