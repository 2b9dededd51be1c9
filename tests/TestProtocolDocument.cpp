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
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <functional>

using namespace QuietWire;

namespace {

const QHostAddress Localhost(QStringLiteral("127.0.0.1"));

// The document's one parser (tests/ProtocolDocument.h), under the short names this test uses.
using ProtocolDocument::quoted;
using ProtocolDocument::section;
using ProtocolDocument::subsection;
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
    std::optional<QCborMap> open(quint16 port, const QString& service, std::optional<qint64> version = std::nullopt)
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
            Protocol::Hello hello { service };
            hello.version = version;
            send(hello.toCbor());
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
    void close() { m_socket->abort(); }

private:
    RawClient m_raw;
    std::unique_ptr<QTcpSocket> m_socket;
};

/// A chat request (or message) of version 2: type, seq and fields.
QCborMap chat(const char* type, qint64 seq, std::initializer_list<std::pair<const char*, QCborValue>> fields = {})
{
    QCborMap map { { QStringLiteral("type"), QLatin1String(type) }, { QStringLiteral("seq"), seq } };
    for (const auto& [key, value] : fields) {
        map.insert(QLatin1String(key), value);
    }
    return map;
}

/// Sends a chat request and reads until its answer (`accepted`, `done` or `rejected` with its seq),
/// handing every message on the way, the answer included, to `seen`.
std::optional<QCborMap> answerOf(
    Peer& peer, const QCborMap& request, const std::function<void(const QCborMap&)>& seen = {})
{
    peer.send(request);
    const qint64 seq = request.value(QStringLiteral("seq")).toInteger();
    for (int i = 0; i < 1000; ++i) {
        auto message = peer.read();
        if (!message) {
            return std::nullopt;
        }
        if (seen) {
            seen(*message);
        }
        const QString type = Protocol::typeOf(*message);
        const bool answer
            = type == QLatin1String("accepted") || type == QLatin1String("done") || type == QLatin1String("rejected");
        if (answer && message->value(QStringLiteral("seq")).toInteger() == seq) {
            return message;
        }
    }
    return std::nullopt;
}

/// A value of another type than the document gives a field: 42 for text, "x" for the others.
QCborValue wrongValue(const QString& type)
{
    return type == QLatin1String("text") ? QCborValue(42) : QCborValue(QStringLiteral("x"));
}

/// Holds the write lock of the server's SQLite store (as another program could) for as long as it
/// lives: the server's writes wait for it, then fail.
class StoreLock
{
public:
    explicit StoreLock(const QString& path)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        db.setDatabaseName(path);
        m_locked = db.open() && QSqlQuery(db).exec(QStringLiteral("PRAGMA busy_timeout = 10000"))
            && QSqlQuery(db).exec(QStringLiteral("BEGIN IMMEDIATE"));
    }
    ~StoreLock()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connection);
            QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connection);
    }
    StoreLock(const StoreLock&) = delete;
    StoreLock& operator=(const StoreLock&) = delete;
    bool locked() const { return m_locked; }

private:
    const QString m_connection = QStringLiteral("TestProtocolDocument.lock");
    bool m_locked = false;
};

/// Three version-2 sessions and two rooms of alice's: "team" (public, bob joined, one message of
/// alice's in it) and "secret" (private). carol is in neither.
struct ChatRooms
{
    std::unique_ptr<Peer> alice;
    std::unique_ptr<Peer> bob;
    std::unique_ptr<Peer> carol;
    qint64 team = 0;
    qint64 secret = 0;
    qint64 said = 0; // the id of alice's message in team
};

/// The file every attachment of these tests names: a file placed in a room's shared folder
/// (<data>/rooms/<conversation id>/doc.txt) as an upload would leave it.
const QByteArray AttachedData("abc");

bool placeAttachedFile(const QString& dataDir, qint64 conversation)
{
    const QString folder = QStringLiteral("%1/rooms/%2").arg(dataDir).arg(conversation);
    QFile file(folder + QStringLiteral("/doc.txt"));
    return QDir().mkpath(folder) && file.open(QIODevice::WriteOnly) && file.write(AttachedData) == AttachedData.size();
}

QCborMap attachmentOf(const QString& path, qint64 size, const QByteArray& sha256)
{
    return QCborMap { { QStringLiteral("path"), path }, { QStringLiteral("size"), size },
        { QStringLiteral("sha256"), sha256 } };
}

/// A request and the session that sends it.
struct Asked
{
    Peer* peer = nullptr;
    QCborMap request; // without seq: it is given when sent
};

