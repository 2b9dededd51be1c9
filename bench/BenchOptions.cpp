#include "BenchOptions.h"

namespace QuietWire::Bench {

QHostAddress BenchOptions::sourceAddress(int i) const
{
    if (sources <= 1) {
        return QHostAddress(); // let the kernel choose, as every client does
    }
    // 127.0.0.1 .. 127.0.0.250, then 127.0.1.1 .. 127.0.1.250 and on: every address of 127/8 is
    // the loopback interface's, and host parts 0 and 255 are left out.
    const int n = i % qBound(1, sources, 250 * 250);
    return QHostAddress(QStringLiteral("127.0.%1.%2").arg(n / 250).arg(1 + n % 250));
}

qint64 parseSize(const QString& text)
{
    QString t = text.trimmed().toUpper();
    if (t.endsWith(QLatin1String("IB"))) {
        t.chop(2);
    } else if (t.endsWith(QLatin1Char('B'))) {
        t.chop(1);
    }
    qint64 unit = 1;
    if (t.endsWith(QLatin1Char('K'))) {
        unit = qint64(1) << 10;
    } else if (t.endsWith(QLatin1Char('M'))) {
        unit = qint64(1) << 20;
    } else if (t.endsWith(QLatin1Char('G'))) {
        unit = qint64(1) << 30;
    }
    if (unit != 1) {
        t.chop(1);
    }
    bool ok = false;
    const qint64 n = t.toLongLong(&ok);
    return ok && n >= 0 ? n * unit : -1;
}

QString sizeLabel(qint64 bytes)
{
    const char* units[] = { "G", "M", "K" };
    const int shifts[] = { 30, 20, 10 };
    for (int i = 0; i < 3; ++i) {
        const qint64 unit = qint64(1) << shifts[i];
        if (bytes >= unit && bytes % unit == 0) {
            return QString::number(bytes / unit) + QLatin1String(units[i]);
        }
    }
    return QString::number(bytes);
}

} // namespace QuietWire::Bench
