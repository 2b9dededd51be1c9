#include "FilePaths.h"

#include <QFileInfo>

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

namespace {

using Area = Location::Area;

bool climbsOut(QString* error, const QString& path, const Location& where)
{
    if (where.area == Area::Home) {
        return refuse(error, QStringLiteral("\"%1\" leads out of your home folder").arg(path.left(80)));
    }
    if (where.isShared()) {
        return refuse(
            error, QStringLiteral("\"%1\" leads out of the shared folder %2").arg(path.left(80), areaRoot(where)));
    }
    return refuse(error,
        QStringLiteral("\"%1\" climbs above %2; name a shared folder from the top (/rooms/NAME, /direct/NAME)")
            .arg(path.left(80), areaRoot(where)));
}

/// Applies one component (not empty, not ".", not "~") to where; false with error set when refused.
bool step(Location& where, const QString& part, const QString& path, QString* error)
{
    if (part == QLatin1String("..")) {
        if (where.isVirtual() || where.components.isEmpty()) {
            return climbsOut(error, path, where);
        }
        where.components.removeLast();
        return true;
    }
    if (part.toUtf8().size() > MaxNameBytes) {
        return refuse(error, QStringLiteral("A name in the path is longer than %1 bytes").arg(MaxNameBytes));
    }
    switch (where.area) {
    case Area::Root:
        if (part == QLatin1String("rooms")) {
            where.area = Area::Rooms;
        } else if (part == QLatin1String("direct")) {
            where.area = Area::Directs;
        } else {
            return refuse(error,
                QStringLiteral("\"%1\": a path that starts with / names a shared folder, /rooms/NAME or "
                               "/direct/NAME; your own files are under ~/")
                    .arg(path.left(80)));
        }
        return true;
    case Area::Rooms:
        where = { Area::Room, part, {} };
        return true;
    case Area::Directs:
        where = { Area::Direct, part, {} };
        return true;
    case Area::Home:
    case Area::Room:
    case Area::Direct:
        where.components.append(part);
        return true;
    }
    return true;
}

} // namespace

std::optional<Location> resolve(const Location& cwd, const QString& path, QString* error)
{
    if (path.toUtf8().size() > MaxPathBytes) {
        refuse(error, QStringLiteral("The path is longer than %1 bytes").arg(MaxPathBytes));
        return std::nullopt;
    }
    if (!checkCharacters(path, error)) {
        return std::nullopt;
    }
    Location result = path.startsWith(QLatin1Char('/')) ? Location { Area::Root, {}, {} } : cwd;
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
            result = Location::inHome();
            continue;
        }
        if (!step(result, part, path, error)) {
            return std::nullopt;
        }
    }
    return result;
}

QString areaRoot(const Location& location)
{
    switch (location.area) {
    case Area::Home:
        return QStringLiteral("~");
    case Area::Root:
        return QStringLiteral("/");
    case Area::Rooms:
        return QStringLiteral("/rooms");
    case Area::Directs:
        return QStringLiteral("/direct");
    case Area::Room:
        return QStringLiteral("/rooms/") + location.folder;
    case Area::Direct:
        return QStringLiteral("/direct/") + location.folder;
    }
    return QString();
}

QString toVirtual(const Location& location)
{
    const QString root = areaRoot(location);
    return location.components.isEmpty() ? root : root + QLatin1Char('/') + location.components.join(QLatin1Char('/'));
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

QString attachmentFolder(const QString& room, const QString& to, const QDate& utcDate)
{
    const QString conversation = !to.isEmpty()
        ? QStringLiteral("/direct/") + to
        : QStringLiteral("/rooms/") + (room.isEmpty() ? QStringLiteral("general") : room);
    return conversation + QStringLiteral("/attachments/") + utcDate.toString(QStringLiteral("yyyy-MM-dd"));
}

QString numberedName(const QString& name, int attempt)
{
    if (attempt <= 1) {
        return name;
    }
    const QFileInfo info(name);
    const QString suffix = info.suffix();
    return suffix.isEmpty() || info.completeBaseName().isEmpty()
        ? QStringLiteral("%1 (%2)").arg(name).arg(attempt)
        : QStringLiteral("%1 (%2).%3").arg(info.completeBaseName()).arg(attempt).arg(suffix);
}

} // namespace QuietWire::FilePaths
