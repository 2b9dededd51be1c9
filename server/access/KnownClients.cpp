#include "KnownClients.h"

#include "EncryptedTcpSocket.h"
#include "Identity.h"
#include "Logging.h"
#include "TextFile.h"

#include <QFile>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace QuietWire {

namespace {
constexpr char RefusedMark[] = "refused";
}

/// Writes the file's latest text on a thread of its own; a text that arrives while one is being
/// written replaces any other waiting (only the latest matters).
class KnownClients::Writer
{
public:
    explicit Writer(QString path)
        : m_path(std::move(path))
        , m_thread([this] { run(); })
    { }

    ~Writer()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_stopping = true; // what waits is still written first
        }
        m_changed.notify_all();
        m_thread.join();
    }

    void write(QByteArray text)
    {
        {
            const std::lock_guard lock(m_mutex);
            m_waiting = std::move(text);
        }
        m_changed.notify_all();
    }

    /// Waits until everything handed over is written; the last write's error, if any.
    QString flush()
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return !m_waiting && !m_writing; });
        return m_lastError;
    }

private:
    void run()
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_changed.wait(lock, [this] { return m_waiting || m_stopping; });
            if (!m_waiting) {
                return;
            }
            const QByteArray text = std::move(*m_waiting);
            m_waiting.reset();
            m_writing = true;
            lock.unlock();
            QString error;
            if (!TextFile::writeAtomically(m_path, text, &error)) {
                qCWarning(lcServer).noquote() << error;
            }
            lock.lock();
            m_writing = false;
            m_lastError = error;
            m_changed.notify_all();
        }
    }

    const QString m_path;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::optional<QByteArray> m_waiting;
    bool m_writing = false;
    bool m_stopping = false;
    QString m_lastError;
    std::thread m_thread; // last: starts once the members above exist
};

KnownClients::KnownClients(const QString& path, QObject* parent)
    : KnownClients(path, Limits(), parent)
{ }

KnownClients::KnownClients(const QString& path, const Limits& limits, QObject* parent)
    : QObject(parent)
    , m_path(path)
    , m_limits(limits)
    , m_noticeLog(lcAuth(), QStringLiteral("new-key-notice"))
    , m_writer(std::make_unique<Writer>(path))
{
    m_saveTimer.setSingleShot(true);
    m_saveTimer.setInterval(1000);
    connect(&m_saveTimer, &QTimer::timeout, this, [this] { m_writer->write(text()); });

    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly)) {
        return;
    }
    int lineNumber = 0;
    int malformed = 0;
    qint64 read = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine(4096).trimmed();
        ++lineNumber;
        if (line.isEmpty() || line.startsWith('#')) {
            continue;
        }
        const QList<QByteArray> fields = line.split(' ');
        const bool shapeOk = fields.size() == 4 || (fields.size() == 5 && fields.at(4) == RefusedMark);
        const auto key = shapeOk ? Identity::parsePublicKey(QString::fromLatin1(fields.at(1))) : std::nullopt;
        const QDateTime first
            = shapeOk ? QDateTime::fromString(QString::fromLatin1(fields.at(2)), Qt::ISODate) : QDateTime();
        const QDateTime last
            = shapeOk ? QDateTime::fromString(QString::fromLatin1(fields.at(3)), Qt::ISODate) : QDateTime();
        const QHostAddress address(QString::fromLatin1(fields.at(0)));
        if (!key || address.isNull() || !first.isValid() || !last.isValid()) {
            // A history file, not a security decision: skip the line, keep the rest.
            if (++malformed <= 10) {
                qCWarning(lcServer).noquote() << m_path << "line" << lineNumber << "is malformed and was skipped";
            }
            continue;
        }
        // Through the same bounds as new entries: an old, overgrown file shrinks.
        insert({ address.toString(), *key, first, last, fields.size() == 5 ? Standing::Refused : Standing::Allowed });
        ++read;
    }
    if (read > static_cast<qint64>(m_byAge[0].size() + m_byAge[1].size())) {
        m_saveTimer.start(); // the file held more than the bounds keep: the trimmed one is written soon
    }
    if (malformed > 10) {
        qCWarning(lcServer).noquote() << m_path << "had" << malformed << "malformed lines in all, skipped";
    }
}

