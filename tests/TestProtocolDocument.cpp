// docs/PROTOCOL.md is the contract. This test reads the document itself and checks, against the
// real quietwired, that every error code and message type it lists is produced (or accepted) as
// it says, with the fields and field types its tables give. A code or type added to the
// document without a way to produce it here fails the test, and so does a code the server
// produces that the document does not list.

#include "Identity.h"
#include "Protocol.h"
#include "ProtocolDocument.h"
#include "RawClient.h"
#include "ServerProcess.h"
#include "Sha256.h"

#include <QCborArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <functional>

using namespace QuietWire;

namespace {

const QHostAddress Localhost(QStringLiteral("127.0.0.1"));

// The document's one parser (tests/ProtocolDocument.h), under the short names this test uses.
using ProtocolDocument::quoted;
using ProtocolDocument::section;
using ProtocolDocument::table;

/// One field as a table describes it: "`to` text *optional*".
struct FieldSpec
{
    QString type;
    bool optional = false;
};

QHash<QString, FieldSpec> fieldSpecs(const QString& cell)
{
    QHash<QString, FieldSpec> fields;
    static const QRegularExpression pattern(
        QStringLiteral("`([a-z_0-9]+)` (text|uint|bytes|bool|array|map)\\b( \\*optional\\*)?"));
    for (auto it = pattern.globalMatch(cell); it.hasNext();) {
        const auto match = it.next();
        fields.insert(match.captured(1), { match.captured(2), !match.captured(3).isEmpty() });
    }
    return fields;
}

bool hasType(const QCborValue& value, const QString& type)
{
    if (type == QLatin1String("text")) {
        return value.isString();
    }
    if (type == QLatin1String("uint")) {
        return value.isInteger() && value.toInteger() >= 0;
    }
    if (type == QLatin1String("bytes")) {
        return value.isByteArray();
    }
    if (type == QLatin1String("bool")) {
        return value.isBool();
    }
    if (type == QLatin1String("array")) {
        return value.isArray();
    }
    return type == QLatin1String("map") && value.isMap();
}

/// What is wrong with message against the fields the document gives its type; empty if nothing.
QStringList checkFields(const QCborMap& message, const QHash<QString, FieldSpec>& specs)
{
    QStringList problems;
    for (auto it = specs.begin(); it != specs.end(); ++it) {
        const QCborValue value = message.value(it.key());
        if (!message.contains(it.key())) {
            if (!it->optional) {
                problems.append(QStringLiteral("`%1` is missing").arg(it.key()));
            }
        } else if (!hasType(value, it->type)) {
            problems.append(QStringLiteral("`%1` is not %2").arg(it.key(), it->type));
        }
    }
    return problems;
}

Noise::KeyPair newKey()
{
    auto pair = Noise::X25519::generate();
    Q_ASSERT(pair);
    return *pair;
}

/// A session written from the document (tests/RawClient.h): handshake, ticket, hello.
class Peer
{
public:
    explicit Peer(const Noise::KeyPair& key)
        : m_raw(key)
    { }

    /// The server's answer on the main port (session or error), and on success the session port
    /// connection with the hello sent. Empty if the server did not answer at all.
    std::optional<QCborMap> open(quint16 port, const QString& service)
    {
        if (!m_raw.handshake(Localhost, Localhost, port)) {
            return std::nullopt;
        }
        auto first = m_raw.readMainMessage();
        if (!first || Protocol::typeOf(*first) != QLatin1String("session")) {
            return first;
        }
        m_socket
            = m_raw.redeem(Localhost, Localhost, static_cast<quint16>(first->value(QStringLiteral("port")).toInteger()),
                first->value(QStringLiteral("ticket")).toByteArray());
        if (!m_socket) {
            return std::nullopt;
        }
        if (!service.isNull()) {
            send(Protocol::Hello { service }.toCbor());
        }
        return first;
    }

