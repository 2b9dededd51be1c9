#include "LogThrottle.h"

namespace QuietWire {

LogThrottle::LogThrottle(const QLoggingCategory& category, QString kind, int burst, int windowMs)
    : m_category(category)
    , m_kind(std::move(kind))
    , m_burst(qMax(1, burst))
    , m_windowMs(qMax(1, windowMs))
{
    m_summary.setSingleShot(true);
    m_summary.setTimerType(Qt::PreciseTimer);
    QObject::connect(&m_summary, &QTimer::timeout, &m_summary, [this] { flush(); });
}

LogThrottle::~LogThrottle()
{
    flush();
}

bool LogThrottle::admit()
{
    if (!m_window.isValid() || m_window.elapsed() >= m_windowMs) {
        flush();
        m_window.start();
        m_admitted = 0;
    }
    if (m_admitted < m_burst) {
        ++m_admitted;
        return true;
    }
    if (m_suppressed++ == 0) {
        m_summary.start(static_cast<int>(qMax<qint64>(0, m_windowMs - m_window.elapsed())));
    }
    return false;
}

void LogThrottle::flush()
{
    m_summary.stop();
    if (m_suppressed == 0) {
        return;
    }
    if (m_category.isInfoEnabled()) {
        QMessageLogger().info(m_category).noquote() << m_suppressed << "more" << m_kind << "line(s) suppressed (at most"
                                                    << m_burst << "per" << m_windowMs / 1000.0 << "s are written)";
    }
    m_suppressed = 0;
}

} // namespace QuietWire
