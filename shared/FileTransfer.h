#pragma once

#include "ServiceClient.h"
#include "Sha256.h"

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <memory>

namespace QuietWire {

/// One upload or download over its own fresh session of the "files" service (a new
/// handshake, so its session keys are its own). FileClient creates these; the GUI and the CLI
/// watch their signals.
///
/// Upload: the server keeps the partial data where no path reaches it and moves it into place
/// only after the whole-file SHA-256 matches. Download: the data goes to <local>.part, renamed into place after the
/// server's SHA-256 matches. With resume set, an existing .part on the receiving side is
/// continued after its hash is checked against the sender's first bytes; when they differ the
/// transfer starts over from the beginning.
class FileTransfer : public QObject
{
    Q_OBJECT

public:
    enum class Direction { Upload, Download };
    Q_ENUM(Direction)
    enum class State { Idle, Queued, Connecting, Running, Finished, Failed, Cancelled };
    Q_ENUM(State)

    FileTransfer(ServiceClient* connection, Direction direction, QString localPath, QString remotePath, bool resume,
        QObject* parent = nullptr);
    ~FileTransfer() override;

    void start(const QString& host, quint16 port);
    /// Waiting for a free slot in FileClient's transfer queue.
    void setQueued() { m_state = State::Queued; }
    /// Stops now; what has arrived stays in the .part file, so a later resume continues it.
    void cancel();

    Direction direction() const { return m_direction; }
    State state() const { return m_state; }
    QString localPath() const { return m_localPath; }
    QString remotePath() const { return m_remotePath; }
    qint64 bytesDone() const { return m_done; }
    qint64 bytesTotal() const { return m_total; }
    /// Where this run started (non-zero after a resume).
    qint64 resumedFrom() const { return m_offset; }
    double bytesPerSecond() const;
    QString errorCode() const { return m_errorCode; }
    QString errorString() const { return m_errorString; }
    ServiceClient* connection() const { return m_connection; }

signals:
    void progress(qint64 done, qint64 total);
    void finished();
    void failed(const QString& code, const QString& message);
    /// Finished, failed or cancelled: its slot in the queue is free.
    void ended();

private:
    void onReady();
    void onMessage(const QCborMap& message);
    /// File data of a download; false for any other message.
    bool onRawMessage(const QByteArray& message);
    void sendPut(qint64 offset, const QByteArray& prefixHash);
    void sendGet(qint64 offset, const QByteArray& prefixHash);
    void pumpUpload();
    void finishDownload(const QCborMap& end);
    void restartFromZero();

    enum class Phase {
        Partial, // upload with resume: asked how much partial data the server holds (request "partial")
        Stat, // the same from a server older than "partial": stat of "<remote>.part"
        Ready, // put/get sent, waiting for the server's go-ahead
        Streaming, // data flowing
        Confirm, // upload: end sent, waiting for the server's checksum
    };
    void setFailed(const QString& code, const QString& message);
    /// A download's .part that this run started and that holds nothing is removed, so a failed
    /// or cancelled download leaves nothing behind; one holding data stays for a resume.
    void discardEmptyPart();
    bool hashLocalPrefix(QFile& file, qint64 length, QByteArray* prefixHash);

    ServiceClient* m_connection;
    Direction m_direction;
    QString m_localPath;
    QString m_remotePath;
    bool m_resume;
    QString m_host;
    quint16 m_port = 0;
    State m_state = State::Idle;
    QFile m_file;
    Sha256 m_hash;
    qint64 m_offset = 0;
    qint64 m_done = 0;
    qint64 m_total = 0;
    Phase m_phase = Phase::Ready;
    static constexpr int MaxConnectAttempts = 6;
    int m_connectAttempts = 0;
    bool m_restarted = false;
    bool m_startedPart = false; // this run created or emptied the download's .part
    QElapsedTimer m_clock;
    QString m_errorCode;
    QString m_errorString;
};

} // namespace QuietWire
