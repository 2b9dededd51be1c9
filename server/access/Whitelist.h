#pragma once

#include "AuthorizedKeys.h"

#include <QFileSystemWatcher>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace QuietWire {

/// The running server's view of authorized_keys. Watches the file (and its directory, since
/// editors and QSaveFile replace the file by renaming) and reloads within a second of any
/// change. A file that does not parse is reported with its line number and the last good
/// whitelist stays in force.
class Whitelist : public QObject
{
    Q_OBJECT

public:
    explicit Whitelist(const QString& path, QObject* parent = nullptr);

    /// Loads the file now; false (with error) when it does not parse.
    bool reload(QString* error = nullptr);
    const AuthorizedKeys& keys() const { return m_keys; }
    const AuthorizedKeys::Entry* find(const QByteArray& key) const { return m_keys.find(key); }
    /// Does a key on the whitelist go by name (its display name)? A lookup, not a walk.
    bool hasName(const QString& name) const { return m_names.contains(name); }
    QString path() const { return m_path; }

signals:
    void changed();
    void loadFailed(const QString& error);

private:
    void watch();

    QString m_path;
    AuthorizedKeys m_keys;
    QSet<QString> m_names; // the display names of m_keys' entries
    QByteArray m_loadedText;
    QFileSystemWatcher m_watcher;
    QTimer m_debounce;
};

} // namespace QuietWire
