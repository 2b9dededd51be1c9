#include "AuthorizedKeys.h"

#include "Identity.h"
#include "TextFile.h"

#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStringDecoder>

namespace QuietWire {

namespace {

void setError(QString* error, const QString& message)
{
    if (error) {
        *error = message;
    }
}

// Serialises edits by the console, the offline subcommands and a second server instance.
bool lock(QLockFile& lockFile, const QString& path, QString* error)
{
    return TextFile::lockForEdit(lockFile, path, error);
}

} // namespace

AuthorizedKeys::AllowError AuthorizedKeys::parseAllowWords(const QStringList& allWords, AllowCommand* command)
{
    *command = {};
    QStringList words;
    for (const QString& word : allWords) {
        if (word == QLatin1String(SamePersonOption)) {
            command->samePerson = true;
        } else if (word.startsWith(QLatin1String("--"))) {
            return AllowError::UnknownOption;
        } else {
            words.append(word);
        }
    }
    const auto key = words.isEmpty() ? std::nullopt : Identity::parsePublicKey(words.first());
    if (!key) {
        return AllowError::NotAKey;
    }
    command->key = *key;
    if (words.size() == 1) {
        return AllowError::MissingName;
    }
    // The name is the last word, always: a comment such as alice@laptop is never cut down to a name.
    command->name = words.last();
    command->comment = words.mid(1, words.size() - 2).join(QLatin1Char(' '));
    if (!isValidName(command->name)) {
        if (words.size() == 2) {
            // Most likely the key line alone, its comment last: the name was left out.
            command->comment = command->name;
            command->name.clear();
            return AllowError::MissingName;
        }
        return AllowError::InvalidName;
    }
    return AllowError::None;
}

QString AuthorizedKeys::allowErrorMessage(AllowError error, const AllowCommand& command, AllowSyntax syntax)
{
    const QString prefix
        = syntax == AllowSyntax::Console ? QStringLiteral("allow") : QStringLiteral("quietwired allow");
    const QString usage = QStringLiteral("%1 KEY [COMMENT] NAME [%2]").arg(prefix, QLatin1String(SamePersonOption));
    const QString nameRule = QStringLiteral("1 to %1 letters, digits, '.', '_' or '-'").arg(MaxNameLength);
    // The key line as it should be typed, with the comment cleaned of anything a terminal would act on.
    QString comment = command.comment.left(60);
    for (QChar& c : comment) {
        if (!c.isPrint()) {
            c = QLatin1Char('?');
        }
    }
    QString keyLine
        = Identity::encodePublicKey(command.key) + (comment.isEmpty() ? QString() : QLatin1Char(' ') + comment);
    if (syntax == AllowSyntax::CommandLine && !comment.isEmpty()) {
        keyLine = QLatin1Char('\'') + keyLine + QLatin1Char('\'');
    }
    switch (error) {
    case AllowError::None:
        return {};
    case AllowError::NotAKey:
        return QStringLiteral("usage: %1, with the line `quietwire-cli key` prints (a base64 X25519 key, then its "
                              "comment) and a name you choose")
            .arg(usage);
    case AllowError::UnknownOption:
        return QStringLiteral("usage: %1 (the only option is %2)").arg(usage, QLatin1String(SamePersonOption));
    case AllowError::MissingName:
        return QStringLiteral("give the key a name (%1); the comment in a key line is chosen by the key's owner "
                              "and never names it. Type:\n  %2 %3 NAME")
            .arg(nameRule, prefix, keyLine);
    case AllowError::InvalidName:
        return QStringLiteral("the name \"%1\" is not allowed: use %2. Type:\n  %3 %4 NAME")
            .arg(command.name.left(60), nameRule, prefix, keyLine);
    }
    return {};
}

bool AuthorizedKeys::isValidName(const QString& name)
{
    if (name.isEmpty() || name.size() > MaxNameLength) {
        return false;
    }
    for (const QChar c : name) {
        if (!(c.isLetterOrNumber() || c == QLatin1Char('.') || c == QLatin1Char('_') || c == QLatin1Char('-'))) {
            return false;
        }
    }
    // "." and ".." would be odd user names and dangerous folder names.
    return name != QLatin1String(".") && name != QLatin1String("..");
}

std::optional<AuthorizedKeys> AuthorizedKeys::parse(const QByteArray& text, const QString& fileName, QString* error)
{
    AuthorizedKeys result;
    const QList<QByteArray> lines = text.split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        const int lineNumber = i + 1;
        QStringDecoder decoder(QStringDecoder::Utf8);
        QString line = decoder(lines.at(i));
        if (decoder.hasError()) {
            setError(error, QStringLiteral("%1 line %2: not valid UTF-8").arg(fileName).arg(lineNumber));
            return std::nullopt;
        }
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#'))) {
            continue;
        }
        const QStringList fields = line.split(QRegularExpression(QStringLiteral("\\s+")));
        const auto key = Identity::parsePublicKey(fields.at(0));
        if (!key) {
            setError(error,
                QStringLiteral("%1 line %2: \"%3\" is not a QuietWire public key (44 characters of "
                               "base64, as in the client's identity.pub)")
                    .arg(fileName)
                    .arg(lineNumber)
                    .arg(fields.at(0).left(60)));
            return std::nullopt;
        }
        if (fields.size() > 2) {
            setError(error,
                QStringLiteral("%1 line %2: expected `<key> [name]`, found %3 fields (names cannot "
                               "contain spaces)")
                    .arg(fileName)
                    .arg(lineNumber)
                    .arg(fields.size()));
            return std::nullopt;
        }
        const QString name = fields.size() == 2 ? fields.at(1) : QString();
        if (!name.isEmpty() && !isValidName(name)) {
            setError(error,
                QStringLiteral("%1 line %2: name \"%3\" is not allowed: use 1 to %4 letters, digits, "
                               "'.', '_' or '-'")
                    .arg(fileName)
                    .arg(lineNumber)
                    .arg(name.left(60))
                    .arg(MaxNameLength));
            return std::nullopt;
        }
        if (const Entry* existing = result.find(*key)) {
            setError(error,
                QStringLiteral("%1 line %2: key %3 is already listed on line %4; remove one of them")
                    .arg(fileName)
                    .arg(lineNumber)
                    .arg(Identity::fingerprint(*key))
                    .arg(existing->line));
            return std::nullopt;
        }
        result.m_entries.append(Entry { *key, name, lineNumber });
    }
    return result;
}