/// One request per "type/code" that the server answers `rejected` with that code (the rooms of
/// ChatRooms as they are after it opened).
QHash<QString, Asked> provocations(const ChatRooms& rooms)
{
    Peer* const a = rooms.alice.get();
    Peer* const b = rooms.bob.get();
    Peer* const c = rooms.carol.get();
    const QString team = QStringLiteral("team");
    const QString secret = QStringLiteral("secret");
    const QString hello = QStringLiteral("hello");
    return {
        { QStringLiteral("message/bad_request"), { a, chat("message", 0, { { "text", hello }, { "to", 42 } }) } },
        { QStringLiteral("message/not_found"),
            { a, chat("message", 0, { { "text", hello }, { "to", QStringLiteral("nobody") } }) } },
        { QStringLiteral("message/permission"), { c, chat("message", 0, { { "text", hello }, { "room", team } }) } },
        { QStringLiteral("message/bad_path"),
            { a,
                chat("message", 0,
                    { { "text", hello }, { "room", team },
                        { "attachment",
                            attachmentOf(QStringLiteral("/rooms/secret/doc.txt"), AttachedData.size(),
                                Sha256::hash(AttachedData)) } }) } },
        { QStringLiteral("message/mismatch"),
            { a,
                chat("message", 0,
                    { { "text", hello }, { "room", team },
                        { "attachment",
                            attachmentOf(QStringLiteral("/rooms/team/doc.txt"), AttachedData.size(),
                                QByteArray(32, '\0')) } }) } },
        { QStringLiteral("history/bad_request"), { a, chat("history", 0, { { "room", team }, { "limit", 0 } }) } },
        { QStringLiteral("history/not_found"), { c, chat("history", 0, { { "room", secret } }) } },
        { QStringLiteral("history/permission"), { c, chat("history", 0, { { "room", team } }) } },
        { QStringLiteral("search/bad_request"), { a, chat("search", 0, { { "text", QStringLiteral("  ") } }) } },
        { QStringLiteral("search/not_found"), { c, chat("search", 0, { { "text", hello }, { "room", secret } }) } },
        { QStringLiteral("search/permission"), { c, chat("search", 0, { { "text", hello }, { "room", team } }) } },
        { QStringLiteral("read/bad_request"), { a, chat("read", 0, { { "conversation", rooms.team } }) } },
        { QStringLiteral("read/not_found"),
            { c, chat("read", 0, { { "conversation", rooms.secret }, { "up_to", rooms.said } }) } },
        { QStringLiteral("read/permission"),
            { c, chat("read", 0, { { "conversation", rooms.team }, { "up_to", rooms.said } }) } },
        { QStringLiteral("room_create/bad_request"),
            { a,
                chat("room_create", 0,
                    { { "room", QStringLiteral("x1") }, { "topic", QStringLiteral("a\x1b[2J") } }) } },
        { QStringLiteral("room_create/bad_name"),
            { a, chat("room_create", 0, { { "room", QStringLiteral("two words") } }) } },
        { QStringLiteral("room_create/exists"), { a, chat("room_create", 0, { { "room", team } }) } },
        { QStringLiteral("room_join/bad_request"), { c, chat("room_join", 0, { { "room", QString() } }) } },
        { QStringLiteral("room_join/not_found"), { c, chat("room_join", 0, { { "room", secret } }) } },
        { QStringLiteral("room_leave/bad_request"), { b, chat("room_leave", 0) } },
        { QStringLiteral("room_leave/not_found"), { c, chat("room_leave", 0, { { "room", team } }) } },
        { QStringLiteral("room_leave/permission"),
            { b, chat("room_leave", 0, { { "room", QStringLiteral("general") } }) } },
        { QStringLiteral("room_invite/bad_request"), { a, chat("room_invite", 0, { { "room", secret } }) } },
        { QStringLiteral("room_invite/not_found"),
            { a, chat("room_invite", 0, { { "room", secret }, { "member", QStringLiteral("nobody") } }) } },
        { QStringLiteral("room_invite/permission"),
            { b, chat("room_invite", 0, { { "room", team }, { "member", QStringLiteral("carol") } }) } },
        { QStringLiteral("room_remove/bad_request"),
            { a, chat("room_remove", 0, { { "room", team }, { "member", 42 } }) } },
        { QStringLiteral("room_remove/not_found"),
            { a, chat("room_remove", 0, { { "room", team }, { "member", QStringLiteral("carol") } }) } },
        { QStringLiteral("room_remove/permission"),
            { b, chat("room_remove", 0, { { "room", team }, { "member", QStringLiteral("alice") } }) } },
        { QStringLiteral("room_topic/bad_request"),
            { a, chat("room_topic", 0, { { "room", team }, { "topic", QString(1025, QLatin1Char('x')) } }) } },
        { QStringLiteral("room_topic/not_found"),
            { c, chat("room_topic", 0, { { "room", secret }, { "topic", hello } }) } },
        { QStringLiteral("room_topic/permission"),
            { b, chat("room_topic", 0, { { "room", team }, { "topic", hello } }) } },
        { QStringLiteral("room_delete/bad_request"), { a, chat("room_delete", 0, { { "room", 42 } }) } },
        { QStringLiteral("room_delete/not_found"),
            { a, chat("room_delete", 0, { { "room", QStringLiteral("nothing") } }) } },
        { QStringLiteral("room_delete/permission"), { b, chat("room_delete", 0, { { "room", team } }) } },
        { QStringLiteral("room_members/bad_request"), { a, chat("room_members", 0) } },
        { QStringLiteral("room_members/not_found"), { c, chat("room_members", 0, { { "room", secret } }) } },
    };
}

/// One request of each type that the server carries out (`accepted` for a message, else `done`).
QHash<QString, Asked> wellFormed(const ChatRooms& rooms)
{
    Peer* const a = rooms.alice.get();
    Peer* const b = rooms.bob.get();
    Peer* const c = rooms.carol.get();
    const QString team = QStringLiteral("team");
    return {
        { QStringLiteral("message"),
            { a,
                chat("message", 0,
                    { { "room", team }, { "text", QStringLiteral("hi again") },
                        { "client_id", QStringLiteral("c-9") } }) } },
        { QStringLiteral("history"), { a, chat("history", 0, { { "room", team } }) } },
        { QStringLiteral("search"), { a, chat("search", 0, { { "text", QStringLiteral("hello") } }) } },
        { QStringLiteral("read"), { a, chat("read", 0, { { "conversation", rooms.team }, { "up_to", rooms.said } }) } },
        { QStringLiteral("rooms"), { a, chat("rooms", 0) } },
        { QStringLiteral("room_create"),
            { a,
                chat("room_create", 0,
                    { { "room", QStringLiteral("fresh") }, { "topic", QStringLiteral("new things") },
                        { "private", true } }) } },
        { QStringLiteral("room_join"), { c, chat("room_join", 0, { { "room", team } }) } },
        { QStringLiteral("room_leave"), { b, chat("room_leave", 0, { { "room", team } }) } },
        { QStringLiteral("room_invite"),
            { a,
                chat("room_invite", 0,
                    { { "room", QStringLiteral("secret") }, { "member", QStringLiteral("carol") } }) } },
        { QStringLiteral("room_remove"),
            { a, chat("room_remove", 0, { { "room", team }, { "member", QStringLiteral("bob") } }) } },
        { QStringLiteral("room_topic"),
            { a, chat("room_topic", 0, { { "room", team }, { "topic", QStringLiteral("Widgets") } }) } },
        { QStringLiteral("room_delete"), { a, chat("room_delete", 0, { { "room", team } }) } },
        { QStringLiteral("room_members"), { a, chat("room_members", 0, { { "room", team } }) } },
    };
}