    void send(const QCborMap& message) { m_socket->write(m_raw.encryptFrame(message)); }
    void sendPlaintext(const QByteArray& plaintext)
    {
        QByteArray ciphertext;
        QVERIFY(m_raw.send.encryptWithAd({}, plaintext, ciphertext));
        m_socket->write(RawClient::frame(ciphertext));
    }
    std::optional<QCborMap> read(int timeoutMs = 10000)
    {
        const auto data = RawClient::readFrame(*m_socket, timeoutMs);
        QByteArray plaintext;
        if (!data || !m_raw.receive.decryptWithAd({}, *data, plaintext)) {
            return std::nullopt;
        }
        return Protocol::decode(plaintext);
    }
    /// Reads until a message of `type` arrives, handing every message on the way to `seen`.
    std::optional<QCborMap> readUntil(const QString& type, const std::function<void(const QCborMap&)>& seen = {})
    {
        for (int i = 0; i < 1000; ++i) {
            auto message = read();
            if (!message) {
                return std::nullopt;
            }
            if (seen) {
                seen(*message);
            }
            if (Protocol::typeOf(*message) == type) {
                return message;
            }
        }
        return std::nullopt;
    }
    bool closed() { return RawClient::waitClosed(*m_socket); }

private:
    RawClient m_raw;
    std::unique_ptr<QTcpSocket> m_socket;
};

} // namespace

class TestProtocolDocument : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void documentHasTheTables();
    void everyFatalCodeInTheCodeIsDocumented();
    void fatalErrorCodes_data();
    void fatalErrorCodes();
    void sessionMessageAsDocumented();
    void chatServerMessagesAsDocumented();
    void chatRejectionCodes_data();
    void chatRejectionCodes();
    void fileFailureCodes_data();
    void fileFailureCodes();
    void fileRequests_data();
    void fileRequests();
    void fileTransfersAsDocumented();
    void fileDataWithTrailingBytesIsRefused();

private:
    struct Member
    {
        Noise::KeyPair key;
        QString name;
    };
    Member allowed(const QString& name);
    bool startServer(const QStringList& options = {}, int poolSize = 8);

    QString m_document;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    QStringList m_allowed;
};

void TestProtocolDocument::init()
{
    m_document = ProtocolDocument::text();
    QVERIFY2(!m_document.isEmpty(), "docs/PROTOCOL.md cannot be read");
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("data")));
    m_allowed.clear();
}

void TestProtocolDocument::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

TestProtocolDocument::Member TestProtocolDocument::allowed(const QString& name)
{
    Member member { newKey(), name };
    m_allowed.append(Identity::encodePublicKey(member.key.publicKey) + QLatin1Char(' ') + name);
    return member;
}

bool TestProtocolDocument::startServer(const QStringList& options, int poolSize)
{
    return m_server->start(m_allowed, options, poolSize);
}

void TestProtocolDocument::documentHasTheTables()
{
    // The parser must find what the other tests check, or they would check nothing.
    QVERIFY(table(section(m_document, QStringLiteral("## 4.")), QStringLiteral("code")).size() >= 8);
    QVERIFY(table(section(m_document, QStringLiteral("## 7.")), QStringLiteral("type")).size() >= 8);
    QVERIFY(table(section(m_document, QStringLiteral("## 7.")), QStringLiteral("type"), 1).size() >= 1);
    QVERIFY(table(section(m_document, QStringLiteral("## 7.")), QStringLiteral("case")).size() >= 4);
    QCOMPARE(quoted(QStringLiteral("| `join` / `leave` | x |")),
        QStringList({ QStringLiteral("join"), QStringLiteral("leave") }));
    const auto specs = fieldSpecs(QStringLiteral("`id` uint, `to` text *optional* (a name), `ticket` bytes"));
    QCOMPARE(specs.size(), 3);
    QVERIFY(specs.value(QStringLiteral("to")).optional);
    QVERIFY(!specs.value(QStringLiteral("id")).optional);
    QCOMPARE(specs.value(QStringLiteral("ticket")).type, QStringLiteral("bytes"));
}

void TestProtocolDocument::everyFatalCodeInTheCodeIsDocumented()
{
    // The other direction: a code the server can send must be in section 4's table.
    QStringList documented;
    for (const QStringList& row : table(section(m_document, QStringLiteral("## 4.")), QStringLiteral("code"))) {
        documented += quoted(row.value(0));
    }
    const ErrorCode codes[]
        = { ErrorCode::Unauthorized, ErrorCode::Busy, ErrorCode::BadRequest, ErrorCode::UnknownService,
              ErrorCode::Revoked, ErrorCode::Kicked, ErrorCode::Shutdown, ErrorCode::TooManySessions };
    for (const ErrorCode code : codes) {
        QVERIFY2(documented.contains(wireName(code)), qPrintable(wireName(code)));
    }
}

