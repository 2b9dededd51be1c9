#include "KnownClients.h"

#include "EncryptedTcpSocket.h"
#include "Identity.h"
#include "Logging.h"

#include <QFile>
#include <QSaveFile>

namespace QuietWire {

KnownClients::KnownClients(const QString& path, QObject* parent)
    : QObject(parent)
    , m_path(path)
{
    m_saveTimer.setSingleShot(true);
    m_saveTimer.setInterval(1000);
    connect(&m_saveTimer, &QTimer::timeout, this, [this] {
        QString error;
        if (!save(&error)) {
            qCWarning(lcServer).noquote() << error;
        }
    });

    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly)) {
        return;
    }
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine(4096).trimmed();
        ++lineNumber;
        if (line.isEmpty() || line.startsWith('#')) {
            continue;
        }
        const QList<QByteArray> fields = line.split(' ');
        const auto key = fields.size() == 4 ? Identity::parsePublicKey(QString::fromLatin1(fields.at(1)))
                                            : std::nullopt;
        const QDateTime first = fields.size() == 4 ? QDateTime::fromString(QString::fromLatin1(fields.at(2)), Qt::ISODate)
                                                   : QDateTime();
        const QDateTime last = fields.size() == 4 ? QDateTime::fromString(QString::fromLatin1(fields.at(3)), Qt::ISODate)
                                                  : QDateTime();
        if (!key || QHostAddress(QString::fromLatin1(fields.at(0))).isNull() || !first.isValid() || !last.isValid()) {
            // A history file, not a security decision: skip the line, keep the rest.
            qCWarning(lcServer).noquote() << m_path << "line" << lineNumber << "is malformed and was skipped";
            continue;
        }
        m_entries.append({QString::fromLatin1(fields.at(0)), *key, first, last});
    }
}

KnownClients::~KnownClients()
{
    if (m_saveTimer.isActive()) {
        save();
    }
}

void KnownClients::record(const QHostAddress& address, const QByteArray& key)
{
    // ::ffff:a.b.c.d and a.b.c.d are one client.
    const QString ip = EncryptedTcpSocket::plainAddress(address).toString();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QStringList otherKeys;
    for (Entry& entry : m_entries) {
        if (entry.address != ip) {
            continue;
        }
        if (entry.key == key) {
            entry.lastSeen = now;
            m_saveTimer.start();
            return;
        }
        otherKeys.append(Identity::fingerprint(entry.key));
    }
    if (!otherKeys.isEmpty()) {
        qCInfo(lcAuth).noquote() << "notice: client" << ip << "presented a new key" << Identity::fingerprint(key)
                                 << "- it presented" << otherKeys.join(QStringLiteral(", ")) << "before";
    }
    m_entries.append({ip, key, now, now});
    m_saveTimer.start();
}

bool KnownClients::save(QString* error)
{
    m_saveTimer.stop();
    QByteArray text = "# QuietWire known clients: <ip> <key> <first seen> <last seen>\n";
    for (const Entry& entry : std::as_const(m_entries)) {
        text += entry.address.toLatin1() + ' ' + Identity::encodePublicKey(entry.key).toLatin1() + ' '
            + entry.firstSeen.toString(Qt::ISODate).toLatin1() + ' ' + entry.lastSeen.toString(Qt::ISODate).toLatin1()
            + '\n';
    }
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        if (error) {
            *error = QStringLiteral("Cannot write %1: %2").arg(m_path, file.errorString());
        }
        return false;
    }
    return true;
}

} // namespace QuietWire