/// The fields of each type in the "type" table under heading in section 7's lines.
QHash<QString, QHash<QString, FieldSpec>> typeSpecs(const QStringList& lines, const QString& heading)
{
    QHash<QString, QHash<QString, FieldSpec>> specs;
    for (const QStringList& row : table(subsection(lines, heading), QStringLiteral("type"))) {
        for (const QString& type : quoted(row.value(0))) {
            specs.insert(type, fieldSpecs(row.value(1)));
        }
    }
    return specs;
}

/// The keys of the maps inside version 2's messages ("conversation", "room", "hit", "member").
QHash<QString, QHash<QString, FieldSpec>> mapSpecs(const QStringList& lines)
{
    QHash<QString, QHash<QString, FieldSpec>> specs;
    for (const QStringList& row :
        table(subsection(lines, QStringLiteral("#### Server to client, version 2")), QStringLiteral("map"))) {
        specs.insert(row.value(0).trimmed(), fieldSpecs(row.value(1)));
    }
    return specs;
}

/// What is wrong with the maps inside message against the document's map table (and the message
/// maps inside, against types); seen gets the names of the maps met.
QStringList checkMaps(const QCborMap& message, const QHash<QString, QHash<QString, FieldSpec>>& maps,
    const QHash<QString, QHash<QString, FieldSpec>>& types, QSet<QString>* seen)
{
    QStringList problems;
    const QString type = Protocol::typeOf(message);
    const auto check = [&](const QCborValue& value, const QString& name, const QString& where) {
        seen->insert(name);
        if (!value.isMap()) {
            problems.append(QStringLiteral("%1: a %2 that is not a map").arg(where, name));
            return;
        }
        for (const QString& problem : checkFields(value.toMap(), maps.value(name))) {
            problems.append(QStringLiteral("%1: %2 map: %3").arg(where, name, problem));
        }
        if (name == QLatin1String("conversation") && value.toMap().contains(QStringLiteral("last"))) {
            const QCborMap last = value.toMap().value(QStringLiteral("last")).toMap();
            for (const QString& problem : checkFields(last, types.value(Protocol::typeOf(last)))) {
                problems.append(QStringLiteral("%1: last: %2").arg(where, problem));
            }
        }
        if (value.toMap().contains(QStringLiteral("attachment"))) { // a hit's
            for (const QString& problem : checkFields(value.toMap().value(QStringLiteral("attachment")).toMap(),
                     maps.value(QStringLiteral("attachment")))) {
                problems.append(QStringLiteral("%1: %2 map: attachment: %3").arg(where, name, problem));
            }
            seen->insert(QStringLiteral("attachment"));
        }
        if (name == QLatin1String("hit")) {
            for (const QCborValue& mark : value.toMap().value(QStringLiteral("marks")).toArray()) {
                const QCborArray pair = mark.toArray();
                if (pair.size() != 2 || !hasType(pair.at(0), QStringLiteral("uint"))
                    || !hasType(pair.at(1), QStringLiteral("uint"))) {
                    problems.append(QStringLiteral("%1: a mark that is not [start, end]").arg(where));
                }
            }
        }
    };
    const auto each = [&](const char* key, const QString& name) {
        for (const QCborValue& value : message.value(QLatin1String(key)).toArray()) {
            check(value, name, QStringLiteral("%1.%2").arg(type, QLatin1String(key)));
        }
    };
    if (type == QLatin1String("message") && message.contains(QStringLiteral("attachment"))) {
        check(message.value(QStringLiteral("attachment")), QStringLiteral("attachment"), type);
    }
    if (type == QLatin1String("conversations")) {
        each("conversations", QStringLiteral("conversation"));
    } else if (type == QLatin1String("room")) {
        check(message.value(QStringLiteral("conversation")), QStringLiteral("conversation"), type);
    } else if (type == QLatin1String("done")) {
        each("rooms", QStringLiteral("room"));
        each("hits", QStringLiteral("hit"));
        each("members", QStringLiteral("member"));
        for (const QCborValue& value : message.value(QStringLiteral("messages")).toArray()) {
            const QCborMap item = value.toMap();
            for (const QString& problem : checkFields(item, types.value(Protocol::typeOf(item)))) {
                problems.append(QStringLiteral("done.messages: %1: %2").arg(Protocol::typeOf(item), problem));
            }
            if (item.contains(QStringLiteral("attachment"))) {
                check(item.value(QStringLiteral("attachment")), QStringLiteral("attachment"),
                    QStringLiteral("done.messages"));
            }
            if (!item.value(QStringLiteral("history")).toBool()) {
                problems.append(QStringLiteral("done.messages: a message without history: true"));
            }
        }
    }
    return problems;
}

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
    void everyChatCodeInTheCodeIsDocumented();
    void chatVersion2ServerMessagesAsDocumented();
    void chatVersion3PresenceAsDocumented();
    void chatVersion2Requests_data();
    void chatVersion2Requests();
    void chatVersion2RejectionCodes_data();
    void chatVersion2RejectionCodes();
    void conversationsFitOneTransportMessageEach();
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
    /// Starts the server with alice, bob and carol in the rooms of ChatRooms.
    bool openChatRooms(ChatRooms& rooms);
    /// Sends a request with the next seq and reads its answer.
    std::optional<QCborMap> send(Asked asked);

    QString m_document;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    QStringList m_allowed;
    qint64 m_seq = 100;
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
    const QStringList chat = section(m_document, QStringLiteral("## 7."));
    const auto under = [&chat](const char* heading, const char* firstHeader) {
        return table(subsection(chat, QLatin1String(heading)), QLatin1String(firstHeader)).size();
    };
    QVERIFY(under("#### Server to client", "type") >= 8);
    QVERIFY(under("#### Client to server", "type") >= 1);
    QVERIFY(under("#### Client to server", "case") >= 5);
    QVERIFY(under("#### Server to client, version 2", "type") >= 9);
    QVERIFY(under("#### Server to client, version 2", "map") >= 4);
    QVERIFY(under("#### Server to client, version 3", "type") >= 1);
    QVERIFY(under("#### Client to server, version 2", "type") >= 13);
    QVERIFY(under("#### Rejection codes", "code") >= 6);
    QCOMPARE(subsection(
                 QStringList { QStringLiteral("### A"), QStringLiteral("#### B"), QStringLiteral("x"),
                     QStringLiteral("#### B, two"), QStringLiteral("y"), QStringLiteral("### C"), QStringLiteral("z") },
                 QStringLiteral("#### B")),
        QStringList { QStringLiteral("x") });
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
    // Every server-to-client type in section 7's version-1 table arrives in a version-1 session
    // (a hello without `version`), with the documented fields.
    const auto documented
        = typeSpecs(section(m_document, QStringLiteral("## 7.")), QStringLiteral("#### Server to client"));
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
    for (const QStringList& row : table(subsection(section(ProtocolDocument::text(), QStringLiteral("## 7.")),
                                            QStringLiteral("#### Client to server")),
             QStringLiteral("case"))) {
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
    } else if (code == QLatin1String("unavailable")) {
        // The store stays busy past the server's wait (another program holds its write lock).
        StoreLock lock(m_dir->filePath(QStringLiteral("data/quietwire.db")));
        QVERIFY(lock.locked());
        a.send(message);
        const auto rejected = a.readUntil(QStringLiteral("rejected"));
        QVERIFY(rejected);
        QCOMPARE(rejected->value(QStringLiteral("seq")).toInteger(), 5);
        QCOMPARE(rejected->value(QStringLiteral("code")).toString(), code);
        return;
    } else if (code == QLatin1String("busy")) {
        // 1000 messages wait behind `read`s (a version-2 request, which a version-1 session may
        // send too) that wait for the store's write lock; the next one is refused at once.
        a.send(QCborMap { { QStringLiteral("type"), QStringLiteral("rooms") }, { QStringLiteral("seq"), 1 } });
        const auto rooms = a.readUntil(QStringLiteral("done"));
        QVERIFY(rooms);
        const qint64 general
            = rooms->value(QStringLiteral("rooms")).toArray().at(0).toMap().value(QStringLiteral("id")).toInteger();
        StoreLock lock(m_dir->filePath(QStringLiteral("data/quietwire.db")));
        QVERIFY(lock.locked());
        // Each read waits up to 5 seconds for the lock: three give the messages 15 seconds to arrive.
        for (int seq = 2; seq <= 4; ++seq) {
            a.send(QCborMap { { QStringLiteral("type"), QStringLiteral("read") }, { QStringLiteral("seq"), seq },
                { QStringLiteral("conversation"), general }, { QStringLiteral("up_to"), 1 } });
        }
        for (int seq = 10; seq <= 1010; ++seq) {
            message.insert(QStringLiteral("seq"), seq);
            a.send(message);
        }
        const auto rejected = a.readUntil(QStringLiteral("rejected"));
        QVERIFY(rejected);
        QCOMPARE(rejected->value(QStringLiteral("seq")).toInteger(), 1010);
        QCOMPARE(rejected->value(QStringLiteral("code")).toString(), code);
        return;
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

bool TestProtocolDocument::openChatRooms(ChatRooms& rooms)
{
    const Member alice = allowed(QStringLiteral("alice"));
    const Member bob = allowed(QStringLiteral("bob"));
    const Member carol = allowed(QStringLiteral("carol"));
    if (!startServer()) {
        return false;
    }
    const auto open = [this](const Member& member) {
        auto peer = std::make_unique<Peer>(member.key);
        if (!peer->open(m_server->port, QStringLiteral("chat"), 2) || !peer->readUntil(QStringLiteral("history_end"))) {
            peer.reset();
        }
        return peer;
    };
    rooms.alice = open(alice);
    rooms.bob = open(bob);
    rooms.carol = open(carol);
    if (!rooms.alice || !rooms.bob || !rooms.carol) {
        return false;
    }
    const auto conversationOf = [](const std::optional<QCborMap>& answer) {
        return answer && Protocol::typeOf(*answer) == QLatin1String("done")
            ? answer->value(QStringLiteral("conversation")).toInteger()
            : -1;
    };
    rooms.team = conversationOf(answerOf(*rooms.alice, chat("room_create", 1, { { "room", QStringLiteral("team") } })));
    rooms.secret = conversationOf(
        answerOf(*rooms.alice, chat("room_create", 2, { { "room", QStringLiteral("secret") }, { "private", true } })));
    const qint64 joined
        = conversationOf(answerOf(*rooms.bob, chat("room_join", 3, { { "room", QStringLiteral("team") } })));
    const auto said = answerOf(*rooms.alice,
        chat("message", 4, { { "room", QStringLiteral("team") }, { "text", QStringLiteral("hello team") } }));
    rooms.said = said && Protocol::typeOf(*said) == QLatin1String("accepted")
        ? said->value(QStringLiteral("id")).toInteger()
        : 0;
    return rooms.team > 0 && rooms.secret > 0 && joined == rooms.team && rooms.said > 0
        && placeAttachedFile(m_dir->filePath(QStringLiteral("data")), rooms.team);
}

std::optional<QCborMap> TestProtocolDocument::send(Asked asked)
{
    asked.request.insert(QStringLiteral("seq"), ++m_seq);
    return answerOf(*asked.peer, asked.request);
}

void TestProtocolDocument::everyChatCodeInTheCodeIsDocumented()
{
    // The codes the chat service answers `rejected` with (ChatService) must be in section 7's table.
    QStringList documented;
    for (const QStringList& row :
        table(subsection(section(m_document, QStringLiteral("## 7.")), QStringLiteral("#### Rejection codes")),
            QStringLiteral("code"))) {
        documented += quoted(row.value(0));
    }
    const ErrorCode codes[] = { ErrorCode::BadRequest, ErrorCode::NotFound, ErrorCode::Permission, ErrorCode::Exists,
        ErrorCode::BadName, ErrorCode::Unavailable, ErrorCode::Busy, ErrorCode::BadPath, ErrorCode::Mismatch };
    for (const ErrorCode code : codes) {
        QVERIFY2(documented.contains(wireName(code)), qPrintable(wireName(code)));
    }
}

void TestProtocolDocument::chatVersion2ServerMessagesAsDocumented()
{
    // Every type of version 2's server-to-client table arrives in a version-2 session, with the
    // fields the table gives it (the other types with version 1's), and the maps inside them
    // with the keys of the map table.
    const QStringList lines = section(m_document, QStringLiteral("## 7."));
    const auto versionOne = typeSpecs(lines, QStringLiteral("#### Server to client"));
    const auto versionTwo = typeSpecs(lines, QStringLiteral("#### Server to client, version 2"));
    const auto maps = mapSpecs(lines);
    QVERIFY(versionTwo.contains(QStringLiteral("conversations")));
    QVERIFY(maps.contains(QStringLiteral("conversation")));

    const Member alice = allowed(QStringLiteral("alice"));
    const Member bob = allowed(QStringLiteral("bob"));
    QVERIFY(startServer());
    QHash<QString, int> seen;
    QSet<QString> mapsSeen;
    QStringList problems;
    const auto record = [&](const QCborMap& message) {
        const QString type = Protocol::typeOf(message);
        ++seen[type];
        if (!versionTwo.contains(type) && !versionOne.contains(type)) {
            problems.append(QStringLiteral("the server sent `%1`, which section 7 does not list").arg(type));
            return;
        }
        const auto specs = versionTwo.contains(type) ? versionTwo.value(type) : versionOne.value(type);
        for (const QString& problem : checkFields(message, specs)) {
            problems.append(QStringLiteral("%1: %2").arg(type, problem));
        }
        problems += checkMaps(message, maps, versionTwo, &mapsSeen);
    };
    const auto isA = [](const std::optional<QCborMap>& message, const char* type) {
        return message && Protocol::typeOf(*message) == QLatin1String(type);
    };

    Peer a(alice.key);
    QVERIFY(a.open(m_server->port, QStringLiteral("chat"), 2));
    const auto welcome = a.readUntil(QStringLiteral("welcome"), record);
    QVERIFY(welcome);
    QCOMPARE(welcome->value(QStringLiteral("version")).toInteger(), 2);
    QVERIFY(a.readUntil(QStringLiteral("history_end"), record));
    QCOMPARE(seen.value(QStringLiteral("message")), 0); // no replay in version 2

    auto answer = answerOf(a, chat("room_create", 1, { { "room", QStringLiteral("team") } }), record);
    QVERIFY(isA(answer, "done"));
    const qint64 team = answer->value(QStringLiteral("conversation")).toInteger();
    QCOMPARE(seen.value(QStringLiteral("room")), 1); // the event came before the done
    const QCborMap said = chat("message", 2,
        { { "room", QStringLiteral("team") }, { "text", QStringLiteral("hello team") },
            { "client_id", QStringLiteral("c-2") } });
    answer = answerOf(a, said, record);
    QVERIFY(isA(answer, "accepted"));
    const qint64 id = answer->value(QStringLiteral("id")).toInteger();
    QCOMPARE(answer->value(QStringLiteral("conversation")).toInteger(), team);
    const auto echo = a.readUntil(QStringLiteral("message"), record);
    QVERIFY(echo);
    QCOMPARE(echo->value(QStringLiteral("id")).toInteger(), id);
    QCOMPARE(echo->value(QStringLiteral("room")).toString(), QStringLiteral("team"));
    QCOMPARE(echo->value(QStringLiteral("client_id")).toString(), QStringLiteral("c-2"));
    // The resend: the first id, marked duplicate.
    QCborMap resend = said;
    resend.insert(QStringLiteral("seq"), 3);
    answer = answerOf(a, resend, record);
    QVERIFY(isA(answer, "accepted"));
    QCOMPARE(answer->value(QStringLiteral("id")).toInteger(), id);
    QCOMPARE(answer->value(QStringLiteral("duplicate")).toBool(), true);
    // A message with a file of team's shared folder: its echo, the history and a search hit carry
    // the attachment map.
    QVERIFY(placeAttachedFile(m_dir->filePath(QStringLiteral("data")), team));
    answer = answerOf(a,
        chat("message", 31,
            { { "room", QStringLiteral("team") }, { "text", QStringLiteral("hello file") },
                { "attachment",
                    attachmentOf(
                        QStringLiteral("/rooms/team/doc.txt"), AttachedData.size(), Sha256::hash(AttachedData)) } }),
        record);
    QVERIFY2(
        isA(answer, "accepted"), qPrintable(answer ? answer->value(QStringLiteral("message")).toString() : QString()));
    const auto withFile = a.readUntil(QStringLiteral("message"), record);
    QVERIFY(withFile);
    QCOMPARE(withFile->value(QStringLiteral("attachment")).toMap().value(QStringLiteral("name")).toString(),
        QStringLiteral("doc.txt"));
    // A direct message to someone away: waiting.
    answer = answerOf(a,
        chat("message", 4, { { "to", QStringLiteral("bob") }, { "text", QStringLiteral("are you there?") } }), record);
    QVERIFY(isA(answer, "accepted"));
    QCOMPARE(answer->value(QStringLiteral("waiting")).toBool(), true);
    const auto direct = a.readUntil(QStringLiteral("message"), record);
    QVERIFY(direct);
    QCOMPARE(direct->value(QStringLiteral("to")).toString(), QStringLiteral("bob"));

    QVERIFY(isA(answerOf(a, chat("history", 5, { { "room", QStringLiteral("team") } }), record), "done"));
    QVERIFY(isA(answerOf(a, chat("search", 6, { { "text", QStringLiteral("hello") } }), record), "done"));
    QVERIFY(isA(answerOf(a, chat("read", 7, { { "conversation", team }, { "up_to", id } }), record), "done"));
    const auto marker = a.readUntil(QStringLiteral("read_marker"), record);
    QVERIFY(marker);
    QCOMPARE(marker->value(QStringLiteral("last_read")).toInteger(), id);
    QVERIFY(isA(answerOf(a, chat("rooms", 8), record), "done"));
    QVERIFY(isA(answerOf(a, chat("room_members", 9, { { "room", QStringLiteral("team") } }), record), "done"));
    QVERIFY(isA(answerOf(a, chat("history", 10, { { "room", QStringLiteral("nothing") } }), record), "rejected"));
    m_server->command(QStringLiteral("say from the administrator"), QStringLiteral("said"));
    QVERIFY(a.readUntil(QStringLiteral("notice"), record));

    // bob comes: his conversations hold alice's direct message (a `last`); alice sees him join.
    Peer b(bob.key);
    QVERIFY(b.open(m_server->port, QStringLiteral("chat"), 2));
    QVERIFY(b.readUntil(QStringLiteral("history_end"), record));
    QVERIFY(a.readUntil(QStringLiteral("join"), record));
    QVERIFY(
        isA(answerOf(a,
                chat("room_invite", 11, { { "room", QStringLiteral("team") }, { "member", QStringLiteral("bob") } }),
                record),
            "done"));
    QVERIFY(b.readUntil(QStringLiteral("room"), record));
    QVERIFY(
        isA(answerOf(a,
                chat("room_remove", 12, { { "room", QStringLiteral("team") }, { "member", QStringLiteral("bob") } }),
                record),
            "done"));
    const auto removed = b.readUntil(QStringLiteral("room_gone"), record);
    QVERIFY(removed);
    QCOMPARE(removed->value(QStringLiteral("reason")).toString(), QStringLiteral("removed"));
    QVERIFY(isA(answerOf(a, chat("room_delete", 13, { { "room", QStringLiteral("team") } }), record), "done"));
    QCOMPARE(seen.value(QStringLiteral("room_gone")), 2); // alice's, before the done
    b.close();
    QVERIFY(a.readUntil(QStringLiteral("leave"), record));

    for (auto it = versionTwo.cbegin(); it != versionTwo.cend(); ++it) {
        if (!seen.contains(it.key())) {
            problems.append(QStringLiteral("section 7 (version 2) lists `%1`, which never arrived").arg(it.key()));
        }
    }
    for (auto it = maps.cbegin(); it != maps.cend(); ++it) {
        if (!mapsSeen.contains(it.key())) {
            problems.append(
                QStringLiteral("section 7 lists the %1 map, which never arrived or is not checked here").arg(it.key()));
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1String("; "))));
}

