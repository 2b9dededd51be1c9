#include "ServerApp.h"

#include "ChatService.h"
#include "ChatStore.h"
#include "ClusterEvents.h"
#include "EncryptedTcpSocket.h"
#include "FileArea.h"
#include "FilePaths.h"
#include "FileService.h"
#include "KnownClients.h"
#include "Logging.h"
#include "Protocol.h"
#include "RetentionTask.h"
#include "SharedFileLedger.h"
#include "StoreThread.h"
#include "StoreUrl.h"
#include "Whitelist.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QTimer>
#include <QUuid>

namespace QuietWire {

ServerApp::ServerApp(const Identity& identity, const Options& options, QObject* parent)
    : QObject(parent)
    , m_identity(identity)
    , m_options(options)
{
    m_whitelist = new Whitelist(authorizedKeysPath(), this);
    m_knownClients = new KnownClients(QDir(options.dataDir).filePath(QStringLiteral("known_clients")), this);
    // The shared folders sit beside the homes' root by default, never in it: no home name reaches them.
    m_files = std::make_unique<FileArea>(
        options.filesRoot.isEmpty() ? QDir(options.dataDir).filePath(QStringLiteral("files")) : options.filesRoot,
        options.roomsRoot.isEmpty() ? roomsRoot(options.dataDir) : options.roomsRoot,
        FileArea::Limits { options.quotaBytes, options.maxDepth, options.maxEntries, options.roomQuotaBytes });
    m_server = new EncryptedTcpServer(identity.keyPair(), this);
    m_server->setAuthorizer(
        [this](const QByteArray& key, const QHostAddress& address) { return authorize(key, address); });
    connect(m_server, &EncryptedTcpServer::newSession, this, &ServerApp::onNewSession);
    connect(m_whitelist, &Whitelist::changed, this, &ServerApp::onWhitelistChanged);
}

ServerApp::~ServerApp()
{
    shutdown();
}

void ServerApp::reloadWhitelist()
{
    if (!m_whitelist->isKeptInStore()) {
        m_whitelist->reload();
        return;
    }
    // A revocation made on any node reaches this one's sessions here (onWhitelistChanged).
    m_store->post(
        this, [](ChatStore& store) { return store.whitelistText(); },
        [this](const std::optional<QByteArray>& text) {
            QString error;
            if (!text) {
                qCWarning(lcAuth).noquote() << "whitelist not reloaded from the store, the previous one stays in force";
            } else if (!m_whitelist->apply(*text, &error)) {
                qCWarning(lcAuth).noquote() << "whitelist not reloaded, the previous one stays in force:" << error;
            }
        });
}

QString ServerApp::authorizedKeysPath() const
{
    return QDir(m_options.dataDir).filePath(QStringLiteral("authorized_keys"));
}

bool ServerApp::start(QString* error)
{
    // Several nodes keep one whitelist in their shared store; one node reads its file.
    const bool shared = m_options.store.driver == QLatin1String("QPSQL");
    if (shared) {
        m_whitelist->keepInStore(QStringLiteral("the whitelist in %1").arg(storeUrlForDisplay(m_options.store)));
    } else if (!m_whitelist->reload(error)) {
        if (error) {
            *error += QStringLiteral("\nFix the file (or move it away) and start the server again.");
        }
        return false;
    }
    // The chat's store: a newer, damaged or locked one stops the start, untouched.
    ChatStore::Options storeOptions = m_options.store;
    if (storeOptions.databaseName.isEmpty()) {
        storeOptions.databaseName = QDir(m_options.dataDir).filePath(QLatin1String(ChatStore::FileName));
    }
    // This node's name in the store's notifications (several nodes on one PostgreSQL store).
    storeOptions.origin = QUuid::createUuid().toString(QUuid::Id128);
    m_store = new StoreThread(storeOptions, this);
    StoreFailure failure;
    if (!m_store->open(&failure)) {
        if (error) {
            *error = failure.message;
        }
        return false;
    }
    if (shared) {
        const auto text
            = m_store->call([](ChatStore& store) -> std::optional<QByteArray> { return store.whitelistText(); });
        QString whitelistError;
        if (!text || !m_whitelist->apply(*text, &whitelistError)) {
            if (error) {
                *error = text
                    ? whitelistError
                    : QStringLiteral("Cannot read the whitelist from %1").arg(storeUrlForDisplay(m_options.store));
            }
            return false;
        }
    }
    m_chat = new ChatService(
        m_store, [this](const QString& name) { return m_whitelist->hasName(name); }, this);
    if (!m_chat->load(error)) {
        return false;
    }
    m_chat->setRoomsRoot(m_files->roomsRoot()); // where the files of attachments are
    if (storeOptions.driver == QLatin1String("QPSQL")) {
        // Nodes on one shared --files-root count usage, reservations and upload claims together.
        auto ledger = std::make_unique<SharedFileLedger>();
        QString ledgerError;
        if (!ledger->open(storeOptions, &ledgerError)) {
            if (error) {
                *error = QStringLiteral("Cannot reach %1 for the file area's bookkeeping: %2")
                             .arg(storeUrlForDisplay(storeOptions), ledgerError);
            }
            return false;
        }
        m_files->shareThrough(std::move(ledger));
        // Other nodes may share the store: what any of them commits reaches this node's sessions
        // through the database's notifications, in id order.
        m_chat->setShared(true);
        auto* events = new ClusterEvents(storeOptions, this);
        connect(events, &ClusterEvents::messagesCommitted, m_chat, &ChatService::fetchCommitted);
        connect(events, &ClusterEvents::conversationChanged, m_chat, &ChatService::reload);
        connect(events, &ClusterEvents::whitelistChanged, this, &ServerApp::reloadWhitelist);
        // Nodes of different schema versions do not mix: a newer node migrated the store.
        connect(events, &ClusterEvents::schemaChanged, this, [this](int version) {
            qCCritical(lcServer).noquote()
                << QStringLiteral("%1 was migrated to schema %2 by another quietwired; this one writes schema %3 and "
                                  "stops: upgrade it to the version of the other nodes (docs/SCALING.md, Upgrading)")
                       .arg(storeUrlForDisplay(m_options.store))
                       .arg(version)
                       .arg(ChatStore::SchemaVersion);
            QCoreApplication::exit(3);
        });
        connect(events, &ClusterEvents::reconnected, m_chat, [this] {
            qCInfo(lcServer).noquote() << "listening to the chat store's notifications again";
            m_chat->resync();
            reloadWhitelist();
        });
        connect(events, &ClusterEvents::connectionLost, this, [](const QString& reason) {
            qCWarning(lcServer).noquote() << "lost the chat store's notifications:" << reason
                                          << "(trying again; messages wait in the store meanwhile)";
        });
        QString listenError;
        if (!events->start(&listenError)) {
            if (error) {
                *error = QStringLiteral("Cannot listen to the chat store's notifications: %1").arg(listenError);
            }
            return false;
        }
    }
    connect(m_chat, &ChatService::conversationChanged, this, &ServerApp::onConversationChanged);
    // --retention-days: messages older than that are deleted in the background.
    if (m_options.retentionDays > 0) {
        RetentionTask::startForDays(*m_store, m_options.retentionDays, this);
    }
    return m_server->listen(m_options.network, error);
}

void ServerApp::shutdown()
{
    if (!m_server || m_shutDown) {
        return;
    }
    m_shutDown = true;
    m_server->close();
    const auto sessions = m_sessions.values();
    for (Session* session : sessions) {
        closeSession(session, ErrorCode::Shutdown, QStringLiteral("The server is shutting down"));
    }
    // The sockets write only from an event loop, and runServer()'s has stopped when this runs: without
    // this the "shutdown" errors died with the process and clients saw a bare closed connection.
    // Each session ends once its error is written; a peer that does not read gets two seconds.
    if (!m_sessions.isEmpty()) {
        QEventLoop loop;
        QTimer poll;
        QDeadlineTimer deadline(2000);
        connect(&poll, &QTimer::timeout, &loop, [this, &loop, &deadline] {
            if (m_sessions.isEmpty() || deadline.hasExpired()) {
                loop.quit();
            }
        });
        poll.start(10);
        loop.exec();
    }
    m_knownClients->save();
    if (m_store) {
        m_store->close(); // what was accepted is committed already; this finishes the rest
    }
}

EncryptedTcpServer::Decision ServerApp::authorize(const QByteArray& key, const QHostAddress& address)
{
    const auto* entry = m_whitelist->find(key);
    m_knownClients->record(address, key, entry ? KnownClients::Standing::Allowed : KnownClients::Standing::Refused);
    if (!entry) {
        if (m_refusalLog.admit()) {
            qCInfo(lcAuth).noquote() << "refused" << Identity::fingerprint(key) << "from" << address.toString()
                                     << "- not in" << m_whitelist->path();
        }
        return { false, ErrorCode::Unauthorized,
            QStringLiteral("Your key %1 is not allowed on this server. Ask the administrator to allow it "
                           "(quietwired console: allow <your public key line> <your name>).")
                .arg(Identity::fingerprint(key)) };
    }
    const QString name = Logging::escaped(AuthorizedKeys::displayName(*entry), 60);
    // Connections still being set up count as sessions: otherwise one key could hold every
    // session port with tickets it never redeems.
    const int sessionsOfKey = m_sessionsPerKey.value(key);
    const int settingUp = m_server->handoffsOfKey(key);
    if (sessionsOfKey + settingUp >= m_options.maxSessionsPerKey) {
        if (m_refusalLog.admit()) {
            qCInfo(lcAuth).noquote() << "refused" << Identity::fingerprint(key) << "(" << name << ") from"
                                     << address.toString() << "- already" << sessionsOfKey << "sessions and"
                                     << settingUp << "being set up";
        }
        return { false, ErrorCode::TooManySessions,
            QStringLiteral("Your key already has %1 sessions open and %2 being set up, the most this server "
                           "allows (%3); close some first")
                .arg(sessionsOfKey)
                .arg(settingUp)
                .arg(m_options.maxSessionsPerKey) };
    }
    qCInfo(lcAuth).noquote() << "accepted" << Identity::fingerprint(key) << "(" << name << ") from"
                             << address.toString();
    return { true, {}, {} };
}

void ServerApp::onNewSession(EncryptedTcpSocket* socket, const QByteArray& hello)
{
    socket->setParent(this);
    auto* session = new Session;
    session->id = m_nextSessionId++;
    session->socket = socket;
    session->key = socket->peerKey();
    session->fingerprint = Identity::fingerprint(session->key);
    session->address = socket->peerAddress();
    session->sessionPort = socket->sessionPort();
    session->since = QDateTime::currentDateTimeUtc();
    m_sessions.insert(session->id, session);
    ++m_sessionsPerKey[session->key];

    connect(socket, &EncryptedTcpSocket::messageReceived, this,
        [this, session](const QByteArray& data) { onMessage(session, data); });
    connect(socket, &EncryptedTcpSocket::disconnected, this, [this, session] { removeSession(session); });

    // The key may have been revoked between the handshake and now.
    const auto* entry = m_whitelist->find(session->key);
    if (!entry) {
        closeSession(session, ErrorCode::Revoked, QStringLiteral("Your key was revoked"));
        return;
    }
    session->name = AuthorizedKeys::displayName(*entry);
    const QString whitelistName = entry->name;

    QString decodeError;
    const auto message = Protocol::decode(hello, &decodeError);
    if (!message || !Protocol::is<Protocol::Hello>(*message)) {
        closeSession(session, ErrorCode::BadRequest,
            QStringLiteral("The first message must be {\"type\":\"hello\",\"service\":...}%1")
                .arg(decodeError.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(decodeError)));
        return;
    }
    const auto decodedHello = Protocol::Hello::decode(*message);
    if (!decodedHello.ok()) {
        closeSession(session, decodedHello.error->code, QStringLiteral("hello: %1").arg(decodedHello.error->message));
        return;
    }
    const QString service = decodedHello.value.service;
    // The service name is the client's text: escaped, so it cannot forge or break log lines.
    qCInfo(lcServer).noquote() << "session" << session->id << "for" << Logging::escaped(session->name, 60)
                               << session->fingerprint << "from" << session->address.toString() << "service"
                               << QStringLiteral("\"%1\"").arg(Logging::escaped(service, 40));
    session->service = service;
    if (service == QLatin1String(Protocol::ServiceChat)) {
        m_chat->join(session, decodedHello.value.version.value_or(ChatProtocol::Version1));
        return;
    }
    if (service == QLatin1String(Protocol::ServiceFiles)) {
        QString error;
        const QString home = m_files->home(FilePaths::homeFolderName(whitelistName, session->fingerprint), &error);
        if (home.isEmpty()) {
            qCWarning(lcFiles).noquote() << error;
            closeSession(session, ErrorCode::BadRequest,
                QStringLiteral("The server cannot open your file area; tell the administrator"));
            return;
        }
        FolderAccess access;
        access.check = [this](const QString& user, const FilePaths::Location& where, QObject* context,
                           std::function<void(const FolderGrant&)> done) {
            m_chat->checkFolder(user, where, context, std::move(done));
        };
        access.notice = [this](const Conversation& conversation, const QString& user, const QString& fingerprint,
                            const QString& text) { m_chat->fileNotice(conversation, user, fingerprint, text); };
        session->files = new FileService(session, m_files.get(), home, std::move(access), this);
        return;
    }
    closeSession(session, ErrorCode::UnknownService,
        QStringLiteral("This server does not offer the service \"%1\"").arg(Logging::escaped(service, 40)));
}

void ServerApp::onMessage(Session* session, const QByteArray& data)
{
    if (session->files) {
        session->files->handle(data);
        return;
    }
    QString error;
    const auto message = Protocol::decode(data, &error);
    if (!message) {
        qCInfo(lcServer).noquote() << "session" << session->id << "sent an undecodable message:" << error;
        closeSession(session, ErrorCode::BadRequest, QStringLiteral("Undecodable message: %1").arg(error));
        return;
    }
    if (session->service == QLatin1String(Protocol::ServiceChat)) {
        QString fatalError;
        if (!m_chat->handleMessage(session, *message, &fatalError)) {
            qCInfo(lcServer).noquote() << "session" << session->id << "sent a malformed message:" << fatalError;
            closeSession(session, ErrorCode::BadRequest, fatalError);
        }
    }
}

void ServerApp::closeSession(Session* session, ErrorCode code, const QString& message)
{
    if (EncryptedTcpSocket* socket = session->socket) {
        socket->sendMessage(Protocol::encode(Protocol::FatalError { code, message }.toCbor()));
        socket->disconnectFromHost();
        // A peer that does not read must not keep the session alive.
        QTimer::singleShot(5000, socket, [socket] { socket->abort(); });
    }
    if (session->service == QLatin1String(Protocol::ServiceChat) && m_chat) {
        m_chat->leave(session);
    }
}

void ServerApp::removeSession(Session* session)
{
    if (!m_sessions.contains(session->id)) {
        return;
    }
    qCInfo(lcServer).noquote() << "session" << session->id << "for" << session->name << "ended";
    if (m_chat) {
        m_chat->leave(session);
    }
    m_sessions.remove(session->id);
    if (auto count = m_sessionsPerKey.find(session->key); count != m_sessionsPerKey.end() && --count.value() <= 0) {
        m_sessionsPerKey.erase(count);
    }
    delete session->files;
    if (session->socket) {
        session->socket->disconnect(this);
        session->socket->deleteLater();
    }
    delete session;
}

QList<const Session*> ServerApp::sessions() const
{
    QList<const Session*> list;
    for (const Session* session : m_sessions) {
        list.append(session);
    }
    return list;
}

bool ServerApp::kick(int id, QString* error)
{
    Session* session = m_sessions.value(id);
    if (!session) {
        *error = QStringLiteral("No session %1; `sessions` lists them").arg(id);
        return false;
    }
    qCInfo(lcServer).noquote() << "session" << id << "for" << session->name << "kicked by the administrator";
    closeSession(session, ErrorCode::Kicked, QStringLiteral("The administrator closed your session"));
    return true;
}

QString ServerApp::homeFolderOf(const QString& nameOrFingerprint, QString* error) const
{
    for (const auto& entry : m_whitelist->keys().entries()) {
        if (entry.name == nameOrFingerprint || Identity::fingerprint(entry.key) == nameOrFingerprint
            || Identity::encodePublicKey(entry.key) == nameOrFingerprint) {
            return QDir(m_files->root())
                .filePath(FilePaths::homeFolderName(entry.name, Identity::fingerprint(entry.key)));
        }
    }
    *error = QStringLiteral("No key, fingerprint or name \"%1\" on the whitelist; `whitelist` lists them")
                 .arg(nameOrFingerprint.left(60));
    return {};
}

void ServerApp::say(const QString& text)
{
    m_chat->notice(text);
}

QString ServerApp::roomsRoot(const QString& dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("rooms"));
}

