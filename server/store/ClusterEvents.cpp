#include "ClusterEvents.h"

#include "StoreUrl.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QTimer>
#include <QUuid>

namespace QuietWire {

/// The listening connection, living on ClusterEvents' thread.
class ClusterListener : public QObject
{
    Q_OBJECT

public:
    explicit ClusterListener(const ChatStore::Options& options)
        : m_options(options)
        , m_connection(QStringLiteral("quietwire-cluster-%1").arg(QUuid::createUuid().toString(QUuid::Id128)))
    { }

    ~ClusterListener() override
    {
        close();
        QSqlDatabase::removeDatabase(m_connection);
    }

    /// On the listener's thread.
    bool listen(QString* error)
    {
        close();
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connection);
        setUpConnection(db, m_options);
        if (!db.open()) {
            *error = db.lastError().text();
            return false;
        }
        QSqlDriver* driver = db.driver();
        connect(driver, &QSqlDriver::notification, this, &ClusterListener::onNotification, Qt::UniqueConnection);
        for (const char* channel :
            { ChatStore::MessagesChannel, ChatStore::ConversationsChannel, ChatStore::WhitelistChannel }) {
            if (!driver->subscribeToNotification(QLatin1String(channel))) {
                *error = driver->lastError().text();
                db.close();
                return false;
            }
        }
        return true;
    }

    void startChecking()
    {
        m_check = new QTimer(this);
        m_check->setInterval(ClusterEvents::CheckIntervalMs);
        connect(m_check, &QTimer::timeout, this, &ClusterListener::check);
        m_check->start();
    }

signals:
    void messagesCommitted();
    void conversationChanged(qint64 conversationId);
    void whitelistChanged();
    void schemaChanged(int version);
    void reconnected();
    void connectionLost(const QString& reason);

private:
    void close()
    {
        if (QSqlDatabase::contains(m_connection)) {
            QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            if (db.isOpen()) {
                db.close();
            }
        }
    }

    void onNotification(const QString& channel, QSqlDriver::NotificationSource, const QVariant& payload)
    {
        if (channel == QLatin1String(ChatStore::MessagesChannel)) {
            emit messagesCommitted();
            return;
        }
        if (channel == QLatin1String(ChatStore::WhitelistChannel)) {
            emit whitelistChanged();
            return;
        }
        // "ID ORIGIN": the node's own changes are applied already.
        const QString text = payload.toString();
        bool ok = false;
        const qint64 id = text.section(QLatin1Char(' '), 0, 0).toLongLong(&ok);
        if (ok && text.section(QLatin1Char(' '), 1) != m_options.origin) {
            emit conversationChanged(id);
        }
    }

    void check()
    {
        if (m_down) {
            return; // a reconnection is scheduled
        }
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        QSqlQuery probe(db);
        if (db.isOpen() && probe.exec(QStringLiteral("SELECT version FROM quietwire_schema")) && probe.next()) {
            // Another node migrated the store to a schema this one does not write.
            const int version = probe.value(0).toInt();
            if (version != ChatStore::SchemaVersion && !m_schemaReported) {
                m_schemaReported = true;
                emit schemaChanged(version);
            }
            return;
        }
        m_down = true;
        m_delayMs = 1000;
        emit connectionLost(probe.lastError().text());
        QTimer::singleShot(m_delayMs, this, &ClusterListener::retry);
    }

    void retry()
    {
        QString error;
        if (listen(&error)) {
            m_down = false;
            emit reconnected();
            return;
        }
        m_delayMs = std::min(m_delayMs * 2, 30000);
        QTimer::singleShot(m_delayMs, this, &ClusterListener::retry);
    }

    ChatStore::Options m_options;
    QString m_connection;
    QTimer* m_check = nullptr;
    bool m_down = false;
    bool m_schemaReported = false;
    int m_delayMs = 1000;
};

ClusterEvents::ClusterEvents(const ChatStore::Options& options, QObject* parent)
    : QObject(parent)
    , m_thread(new QThread(this))
    , m_listener(new ClusterListener(options))
{
    m_thread->setObjectName(QStringLiteral("cluster-events"));
    m_listener->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_listener, &QObject::deleteLater);
    connect(m_listener, &ClusterListener::messagesCommitted, this, &ClusterEvents::messagesCommitted);
    connect(m_listener, &ClusterListener::conversationChanged, this, &ClusterEvents::conversationChanged);
    connect(m_listener, &ClusterListener::whitelistChanged, this, &ClusterEvents::whitelistChanged);
    connect(m_listener, &ClusterListener::schemaChanged, this, &ClusterEvents::schemaChanged);
    connect(m_listener, &ClusterListener::reconnected, this, &ClusterEvents::reconnected);
    connect(m_listener, &ClusterListener::connectionLost, this, &ClusterEvents::connectionLost);
}

ClusterEvents::~ClusterEvents()
{
    m_thread->quit();
    m_thread->wait();
}

bool ClusterEvents::start(QString* error)
{
    m_thread->start();
    bool listening = false;
    QMetaObject::invokeMethod(
        m_listener,
        [this, error, &listening] {
            listening = m_listener->listen(error);
            if (listening) {
                m_listener->startChecking();
            }
        },
        Qt::BlockingQueuedConnection);
    return listening;
}

} // namespace QuietWire

#include "ClusterEvents.moc"
