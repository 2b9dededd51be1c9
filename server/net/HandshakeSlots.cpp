#include "HandshakeSlots.h"

namespace QuietWire {

QHostAddress HandshakeSlots::sourceOf(const QHostAddress& address, int ipv4PrefixLength)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4) {
        const int bits = qBound(0, ipv4PrefixLength, 32);
        const quint32 mask = bits == 0 ? 0 : ~quint32(0) << (32 - bits);
        return QHostAddress(v4 & mask);
    }
    Q_IPV6ADDR v6 = address.toIPv6Address();
    for (int i = Ipv6PrefixLength / 8; i < 16; ++i) {
        v6[i] = 0;
    }
    return QHostAddress(v6);
}

QString HandshakeSlots::describeSource(const QHostAddress& address, int ipv4PrefixLength)
{
    const QHostAddress source = sourceOf(address, ipv4PrefixLength);
    if (source.protocol() == QAbstractSocket::IPv4Protocol) {
        return ipv4PrefixLength >= 32 ? source.toString()
                                      : QStringLiteral("%1/%2").arg(source.toString()).arg(ipv4PrefixLength);
    }
    return QStringLiteral("%1/%2").arg(source.toString()).arg(Ipv6PrefixLength);
}

int HandshakeSlots::countFrom(const QHostAddress& address) const
{
    const auto it = m_bySource.constFind(sourceOf(address, m_limits.ipv4PrefixLength));
    return it == m_bySource.cend() ? 0 : static_cast<int>(it->size());
}

QObject* HandshakeSlots::oldestOf(const QHostAddress& source) const
{
    const auto it = m_bySource.constFind(source);
    return it == m_bySource.cend() || it->isEmpty() ? nullptr : it->first();
}

HandshakeSlots::Admission HandshakeSlots::admit(QObject* connection, const QHostAddress& address)
{
    const QHostAddress source = sourceOf(address, m_limits.ipv4PrefixLength);
    const int fromSource = static_cast<int>(m_bySource.value(source).size());
    if (fromSource >= m_limits.perSource) {
        return { Result::SourceFull, nullptr };
    }
    Admission admission;
    if (size() >= m_limits.total) {
        if (!m_silentByAge.isEmpty()) {
            admission.evicted = m_silentByAge.first();
        } else {
            // No silent one: the busiest source gives up its oldest, if it holds more than its share.
            const QHostAddress* busiest = nullptr;
            qsizetype most = 0;
            for (auto it = m_bySource.cbegin(); it != m_bySource.cend(); ++it) {
                if (it->size() > most) {
                    most = it->size();
                    busiest = &it.key();
                }
            }
            if (busiest && most >= fromSource + 2) {
                admission.evicted = oldestOf(*busiest);
            }
        }
        if (!admission.evicted) {
            return { Result::TableFull, nullptr };
        }
        remove(admission.evicted);
    }
    Slot slot;
    slot.source = source;
    slot.order = m_nextOrder++;
    m_slots.insert(connection, slot);
    m_silentByAge.insert(slot.order, connection);
    m_bySource[source].insert(slot.order, connection);
    return admission;
}

void HandshakeSlots::heard(QObject* connection)
{
    const auto it = m_slots.find(connection);
    if (it == m_slots.end() || !it->silent) {
        return;
    }
    it->silent = false;
    m_silentByAge.remove(it->order);
}

void HandshakeSlots::remove(QObject* connection)
{
    const auto it = m_slots.find(connection);
    if (it == m_slots.end()) {
        return;
    }
    m_silentByAge.remove(it->order);
    const auto source = m_bySource.find(it->source);
    if (source != m_bySource.end()) {
        source->remove(it->order);
        if (source->isEmpty()) {
            m_bySource.erase(source);
        }
    }
    m_slots.erase(it);
}

} // namespace QuietWire
