#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
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
    static constexpr char SamePersonOption[] = "--same-person";

    static std::optional<AuthorizedKeys> parse(
        const QByteArray& text, const QString& fileName, QString* error = nullptr);
    /// A missing file is an empty whitelist; an unreadable or malformed one is an error.
    static std::optional<AuthorizedKeys> load(const QString& path, QString* error = nullptr);

    /// What appendKey() does when the name already belongs to other keys.
    enum class SharedName {
        Refuse, // an error that names the keys holding it and the way out (--same-person)
        SamePerson, // the administrator confirmed: another device of the same person
    };

    /// Adds a line for key. Errors: the key is already listed, the name is invalid, or (unless
    /// sharedName is SamePerson) the name already belongs to other keys: a name is a person, who
    /// reads that name's chat and files, so a second key under it must be confirmed.
    static bool appendKey(const QString& path, const QByteArray& key, const QString& name, QString* error = nullptr,
        SharedName sharedName = SharedName::Refuse);
    /// Removes every line whose key, fingerprint or name equals what; returns the removed entries.
    static std::optional<QList<Entry>> removeKeys(const QString& path, const QString& what, QString* error = nullptr);

    /// The same two changes on a whitelist's text wherever it is kept (the file above, or the
    /// PostgreSQL store's copy for several nodes); source names it in errors. Nothing changes on error.
    static std::optional<QByteArray> withKey(const QByteArray& text, const QString& source, const QByteArray& key,
        const QString& name, QString* error = nullptr, SharedName sharedName = SharedName::Refuse);
    struct Removal
    {
        QByteArray text;
        QList<Entry> removed;
    };
    static std::optional<Removal> withoutKeys(
        const QByteArray& text, const QString& source, const QString& what, QString* error = nullptr);

    static bool isValidName(const QString& name);

    /// An `allow` command (console or offline): `allow KEY [COMMENT] NAME [--same-person]`.
    struct AllowCommand
    {
        QByteArray key;
        QString comment; // the key line's comment: chosen by the key's owner, never used as a name
        QString name;
        bool samePerson = false;
    };
    enum class AllowError {
        None,
        NotAKey, // the first word is not a QuietWire public key
        MissingName, // only the key line: the administrator must choose the name
        InvalidName, // the last word is not a valid name (e.g. the comment alice@laptop)
        UnknownOption,
    };
    /// The words after `allow`: the key line as `quietwire-cli key` prints it (the key, then its
    /// comment), then the name, which is always the last word and always the administrator's:
    /// nothing is taken from the comment. `--same-person` may stand anywhere.
    static AllowError parseAllowWords(const QStringList& words, AllowCommand* command);
    enum class AllowSyntax { Console, CommandLine };
    /// What went wrong, with the exact command to type (on the console, or `quietwired allow`).
    static QString allowErrorMessage(AllowError error, const AllowCommand& command, AllowSyntax syntax);

    const QList<Entry>& entries() const { return m_entries; }
    const Entry* find(const QByteArray& key) const;
    bool isEmpty() const { return m_entries.isEmpty(); }
    /// The name shown for a key: its whitelist name, or its short fingerprint when it has none.
    static QString displayName(const Entry& entry);

private:
    QList<Entry> m_entries;
};

} // namespace QuietWire