std::optional<AuthorizedKeys> AuthorizedKeys::load(const QString& path, QString* error)
{
    const auto text = TextFile::readSmall(path, AuthorizedKeys::MaxFileSize, error);
    if (!text) {
        return std::nullopt;
    }
    return parse(*text, path, error);
}

const AuthorizedKeys::Entry* AuthorizedKeys::find(const QByteArray& key) const
{
    for (const Entry& entry : m_entries) {
        if (entry.key == key) {
            return &entry;
        }
    }
    return nullptr;
}

QString AuthorizedKeys::displayName(const Entry& entry)
{
    return entry.name.isEmpty() ? Identity::shortFingerprint(entry.key) : entry.name;
}

std::optional<QByteArray> AuthorizedKeys::withKey(const QByteArray& text, const QString& source, const QByteArray& key,
    const QString& name, QString* error, SharedName sharedName)
{
    if (!name.isEmpty() && !isValidName(name)) {
        setError(error,
            QStringLiteral("Name \"%1\" is not allowed: use 1 to %2 letters, digits, '.', '_' or '-'")
                .arg(name.left(60))
                .arg(MaxNameLength));
        return std::nullopt;
    }
    const auto current = parse(text, source, error);
    if (!current) {
        if (error) {
            *error += QStringLiteral(" (fix the file first; nothing was changed)");
        }
        return std::nullopt;
    }
    if (const Entry* existing = current->find(key)) {
        setError(error,
            QStringLiteral("Key %1 is already allowed (line %2%3)")
                .arg(Identity::fingerprint(key))
                .arg(existing->line)
                .arg(existing->name.isEmpty() ? QString() : QStringLiteral(", as ") + existing->name));
        return std::nullopt;
    }
    QStringList holders;
    for (const Entry& entry : current->entries()) {
        if (!name.isEmpty() && entry.name == name) {
            holders.append(QStringLiteral("%1 (line %2)").arg(Identity::fingerprint(entry.key)).arg(entry.line));
        }
    }
    if (!holders.isEmpty() && sharedName == SharedName::Refuse) {
        setError(error,
            QStringLiteral("The name %1 already belongs to %2 %3: whoever holds a name speaks as it in "
                           "the chat and reads its files. If key %4 is another device of the same "
                           "person, repeat the command with %5; otherwise choose another name (nothing "
                           "was changed)")
                .arg(name, holders.size() == 1 ? QStringLiteral("key") : QStringLiteral("keys"),
                    holders.join(QStringLiteral(", ")), Identity::fingerprint(key), QLatin1String(SamePersonOption)));
        return std::nullopt;
    }
    QByteArray out = text;
    if (!out.isEmpty() && !out.endsWith('\n')) {
        out.append('\n');
    }
    QByteArray line = Identity::encodePublicKey(key).toLatin1();
    if (!name.isEmpty()) {
        line += ' ' + name.toUtf8();
    }
    out.append(line + '\n');
    return out;
}

