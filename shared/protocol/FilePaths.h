#pragma once

#include <QDate>
#include <QString>
#include <QStringList>
#include <optional>

/// Paths of the file service. A client names files relative to its current folder, from its
/// home folder with a leading "~", or in a shared folder with a leading "/": "/rooms/NAME/..."
/// is room NAME's folder, "/direct/NAME/..." the folder of the direct conversation with NAME.
/// "/", "/rooms" and "/direct" are virtual, read-only folders. The server never sees or returns a
/// host path. A resolved path is a Location: its area and the components below the area's root.
///
/// Usage:
///     QString error;
///     const auto where = FilePaths::resolve(cwd, "/rooms/general/report.pdf", &error);
///     if (!where) { refuse(error); }
///     if (where->isShared()) { checkMembership(where->folder); }
///     open(where->components); // {"report.pdf"} below the room's folder
namespace QuietWire::FilePaths {

inline constexpr int MaxPathBytes = 4096;
inline constexpr int MaxNameBytes = 255;

/// Where a resolved path lies.
struct Location
{
    enum class Area {
        Home, // the user's home folder ("~")
        Root, // "/": virtual, lists "rooms" and "direct"
        Rooms, // "/rooms": virtual, lists the rooms the user is a member of
        Directs, // "/direct": virtual, lists the user's direct conversations
        Room, // "/rooms/NAME": room NAME's folder
        Direct, // "/direct/NAME": the folder of the direct conversation with NAME
    };
    Area area = Area::Home;
    /// Room: the room's name; Direct: the other person's whitelist name; otherwise empty.
    QString folder;
    /// Below the area's root (Home, Room, Direct); always empty in the virtual areas.
    QStringList components;

    static Location inHome(const QStringList& components = {}) { return { Area::Home, {}, components }; }
    /// A room's or a direct conversation's folder (what the store must admit).
    bool isShared() const { return area == Area::Room || area == Area::Direct; }
    /// "/", "/rooms" or "/direct": listed by the server, never changed.
    bool isVirtual() const { return area == Area::Root || area == Area::Rooms || area == Area::Directs; }
    /// The same folder area (the same home, room or direct conversation), whatever the components.
    bool sameArea(const Location& other) const { return area == other.area && folder == other.folder; }
    bool operator==(const Location&) const = default;
};

/// Resolves path against cwd. A first component that is exactly "~" is the home folder; "~x" and
/// "a~b" are ordinary names. A path that starts with "/" is in the shared tree: its first
/// component must be "rooms" or "direct", its second names the folder. Empty components ("a//b",
/// a trailing "/") and "." are skipped, so "" and "." are cwd. Refuses (nullopt, with a reason a
/// person can act on) a path with a NUL or other control character or a backslash, a "~"
/// component anywhere but first, a name longer than 255 bytes, a path longer than 4096 bytes,
/// any ".." that would climb above the home folder or a shared folder's root (or out of "/",
/// "/rooms", "/direct"), and any other first component after "/". Symbolic links are not a matter
/// of syntax: the server refuses them where it opens the path (server/HomeFolder), in the same
/// call.
std::optional<Location> resolve(const Location& cwd, const QString& path, QString* error = nullptr);
/// "~", "~/a/b", "/", "/rooms", "/rooms/general/a/b", "/direct/bob".
QString toVirtual(const Location& location);
/// The area's root as a client writes it: "~", "/", "/rooms", "/rooms/general", "/direct/bob".
QString areaRoot(const Location& location);
/// home + "/a/b".
QString toHost(const QString& home, const QStringList& components);
/// A home folder name for a whitelist name (already restricted to safe characters) or, for a
/// key without a name, its fingerprint with the characters a file name should not have replaced.
QString homeFolderName(const QString& whitelistName, const QString& fingerprint);

/// Where QuietWire's clients put a conversation's attachments: "/rooms/ROOM/attachments/DATE"
/// for a room, "/direct/TO/attachments/DATE" for the direct conversation with TO (to wins when
/// both are given; neither: general), DATE the UTC date as yyyy-MM-dd.
QString attachmentFolder(const QString& room, const QString& to, const QDate& utcDate);
/// The name to try at attempt (from 1) when name is taken: "report.pdf", "report (2).pdf", ...
QString numberedName(const QString& name, int attempt);

} // namespace QuietWire::FilePaths
