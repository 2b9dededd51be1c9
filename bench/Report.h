#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace QuietWire::Bench {

/// One machine-readable line on stdout: `<record> key=value key=value ...`, which bench/run.sh
/// reads with awk. Values never contain spaces.
class Report
{
public:
    explicit Report(const QString& record);
    Report& add(const QString& key, const QString& value);
    Report& add(const QString& key, qint64 value);
    Report& add(const QString& key, int value) { return add(key, static_cast<qint64>(value)); }
    Report& add(const QString& key, double value, int decimals = 3);
    /// Prints the line and flushes stdout (the script may be waiting for it).
    void print();

private:
    QStringList m_fields;
};

/// A progress or error note for a person, on stderr.
void note(const QString& text);

/// Median, minimum, maximum and percentiles of a sample.
class Stats
{
public:
    explicit Stats(QList<double> values);
    bool isEmpty() const { return m_sorted.isEmpty(); }
    qsizetype count() const { return m_sorted.size(); }
    double min() const;
    double max() const;
    double median() const { return percentile(50); }
    /// Nearest-rank percentile (p in 0..100).
    double percentile(double p) const;
    double mean() const;

private:
    QList<double> m_sorted;
};

/// User plus system CPU time this process has used so far, in seconds (getrusage).
double cpuSeconds();

/// Resident memory of this process from /proc/self/status (VmRSS or VmHWM), in KiB.
qint64 selfStatusKiB(const char* field);

} // namespace QuietWire::Bench
