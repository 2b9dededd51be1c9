#pragma once

#include <QHash>
#include <QSet>
#include <QString>

namespace QuietWire {

/// The server's file storage: one home folder per user under the files root, the per-user
/// quota, and the bookkeeping shared by all file sessions (uploads in progress, and the bytes
/// they have reserved against the quota).
class FileArea
{
public:
    FileArea(QString root, qint64 quotaBytes);

    QString root() const { return m_root; }
    qint64 quota() const { return m_quota; }
    /// The user's home folder, created (mode 0700) on first use; empty on failure.
    QString home(const QString& folderName, QString* error = nullptr);
    /// Bytes the files under home take now.
    static qint64 usage(const QString& home, qint64* fileCount = nullptr);

    /// Reserves bytes for an upload to hostPath; false when the quota does not allow it.
    bool reserve(const QString& home, qint64 bytes, qint64* available);
    void release(const QString& home, qint64 bytes);
    /// One upload per target at a time, so two uploads cannot interleave into one file.
    bool beginUpload(const QString& hostPath);
    void endUpload(const QString& hostPath);

    /// Parses "1G", "500M", "64KiB", "1048576": bytes, or -1.
    static qint64 parseSize(const QString& text);

private:
    QString m_root;
    qint64 m_quota;
    QHash<QString, qint64> m_reserved;
    QSet<QString> m_uploads;
};

} // namespace QuietWire
