#include "Report.h"

#include <QFile>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sys/resource.h>

namespace QuietWire::Bench {

Report::Report(const QString& record)
{
    m_fields.append(record);
}

Report& Report::add(const QString& key, const QString& value)
{
    QString clean = value;
    clean.replace(QLatin1Char(' '), QLatin1Char('_'));
    m_fields.append(key + QLatin1Char('=') + clean);
    return *this;
}

Report& Report::add(const QString& key, qint64 value)
{
    return add(key, QString::number(value));
}

Report& Report::add(const QString& key, double value, int decimals)
{
    return add(key, QString::number(value, 'f', decimals));
}

void Report::print()
{
    const QByteArray line = m_fields.join(QLatin1Char(' ')).toUtf8() + '\n';
    std::fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stdout);
    std::fflush(stdout);
}

void note(const QString& text)
{
    const QByteArray line = "quietwire-bench: " + text.toUtf8() + '\n';
    std::fwrite(line.constData(), 1, static_cast<size_t>(line.size()), stderr);
    std::fflush(stderr);
}

Stats::Stats(QList<double> values)
    : m_sorted(std::move(values))
{
    std::sort(m_sorted.begin(), m_sorted.end());
}

double Stats::min() const
{
    return m_sorted.isEmpty() ? 0.0 : m_sorted.first();
}

double Stats::max() const
{
    return m_sorted.isEmpty() ? 0.0 : m_sorted.last();
}

double Stats::percentile(double p) const
{
    if (m_sorted.isEmpty()) {
        return 0.0;
    }
    if (p == 50 && m_sorted.size() % 2 == 0) {
        const qsizetype i = m_sorted.size() / 2;
        return (m_sorted.at(i - 1) + m_sorted.at(i)) / 2;
    }
    const auto rank = static_cast<qsizetype>(std::ceil(p / 100.0 * static_cast<double>(m_sorted.size())));
    return m_sorted.at(qBound<qsizetype>(0, rank - 1, m_sorted.size() - 1));
}

double Stats::mean() const
{
    double sum = 0;
    for (const double v : m_sorted) {
        sum += v;
    }
    return m_sorted.isEmpty() ? 0.0 : sum / static_cast<double>(m_sorted.size());
}

double cpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds
        = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

qint64 selfStatusKiB(const char* field)
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray& line : file.readAll().split('\n')) {
        if (line.startsWith(prefix)) {
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
        }
    }
    return -1;
}

} // namespace QuietWire::Bench