void TestProtocolDocument::fatalErrorCodes_data()
{
    QTest::addColumn<QString>("code");
    for (const QStringList& row :
        table(section(ProtocolDocument::text(), QStringLiteral("## 4.")), QStringLiteral("code"))) {
        for (const QString& code : quoted(row.value(0))) {
            QTest::newRow(qPrintable(code)) << code;
        }
    }
}

void TestProtocolDocument::fatalErrorCodes()
{
    QFETCH(QString, code);
    // Each documented fatal error, brought about the way the document says it happens.
    const Member alice = allowed(QStringLiteral("alice"));
    const Member bob = allowed(QStringLiteral("bob"));
    QStringList options { QStringLiteral("--max-sessions-per-key"), QStringLiteral("1") };
    const int poolSize = code == QLatin1String("busy") ? 1 : 8;
    QVERIFY(startServer(options, poolSize));

    std::optional<QCborMap> error;
    Peer peer(alice.key);
    if (code == QLatin1String("unauthorized")) {
        Peer stranger(newKey());
        error = stranger.open(m_server->port, QStringLiteral("chat"));
    } else if (code == QLatin1String("busy")) {
        // The only session port is reserved by a ticket not yet redeemed.
        RawClient holder(bob.key);
        QVERIFY(holder.handshake(Localhost, Localhost, m_server->port));
        const auto held = holder.readMainMessage();
        QVERIFY(held && Protocol::typeOf(*held) == QLatin1String("session"));
        error = peer.open(m_server->port, QStringLiteral("chat"));
    } else if (code == QLatin1String("bad_request")) {
        QVERIFY(peer.open(m_server->port, QString()));
        peer.sendPlaintext(QByteArray("\xff\x00", 2)); // not CBOR
        error = peer.read();
    } else if (code == QLatin1String("unknown_service")) {
        QVERIFY(peer.open(m_server->port, QStringLiteral("telnet")));
        error = peer.read();
    } else if (code == QLatin1String("revoked") || code == QLatin1String("kicked")
        || code == QLatin1String("shutdown")) {
        QVERIFY(peer.open(m_server->port, QStringLiteral("chat")));
        QVERIFY(peer.readUntil(QStringLiteral("history_end")));
        if (code == QLatin1String("revoked")) {
            QVERIFY(!m_server->command(QStringLiteral("revoke alice"), QStringLiteral("revoked")).isEmpty());
        } else if (code == QLatin1String("kicked")) {
            const QString sessions = m_server->command(QStringLiteral("sessions"), QStringLiteral("alice"));
            const QString id = sessions.trimmed().section(QLatin1Char(' '), 0, 0, QString::SectionSkipEmpty);
            QVERIFY(!m_server->command(QStringLiteral("kick ") + id, QStringLiteral("kicked")).isEmpty());
        } else {
            m_server->process()->terminate();
        }
        error = peer.readUntil(QStringLiteral("error"));
    } else if (code == QLatin1String("too_many_sessions")) {
        QVERIFY(peer.open(m_server->port, QStringLiteral("chat")));
        QVERIFY(peer.readUntil(QStringLiteral("history_end")));
        Peer second(alice.key);
        error = second.open(m_server->port, QStringLiteral("chat"));
    } else {
        QFAIL(qPrintable(QStringLiteral("docs/PROTOCOL.md section 4 lists the fatal error `%1`, and this test does not "
                                        "know how to bring it about: add it here")
                             .arg(code)));
    }
    QVERIFY2(error.has_value(), "no message from the server");
    QCOMPARE(Protocol::typeOf(*error), QStringLiteral("error"));
    QCOMPARE(error->value(QStringLiteral("code")).toString(), code);
    QVERIFY(error->value(QStringLiteral("message")).isString());
    QVERIFY(!error->value(QStringLiteral("message")).toString().isEmpty());
}

