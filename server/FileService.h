#pragma once

#include "FileProtocol.h"
#include "Sha256.h"

#include <QCborMap>
#include <QFile>
#include <QObject>
#include <QStringList>

#include <memory>

namespace QuietWire {

class FileArea;
struct Session;

/// The "files" service for one session: browsing requests with ids, and at most one
/// streaming transfer (put or get) at a time. Every path is resolved with FilePaths against
/// the user's home folder; nothing outside it is ever read or written.
class FileService : public QObject
{
    Q_OBJECT

public:
    FileService(Session* session, FileArea* area, const QString& home, QObject* parent = nullptr);
    ~FileService() override;

    /// One message of the session, as it came off the wire.
    void handle(const QByteArray& raw);

private:
    struct Upload;
    struct Download;

    void reply(const QCborMap& message);
    void fail(qint64 id, const QString& code, const QString& message);
    /// Resolves a request path; on failure answers the request and returns nullopt.
    std::optional<QStringList> resolve(qint64 id, const QString& path);
    QString host(const QStringList& components) const;
    void log(const QString& op, const QStringList& path, const QString& extra = QString()) const;

    void pwd(qint64 id);
    void cd(qint64 id, const QCborMap& request);
    void ls(qint64 id, const QCborMap& request);
    void mkdir(qint64 id, const QCborMap& request);
    void rmdir(qint64 id, const QCborMap& request);
    void rm(qint64 id, const QCborMap& request);
    void rename(qint64 id, const QCborMap& request);
    void stat(qint64 id, const QCborMap& request);
    void cat(qint64 id, const QCborMap& request);
    void put(qint64 id, const QCborMap& request);
    void putData(const QByteArray& data);
    void putEnd(const QCborMap& request);
    void get(qint64 id, const QCborMap& request);
    void pumpDownload();
    void abortUpload(bool removePart);

    Session* m_session;
    FileArea* m_area;
    QString m_home;
    QStringList m_cwd;
    std::unique_ptr<Upload> m_upload;
    std::unique_ptr<Download> m_download;
};

} // namespace QuietWire
