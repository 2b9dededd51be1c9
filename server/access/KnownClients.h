#pragma once

#include "LogThrottle.h"

#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTimer>
#include <list>
#include <memory>

namespace QuietWire {

/// `known_clients` in the data dir: which keys each client IP presented, and when.
/// One line per (IP, key): `<ip> <base64 key> <first seen> <last seen> [refused]` (ISO 8601 UTC);
/// `refused` marks a key that was not on the whitelist when it was last seen.
/// Writes are batched (at most one per second) and done atomically with QSaveFile, on a thread of
/// their own: the event loop never waits for the disk (QSaveFile's fsync may take seconds while
/// other writers fill the disk's queue).
///
/// Anyone can complete a handshake with a fresh key, so what is kept is bounded: a few refused
/// keys per IP and a fixed number in all, apart from the allowed keys (which have bounds of their
/// own), the least recently seen going first. Refused keys therefore never push allowed ones out,
/// and the notice about a new key from a known IP names at most a few of its other keys and is
/// throttled.
class KnownClients : public QObject
{
    Q_OBJECT

public:
    enum class Standing {
        Allowed,
        Refused,
    };

    struct Entry
    {
        QString address;
        QByteArray key;
        QDateTime firstSeen;
        QDateTime lastSeen;
        Standing standing = Standing::Allowed;
    };

    struct Limits
    {
        int allowedPerAddress = 32;
        int allowedInAll = 4096;
        int refusedPerAddress = 4;
        int refusedInAll = 1024;
    };

    /// Keys of other IPs named in the notice about a new key.
    static constexpr int NoticeKeys = 3;

    explicit KnownClients(const QString& path, QObject* parent = nullptr);
    KnownClients(const QString& path, const Limits& limits, QObject* parent = nullptr);
    ~KnownClients() override;

    /// Records that address presented key now. Logs a notice when the IP is known with other keys.
    void record(const QHostAddress& address, const QByteArray& key, Standing standing);
    /// Allowed keys, then refused ones, each least recently seen first.
    QList<Entry> entries() const;
    /// Writes the file now and waits until it is written (at shutdown); a failure is also logged.
    bool save(QString* error = nullptr);

private:
    class Writer;
    using Iterator = std::list<Entry>::iterator;

    QByteArray text() const;

    void insert(Entry entry);
    void evict(Iterator entry);
    std::list<Entry>& listOf(Standing standing) { return m_byAge[standing == Standing::Allowed ? 0 : 1]; }

    QString m_path;
    Limits m_limits;
    std::list<Entry> m_byAge[2]; // allowed, refused: least recently seen first
    QHash<QString, QList<Iterator>> m_byAddress;
    QTimer m_saveTimer;
    LogThrottle m_noticeLog;
    std::unique_ptr<Writer> m_writer;
};

} // namespace QuietWire
