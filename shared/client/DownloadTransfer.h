#pragma once

#include "FileTransfer.h"

namespace QuietWire {

/// A download into <local>.part: continues an existing .part after the server checked its hash,
/// takes the data straight off the wire, checks the server's SHA-256, then fsyncs and renames.
///
/// Usage: FileClient::download() makes one; watch the FileTransfer signals, or stepChanged() for
/// the steps below.
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

    DownloadTransfer(ServiceClient* connection, Session session, QString localPath, QString remotePath, bool resume,
        QObject* parent = nullptr);

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
    void finish(const QCborMap& message);
    QString partPath() const { return m_localPath + QStringLiteral(".part"); }

    Step m_step = Step::Idle;
    /// This run created or emptied the .part: one that still holds nothing is removed when the run
    /// fails or is cancelled, so nothing is left behind; one holding data stays for a resume.
    bool m_startedPart = false;
};

} // namespace QuietWire
