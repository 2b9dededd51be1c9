#pragma once

#include <QObject>

class QSocketNotifier;

namespace QuietWire {

/// SIGINT, SIGTERM and SIGHUP turned into Qt signals on the event loop (a signal handler may do
/// next to nothing, so it writes the signal's number into a socket pair the loop watches). Also
/// ignores SIGPIPE (a peer gone while we write is an error return, not a death) and SIGXFSZ (past
/// a file size limit the write fails, as for a full disk). One per process.
///
/// Usage:
///     SignalHandler signals;
///     connect(&signals, &SignalHandler::stopRequested, &app, &QCoreApplication::quit);
///     connect(&signals, &SignalHandler::reloadRequested, ...);
///     signals.install();
class SignalHandler : public QObject
{
    Q_OBJECT

public:
    explicit SignalHandler(QObject* parent = nullptr);
    ~SignalHandler() override;

    /// Installs the handlers; false (and SIGPIPE/SIGXFSZ ignored all the same) when the socket
    /// pair cannot be made, in which case the default actions stay.
    bool install();

signals:
    /// SIGHUP.
    void reloadRequested();
    /// SIGINT or SIGTERM.
    void stopRequested();

private:
    void onReadable();

    QSocketNotifier* m_notifier = nullptr;
};

} // namespace QuietWire
