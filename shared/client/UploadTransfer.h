#pragma once

#include "FileTransfer.h"

namespace QuietWire {

/// An upload: asks how much partial data the server holds (request "partial"; "stat P.part" on a
/// server older than that), proves it is the start of the local file, then sends the rest in
/// chunks and checks the server's SHA-256.
///
/// Usage: FileClient::upload() makes one; watch the FileTransfer signals, or stepChanged() for the
/// steps below (TestFileTransfer does).
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

    UploadTransfer(ServiceClient* connection, Session session, QString localPath, QString remotePath, bool resume,
        QObject* parent = nullptr);

    Direction direction() const override { return Direction::Upload; }
    /// false: the server refuses the upload (ErrorCode::Exists) where a file of that name is, at the
    /// start or when it ends; set before the transfer starts. Default true: it replaces the file.
    void setReplaceExisting(bool replace) { m_replace = replace; }
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
    bool m_replace = true;
};

} // namespace QuietWire