void TestProtocolDocument::sessionMessageAsDocumented()
{
    // Section 5's code block: {"type": "session", "port": <uint>, "ticket": <byte string, 16
    // random bytes>, "ports": [<first>, <last>], "keepalive": <uint, milliseconds>}
    const QString text = section(m_document, QStringLiteral("## 5.")).join(QLatin1Char('\n'));
    QVERIFY2(text.contains(
                 QLatin1String("{\"type\": \"session\", \"port\": <uint>, \"ticket\": <byte string, 16 random bytes>")),
        "section 5 no longer shows the session message as this test expects; update both");
    const Member alice = allowed(QStringLiteral("alice"));
    QVERIFY(startServer());
    RawClient raw(alice.key);
    QVERIFY(raw.handshake(Localhost, Localhost, m_server->port));
    const auto session = raw.readMainMessage();
    QVERIFY(session);
    QCOMPARE(Protocol::typeOf(*session), QStringLiteral("session"));
    QVERIFY(hasType(session->value(QStringLiteral("port")), QStringLiteral("uint")));
    QVERIFY(session->value(QStringLiteral("ticket")).isByteArray());
    QCOMPARE(session->value(QStringLiteral("ticket")).toByteArray().size(), Protocol::TicketSize);
    const QCborArray ports = session->value(QStringLiteral("ports")).toArray();
    QCOMPARE(ports.size(), 2);
    QCOMPARE(ports.at(0).toInteger(), m_server->sessionPortFirst);
    QCOMPARE(ports.at(1).toInteger(), m_server->sessionPortLast);
    QVERIFY(hasType(session->value(QStringLiteral("keepalive")), QStringLiteral("uint")));
}

void TestProtocolDocument::chatServerMessagesAsDocumented()
{
    // Every server-to-client type in section 7's table arrives, with the documented fields.
    const QStringList lines = section(m_document, QStringLiteral("## 7."));
    QHash<QString, QHash<QString, FieldSpec>> documented;
    for (const QStringList& row : table(lines, QStringLiteral("type"))) {
        for (const QString& type : quoted(row.value(0))) {
            documented.insert(type, fieldSpecs(row.value(1)));
        }
    }
    QVERIFY(documented.contains(QStringLiteral("welcome")));

    // The room needs more than 200 other members for `members`: fillers under a few keys.
    QList<Member> fillers;
    for (int i = 0; i < 7; ++i) {
        fillers.append(allowed(QStringLiteral("filler%1").arg(i)));
    }
    const Member alice = allowed(QStringLiteral("alice"));
    const Member bob = allowed(QStringLiteral("bob"));
    QVERIFY(startServer({ QStringLiteral("--max-sessions-per-key"), QStringLiteral("40") }));

    QHash<QString, int> seen;
    QStringList problems;
    const auto record = [&](const QCborMap& message) {
        const QString type = Protocol::typeOf(message);
        ++seen[type];
        if (!documented.contains(type)) {
            problems.append(QStringLiteral("the server sent `%1`, which section 7 does not list").arg(type));
            return;
        }
        for (const QString& problem : checkFields(message, documented.value(type))) {
            problems.append(QStringLiteral("%1: %2").arg(type, problem));
        }
    };

    Peer a(alice.key);
    QVERIFY(a.open(m_server->port, QStringLiteral("chat")));
    QVERIFY(a.readUntil(QStringLiteral("history_end"), record));
    a.send(QCborMap { { QStringLiteral("type"), QStringLiteral("message") }, { QStringLiteral("seq"), 1 },
        { QStringLiteral("text"), QStringLiteral("first") } });
    QVERIFY(a.readUntil(QStringLiteral("accepted"), record));
    QVERIFY(a.readUntil(QStringLiteral("message"), record));
    m_server->command(QStringLiteral("say from the administrator"), QStringLiteral("said"));
    QVERIFY(a.readUntil(QStringLiteral("notice"), record));
    a.send(QCborMap { { QStringLiteral("type"), QStringLiteral("message") }, { QStringLiteral("seq"), 2 },
        { QStringLiteral("text"), QStringLiteral("to nobody") }, { QStringLiteral("to"), QStringLiteral("zed") } });
    QVERIFY(a.readUntil(QStringLiteral("rejected"), record));

    std::vector<std::unique_ptr<Peer>> room;
    for (int i = 0; i < 201; ++i) {
        auto peer = std::make_unique<Peer>(fillers.at(i / 30).key);
        QVERIFY2(peer->open(m_server->port, QStringLiteral("chat")), qPrintable(QString::number(i)));
        QVERIFY(peer->readUntil(QStringLiteral("history_end")));
        room.push_back(std::move(peer));
    }
    // alice saw them come (join); bob arrives to a room of 202 others, with history.
    QVERIFY(a.readUntil(QStringLiteral("join"), record));
    Peer b(bob.key);
    QVERIFY(b.open(m_server->port, QStringLiteral("chat")));
    QVERIFY(b.readUntil(QStringLiteral("history_end"), record));
    QVERIFY2(seen.value(QStringLiteral("members")) >= 1, "no `members` for a room of more than 200 others");
    b.send(QCborMap { { QStringLiteral("type"), QStringLiteral("message") }, { QStringLiteral("seq"), 7 },
        { QStringLiteral("text"), QStringLiteral("direct") }, { QStringLiteral("to"), QStringLiteral("alice") } });
    QVERIFY(b.readUntil(QStringLiteral("accepted"), record));
    const auto echo = b.readUntil(QStringLiteral("message"), record);
    QVERIFY(echo);
    QCOMPARE(echo->value(QStringLiteral("to")).toString(), QStringLiteral("alice"));
    room.clear(); // the fillers leave
    QVERIFY(a.readUntil(QStringLiteral("leave"), record));

    for (auto it = documented.cbegin(); it != documented.cend(); ++it) {
        if (!seen.contains(it.key())) {
            problems.append(QStringLiteral("section 7 lists `%1`, which never arrived").arg(it.key()));
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1String("; "))));
}