KnownClients::~KnownClients()
{
    if (m_saveTimer.isActive()) {
        save();
    }
}

void KnownClients::record(const QHostAddress& address, const QByteArray& key, Standing standing)
{
    // ::ffff:a.b.c.d and a.b.c.d are one client.
    const QString ip = EncryptedTcpSocket::plainAddress(address).toString();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    m_saveTimer.start();
    const QList<Iterator> known = m_byAddress.value(ip);
    for (const Iterator& entry : known) {
        if (entry->key == key) {
            // Taken out and put back as the most recently seen, under its standing of now.
            Entry seen = *entry;
            seen.lastSeen = now;
            seen.standing = standing;
            evict(entry);
            insert(std::move(seen));
            return;
        }
    }
    if (!known.isEmpty() && m_noticeLog.admit()) {
        QStringList others;
        for (qsizetype i = known.size() - 1; i >= 0 && others.size() < NoticeKeys; --i) {
            others.append(Identity::fingerprint(known.at(i)->key));
        }
        const QString more = known.size() > NoticeKeys
            ? QStringLiteral(" and %1 more (console: clients)").arg(known.size() - NoticeKeys)
            : QString();
        qCInfo(lcAuth).noquote() << "notice: client" << ip << "presented a new key" << Identity::fingerprint(key)
                                 << (standing == Standing::Refused ? "(refused)" : "(allowed)") << "- it presented"
                                 << others.join(QStringLiteral(", ")) + more << "before";
    }
    insert({ ip, key, now, now, standing });
}

void KnownClients::insert(Entry entry)
{
    const bool allowed = entry.standing == Standing::Allowed;
    const int perAddress = allowed ? m_limits.allowedPerAddress : m_limits.refusedPerAddress;
    const int inAll = allowed ? m_limits.allowedInAll : m_limits.refusedInAll;
    std::list<Entry>& list = listOf(entry.standing);
    QList<Iterator>& mine = m_byAddress[entry.address];
    int sameStanding = 0;
    for (const Iterator& other : std::as_const(mine)) {
        sameStanding += other->standing == entry.standing ? 1 : 0;
    }
    if (sameStanding >= perAddress) {
        // The IP's least recently seen entry of that standing makes room.
        Iterator oldest = list.end();
        for (const Iterator& other : std::as_const(mine)) {
            if (other->standing == entry.standing && (oldest == list.end() || other->lastSeen < oldest->lastSeen)) {
                oldest = other;
            }
        }
        if (oldest != list.end()) {
            evict(oldest);
        }
    }
    while (!list.empty() && static_cast<int>(list.size()) >= inAll) {
        evict(list.begin());
    }
    const QString address = entry.address;
    list.push_back(std::move(entry));
    m_byAddress[address].append(std::prev(list.end()));
}

void KnownClients::evict(Iterator entry)
{
    const auto it = m_byAddress.find(entry->address);
    if (it != m_byAddress.end()) {
        it->removeOne(entry);
        if (it->isEmpty()) {
            m_byAddress.erase(it);
        }
    }
    listOf(entry->standing).erase(entry);
}

QList<KnownClients::Entry> KnownClients::entries() const
{
    QList<Entry> all;
    all.reserve(static_cast<qsizetype>(m_byAge[0].size() + m_byAge[1].size()));
    for (const auto& list : m_byAge) {
        for (const Entry& entry : list) {
            all.append(entry);
        }
    }
    return all;
}

QByteArray KnownClients::text() const
{
    QByteArray text = "# QuietWire known clients: <ip> <key> <first seen> <last seen> [refused]\n";
    for (const auto& list : m_byAge) {
        for (const Entry& entry : list) {
            text += entry.address.toLatin1() + ' ' + Identity::encodePublicKey(entry.key).toLatin1() + ' '
                + entry.firstSeen.toString(Qt::ISODate).toLatin1() + ' '
                + entry.lastSeen.toString(Qt::ISODate).toLatin1()
                + (entry.standing == Standing::Refused ? QByteArray(" ") + RefusedMark : QByteArray()) + '\n';
        }
    }
    return text;
}

bool KnownClients::save(QString* error)
{
    m_saveTimer.stop();
    m_writer->write(text());
    const QString failure = m_writer->flush();
    if (error) {
        *error = failure;
    }
    return failure.isEmpty();
}

} // namespace QuietWire
