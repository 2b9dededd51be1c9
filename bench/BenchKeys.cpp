#include "BenchKeys.h"

#include <QDir>
#include <QFile>

namespace QuietWire::Bench {

QString BenchKeys::name(int index)
{
    return QStringLiteral("b%1").arg(index, 4, 10, QLatin1Char('0'));
}

QString BenchKeys::knownServersPath(const QString& dir)
{
    return QDir(dir).filePath(QStringLiteral("known_servers"));
}

bool BenchKeys::generate(const QString& dir, int count, QString* error)
{
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create %1").arg(dir);
        return false;
    }
    QByteArray authorized = "# quietwire-bench keys: one per simulated client\n";
    for (int i = 0; i < count; ++i) {
        const QString keyDir = QDir(dir).filePath(QStringLiteral("%1").arg(i, 4, 10, QLatin1Char('0')));
        const auto identity = Identity::loadOrCreate(keyDir, name(i) + QStringLiteral("@bench"), error);
        if (!identity) {
            return false;
        }
        authorized += Identity::encodePublicKey(identity->publicKey()).toLatin1() + ' ' + name(i).toLatin1() + '\n';
    }
    QFile file(QDir(dir).filePath(QStringLiteral("authorized_keys")));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(authorized) != authorized.size()) {
        *error = QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    return true;
}

std::optional<QList<Identity>> BenchKeys::load(const QString& dir, int count, QString* error)
{
    QList<Identity> keys;
    for (int i = 0; count <= 0 || i < count; ++i) {
        const QString keyDir = QDir(dir).filePath(QStringLiteral("%1").arg(i, 4, 10, QLatin1Char('0')));
        if (!QFile::exists(QDir(keyDir).filePath(QLatin1String(Identity::PrivateKeyFile)))) {
            if (count <= 0 && i > 0) {
                break;
            }
            *error = QStringLiteral("%1 holds %2 keys, %3 needed (quietwire-bench keygen --count N --keys %1)")
                         .arg(dir)
                         .arg(i)
                         .arg(count);
            return std::nullopt;
        }
        auto identity = Identity::load(keyDir, error);
        if (!identity) {
            return std::nullopt;
        }
        keys.append(*identity);
    }
    return keys;
}

} // namespace QuietWire::Bench
