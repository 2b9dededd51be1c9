#pragma once

#include "ServiceClient.h"
#include "Sha256.h"

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <memory>

namespace QuietWire {

/// One upload or download over its own fresh session of the "files" service (a new
/// handshake, so its session keys are its own). FileClient creates these (an UploadTransfer or
/// a DownloadTransfer, both below); the GUI and the CLI watch the signals of this base class.
///
/// Usage: FileClient::upload()/download() return one, queued; it starts by itself. Watch
/// progress(done, total), then finished() or failed(code, message); ended() comes after either
/// (and after cancel()). stateChanged() reports every move of state().
///
/// Upload: the server keeps the partial data where no path reaches it and moves it into place
/// only after the whole-file SHA-256 matches. Download: the data goes to <local>.part, renamed into place after the
/// server's SHA-256 matches. With resume set, an existing .part on the receiving side is
/// continued after its hash is checked against the sender's first bytes; when they differ the
/// transfer starts over from the beginning.
///
/// The three classes share this header: the two subclasses are small, and FileIo does their
/// low-level file work (prefix hashing, fsync-and-rename, the chunked send loop), as it does the
/// server's.
class FileTransfer : public QObject
{
    Q_OBJECT

public:
    enum class Direction { Upload, Download };
    Q_ENUM(Direction)
    /// The summary every transfer shares, for the GUI and the CLI. It is not stored: each
    /// subclass derives it from its own Step, its one state.
    enum class State { Idle, Queued, Connecting, Running, Finished, Failed, Cancelled };
    Q_ENUM(State)

    ~FileTransfer() override;

    virtual Direction direction() const = 0;
    virtual State state() const = 0;

    void start(const QString& host, quint16 port);
    /// Waiting for a free slot in FileClient's transfer queue.
    void setQueued();
    /// Stops now; what has arrived stays in the .part file, so a later resume continues it.
    void cancel();

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
    void stateChanged(QuietWire::FileTransfer::State state);
    void progress(qint64 done, qint64 total);
    void finished();
    void failed(const QString& code, const QString& message);
    /// Finished, failed or cancelled: its slot in the queue is free.
    void ended();

protected:
    FileTransfer(
        ServiceClient* connection, QString localPath, QString remotePath, bool resume, QObject* parent = nullptr);

    /// The moves the shared part makes (Queued, Connecting, Finished, Failed, Cancelled); each
    /// subclass maps them onto its own Step.
    virtual void enter(State state) = 0;
    /// Before connecting; false after fail().
    virtual bool prepare() { return true; }
    /// The session is up: the subclass sends its first request.
    virtual void onReady() = 0;
    virtual void onMessage(const QCborMap& message) = 0;
    /// File data of a download; false for any other message.
    virtual bool onRawMessage(const QByteArray&) { return false; }
    /// After a failure or a cancel, with the file closed.
    virtual void cleanUp() { }

    void fail(const QString& code, const QString& message);
    /// The subclass's last step is done: closes the session and reports it.
    void succeed();
    /// Starts over from byte 0 on a fresh session (once: a second mismatch is an error).
    void restartFromZero();
    /// Hashes the first length bytes of m_file into m_hash; the file is left at length.
    bool hashLocalPrefix(qint64 length, QByteArray* prefixHash);
    /// Emits stateChanged() when a step change moved state() (call after every step change).
    void reportState(State before);

    static constexpr qint64 RequestId = 1;

    ServiceClient* m_connection;
    QString m_localPath;
    QString m_remotePath;
    bool m_resume;
    bool m_restarted = false;
    QFile m_file;
    Sha256 m_hash;
    qint64 m_offset = 0;
    qint64 m_done = 0;
    qint64 m_total = 0;

private:
    void onConnectionError(const QString& message);

    QString m_host;
    quint16 m_port = 0;
    static constexpr int MaxConnectAttempts = 6;
    int m_connectAttempts = 0;
    QElapsedTimer m_clock;
    QString m_errorCode;
    QString m_errorString;
};

/// An upload: asks how much partial data the server holds (request "partial"; "stat P.part" on a
/// server older than that), proves it is the start of the local file, then sends the rest in
/// chunks and checks the server's SHA-256.
class UploadTransfer final : public FileTransfer
{
    Q_OBJECT

public:
    enum class Step {
        Idle,
        Queued,
        Connecting,
        AskingPartial, // resume: asked how much partial data the server holds
        AskingStat, // the same from a server older than "partial": stat of "<remote>.part"
        Requesting, // put sent, waiting for the server's go-ahead
        Sending, // data flowing
        Confirming, // end sent, waiting for the server's checksum
        Finished,
        Failed,
        Cancelled,
    };
    Q_ENUM(Step)

    UploadTransfer(
        ServiceClient* connection, QString localPath, QString remotePath, bool resume, QObject* parent = nullptr);

    Direction direction() const override { return Direction::Upload; }
    State state() const override;
    Step step() const { return m_step; }

signals:
    void stepChanged(QuietWire::UploadTransfer::Step step);

private:
    void enter(State state) override;
    bool prepare() override;
    void onReady() override;
    void onMessage(const QCborMap& message) override;
    void onResumeAnswer(const QCborMap& message);
    void setStep(Step step);
    void sendPut(qint64 offset, const QByteArray& prefixHash);
    void pump();

    Step m_step = Step::Idle;
};

/// A download into <local>.part: continues an existing .part after the server checked its hash,
/// takes the data straight off the wire, checks the server's SHA-256, then fsyncs and renames.
class DownloadTransfer final : public FileTransfer
{
    Q_OBJECT

public:
    enum class Step {
        Idle,
        Queued,
        Connecting,
        Requesting, // get sent, waiting for the server's go-ahead
        Receiving, // data flowing
        Finished,
        Failed,
        Cancelled,
    };
    Q_ENUM(Step)

    DownloadTransfer(
        ServiceClient* connection, QString localPath, QString remotePath, bool resume, QObject* parent = nullptr);

    Direction direction() const override { return Direction::Download; }
    State state() const override;
    Step step() const { return m_step; }

signals:
    void stepChanged(QuietWire::DownloadTransfer::Step step);

private:
    void enter(State state) override;
    void onReady() override;
    void onMessage(const QCborMap& message) override;
    bool onRawMessage(const QByteArray& message) override;
    void cleanUp() override;
    void setStep(Step step);
    void sendGet(qint64 offset, const QByteArray& prefixHash);
    void onGoAhead(const QCborMap& message);
    void finish(const QCborMap& end);
    QString partPath() const { return m_localPath + QStringLiteral(".part"); }

    Step m_step = Step::Idle;
    /// This run created or emptied the .part: one that still holds nothing is removed when the run
    /// fails or is cancelled, so nothing is left behind; one holding data stays for a resume.
    bool m_startedPart = false;
};

} // namespace QuietWire