void TestProtocolDocument::chatVersion3PresenceAsDocumented()
{
    // Version 3's table: `presence` arrives with the fields it gives, in place of `join` and `leave`.
    const QStringList lines = section(m_document, QStringLiteral("## 7."));
    const auto versionThree = typeSpecs(lines, QStringLiteral("#### Server to client, version 3"));
    QVERIFY(versionThree.contains(QStringLiteral("presence")));

    const Member alice = allowed(QStringLiteral("alice"));
    const Member bob = allowed(QStringLiteral("bob"));
    QVERIFY(startServer());
    QHash<QString, int> seen;
    QStringList problems;
    const auto record = [&](const QCborMap& message) {
        const QString type = Protocol::typeOf(message);
        ++seen[type];
        for (const QString& problem : checkFields(message, versionThree.value(type))) {
            problems.append(QStringLiteral("%1: %2").arg(type, problem));
        }
    };
    const auto names = [](const QCborValue& members) {
        QStringList list;
        for (const QCborValue& member : members.toArray()) {
            list.append(member.toMap().value(QStringLiteral("name")).toString());
        }
        return list;
    };

    Peer a(alice.key);
    QVERIFY(a.open(m_server->port, QStringLiteral("chat"), 3));
    const auto welcome = a.readUntil(QStringLiteral("welcome"), record);
    QVERIFY(welcome && welcome->value(QStringLiteral("version")).toInteger() == 3 // a version-3 session
        && a.readUntil(QStringLiteral("history_end"), record));
    Peer b(bob.key);
    QVERIFY(b.open(m_server->port, QStringLiteral("chat"), 3));
    QVERIFY(b.readUntil(QStringLiteral("history_end")));
    const auto joined = a.readUntil(QStringLiteral("presence"), record);
    QVERIFY(joined);
    QCOMPARE(names(joined->value(QStringLiteral("joined"))), QStringList { QStringLiteral("bob") });
    QCOMPARE(names(joined->value(QStringLiteral("left"))), QStringList());
    b.close();
    const auto left = a.readUntil(QStringLiteral("presence"), record);
    QVERIFY(left);
    QCOMPARE(names(left->value(QStringLiteral("joined"))), QStringList());
    QCOMPARE(names(left->value(QStringLiteral("left"))), QStringList { QStringLiteral("bob") });
    QCOMPARE(seen.value(QStringLiteral("join")), 0);
    QCOMPARE(seen.value(QStringLiteral("leave")), 0);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1String("; "))));
}

