#pragma once

#include "EncryptedTcpSocket.h"
#include "Identity.h"
#include "KnownServers.h"

#include <QCborMap>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <functional>
#include <optional>

namespace QuietWire {

/// One encrypted session with a QuietWire service ("chat" or "files"), with the server key
/// pinned in known_servers. ChatClient and FileClient are built on it; the GUI and the CLI
/// never see a cipher.
///
/// Usage: connectToService(host, port, "chat"); ready() once the hello went out on the session
/// port; messageReceived() for each decoded message; errorOccurred(text) with a message a person
/// can act on, then disconnected(). lastFailure().code says what to do about it (switch on the
/// ErrorCode: Unauthorized, Shutdown, ConnectionLost, ServerKeyNotTrusted with serverKeyProblem()).
/// An unknown server key aborts the attempt with serverKeyUnknown(): after the user compared the
/// fingerprint, call trustServerKey() and connect again (a trust prompt may take longer than the
/// server's handshake deadline).
class ServiceClient : public QObject
{
    Q_OBJECT

public:
    /// Why the server's key stopped the connection (lastFailure() is ServerKeyNotTrusted).
    enum class ServerKeyProblem {
        None,
        Unknown, // not pinned yet: serverKeyUnknown() asked about it
        Changed, // pinned, and the server offered another key
        PinsUnreadable, // known_servers could not be read or written
    };
    Q_ENUM(ServerKeyProblem)

    enum class TrustPolicy {
        AskForNewKeys, // unknown keys end in serverKeyUnknown()
        TrustNewKeys, // unknown keys are pinned and accepted (--trust-new)
    };
    Q_ENUM(TrustPolicy)

    ServiceClient(const Identity& identity, const QString& knownServersPath, QObject* parent = nullptr);
    ~ServiceClient() override;

    void setTrustPolicy(TrustPolicy policy) { m_trustPolicy = policy; }
    TrustPolicy trustPolicy() const { return m_trustPolicy; }
    void setLocalAddress(const QHostAddress& address) { m_localAddress = address; }
    QHostAddress localAddress() const { return m_localAddress; }
    /// Accepts key for the next connection to hostPort; permanently pins it in known_servers too.
    bool trustServerKey(const QString& hostPort, const QByteArray& key, bool permanently, QString* error = nullptr);

    void connectToService(const QString& host, quint16 port, const QString& service);
    /// The service protocol version the hello asks for (its `version`); nullopt, the default,
    /// leaves it out (version 1). Read when the session starts.
    void setServiceVersion(std::optional<qint64> version) { m_serviceVersion = version; }
    /// Sees every message before it is decoded; returning true consumes it (messageReceived()
    /// is not emitted). FileTransfer takes file data this way without a CBOR parse per chunk.
    void setRawFilter(std::function<bool(const QByteArray&)> filter) { m_rawFilter = std::move(filter); }
    bool send(const QCborMap& message);
    void disconnectFromServer();
    bool isReady() const;

    QString hostPort() const { return m_hostPort; }
    QByteArray serverKey() const;
    quint16 sessionPort() const;
    /// Why the last connection or session ended: the server's code (Unauthorized, Revoked,
    /// Shutdown, ...), ConnectionLost, or ServerKeyNotTrusted; None while nothing failed.
    Failure lastFailure() const { return m_lastFailure; }
    ServerKeyProblem serverKeyProblem() const { return m_serverKeyProblem; }
    /// Whether connecting again later may get past lastFailure(): the connection failed or broke
    /// (or closed with no reason given), the server shut down, was busy, full or its store was
    /// unavailable. False for a refusal a retry cannot fix: the key not allowed (Unauthorized) or
    /// revoked, the session ended by the administrator (Kicked), a server key not trusted, and
    /// anything else the server refused or sent that is not understood.
    bool failureIsTemporary() const;
    /// Whether the server turned the last attempt away for load: it answered busy (no session port
    /// free, too many set-ups from one address), or closed the connection before the session was
    /// set up (what it does when its table of handshakes in progress is full). Backoff keeps such
    /// retries short. Not too_many_sessions: that is the user's own sessions, which waiting fixes.
    bool refusedForLoad() const;
    /// The socket's own error behind a ConnectionLost (RemoteClosed: a server at its handshake limit).
    EncryptedTcpSocket::Error lastSocketError() const { return m_lastSocketError; }
    EncryptedTcpSocket* socket() const { return m_socket; }
    const Identity& identity() const { return m_identity; }
    KnownServers& knownServers() { return m_knownServers; }

signals:
    void ready();
    void messageReceived(const QCborMap& message);
    void serverKeyUnknown(const QString& hostPort, const QByteArray& key);
    void errorOccurred(const QString& message);
    void disconnected();

private:
    bool checkServerKey(const QByteArray& key);
    void onSocketError(int error, const QString& message);
    void onMessage(const QByteArray& data);
    void setFailure(ErrorCode code, const QString& message);

    Identity m_identity;
    KnownServers m_knownServers;
    TrustPolicy m_trustPolicy = TrustPolicy::AskForNewKeys;
    QHostAddress m_localAddress;
    QPointer<EncryptedTcpSocket> m_socket;
    QString m_hostPort;
    QString m_service;
    std::optional<qint64> m_serviceVersion;
    QByteArray m_trustedOnce;
    QString m_trustedOnceHostPort;
    QByteArray m_rejectedKey;
    QByteArray m_pinnedKey;
    QString m_pinError;
    bool m_unknownKey = false;
    Failure m_lastFailure;
    ServerKeyProblem m_serverKeyProblem = ServerKeyProblem::None;
    EncryptedTcpSocket::Error m_lastSocketError = EncryptedTcpSocket::Error::None;
    std::function<bool(const QByteArray&)> m_rawFilter;
};

} // namespace QuietWire
