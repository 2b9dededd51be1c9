#include "KnownServers.h"

#include "Identity.h"
#include "TextFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QSaveFile>

namespace QuietWire {

namespace {

constexpr qint64 MaxFileSize = 4 * 1024 * 1024;

void setError(QString* error, const QString& message)
{
    if (error) {
        *error = message;
    }
}

} // namespace

KnownServers::KnownServers(QString path)
    : m_path(std::move(path))
{ }

QString KnownServers::hostPort(const QString& host, quint16 port)
{
    // IPv6 literals get brackets so the last ':' always separates the port.
    const QString h = host.contains(QLatin1Char(':')) && !host.startsWith(QLatin1Char('['))
        ? QStringLiteral("[%1]").arg(host)
        : host;
    return QStringLiteral("%1:%2").arg(h.toLower()).arg(port);
}

std::optional<QList<KnownServers::Entry>> KnownServers::parse(
    const QByteArray& text, const QString& fileName, QString* error)
{
    QList<Entry> result;
    const QList<QByteArray> lines = text.split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = QString::fromUtf8(lines.at(i)).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#'))) {
            continue;
        }
        const QStringList fields = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        const auto key = fields.size() == 2 ? Identity::parsePublicKey(fields.at(1)) : std::nullopt;
        if (!key || fields.at(0).lastIndexOf(QLatin1Char(':')) <= 0) {
            setError(error,
                QStringLiteral("%1 line %2: expected `<host>:<port> <base64 key>`; fix or delete the line")
                    .arg(fileName)
                    .arg(i + 1));
            return std::nullopt;
        }
        result.append(Entry { fields.at(0), *key });
    }
    return result;
}

std::optional<QList<KnownServers::Entry>> KnownServers::entries(QString* error) const
{
    const auto text = TextFile::readSmall(m_path, MaxFileSize, error);
    if (!text) {
        return std::nullopt;
    }
    return parse(*text, m_path, error);
}

KnownServers::Status KnownServers::check(
    const QString& hostPort, const QByteArray& key, QByteArray* pinnedKey, QString* error) const
{
    const auto list = entries(error);
    if (!list) {
        // An unreadable pin file must not turn into "unknown, trust on first use".
        if (pinnedKey) {
            pinnedKey->clear();
        }
        return Status::Mismatch;
    }
    for (const Entry& entry : *list) {
        if (entry.hostPort == hostPort) {
            if (entry.key == key) {
                return Status::Known;
            }
            if (pinnedKey) {
                *pinnedKey = entry.key;
            }
            return Status::Mismatch;
        }
    }
    return Status::Unknown;
}

bool KnownServers::add(const QString& hostPort, const QByteArray& key, QString* error)
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QLockFile lock(m_path + QStringLiteral(".lock"));
    if (!TextFile::lockForEdit(lock, m_path, error)) {
        return false;
    }
    auto text = TextFile::readSmall(m_path, MaxFileSize, error);
    if (!text || !parse(*text, m_path, error)) {
        return false;
    }
    if (!text->isEmpty() && !text->endsWith('\n')) {
        text->append('\n');
    }
    text->append(hostPort.toUtf8() + ' ' + Identity::encodePublicKey(key).toLatin1() + '\n');
    return TextFile::writeAtomically(m_path, *text, error);
}

int KnownServers::remove(const QString& hostPort, QString* error)
{
    QLockFile lock(m_path + QStringLiteral(".lock"));
    if (!TextFile::lockForEdit(lock, m_path, error)) {
        return -1;
    }
    const auto text = TextFile::readSmall(m_path, MaxFileSize, error);
    if (!text) {
        return -1;
    }
    QByteArray out;
    int removed = 0;
    const QList<QByteArray> lines = text->split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        const QByteArray trimmed = lines.at(i).trimmed();
        if (!trimmed.startsWith('#') && trimmed.split(' ').value(0) == hostPort.toUtf8()) {
            ++removed;
            continue;
        }
        out += lines.at(i);
        if (i + 1 < lines.size()) {
            out += '\n';
        }
    }
    if (removed == 0) {
        return 0;
    }
    return TextFile::writeAtomically(m_path, out, error) ? removed : -1;
}

} // namespace QuietWire