void TestProtocolDocument::chatRejectionCodes_data()
{
    QTest::addColumn<QString>("code");
    QSet<QString> codes;
    for (const QStringList& row :
        table(section(ProtocolDocument::text(), QStringLiteral("## 7.")), QStringLiteral("case"))) {
        const QString answer = row.value(1);
        if (answer.contains(QLatin1String("rejected"))) {
            static const QRegularExpression pattern(QStringLiteral("code `([a-z_]+)`"));
            for (auto it = pattern.globalMatch(answer); it.hasNext();) {
                const QString code = it.next().captured(1);
                if (!codes.contains(code)) {
                    codes.insert(code);
                    QTest::newRow(qPrintable(code)) << code;
                }
            }
        }
    }
}

void TestProtocolDocument::chatRejectionCodes()
{
    QFETCH(QString, code);
    const Member alice = allowed(QStringLiteral("alice"));
    QVERIFY(startServer());
    Peer a(alice.key);
    QVERIFY(a.open(m_server->port, QStringLiteral("chat")));
    QVERIFY(a.readUntil(QStringLiteral("history_end")));
    QCborMap message { { QStringLiteral("type"), QStringLiteral("message") }, { QStringLiteral("seq"), 5 },
        { QStringLiteral("text"), QStringLiteral("hi") } };
    if (code == QLatin1String("bad_request")) {
        message.insert(QStringLiteral("to"), 42);
    } else if (code == QLatin1String("not_found")) {
        message.insert(QStringLiteral("to"), QStringLiteral("nobody"));
    } else {
        QFAIL(qPrintable(
            QStringLiteral("section 7 answers `rejected` with `%1`; add a way to bring it about").arg(code)));
    }
    a.send(message);
    const auto rejected = a.readUntil(QStringLiteral("rejected"));
    QVERIFY(rejected);
    QCOMPARE(rejected->value(QStringLiteral("seq")).toInteger(), 5);
    QCOMPARE(rejected->value(QStringLiteral("code")).toString(), code);
}

namespace {

QCborMap request(const char* type, qint64 id, std::initializer_list<std::pair<const char*, QCborValue>> fields = {})
{
    QCborMap map { { QStringLiteral("type"), QLatin1String(type) }, { QStringLiteral("id"), id } };
    for (const auto& [key, value] : fields) {
        map.insert(QLatin1String(key), value);
    }
    return map;
}

QCborMap data(const QByteArray& bytes)
{
    return QCborMap { { QStringLiteral("type"), QStringLiteral("data") }, { QStringLiteral("data"), bytes } };
}

QByteArray sha256(const QByteArray& bytes)
{
    QuietWire::Sha256 hash;
    hash.addData(bytes);
    return hash.result();
}

/// Sends request and reads its answer.
std::optional<QCborMap> ask(Peer& peer, const QCborMap& message)
{
    peer.send(message);
    return peer.read();
}

} // namespace

void TestProtocolDocument::fileFailureCodes_data()
{
    QTest::addColumn<QString>("code");
    for (const QStringList& row :
        table(section(ProtocolDocument::text(), QStringLiteral("## 8.")), QStringLiteral("code"))) {
        for (const QString& code : quoted(row.value(0))) {
            QTest::newRow(qPrintable(code)) << code;
        }
    }
}

