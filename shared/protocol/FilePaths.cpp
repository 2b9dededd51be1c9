#include "FilePaths.h"

namespace QuietWire::FilePaths {

namespace {

bool refuse(QString* error, const QString& message)
{
    if (error) {
        *error = message;
    }
    return false;
}

bool checkCharacters(const QString& path, QString* error)
{
    for (const QChar c : path) {
        const ushort code = c.unicode();
        if (code < 0x20 || code == 0x7f || (code >= 0x80 && code < 0xa0)) {
            return refuse(error,
                QStringLiteral("The path contains a control character (code %1); file names "
                               "cannot contain those")
                    .arg(code));
        }
        if (c == QLatin1Char('\\')) {
            return refuse(error, QStringLiteral("The path contains a backslash; use / between folder names"));
        }
    }
    return true;
}

} // namespace

std::optional<QStringList> resolve(const QStringList& cwd, const QString& path, QString* error)
{
    if (path.toUtf8().size() > MaxPathBytes) {
        refuse(error, QStringLiteral("The path is longer than %1 bytes").arg(MaxPathBytes));
        return std::nullopt;
    }
    if (!checkCharacters(path, error)) {
        return std::nullopt;
    }
    if (path.startsWith(QLatin1Char('/'))) {
        refuse(error,
            QStringLiteral("\"%1\" is an absolute path; paths are relative to your current folder, "
                           "or to your home folder when they start with ~/")
                .arg(path.left(80)));
        return std::nullopt;
    }
    QStringList result = cwd;
    const QStringList parts = path.split(QLatin1Char('/'));
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QString& part = parts.at(i);
        if (part.isEmpty() || part == QLatin1String(".")) {
            continue;
        }
        if (part == QLatin1String("~")) {
            if (i != 0) {
                refuse(error, QStringLiteral("~ means your home folder only at the start of a path"));
                return std::nullopt;
            }
            result.clear();
            continue;
        }
        if (part == QLatin1String("..")) {
            if (result.isEmpty()) {
                refuse(error, QStringLiteral("\"%1\" leads out of your home folder").arg(path.left(80)));
                return std::nullopt;
            }
            result.removeLast();
            continue;
        }
        if (part.toUtf8().size() > MaxNameBytes) {
            refuse(error, QStringLiteral("A name in the path is longer than %1 bytes").arg(MaxNameBytes));
            return std::nullopt;
        }
        result.append(part);
    }
    return result;
}

QString toVirtual(const QStringList& components)
{
    return components.isEmpty() ? QStringLiteral("~") : QStringLiteral("~/") + components.join(QLatin1Char('/'));
}

QString toHost(const QString& home, const QStringList& components)
{
    return components.isEmpty() ? home : home + QLatin1Char('/') + components.join(QLatin1Char('/'));
}

QString homeFolderName(const QString& whitelistName, const QString& fingerprint)
{
    if (!whitelistName.isEmpty() && !whitelistName.startsWith(QLatin1String("SHA256:"))) {
        return whitelistName;
    }
    QString name = fingerprint;
    name.replace(QLatin1Char(':'), QLatin1Char('_'))
        .replace(QLatin1Char('/'), QLatin1Char('_'))
        .replace(QLatin1Char('+'), QLatin1Char('-'));
    return name;
}

} // namespace QuietWire::FilePaths
