#pragma once

#include <QDateTime>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTimer>

namespace QuietWire {

/// `known_clients` in the data dir: which keys each client IP presented, and when.
/// One line per (IP, key): `<ip> <base64 key> <first seen> <last seen>` (ISO 8601 UTC).
/// Writes are batched (at most one per second) and done atomically with QSaveFile.
class KnownClients : public QObject
{
    Q_OBJECT

public:
    struct Entry
    {
        QString address;
        QByteArray key;
        QDateTime firstSeen;
        QDateTime lastSeen;
    };

    explicit KnownClients(const QString& path, QObject* parent = nullptr);
    ~KnownClients() override;

    /// Records that address presented key now. Logs a notice when the IP is known with other keys.
    void record(const QHostAddress& address, const QByteArray& key);
    const QList<Entry>& entries() const { return m_entries; }
    bool save(QString* error = nullptr);

private:
    QString m_path;
    QList<Entry> m_entries;
    QTimer m_saveTimer;
};

} // namespace QuietWire
