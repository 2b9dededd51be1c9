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
///
/// Several nodes (--store postgresql://...): the whitelist is kept in the store instead
/// (keepInStore()); the file is then neither read nor watched, and the server hands each new
/// version of the store's text to apply().
class Whitelist : public QObject
{
    Q_OBJECT

public:
    explicit Whitelist(const QString& path, QObject* parent = nullptr);

    /// Loads the file now; false (with error) when it does not parse. Kept in a store: nothing
    /// to load here (true).
    bool reload(QString* error = nullptr);
    /// From now on the whitelist is the text the server gives apply(); source names it in messages.
    void keepInStore(const QString& source);
    bool isKeptInStore() const { return m_inStore; }
    /// Takes text (authorized_keys' format) as the whitelist; false (with error, the last good
    /// one staying in force) when it does not parse.
    bool apply(const QByteArray& text, QString* error = nullptr);
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
    bool m_inStore = false;
};

} // namespace QuietWire
