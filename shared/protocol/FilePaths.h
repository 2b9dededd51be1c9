#pragma once

#include <QString>
#include <QStringList>
#include <optional>

/// Paths of the file service. A client names files relative to its current folder, or from its
/// home folder with a leading "~"; the server never sees or returns a host path. A resolved
/// path is the list of its components below the home folder ("~/a/b" is {"a", "b"}).
namespace QuietWire::FilePaths {

inline constexpr int MaxPathBytes = 4096;
inline constexpr int MaxNameBytes = 255;

/// Resolves path against cwd. Only a first component that is exactly "~" is special (the home
/// folder); "~x" and "a~b" are ordinary names. Empty components ("a//b", a trailing "/") and "."
/// are skipped, so "" and "." are cwd. Refuses (nullopt, with a reason a person can act on) a
/// path with a NUL or other control character or a backslash, an absolute path, a "~" component
/// anywhere but first, a name longer than 255 bytes, a path longer than 4096 bytes, and any ".."
/// that would climb above the home folder. Symbolic links are not a matter of syntax: the server
/// refuses them where it opens the path (server/HomeFolder), in the same call.
std::optional<QStringList> resolve(const QStringList& cwd, const QString& path, QString* error = nullptr);
/// "~" or "~/a/b".
QString toVirtual(const QStringList& components);
/// home + "/a/b".
QString toHost(const QString& home, const QStringList& components);
/// A home folder name for a whitelist name (already restricted to safe characters) or, for a
/// key without a name, its fingerprint with the characters a file name should not have replaced.
QString homeFolderName(const QString& whitelistName, const QString& fingerprint);

} // namespace QuietWire::FilePaths
