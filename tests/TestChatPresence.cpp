// Presence against the real quietwired (docs/PROTOCOL.md section 7, Version 3): a burst of sessions
// that start and end reaches a version-3 member as a few `presence` messages, not one per session,
// its member list ends right, and nobody's message arrives before their start was told; a version-2
// member of the same chat still gets one `join` and one `leave` per session.

#include "ChatMessages.h"
#include "ChatTestSupport.h"

#include <QTemporaryDir>
#include <QTest>
#include <functional>
#include <vector>

using namespace QuietWire;
using namespace QuietWire::ChatTest;
using namespace QuietWire::ChatProtocol;

namespace {

constexpr int Newcomers = 24;

/// A member's sessions by "name fingerprint", as a client counts them from welcome, join, leave
/// and presence.
using MemberCounts = QHash<QString, int>;

QString keyOf(const Member& member)
{
    return member.name + QLatin1Char(' ') + member.fingerprint;
}

/// Reads the start of a session (welcome ... history_end); its welcome's members counted.
bool readStart(RawChat& chat, MemberCounts* members)
{
    const auto welcome = chat.read();
    if (!welcome) {
        return false;
    }
    const auto decoded = Welcome::decode(*welcome);
    if (!decoded.ok()) {
        return false;
    }
    for (const Member& member : decoded.value.members) {
        ++(*members)[keyOf(member)];
    }
    return chat.next({ QString::fromLatin1(HistoryEnd::Type) }).has_value();
}

} // namespace

class TestChatPresence : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void aBurstOfSessionsIsToldInAFewPresenceMessages();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    Client m_alice;
    Client m_bob;
    QList<Client> m_newcomers;
};

void TestChatPresence::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
    m_alice = makeClient(m_dir->filePath(QStringLiteral("alice")), QStringLiteral("127.0.0.2"));
    m_bob = makeClient(m_dir->filePath(QStringLiteral("bob")), QStringLiteral("127.0.0.3"));
    QStringList allowed { m_alice.keyLine.section(QLatin1Char(' '), 0, 0) + QStringLiteral(" alice"),
        m_bob.keyLine.section(QLatin1Char(' '), 0, 0) + QStringLiteral(" bob") };
    m_newcomers.clear();
    for (int i = 0; i < Newcomers; ++i) {
        const Client client
            = makeClient(m_dir->filePath(QStringLiteral("n%1").arg(i)), QStringLiteral("127.0.1.%1").arg(i + 1));
        QVERIFY(!client.key.isEmpty());
        allowed.append(client.keyLine.section(QLatin1Char(' '), 0, 0) + QStringLiteral(" n%1").arg(i));
        m_newcomers.append(client);
    }
    QVERIFY(!m_alice.key.isEmpty() && !m_bob.key.isEmpty());
    QVERIFY(m_server->start(allowed, {}, 16));
}

void TestChatPresence::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

