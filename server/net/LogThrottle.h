#pragma once

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QString>
#include <QTimer>

namespace QuietWire {

/// Keeps a kind of log line that a peer can cause as often as it likes (a refused key, a wrong
/// ticket, a dropped handshake) from filling the disk: lets `burst` lines through per window,
/// counts the rest, and at the end of the window writes one line saying how many were left out.
/// The log then grows by at most burst + 1 lines of that kind per window, whatever the peer does.
///
/// Usage:
///     LogThrottle m_refusals {lcAuth(), QStringLiteral("refused-key")};
///     if (m_refusals.admit()) {
///         qCInfo(lcAuth).noquote() << "refused" << ...;
///     }
class LogThrottle
{
public:
    static constexpr int DefaultBurst = 20;
    static constexpr int DefaultWindowMs = 60000;

    LogThrottle(
        const QLoggingCategory& category, QString kind, int burst = DefaultBurst, int windowMs = DefaultWindowMs);
    ~LogThrottle();
    Q_DISABLE_COPY_MOVE(LogThrottle)

    /// True: write the line. False: it was counted, and the count is logged when the window ends.
    bool admit();
    /// Lines left out in the current window so far.
    qint64 suppressed() const { return m_suppressed; }

private:
    void flush();

    const QLoggingCategory& m_category;
    QString m_kind;
    int m_burst;
    int m_windowMs;
    QElapsedTimer m_window;
    int m_admitted = 0;
    qint64 m_suppressed = 0;
    QTimer m_summary;
};

} // namespace QuietWire
