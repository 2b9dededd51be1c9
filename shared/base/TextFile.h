#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

class QLockFile;

namespace QuietWire::TextFile {

/// The whole file; an empty array when it does not exist; nullopt (with error) when it cannot
/// be read or is larger than maxSize (a small config file that grew huge is not one any more).
std::optional<QByteArray> readSmall(const QString& path, qint64 maxSize, QString* error);
/// Replaces the file atomically (QSaveFile): readers see the old or the new text, never a mix.
bool writeAtomically(const QString& path, const QByteArray& text, QString* error);
/// Takes lockFile (path + ".lock") for a read-modify-write of path, waiting up to 5 s. Edits take
/// milliseconds, so a lock a killed editor left behind is stale after 2 s; so are the
/// ".rmlock" files Qt's own stale-lock removal leaves when its process is killed at that moment.
/// False (with an error naming the lock file) when another process really holds it.
bool lockForEdit(QLockFile& lockFile, const QString& path, QString* error);

} // namespace QuietWire::TextFile
