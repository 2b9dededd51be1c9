#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace QuietWire {

/// The server's whitelist, `authorized_keys`: one key per line, `<base64 key> [name]`,
/// blank lines and `#` comments ignored. Names are what chat shows and what names a user's
/// file folder, so they are restricted to letters, digits, `.`, `_` and `-` (1..32 chars).
///
/// Usage: parse() or load() give a list or an error naming the file and line; the edit
/// helpers (appendKey(), removeKeys()) change the file text in place under a QLockFile,
/// keep comments and other lines untouched, and write atomically with QSaveFile.
class AuthorizedKeys
{
public:
    struct Entry
    {
        QByteArray key;
        QString name; // may be empty
        int line = 0;
    };

    static constexpr qint64 MaxFileSize = 4 * 1024 * 1024;
    static constexpr int MaxNameLength = 32;

    static std::optional<AuthorizedKeys> parse(const QByteArray& text, const QString& fileName,
                                               QString* error = nullptr);
    /// A missing file is an empty whitelist; an unreadable or malformed one is an error.
    static std::optional<AuthorizedKeys> load(const QString& path, QString* error = nullptr);

    /// Adds a line for key (error if the key is already listed, or the name is invalid).
    static bool appendKey(const QString& path, const QByteArray& key, const QString& name, QString* error = nullptr);
    /// Removes every line whose key, fingerprint or name equals what; returns the removed entries.
    static std::optional<QList<Entry>> removeKeys(const QString& path, const QString& what,
                                                  QString* error = nullptr);

    static bool isValidName(const QString& name);
    /// The words of an `allow` command (console or offline): the key line as `quietwire-cli key`
    /// prints it ("KEY [COMMENT]"), then an optional name. The last word after the key names it;
    /// a comment like user@host gives "user". nullopt when the words are not that.
    static std::optional<Entry> parseAllowWords(const QStringList& words);

    const QList<Entry>& entries() const { return m_entries; }
    const Entry* find(const QByteArray& key) const;
    bool isEmpty() const { return m_entries.isEmpty(); }
    /// The name shown for a key: its whitelist name, or its short fingerprint when it has none.
    static QString displayName(const Entry& entry);

private:
    QList<Entry> m_entries;
};

} // namespace QuietWire
