#pragma once

#include "ErrorCode.h"
#include "ServiceClient.h"
#include "Sha256.h"

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <functional>
#include <memory>
#include <optional>

namespace QuietWire {

class PrefixHasher;

/// One upload or download over its own fresh session of the "files" service (a new
/// handshake, so its session keys are its own). FileClient creates these (an UploadTransfer or
/// a DownloadTransfer, each in its own file); the GUI and the CLI watch the signals of this base
/// class.
///
/// Usage: FileClient::upload()/download() return one, queued; it starts by itself. Watch
/// progress(done, total), then finished() or failed(failure); ended() comes after either
/// (and after cancel()). stateChanged() reports every move of state(). A failure's code is the
/// server's (FileProtocol::Failed), ErrorCode::ConnectionLost when the session could not be set
/// up or broke, or ErrorCode::LocalFile when a file on this machine could not be read or written.
///
/// Upload: the server keeps the partial data where no path reaches it and moves it into place
/// only after the whole-file SHA-256 matches. Download: the data goes to <local>.part, renamed into
/// place after the server's SHA-256 matches. With resume set, an existing .part on the receiving side is
/// continued after its hash is checked against the sender's first bytes; when they differ the
/// transfer starts over from the beginning.
///
/// A transfer normally owns its session (Session::Own): it connects it, and closes it at the end. TreeTransfer lends
/// one instead (Session::Borrowed, FileClient::uploadOn()/downloadOn()): a session that is already up, on which
/// transfers run one after another (the server allows one at a time per session); the transfer neither connects it
/// nor closes it, and leaves it usable after finishing or after a refusal the server answered.
///
/// FileIo does the low-level file work of both subclasses (prefix hashing, fsync-and-rename, the
/// chunked send loop), as it does the server's.
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
    /// Whose session the transfer runs on (see above).
    enum class Session { Own, Borrowed };

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
    /// Why the transfer failed (ErrorCode::None while it has not).
    Failure failure() const { return m_failure; }
    ErrorCode errorCode() const { return m_failure.code; }
    QString errorString() const { return m_failure.message; }
    ServiceClient* connection() const { return m_connection; }
    /// A failed set-up of session is worth another try soon: a server at its handshake limit closes new
    /// connections at once, and one with no free session port says busy.
    static bool worthRetrying(const ServiceClient& session);

signals:
    void stateChanged(QuietWire::FileTransfer::State state);
    void progress(qint64 done, qint64 total);
    void finished();
    void failed(const QuietWire::Failure& failure);
    /// Finished, failed or cancelled: its slot in the queue is free.
    void ended();

protected:
    FileTransfer(ServiceClient* connection, Session session, QString localPath, QString remotePath, bool resume,
        QObject* parent = nullptr);

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

    void fail(ErrorCode code, const QString& message);
    /// A failure the server answered, as FileProtocol::Failed::decode() gave it.
    void failWith(const QCborMap& failed);
    /// The subclass's last step is done: closes the session and reports it.
    void succeed();
    /// Starts over from byte 0 on a fresh session (once: a second mismatch is an error).
    void restartFromZero();
    /// The prefix's SHA-256, or an empty one and why it could not be read.
    using PrefixHashed = std::function<void(const QByteArray& prefixHash, const QString& error)>;
    /// Hashes the first length bytes of m_file into m_hash on a worker thread (PrefixHasher), the
    /// event loop running meanwhile; then leaves the file at length and calls then. Not called
    /// when the transfer failed or was cancelled in between.
    void hashLocalPrefix(qint64 length, PrefixHashed then);
    /// Emits stateChanged() when a step change moved state() (call after every step change).
    void reportState(State before);

    /// What both transfers' Step enums share: their steps Idle, Queued, Connecting, Finished,
    /// Failed and Cancelled are the states of those names; every other step (the direction's
    /// own) is Running.
    template <typename Step>
    static State stateOfStep(Step step)
    {
        switch (step) {
        case Step::Idle:
            return State::Idle;
        case Step::Queued:
            return State::Queued;
        case Step::Connecting:
            return State::Connecting;
        case Step::Finished:
            return State::Finished;
        case Step::Failed:
            return State::Failed;
        case Step::Cancelled:
            return State::Cancelled;
        default:
            return State::Running;
        }
    }
    /// The step that enters state; nullopt for Running, whose steps each transfer picks itself.
    template <typename Step>
    static std::optional<Step> stepOfState(State state)
    {
        switch (state) {
        case State::Idle:
            return Step::Idle;
        case State::Queued:
            return Step::Queued;
        case State::Connecting:
            return Step::Connecting;
        case State::Running:
            return std::nullopt;
        case State::Finished:
            return Step::Finished;
        case State::Failed:
            return Step::Failed;
        case State::Cancelled:
            return Step::Cancelled;
        }
        return std::nullopt;
    }

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
    void stopHashing();
    /// A borrowed session is given back: no more of its signals or data come here.
    void release();

    Session m_session;
    /// The borrowed session, while this transfer holds it (it may end before the transfer).
    QPointer<ServiceClient> m_borrowed;
    /// fail() leaves a borrowed session open: the server answered, so nothing of this transfer is in flight.
    bool m_sessionClean = false;
    QString m_host;
    quint16 m_port = 0;
    static constexpr int MaxConnectAttempts = 6;
    int m_connectAttempts = 0;
    QElapsedTimer m_clock;
    Failure m_failure;
    /// The resume's prefix hash while it runs (created on first use).
    QPointer<PrefixHasher> m_prefixHasher;
};

} // namespace QuietWire