void TestProtocolDocument::chatVersion2Requests_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("fieldsCell");
    QTest::addColumn<QString>("doneCell");
    QTest::addColumn<QString>("codesCell");
    const QStringList lines = subsection(
        section(ProtocolDocument::text(), QStringLiteral("## 7.")), QStringLiteral("#### Client to server, version 2"));
    for (const QStringList& row : table(lines, QStringLiteral("type"))) {
        for (const QString& type : quoted(row.value(0))) {
            QTest::newRow(qPrintable(type)) << type << row.value(1) << row.value(2) << row.value(3);
        }
    }
}

void TestProtocolDocument::chatVersion2Requests()
{
    // Each row of version 2's client-to-server table, against the server: every code of its last
    // column brought about (and no other), every field of the wrong type named in `bad_request`,
    // and a well-formed one answered with the `done` fields of its third column (and no others).
    QFETCH(QString, type);
    QFETCH(QString, fieldsCell);
    QFETCH(QString, doneCell);
    QFETCH(QString, codesCell);
    ChatRooms rooms;
    QVERIFY(openChatRooms(rooms));
    const auto provoke = provocations(rooms);
    const auto carryOut = wellFormed(rooms);
    if (!carryOut.contains(type)) {
        QFAIL(qPrintable(QStringLiteral("section 7 lists the request `%1`; add a well-formed one here").arg(type)));
    }
    QStringList problems;
    const QStringList codes = quoted(codesCell);
    for (const QString& code : codes) {
        const QString key = type + QLatin1Char('/') + code;
        if (!provoke.contains(key)) {
            problems.append(QStringLiteral("section 7 lets `%1` be rejected with `%2`; add a way to bring it about")
                                .arg(type, code));
            continue;
        }
        const auto answer = send(provoke.value(key));
        if (!answer || Protocol::typeOf(*answer) != QLatin1String("rejected")
            || answer->value(QStringLiteral("code")).toString() != code) {
            problems.append(QStringLiteral("%1: got %2 %3 (%4)")
                                .arg(key, answer ? Protocol::typeOf(*answer) : QStringLiteral("nothing"),
                                    answer ? answer->value(QStringLiteral("code")).toString() : QString(),
                                    answer ? answer->value(QStringLiteral("message")).toString() : QString()));
        }
    }
    for (auto it = provoke.cbegin(); it != provoke.cend(); ++it) {
        if (it.key().section(QLatin1Char('/'), 0, 0) == type
            && !codes.contains(it.key().section(QLatin1Char('/'), 1))) {
            problems.append(QStringLiteral("the server rejects `%1` with `%2`, which its row does not list")
                                .arg(type, it.key().section(QLatin1Char('/'), 1)));
        }
    }
    const auto fields = fieldSpecs(fieldsCell);
    if (!fields.contains(QStringLiteral("seq"))) {
        problems.append(QStringLiteral("the row of `%1` has no `seq`").arg(type));
    }
    for (auto it = fields.cbegin(); it != fields.cend(); ++it) {
        if (it.key() == QLatin1String("seq")) {
            continue; // a bad seq ends the session (chatRejectionCodes, fatalErrorCodes)
        }
        Asked asked = carryOut.value(type);
        asked.request.insert(it.key(), wrongValue(it->type));
        const auto answer = send(asked);
        if (!answer || answer->value(QStringLiteral("code")).toString() != QLatin1String("bad_request")
            || !answer->value(QStringLiteral("message")).toString().contains(QStringLiteral("\"%1\"").arg(it.key()))) {
            problems.append(
                QStringLiteral("%1 with `%2` not %3: got %4 %5")
                    .arg(type, it.key(), it->type, answer ? Protocol::typeOf(*answer) : QStringLiteral("nothing"),
                        answer ? answer->value(QStringLiteral("message")).toString() : QString()));
        }
    }
    const auto answer = send(carryOut.value(type));
    QVERIFY(answer);
    const QString expected = type == QLatin1String("message") ? QStringLiteral("accepted") : QStringLiteral("done");
    QVERIFY2(Protocol::typeOf(*answer) == expected,
        qPrintable(QStringLiteral("%1 answered %2 %3")
                       .arg(type, Protocol::typeOf(*answer), answer->value(QStringLiteral("message")).toString())));
    if (expected == QLatin1String("done")) {
        const auto doneFields = fieldSpecs(doneCell);
        for (const QString& problem : checkFields(*answer, doneFields)) {
            problems.append(QStringLiteral("done of %1: %2").arg(type, problem));
        }
        for (const QCborValue& key : answer->keys()) {
            const QString name = key.toString();
            if (name != QLatin1String("type") && name != QLatin1String("seq") && !doneFields.contains(name)) {
                problems.append(QStringLiteral("done of %1 has `%2`, which its row does not list").arg(type, name));
            }
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1String("; "))));
}