void TestProtocolDocument::fileFailureCodes()
{
    QFETCH(QString, code);
    const Member alice = allowed(QStringLiteral("alice"));
    QVERIFY(startServer({ QStringLiteral("--quota"), QStringLiteral("1M") }));
    Peer peer(alice.key);
    QVERIFY(peer.open(m_server->port, QStringLiteral("files")));
    const auto ok = [&](const QCborMap& message) {
        const auto answer = ask(peer, message);
        return answer && Protocol::typeOf(*answer) == QLatin1String("result");
    };

    QCborMap provocation;
    if (code == QLatin1String("not_found")) {
        provocation = request("stat", 9, { { "path", QStringLiteral("nothing-here") } });
    } else if (code == QLatin1String("exists")) {
        QVERIFY(ok(request("mkdir", 1, { { "path", QStringLiteral("d") } })));
        provocation = request("mkdir", 9, { { "path", QStringLiteral("d") } });
    } else if (code == QLatin1String("not_empty")) {
        QVERIFY(ok(request("mkdir", 1, { { "path", QStringLiteral("d/e") } })));
        provocation = request("rmdir", 9, { { "path", QStringLiteral("d") } });
    } else if (code == QLatin1String("permission")) {
        provocation = request("rmdir", 9, { { "path", QStringLiteral("~") }, { "recursive", true } });
    } else if (code == QLatin1String("quota")) {
        provocation = request("put", 9, { { "path", QStringLiteral("big") }, { "size", 8 * 1024 * 1024 } });
    } else if (code == QLatin1String("bad_path")) {
        provocation = request("stat", 9, { { "path", QStringLiteral("/etc/passwd") } });
    } else if (code == QLatin1String("io")) {
        QVERIFY(ok(request("put", 1, { { "path", QStringLiteral("f") }, { "size", 3 } })));
        peer.send(data("abc"));
        provocation = request("end", 1, { { "sha256", sha256("abd") } });
    } else if (code == QLatin1String("mismatch")) {
        QVERIFY(ok(request("put", 1, { { "path", QStringLiteral("f") }, { "size", 3 } })));
        peer.send(data("abc"));
        QVERIFY(ok(request("end", 1, { { "sha256", sha256("abc") } })));
        provocation = request(
            "get", 9, { { "path", QStringLiteral("f") }, { "offset", 2 }, { "prefix_sha256", sha256("xy") } });
    } else if (code == QLatin1String("busy")) {
        // Another session uploads to the same name.
        Peer other(alice.key);
        QVERIFY(other.open(m_server->port, QStringLiteral("files")));
        const auto first = ask(other, request("put", 1, { { "path", QStringLiteral("f") }, { "size", 10 } }));
        QVERIFY(first && Protocol::typeOf(*first) == QLatin1String("result"));
        provocation = request("put", 9, { { "path", QStringLiteral("f") }, { "size", 10 } });
        const auto answer = ask(peer, provocation);
        QVERIFY(answer);
        QCOMPARE(answer->value(QStringLiteral("code")).toString(), code);
        return;
    } else if (code == QLatin1String("bad_request")) {
        provocation = request("stat", 9, { { "path", 42 } });
    } else {
        QFAIL(
            qPrintable(QStringLiteral("section 8 lists the failure `%1`; add a way to bring it about here").arg(code)));
    }
    const auto answer = ask(peer, provocation);
    QVERIFY(answer);
    QCOMPARE(Protocol::typeOf(*answer), QStringLiteral("failed"));
    QCOMPARE(answer->value(QStringLiteral("code")).toString(), code);
    QCOMPARE(answer->value(QStringLiteral("id")).toInteger(), provocation.value(QStringLiteral("id")).toInteger());
    QVERIFY(answer->value(QStringLiteral("message")).isString());
}

void TestProtocolDocument::fileRequests_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("resultCell");
    for (const QStringList& row :
        table(section(ProtocolDocument::text(), QStringLiteral("## 8.")), QStringLiteral("request"))) {
        for (const QString& type : quoted(row.value(0))) {
            QTest::newRow(qPrintable(type)) << type << row.value(2);
        }
    }
}

