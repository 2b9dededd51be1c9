#include "TextFile.h"

#include <QFile>
#include <QSaveFile>

namespace QuietWire::TextFile {

std::optional<QByteArray> readSmall(const QString& path, qint64 maxSize, QString* error)
{
    QFile file(path);
    if (!file.exists()) {
        return QByteArray();
    }
    if (!file.open(QIODevice::ReadOnly)) {
        if (error) {
            *error = QStringLiteral("Cannot read %1: %2").arg(path, file.errorString());
        }
        return std::nullopt;
    }
    if (file.size() > maxSize) {
        if (error) {
            *error = QStringLiteral("%1 is larger than %2 bytes; check that it is the right file").arg(path).arg(maxSize);
        }
        return std::nullopt;
    }
    return file.readAll();
}

bool writeAtomically(const QString& path, const QByteArray& text, QString* error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        if (error) {
            *error = QStringLiteral("Cannot write %1: %2").arg(path, file.errorString());
        }
        return false;
    }
    return true;
}

} // namespace QuietWire::TextFile
