#pragma once

#include "ChatClient.h"
#include "FileClient.h"
#include "Identity.h"

#include <QObject>
#include <QPointer>

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
class ServerConnection : public QObject
{
    Q_OBJECT

public:
    enum class State { Disconnected, Connecting, Connected };
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

signals:
    void stateChanged(QuietWire::Gui::ServerConnection::State state);
    void filesConnected();
    void serverKeyUnknown(const QString& hostPort, const QByteArray& key);
    void serverKeyChanged(const QString& hostPort, const QByteArray& pinnedKey, const QByteArray& offeredKey);
    void keyRefused(const QString& hostPort);
    void connectionFailed(const QString& message);
    void connectionLost(const QString& message);
    void clientsReplaced();

private:
    void createClients();
    void setState(State state);
    void onChatError(const QString& message);
    void onChatDisconnected();

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
};

} // namespace QuietWire::Gui