void TestProtocolDocument::fileRequests()
{
    // Each request of section 8's table, well formed, gets a `result` with its id and the result
    // fields the table names (`next` only comes with a long listing).
    QFETCH(QString, type);
    QFETCH(QString, resultCell);
    const Member alice = allowed(QStringLiteral("alice"));
    QVERIFY(startServer());
    Peer peer(alice.key);
    QVERIFY(peer.open(m_server->port, QStringLiteral("files")));
    const auto answer = [&](const QCborMap& message) {
        const auto reply = ask(peer, message);
        return reply ? *reply : QCborMap();
    };
    QCOMPARE(
        Protocol::typeOf(answer(request("mkdir", 1, { { "path", QStringLiteral("d") } }))), QStringLiteral("result"));
    QCOMPARE(Protocol::typeOf(answer(request("put", 2, { { "path", QStringLiteral("d/f") }, { "size", 2 } }))),
        QStringLiteral("result"));
    peer.send(data("hi"));
    QCOMPARE(Protocol::typeOf(answer(request("end", 2, { { "sha256", sha256("hi") } }))), QStringLiteral("result"));

    const QHash<QString, QCborMap> requests {
        { QStringLiteral("pwd"), request("pwd", 9) },
        { QStringLiteral("cd"), request("cd", 9, { { "path", QStringLiteral("d") } }) },
        { QStringLiteral("ls"), request("ls", 9, { { "path", QStringLiteral("d") } }) },
        { QStringLiteral("stat"), request("stat", 9, { { "path", QStringLiteral("d/f") } }) },
        { QStringLiteral("cat"), request("cat", 9, { { "path", QStringLiteral("d/f") }, { "max", 10 } }) },
        { QStringLiteral("mkdir"), request("mkdir", 9, { { "path", QStringLiteral("e/g") } }) },
        { QStringLiteral("rmdir"), request("rmdir", 9, { { "path", QStringLiteral("d") }, { "recursive", true } }) },
        { QStringLiteral("rm"), request("rm", 9, { { "path", QStringLiteral("d/f") } }) },
        { QStringLiteral("rename"),
            request("rename", 9, { { "from", QStringLiteral("d/f") }, { "to", QStringLiteral("g") } }) },
        { QStringLiteral("partial"), request("partial", 9, { { "path", QStringLiteral("d/f") } }) },
    };
    if (!requests.contains(type)) {
        QFAIL(qPrintable(QStringLiteral("section 8 lists the request `%1`; add a well-formed one here").arg(type)));
    }
    const QCborMap result = answer(requests.value(type));
    QVERIFY2(Protocol::typeOf(result) == QLatin1String("result"),
        qPrintable(QStringLiteral("%1 answered %2 %3")
                       .arg(type, Protocol::typeOf(result), result.value(QStringLiteral("message")).toString())));
    QCOMPARE(result.value(QStringLiteral("id")).toInteger(), 9);
    // The result fields are the quoted names that open the cell or follow a comma ("`path`,
    // `entries`: ..."); other quoted words in it are prose ("`exists` if ...", "into `to`").
    static const QRegularExpression fieldPattern(QStringLiteral("(?:^ *|, )`([a-z_0-9]+)`"));
    for (auto it = fieldPattern.globalMatch(resultCell); it.hasNext();) {
        const QString field = it.next().captured(1);
        QVERIFY2(result.contains(field), qPrintable(QStringLiteral("%1: no `%2` in the result").arg(type, field)));
    }
}

