#pragma once

#include "Backoff.h"
#include "ChatClient.h"
#include "FileClient.h"
#include "Identity.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

namespace QuietWire {
class Outbox;
}

namespace QuietWire::Gui {

/// The desktop client's link to one server: a ChatClient and a FileClient (two sessions, services
/// "chat" and "files") that connect, trust and disconnect together.
///
/// Usage: connectToServer(host, port); stateChanged(Connected) once the chat welcomed us (the
/// files session follows, filesReady()). A question for the user ends the attempt with one signal:
/// serverKeyUnknown() (answer with trustServerKey(), which connects again), serverKeyChanged()
/// or keyRefused(); anything else is connectionFailed(). A session that ends later reports
/// connectionLost(). setIdentity() (after the key manager made a new key) replaces both clients;
/// clientsReplaced() tells the views to take the new ones.
///
/// Reconnecting: a connection that was up and dropped for a reason a retry may get past
/// (ServiceClient::failureIsTemporary(): the server restarted, the network broke) is retried by
/// itself on the Backoff schedule: state Reconnecting while it waits (retryInMs(), retryNow()),
/// Connecting during each attempt (isRetrying()), and reconnected() after stateChanged(Connected)
/// once it is back, for the views to fetch what they missed. A refusal a retry cannot fix stops
/// the retries with the signal above that says why (keyRefused(), serverKeyChanged(),
/// serverKeyUnknown(), connectionLost() for a revoked key or a kick); so does
/// disconnectFromServer(). outbox() keeps the messages typed meanwhile (docs/CLIENT.md).
class ServerConnection : public QObject
{
    Q_OBJECT

public:
    /// Reconnecting: waiting for the next attempt after the connection dropped.
    enum class State { Disconnected, Connecting, Connected, Reconnecting };
    Q_ENUM(State)

    ServerConnection(const Identity& identity, const QString& configDir, QObject* parent = nullptr);
    ~ServerConnection() override;

    const Identity& identity() const { return m_identity; }
    void setIdentity(const Identity& identity);
    QString configDir() const { return m_configDir; }
    QString knownServersPath() const;
    /// Pin unknown server keys without asking (--trust-new); a changed key is still refused.
    void setTrustNewKeys(bool trust);
    void setLocalAddress(const QHostAddress& address);

    void connectToServer(const QString& host, quint16 port);
    void disconnectFromServer();
    /// The user's answer to serverKeyUnknown(): trusts key for both sessions (and pins it when
    /// permanently), then connects again.
    void trustServerKey(const QString& hostPort, const QByteArray& key, bool permanently);

    State state() const { return m_state; }
    QString host() const { return m_host; }
    quint16 port() const { return m_port; }
    QString hostPort() const;
    QByteArray serverKey() const;
    quint16 sessionPort() const;
    bool filesReady() const;
    ChatClient* chat() const { return m_chat; }
    FileClient* files() const { return m_files; }
    /// The messages typed and not confirmed yet; it follows the chat client through setIdentity().
    Outbox* outbox() const { return m_outbox; }

    /// Reconnecting by itself: waiting (Reconnecting), or in an attempt after a drop (Connecting).
    bool isRetrying() const { return m_retrying; }
    /// Milliseconds until the next attempt while Reconnecting; -1 otherwise.
    int retryInMs() const;
    /// Attempts since the connection dropped.
    int retryAttempts() const { return m_backoff.attempts(); }
    /// Why the connection dropped, or why the last attempt failed, while retrying.
    QString dropReason() const { return m_dropReason; }
    /// While Reconnecting: the next attempt now, without waiting for the delay.
    void retryNow();
    /// Whether a message typed now is kept for sending: connected, or reconnecting by itself.
    bool acceptsMessages() const { return m_state == State::Connected || m_retrying; }

signals:
    void stateChanged(QuietWire::Gui::ServerConnection::State state);
    void filesConnected();
    void serverKeyUnknown(const QString& hostPort, const QByteArray& key);
    void serverKeyChanged(const QString& hostPort, const QByteArray& pinnedKey, const QByteArray& offeredKey);
    void keyRefused(const QString& hostPort);
    void connectionFailed(const QString& message);
    void connectionLost(const QString& message);
    void clientsReplaced();
    /// Connected again after a drop: the chat client was welcomed anew (its history or
    /// conversations follow as after any join); views refetch what was said meanwhile.
    void reconnected();

private:
    void createClients();
    void setState(State state);
    void onChatError(const QString& message);
    void onChatDisconnected();
    void onJoined();
    /// The connection dropped, or an attempt failed, for a reason a retry may get past.
    void scheduleRetry(const QString& reason);
    void attempt();
    void stopRetrying();

    Identity m_identity;
    QString m_configDir;
    QPointer<ChatClient> m_chat;
    QPointer<FileClient> m_files;
    State m_state = State::Disconnected;
    QString m_host;
    quint16 m_port = 0;
    bool m_trustNewKeys = false;
    QHostAddress m_localAddress;
    QString m_lastError;
    Outbox* m_outbox;
    Backoff m_backoff;
    QTimer m_retryTimer;
    bool m_retrying = false;
    QString m_dropReason;
};

} // namespace QuietWire::Gui
