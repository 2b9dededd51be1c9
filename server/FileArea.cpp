#include "FileArea.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace QuietWire {

FileArea::FileArea(QString root, qint64 quotaBytes)
    : m_root(std::move(root))
    , m_quota(quotaBytes)
{
}

QString FileArea::home(const QString& folderName, QString* error)
{
    const QString path = QDir(m_root).filePath(folderName);
    if (!QFileInfo::exists(path)) {
        if (!QDir().mkpath(path)) {
            if (error) {
                *error = QStringLiteral("Cannot create the home folder %1").arg(path);
            }
            return {};
        }
        QFile::setPermissions(m_root, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    return path;
}

qint64 FileArea::usage(const QString& home, qint64* fileCount)
{
    qint64 total = 0;
    qint64 count = 0;
    QDirIterator it(home, QDir::Files | QDir::Hidden | QDir::System | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        total += it.fileInfo().size();
        ++count;
    }
    if (fileCount) {
        *fileCount = count;
    }
    return total;
}

bool FileArea::reserve(const QString& home, qint64 bytes, qint64* available)
{
    const qint64 free = m_quota - usage(home) - m_reserved.value(home);
    if (available) {
        *available = qMax<qint64>(0, free);
    }
    if (bytes > free) {
        return false;
    }
    m_reserved[home] += bytes;
    return true;
}

void FileArea::release(const QString& home, qint64 bytes)
{
    auto it = m_reserved.find(home);
    if (it == m_reserved.end()) {
        return;
    }
    *it -= bytes;
    if (*it <= 0) {
        m_reserved.erase(it);
    }
}

bool FileArea::beginUpload(const QString& hostPath)
{
    if (m_uploads.contains(hostPath)) {
        return false;
    }
    m_uploads.insert(hostPath);
    return true;
}

void FileArea::endUpload(const QString& hostPath)
{
    m_uploads.remove(hostPath);
}

qint64 FileArea::parseSize(const QString& text)
{
    static const QRegularExpression pattern(QStringLiteral("^\\s*(\\d+)\\s*([kmgt]?)(i?b)?\\s*$"),
                                            QRegularExpression::CaseInsensitiveOption);
    const auto match = pattern.match(text);
    if (!match.hasMatch()) {
        return -1;
    }
    bool ok = false;
    qint64 value = match.captured(1).toLongLong(&ok);
    if (!ok) {
        return -1;
    }
    const QString unit = match.captured(2).toLower();
    const int shift = unit == QLatin1String("k") ? 10 : unit == QLatin1String("m") ? 20 : unit == QLatin1String("g") ? 30
        : unit == QLatin1String("t")                                                                    ? 40
                                                                                                        : 0;
    if (value > (std::numeric_limits<qint64>::max() >> shift)) {
        return -1;
    }
    return value << shift;
}

} // namespace QuietWire