void TestProtocolDocument::chatVersion2RejectionCodes_data()
{
    QTest::addColumn<QString>("code");
    QSet<QString> codes;
    const QStringList lines = subsection(
        section(ProtocolDocument::text(), QStringLiteral("## 7.")), QStringLiteral("#### Rejection codes"));
    for (const QStringList& row : table(lines, QStringLiteral("code"))) {
        for (const QString& code : quoted(row.value(0))) {
            if (!codes.contains(code)) {
                codes.insert(code);
                QTest::newRow(qPrintable(code)) << code;
            }
        }
    }
}

void TestProtocolDocument::chatVersion2RejectionCodes()
{
    // Each code of section 7's table, in a version-2 session.
    QFETCH(QString, code);
    ChatRooms rooms;
    QVERIFY(openChatRooms(rooms));
    const auto provoke = provocations(rooms);
    const QHash<QString, QString> examples {
        { QStringLiteral("bad_request"), QStringLiteral("message/bad_request") },
        { QStringLiteral("bad_name"), QStringLiteral("room_create/bad_name") },
        { QStringLiteral("not_found"), QStringLiteral("room_join/not_found") },
        { QStringLiteral("permission"), QStringLiteral("room_leave/permission") },
        { QStringLiteral("exists"), QStringLiteral("room_create/exists") },
        { QStringLiteral("bad_path"), QStringLiteral("message/bad_path") },
        { QStringLiteral("mismatch"), QStringLiteral("message/mismatch") },
    };
    std::optional<QCborMap> answer;
    if (code == QLatin1String("unavailable")) {
        // The store stays busy: nothing is stored, and the message says to try again.
        const QCborMap message
            = chat("message", 0, { { "room", QStringLiteral("team") }, { "text", QStringLiteral("kept?") } });
        {
            StoreLock lock(m_dir->filePath(QStringLiteral("data/quietwire.db")));
            QVERIFY(lock.locked());
            answer = send({ rooms.alice.get(), message });
        }
        const auto history = send({ rooms.alice.get(), chat("history", 0, { { "room", QStringLiteral("team") } }) });
        QVERIFY(history);
        for (const QCborValue& stored : history->value(QStringLiteral("messages")).toArray()) {
            QVERIFY(stored.toMap().value(QStringLiteral("text")).toString() != QLatin1String("kept?"));
        }
    } else if (code == QLatin1String("busy")) {
        // 32 requests wait behind `read`s that wait for the store's write lock; the next request,
        // even `rooms` (which does not need the store), is refused at once.
        StoreLock lock(m_dir->filePath(QStringLiteral("data/quietwire.db")));
        QVERIFY(lock.locked());
        for (int i = 0; i < 3; ++i) { // each waits up to 5 seconds for the lock
            rooms.alice->send(chat("read", ++m_seq, { { "conversation", rooms.team }, { "up_to", rooms.said } }));
        }
        for (int i = 0; i < 29; ++i) {
            rooms.alice->send(chat("history", ++m_seq, { { "room", QStringLiteral("team") } }));
        }
        answer = send({ rooms.alice.get(), chat("rooms", 0) });
    } else if (examples.contains(code)) {
        answer = send(provoke.value(examples.value(code)));
    } else {
        QFAIL(qPrintable(
            QStringLiteral("section 7 lists the rejection `%1`; add a way to bring it about here").arg(code)));
    }
    QVERIFY(answer);
    QCOMPARE(Protocol::typeOf(*answer), QStringLiteral("rejected"));
    QCOMPARE(answer->value(QStringLiteral("code")).toString(), code);
    QVERIFY(!answer->value(QStringLiteral("message")).toString().isEmpty());
}

