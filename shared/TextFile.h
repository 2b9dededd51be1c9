#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace QuietWire::TextFile {

/// The whole file; an empty array when it does not exist; nullopt (with error) when it cannot
/// be read or is larger than maxSize (a small config file that grew huge is not one any more).
std::optional<QByteArray> readSmall(const QString& path, qint64 maxSize, QString* error);
/// Replaces the file atomically (QSaveFile): readers see the old or the new text, never a mix.
bool writeAtomically(const QString& path, const QByteArray& text, QString* error);

} // namespace QuietWire::TextFile