std::optional<AuthorizedKeys::Removal> AuthorizedKeys::withoutKeys(
    const QByteArray& text, const QString& source, const QString& what, QString* error)
{
    const auto current = parse(text, source, error);
    if (!current) {
        if (error) {
            *error += QStringLiteral(" (fix the file first; nothing was changed)");
        }
        return std::nullopt;
    }
    const QString needle = what.trimmed();
    Removal removal;
    QList<int> removedLines;
    for (const Entry& entry : current->entries()) {
        if (Identity::encodePublicKey(entry.key) == needle || Identity::fingerprint(entry.key) == needle
            || (!entry.name.isEmpty() && entry.name == needle)) {
            removal.removed.append(entry);
            removedLines.append(entry.line);
        }
    }
    if (removal.removed.isEmpty()) {
        setError(error,
            QStringLiteral("No key, fingerprint or name \"%1\" in %2; `whitelist` lists them")
                .arg(needle.left(60), source));
        return std::nullopt;
    }
    const QList<QByteArray> lines = text.split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        if (removedLines.contains(i + 1)) {
            continue;
        }
        removal.text += lines.at(i);
        if (i + 1 < lines.size()) {
            removal.text += '\n';
        }
    }
    return removal;
}

bool AuthorizedKeys::appendKey(
    const QString& path, const QByteArray& key, const QString& name, QString* error, SharedName sharedName)
{
    QLockFile lockFile(path + QStringLiteral(".lock"));
    if (!lock(lockFile, path, error)) {
        return false;
    }
    const auto text = TextFile::readSmall(path, AuthorizedKeys::MaxFileSize, error);
    if (!text) {
        return false;
    }
    const auto changed = withKey(*text, path, key, name, error, sharedName);
    return changed && TextFile::writeAtomically(path, *changed, error);
}

std::optional<QList<AuthorizedKeys::Entry>> AuthorizedKeys::removeKeys(
    const QString& path, const QString& what, QString* error)
{
    QLockFile lockFile(path + QStringLiteral(".lock"));
    if (!lock(lockFile, path, error)) {
        return std::nullopt;
    }
    const auto text = TextFile::readSmall(path, AuthorizedKeys::MaxFileSize, error);
    if (!text) {
        return std::nullopt;
    }
    const auto removal = withoutKeys(*text, path, what, error);
    if (!removal || !TextFile::writeAtomically(path, removal->text, error)) {
        return std::nullopt;
    }
    return removal->removed;
}

} // namespace QuietWire
