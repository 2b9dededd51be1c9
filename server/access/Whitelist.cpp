#include "Whitelist.h"

#include "Logging.h"

#include <QFile>
#include <QFileInfo>

namespace QuietWire {

Whitelist::Whitelist(const QString& path, QObject* parent)
    : QObject(parent)
    , m_path(path)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(100);
    connect(&m_debounce, &QTimer::timeout, this, [this] {
        QString error;
        if (!reload(&error)) {
            qCWarning(lcAuth).noquote() << "whitelist not reloaded, the previous one stays in force:" << error;
        }
    });
    const auto schedule = [this] {
        m_debounce.start();
        watch();
    };
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, schedule);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, schedule);
    watch();
}

void Whitelist::watch()
{
    const QString dir = QFileInfo(m_path).absolutePath();
    if (!m_watcher.directories().contains(dir)) {
        m_watcher.addPath(dir);
    }
    // A file replaced by rename drops out of the watch list; add it again when it is back.
    if (QFileInfo::exists(m_path) && !m_watcher.files().contains(m_path)) {
        m_watcher.addPath(m_path);
    }
}

void Whitelist::keepInStore(const QString& source)
{
    m_inStore = true;
    m_path = source;
    m_debounce.stop();
    for (const QStringList& paths : { m_watcher.files(), m_watcher.directories() }) {
        if (!paths.isEmpty()) {
            m_watcher.removePaths(paths);
        }
    }
}

bool Whitelist::reload(QString* error)
{
    if (m_inStore) {
        return true;
    }
    QByteArray text;
    QFile file(m_path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            const QString message = QStringLiteral("Cannot read %1: %2").arg(m_path, file.errorString());
            if (error) {
                *error = message;
            }
            emit loadFailed(message);
            return false;
        }
        text = file.read(AuthorizedKeys::MaxFileSize + 1);
    }
    return apply(text, error);
}

bool Whitelist::apply(const QByteArray& text, QString* error)
{
    if (text == m_loadedText && !m_loadedText.isNull()) {
        return true; // a touch, a lock file, or our own write: nothing changed
    }
    QString parseError;
    const auto keys = AuthorizedKeys::parse(text, m_path, &parseError);
    if (!keys) {
        if (error) {
            *error = parseError;
        }
        emit loadFailed(parseError);
        return false;
    }
    m_keys = *keys;
    m_names.clear();
    for (const auto& entry : m_keys.entries()) {
        m_names.insert(AuthorizedKeys::displayName(entry));
    }
    m_loadedText = text.isNull() ? QByteArray("") : text;
    qCInfo(lcAuth).noquote() << "whitelist loaded:" << m_keys.entries().size() << "key(s) from" << m_path;
    emit changed();
    return true;
}

} // namespace QuietWire
