#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>

namespace QuietWire {

/// The client's pinned server keys, `known_servers` in the config directory: one line per
/// server, `<host>:<port> <base64 key>`, `#` comments allowed (OpenSSH's known_hosts idea).
///
/// Usage: check() before trusting a handshake; add() after the user accepted a new key;
/// remove() when the user knows the server's key really changed. Edits are written
/// atomically under a QLockFile, so the CLI and the GUI can share one file.
class KnownServers
{
public:
    enum class Status { Known, Unknown, Mismatch };
    struct Entry
    {
        QString hostPort;
        QByteArray key;
    };

    explicit KnownServers(QString path);

    static QString hostPort(const QString& host, quint16 port);
    /// Unknown when no line names hostPort; Mismatch when one does with another key (pinnedKey gets it).
    Status check(const QString& hostPort, const QByteArray& key, QByteArray* pinnedKey = nullptr,
        QString* error = nullptr) const;
    bool add(const QString& hostPort, const QByteArray& key, QString* error = nullptr);
    /// Number of lines removed, or -1 on error.
    int remove(const QString& hostPort, QString* error = nullptr);
    std::optional<QList<Entry>> entries(QString* error = nullptr) const;
    QString path() const { return m_path; }

    static std::optional<QList<Entry>> parse(const QByteArray& text, const QString& fileName, QString* error);

private:
    QString m_path;
};

} // namespace QuietWire