void TestChatPresence::aBurstOfSessionsIsToldInAFewPresenceMessages()
{
    // alice speaks version 3, bob version 2.
    RawChat alice = joinChat(m_alice, m_server->port, false, Version3);
    QVERIFY(alice.socket);
    MemberCounts aliceSees;
    QVERIFY(readStart(alice, &aliceSees));
    RawChat bob = joinChat(m_bob, m_server->port, false, Version2);
    QVERIFY(bob.socket);
    MemberCounts bobSees;
    QVERIFY(readStart(bob, &bobSees));
    QCOMPARE(bobSees.size(), 1); // alice

    const auto applyPresence = [](const QCborMap& map, MemberCounts& counts) {
        const auto presence = Presence::decode(map);
        QVERIFY2(presence.ok(), qPrintable(presence.ok() ? QString() : presence.error->message));
        QVERIFY(presence.value.joined.size() + presence.value.left.size() <= MembersPerMessage);
        for (const Member& member : presence.value.joined) {
            ++counts[keyOf(member)];
        }
        for (const Member& member : presence.value.left) {
            QVERIFY2(counts.value(keyOf(member)) > 0, qPrintable(member.name));
            --counts[keyOf(member)];
        }
        counts.removeIf([](const auto& entry) { return entry.value() == 0; });
    };
    const auto bobsStart = alice.next({ QString::fromLatin1(Presence::Type) });
    QVERIFY(bobsStart);
    applyPresence(*bobsStart, aliceSees);
    QCOMPARE(aliceSees.size(), 1); // bob

    // The newcomers' sessions are set up first, then each sends its hello and at once a message
    // to general, all in one burst.
    std::vector<RawChat> newcomers;
    for (const Client& client : std::as_const(m_newcomers)) {
        newcomers.push_back(joinChat(client, m_server->port, false, Version3, false));
        QVERIFY(newcomers.back().socket);
    }
    for (int i = 0; i < Newcomers; ++i) {
        newcomers[i].send(Protocol::Hello { QStringLiteral("chat"), Version3 }.toCbor());
        newcomers[i].send(chatMessage(1, QStringLiteral("hello from n%1").arg(i)));
    }

    // alice reads until done(), never a join or leave; her presence messages are counted and applied.
    int presenceMessages = 0;
    const auto aliceReads = [&](const std::function<bool()>& done, const std::function<void(const QCborMap&)>& other) {
        while (!done() && !QTest::currentTestFailed()) {
            const auto message = alice.read();
            QVERIFY(message);
            const QString type = Protocol::typeOf(*message);
            QVERIFY2(type != QLatin1String(Join::Type) && type != QLatin1String(Leave::Type), qPrintable(type));
            if (type == QLatin1String(Presence::Type)) {
                ++presenceMessages;
                applyPresence(*message, aliceSees);
            } else {
                other(*message);
            }
        }
    };

    // alice: every newcomer's start is told before its message, in far fewer messages than there
    // are newcomers, and never as join.
    int said = 0;
    aliceReads([&] { return aliceSees.size() == Newcomers + 1 && said == Newcomers; },
        [&](const QCborMap& message) {
            if (Protocol::typeOf(message) == QLatin1String(Message::Type)) {
                const auto decoded = Message::decode(message);
                QVERIFY(decoded.ok());
                QVERIFY2(aliceSees.value(decoded.value.from + QLatin1Char(' ') + decoded.value.fingerprint) > 0,
                    qPrintable(decoded.value.from + QStringLiteral("'s message came before their start was told")));
                ++said;
            }
        });
    if (QTest::currentTestFailed()) {
        return;
    }
    QCOMPARE(aliceSees.size(), Newcomers + 1); // bob and the newcomers, one session each
    for (auto it = aliceSees.cbegin(); it != aliceSees.cend(); ++it) {
        QVERIFY2(it.value() == 1, qPrintable(it.key()));
    }
    qInfo("%d sessions started: %d presence messages", Newcomers, presenceMessages);
    QVERIFY2(presenceMessages <= Newcomers / 4, qPrintable(QString::number(presenceMessages)));

    // bob (version 2): one join per newcomer, as before.
    int joins = 0;
    while (joins < Newcomers) {
        const auto message = bob.read();
        QVERIFY(message);
        QVERIFY(Protocol::typeOf(*message) != QLatin1String(Presence::Type));
        if (Protocol::typeOf(*message) == QLatin1String(Join::Type)) {
            const auto join = Join::decode(*message);
            QVERIFY(join.ok());
            QVERIFY2(!bobSees.contains(keyOf(join.value.member)), qPrintable(join.value.member.name));
            bobSees.insert(keyOf(join.value.member), 1);
            ++joins;
        }
    }
    QCOMPARE(bobSees.size(), Newcomers + 1);

    // They all leave at once: alice hears it in a few presence messages and is left with bob.
    for (RawChat& newcomer : newcomers) {
        newcomer.socket->abort();
    }
    presenceMessages = 0;
    aliceReads([&] { return aliceSees.size() == 1; }, [](const QCborMap&) {});
    if (QTest::currentTestFailed()) {
        return;
    }
    QVERIFY(aliceSees.cbegin().key().startsWith(QStringLiteral("bob ")));
    qInfo("%d sessions ended: %d presence messages", Newcomers, presenceMessages);
    QVERIFY2(presenceMessages <= Newcomers / 4, qPrintable(QString::number(presenceMessages)));
    int leaves = 0;
    while (leaves < Newcomers) {
        const auto message = bob.read();
        QVERIFY(message);
        if (Protocol::typeOf(*message) == QLatin1String(Leave::Type)) {
            ++leaves;
        }
    }
}

QTEST_GUILESS_MAIN(TestChatPresence)
#include "TestChatPresence.moc"
