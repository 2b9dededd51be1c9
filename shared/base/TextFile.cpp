#include "TextFile.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
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
            *error
                = QStringLiteral("%1 is larger than %2 bytes; check that it is the right file").arg(path).arg(maxSize);
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

bool lockForEdit(QLockFile& lockFile, const QString& path, QString* error)
{
    constexpr int StaleMs = 2000;
    // QLockFile removes a stale lock while holding "<lock>.rmlock", itself a QLockFile with Qt's
    // default stale time of 30 s (and, to remove that one, "<lock>.rmlock.rmlock"). A process
    // killed right then leaves them behind, and every later edit would wait for 30 s (seen in
    // TestCrashSafety under load). A live process holds them for microseconds, so any older
    // than our stale time are leftovers.
    const QString lockPath = path + QStringLiteral(".lock");
    const auto removeLeftovers = [&lockPath] {
        QString removal = lockPath + QStringLiteral(".rmlock");
        for (int depth = 0; depth < 4 && QFileInfo::exists(removal); ++depth, removal += QStringLiteral(".rmlock")) {
            const QDateTime modified = QFileInfo(removal).lastModified();
            if (qAbs(modified.msecsTo(QDateTime::currentDateTime())) > StaleMs) {
                QFile::remove(removal);
            }
        }
    };
    lockFile.setStaleLockTime(StaleMs);
    const QDeadlineTimer deadline(5000);
    do {
        removeLeftovers();
        if (lockFile.tryLock(250)) {
            return true;
        }
    } while (!deadline.hasExpired());
    if (error) {
        *error = QStringLiteral("%1 is being edited by another process (lock file %2); try again").arg(path, lockPath);
    }
    return false;
}

} // namespace QuietWire::TextFile