void ServerApp::onConversationChanged(qint64 id, const QStringList& members, bool deleted)
{
    // First the transfers in its folder stop (those of users no longer in it), then a deleted
    // conversation's folder is kept aside.
    const auto sessions = m_sessions.values();
    for (Session* session : sessions) {
        if (session->files) {
            session->files->conversationChanged(id, members, deleted);
        }
    }
    if (!deleted) {
        return;
    }
    m_files->forget(m_files->sharedFolderPath(id));
    QString error;
    const QString kept = FileArea::keepAside(m_files->roomsRoot(), id, &error);
    if (!kept.isEmpty()) {
        qCInfo(lcFiles).noquote() << "conversation" << id << "was deleted: its folder is kept at" << kept;
    } else if (!error.isEmpty()) {
        qCWarning(lcFiles).noquote() << "conversation" << id << "was deleted, but its folder stays:" << error;
    }
}

void ServerApp::onWhitelistChanged()
{
    const auto sessions = m_sessions.values();
    for (Session* session : sessions) {
        if (!m_whitelist->find(session->key)) {
            qCInfo(lcAuth).noquote() << "key" << session->fingerprint << "(" << session->name
                                     << ") was revoked: closing session" << session->id;
            closeSession(
                session, ErrorCode::Revoked, QStringLiteral("Your key was removed from the server's whitelist"));
        }
    }
}

} // namespace QuietWire