void TestProtocolDocument::fileTransfersAsDocumented()
{
    // The two code blocks of section 8 "Transfers", in both directions, with resume.
    const QString text = section(m_document, QStringLiteral("## 8.")).join(QLatin1Char('\n'));
    QVERIFY(text.contains(QLatin1String("<- {\"type\":\"result\",\"id\":N,\"path\":P,\"size\":S,\"sha256\":...}")));
    QVERIFY(text.contains(
        QLatin1String("<- {\"type\":\"end\",\"id\":N,\"size\":S,\"sha256\":<SHA-256 of the whole file as sent>}")));
    const Member alice = allowed(QStringLiteral("alice"));
    QVERIFY(startServer());
    Peer peer(alice.key);
    QVERIFY(peer.open(m_server->port, QStringLiteral("files")));
    QByteArray content(200000, Qt::Uninitialized);
    for (int i = 0; i < content.size(); ++i) {
        content[i] = static_cast<char>(i * 7);
    }
    // Upload the first 100000 bytes, then end the session: the partial data stays.
    auto reply = ask(peer,
        request("put", 1,
            { { "path", QStringLiteral("f") }, { "size", content.size() }, { "mtime", qint64(1700000000000) } }));
    QVERIFY(reply && Protocol::typeOf(*reply) == QLatin1String("result"));
    QCOMPARE(reply->value(QStringLiteral("offset")).toInteger(), 0);
    peer.send(data(content.left(65500)));
    peer.send(data(content.mid(65500, 100000 - 65500)));
    reply = ask(peer, request("end", 1, { { "sha256", sha256(content) } }));
    QVERIFY(reply);
    QCOMPARE(reply->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request")); // end before all bytes
    reply = ask(peer, request("partial", 2, { { "path", QStringLiteral("f") } }));
    QVERIFY(reply);
    QCOMPARE(reply->value(QStringLiteral("offset")).toInteger(), 100000);
    // Resume at 100000 with the prefix's SHA-256.
    reply = ask(peer,
        request("put", 3,
            { { "path", QStringLiteral("f") }, { "size", content.size() }, { "offset", 100000 },
                { "prefix_sha256", sha256(content.left(100000)) }, { "mtime", qint64(1700000000000) } }));
    QVERIFY(reply && Protocol::typeOf(*reply) == QLatin1String("result"));
    QCOMPARE(reply->value(QStringLiteral("offset")).toInteger(), 100000);
    peer.send(data(content.mid(100000, 65500)));
    peer.send(data(content.mid(165500)));
    reply = ask(peer, request("end", 3, { { "sha256", sha256(content) } }));
    QVERIFY(reply && Protocol::typeOf(*reply) == QLatin1String("result"));
    QCOMPARE(reply->value(QStringLiteral("path")).toString(), QStringLiteral("~/f"));
    QCOMPARE(reply->value(QStringLiteral("size")).toInteger(), content.size());
    QCOMPARE(reply->value(QStringLiteral("sha256")).toByteArray(), sha256(content));

    // Download from 150000, prefix checked; the end carries the whole file's SHA-256.
    reply = ask(peer,
        request("get", 4,
            { { "path", QStringLiteral("f") }, { "offset", 150000 },
                { "prefix_sha256", sha256(content.left(150000)) } }));
    QVERIFY(reply && Protocol::typeOf(*reply) == QLatin1String("result"));
    QCOMPARE(reply->value(QStringLiteral("size")).toInteger(), content.size());
    QCOMPARE(reply->value(QStringLiteral("offset")).toInteger(), 150000);
    QCOMPARE(reply->value(QStringLiteral("mtime")).toInteger(), qint64(1700000000000));
    QByteArray received;
    std::optional<QCborMap> end;
    while (!end) {
        auto message = peer.read();
        QVERIFY(message);
        if (Protocol::typeOf(*message) == QLatin1String("data")) {
            received += message->value(QStringLiteral("data")).toByteArray();
        } else {
            end = message;
        }
    }
    QCOMPARE(Protocol::typeOf(*end), QStringLiteral("end"));
    QCOMPARE(end->value(QStringLiteral("id")).toInteger(), 4);
    QCOMPARE(end->value(QStringLiteral("size")).toInteger(), content.size());
    QCOMPARE(end->value(QStringLiteral("sha256")).toByteArray(), sha256(content));
    QCOMPARE(received, content.mid(150000));
}

void TestProtocolDocument::fileDataWithTrailingBytesIsRefused()
{
    // Section 4: one CBOR item per message; bytes after it make it malformed, `data` included
    // (the server reads file data on a fast path of its own, which must agree).
    const Member alice = allowed(QStringLiteral("alice"));
    QVERIFY(startServer());
    Peer peer(alice.key);
    QVERIFY(peer.open(m_server->port, QStringLiteral("files")));
    const auto put = ask(peer, request("put", 1, { { "path", QStringLiteral("f") }, { "size", 3 } }));
    QVERIFY(put && Protocol::typeOf(*put) == QLatin1String("result"));
    peer.sendPlaintext(Protocol::encode(data("abc")) + QByteArray(1, '\0'));
    const auto answer = peer.read();
    QVERIFY(answer);
    QCOMPARE(Protocol::typeOf(*answer), QStringLiteral("failed"));
    QCOMPARE(answer->value(QStringLiteral("code")).toString(), QStringLiteral("bad_request"));
    QVERIFY(!answer->contains(QStringLiteral("id")));
    QVERIFY2(answer->value(QStringLiteral("message")).toString().contains(QLatin1String("after the CBOR item")),
        qPrintable(answer->value(QStringLiteral("message")).toString()));
}

QTEST_GUILESS_MAIN(TestProtocolDocument)
#include "TestProtocolDocument.moc"
