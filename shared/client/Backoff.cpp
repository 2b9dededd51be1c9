#include "Backoff.h"

#include <QRandomGenerator>
#include <cmath>

namespace QuietWire {

int Backoff::baseDelayMs() const
{
    // Doubling stops at max; the shift is bounded so it cannot overflow after many attempts.
    qint64 delay = m_schedule.firstMs;
    for (int i = 0; i < m_attempts && delay < m_schedule.maxMs; ++i) {
        delay *= 2;
    }
    return static_cast<int>(qMin<qint64>(delay, m_schedule.maxMs));
}

int Backoff::nextDelayMs(Cause cause)
{
    const bool load = cause == Cause::LoadRefusal;
    const int base = load ? qMin(baseDelayMs(), qMax(m_schedule.firstMs, m_schedule.loadMaxMs)) : baseDelayMs();
    ++m_attempts;
    const double spread = qBound(0.0, load ? m_schedule.loadJitter : m_schedule.jitter, 1.0);
    // Uniform in [base * (1 - spread), base * (1 + spread)].
    const double factor = 1.0 + spread * (2.0 * QRandomGenerator::global()->generateDouble() - 1.0);
    return qMax(1, static_cast<int>(std::lround(base * factor)));
}

} // namespace QuietWire
