#pragma once

#include <QHash>
#include <QHostAddress>
#include <QMap>

class QObject;

namespace QuietWire {

/// The table of handshakes in progress on the main port, and who gets a place in it.
///
/// Connections are counted per *source*: an IPv4 address (or its /N network when the server is
/// set up that way), an IPv6 /64, since one host usually owns a whole /64. A source at its limit
/// is refused. When the whole table is full, a newcomer takes the place of
///   1. the oldest connection that has sent nothing yet (a flood of silent connections cannot keep
///      anyone out: a real client sends its first handshake message at once), else
///   2. the oldest connection of the source holding the most places, when that source holds at
///      least two more than the newcomer's,
/// and only when neither exists is the newcomer refused.
///
/// Usage:
///     HandshakeSlots table({64, 8, 32});
///     const auto admission = table.admit(socket, address);
///     if (admission.result != HandshakeSlots::Result::Admitted) { close it; }
///     if (admission.evicted) { abort admission.evicted; }   // already out of the table
///     table.heard(socket);                                  // it sent its first bytes
///     table.remove(socket);                                 // handshake over, either way
class HandshakeSlots
{
public:
    static constexpr int Ipv6PrefixLength = 64;

    struct Limits
    {
        int total = 64;
        int perSource = 8;
        int ipv4PrefixLength = 32; // 1-32: IPv4 addresses in one /N count as one source
    };

    enum class Result {
        Admitted,
        SourceFull, // the newcomer's source already has perSource handshakes in progress
        TableFull, // every place is taken and none may be given up
    };

    struct Admission
    {
        Result result = Result::Admitted;
        QObject* evicted = nullptr; // when admitted in its place: close it
    };

    HandshakeSlots() = default;
    explicit HandshakeSlots(const Limits& limits)
        : m_limits(limits)
    { }

    void setLimits(const Limits& limits) { m_limits = limits; }
    const Limits& limits() const { return m_limits; }

    /// The network address a client address counts under: a.b.c.d masked to the IPv4 prefix (an
    /// IPv4-mapped IPv6 address counts as IPv4), or the IPv6 address masked to /64.
    static QHostAddress sourceOf(const QHostAddress& address, int ipv4PrefixLength);
    /// "a.b.c.0/24", "2001:db8::/64", or just the address for an IPv4 /32.
    static QString describeSource(const QHostAddress& address, int ipv4PrefixLength);

    Admission admit(QObject* connection, const QHostAddress& address);
    /// The connection sent its first bytes: it is no longer silent.
    void heard(QObject* connection);
    void remove(QObject* connection);

    int size() const { return static_cast<int>(m_slots.size()); }
    int countFrom(const QHostAddress& address) const;
    bool contains(QObject* connection) const { return m_slots.contains(connection); }

private:
    struct Slot
    {
        QHostAddress source;
        quint64 order = 0; // admission order: lower is older
        bool silent = true;
    };

    QObject* oldestOf(const QHostAddress& source) const;

    Limits m_limits;
    quint64 m_nextOrder = 0;
    QHash<QObject*, Slot> m_slots;
    QMap<quint64, QObject*> m_silentByAge;
    QHash<QHostAddress, QMap<quint64, QObject*>> m_bySource;
};

} // namespace QuietWire