void TestProtocolDocument::conversationsFitOneTransportMessageEach()
{
    // Section 7: the conversations come in "as many messages as it takes for each to fit one
    // transport message". A user in 60 rooms with topics of the longest length allowed.
    const Member alice = allowed(QStringLiteral("alice"));
    QVERIFY(startServer());
    Peer a(alice.key);
    QVERIFY(a.open(m_server->port, QStringLiteral("chat"), 2));
    QVERIFY(a.readUntil(QStringLiteral("history_end")));
    const QString topic(1024, QLatin1Char('t'));
    constexpr int Rooms = 60;
    for (int i = 0; i < Rooms; ++i) {
        const auto done = answerOf(
            a, chat("room_create", i + 1, { { "room", QStringLiteral("room%1").arg(i) }, { "topic", topic } }));
        QVERIFY(done && Protocol::typeOf(*done) == QLatin1String("done"));
    }
    Peer again(alice.key);
    QVERIFY(again.open(m_server->port, QStringLiteral("chat"), 2));
    int conversations = 0;
    QVERIFY(again.readUntil(QStringLiteral("history_end"), [&](const QCborMap& message) {
        if (Protocol::typeOf(message) == QLatin1String("conversations")) {
            conversations += message.value(QStringLiteral("conversations")).toArray().size();
        }
    }));
    // (Before f8ad0f4 they went out as one message of 66079 bytes, which could not be sent.)
    QCOMPARE(conversations, Rooms + 1); // and general
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
