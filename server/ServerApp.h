#pragma once

#include "ChatStore.h"
#include "EncryptedTcpServer.h"
#include "Identity.h"
#include "LogThrottle.h"
#include "Logging.h"
#include "Session.h"

#include <QHash>
#include <QMap>
#include <QObject>
#include <memory>

namespace QuietWire {

class ChatService;
class FileArea;
class KnownClients;
class StoreThread;
class Whitelist;

/// quietwired's running state: the listener, the whitelist, the known clients, the sessions
/// the chat and its store. The admin console and the signal handlers drive it.
class ServerApp : public QObject
{
    Q_OBJECT

public:
    /// The longest --retention-days (a hundred years).
    static constexpr int MaxRetentionDays = 36500;

    struct Options
    {
        QString dataDir;
        QString filesRoot; // default: <dataDir>/files
        QString roomsRoot; // the shared folders; default: <dataDir>/rooms
        /// --store: the chat store on PostgreSQL (driver QPSQL); otherwise (driver QSQLITE, no
        /// database name) the SQLite file in dataDir.
        ChatStore::Options store;
        qint64 quotaBytes = qint64(1) << 30;
        qint64 roomQuotaBytes = qint64(1) << 30; // each room's and direct conversation's shared folder
        int maxDepth = 64; // folders below a home folder
        qint64 maxEntries = 100000; // files and folders in one home folder
        int maxSessionsPerKey = 32;
        /// Chat messages older than this many days are deleted (RetentionTask); 0 keeps everything.
        int retentionDays = 0;
        EncryptedTcpServer::Options network;
    };

    ServerApp(const Identity& identity, const Options& options, QObject* parent = nullptr);
    ~ServerApp() override;

    bool start(QString* error);
    void shutdown();

    /// The chat (its store: chat()->store()); exists once start() succeeded.
    ChatService* chat() const { return m_chat; }
    const Identity& identity() const { return m_identity; }
    const Options& options() const { return m_options; }
    quint16 port() const { return m_server->serverPort(); }
    Whitelist* whitelist() const { return m_whitelist; }
    /// Reads the whitelist again from where it is kept (the file, or the shared store), as after
    /// an allow or a revoke; sessions of keys no longer on it are closed.
    void reloadWhitelist();
    KnownClients* knownClients() const { return m_knownClients; }
    QList<const Session*> sessions() const;
    bool kick(int id, QString* error);
    void say(const QString& text);
    QString authorizedKeysPath() const;
    FileArea* fileArea() const { return m_files.get(); }
    /// The home folder name of a whitelist entry, for the console's `files` command.
    QString homeFolderOf(const QString& nameOrFingerprint, QString* error) const;
    /// Where the rooms' and direct conversations' shared folders live: <dataDir>/rooms.
    static QString roomsRoot(const QString& dataDir);

private:
    EncryptedTcpServer::Decision authorize(const QByteArray& key, const QHostAddress& address);
    void onNewSession(EncryptedTcpSocket* socket, const QByteArray& hello);
    void onMessage(Session* session, const QByteArray& data);
    void closeSession(Session* session, ErrorCode code, const QString& message);
    void onWhitelistChanged();
    void onConversationChanged(qint64 id, const QStringList& members, bool deleted);
    void removeSession(Session* session);

    Identity m_identity;
    Options m_options;
    EncryptedTcpServer* m_server = nullptr;
    Whitelist* m_whitelist = nullptr;
    KnownClients* m_knownClients = nullptr;
    StoreThread* m_store = nullptr;
    ChatService* m_chat = nullptr;
    std::unique_ptr<FileArea> m_files;
    QMap<int, Session*> m_sessions;
    QHash<QByteArray, int> m_sessionsPerKey; // kept with m_sessions: authorize() counts without a walk
    int m_nextSessionId = 1;
    // Anyone can have a key refused as often as they like: the line is throttled.
    LogThrottle m_refusalLog { lcAuth(), QStringLiteral("refused-key") };
    bool m_shutDown = false;
};

} // namespace QuietWire
