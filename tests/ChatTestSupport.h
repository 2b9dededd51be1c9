#pragma once

// The chat's test fixtures shared by the suites that drive the real quietwired: a client
// identity in its own config dir, a chat session on a RawClient (messages written and read
// directly), and a chat message map.

#include "Identity.h"
#include "RawClient.h"
#include "ServerProcess.h"

#include <QCborMap>
#include <QTcpSocket>
#include <memory>
#include <optional>

namespace QuietWire::ChatTest {

/// A client identity in its own config dir, connecting from its own loopback address.
struct Client
{
    QString configDir;
    QString bind;
    QString keyLine;
    QByteArray key;

    QStringList args(const QStringList& rest) const
    {
        return QStringList { QStringLiteral("--config-dir"), configDir, QStringLiteral("--bind"), bind } + rest;
    }
};

/// A new client key in configDir (quietwire-cli key), connecting from bind.
inline Client makeClient(const QString& configDir, const QString& bind)
{
    Client client;
    client.configDir = configDir;
    client.bind = bind;
    const CliResult result = runCli({ QStringLiteral("--config-dir"), client.configDir, QStringLiteral("key") });
    if (result.exitCode != 0) {
        qWarning("key failed: %s", qPrintable(result.err));
        return client;
    }
    client.keyLine = result.out.trimmed();
    client.key = QByteArray::fromBase64(client.keyLine.section(QLatin1Char(' '), 0, 0).toLatin1());
    return client;
}

/// A chat session of a RawClient: the test writes and reads protocol messages directly.
struct RawChat
{
    std::unique_ptr<RawClient> raw;
    std::unique_ptr<QTcpSocket> socket;

    void send(const QCborMap& message) { socket->write(raw->encryptFrame(message)); }
    /// Any plaintext, even one that is not a message (an empty keepalive, trailing bytes).
    void sendPlaintext(const QByteArray& plaintext)
    {
        QByteArray ciphertext;
        QVERIFY(raw->send.encryptWithAd({}, plaintext, ciphertext));
        socket->write(RawClient::frame(ciphertext));
    }
    std::optional<QCborMap> read() { return raw->readMessage(*socket); }
    /// The next message of one of these types, skipping join, leave and the like.
    std::optional<QCborMap> next(const QStringList& types)
    {
        for (int i = 0; i < 1000; ++i) {
            const auto message = read();
            if (!message || types.contains(Protocol::typeOf(*message))) {
                return message;
            }
        }
        return std::nullopt;
    }
};

inline QCborMap chatMessage(const QCborValue& seq, const QCborValue& text)
{
    QCborMap message { { QStringLiteral("type"), QStringLiteral("message") } };
    if (!seq.isUndefined()) {
        message.insert(QStringLiteral("seq"), seq);
    }
    if (!text.isUndefined()) {
        message.insert(QStringLiteral("text"), text);
    }
    return message;
}

/// Connects client's key on a RawClient and sends the chat hello (after a keepalive when
/// keepaliveFirst; with version when given; none when !sayHello); the caller reads the welcome.
inline RawChat joinChat(const Client& client, quint16 port, bool keepaliveFirst = false,
    std::optional<qint64> version = {}, bool sayHello = true,
    const QHostAddress& server = QHostAddress(QStringLiteral("127.0.0.1")))
{
    RawChat chat;
    const auto identity = Identity::load(client.configDir);
    if (!identity) {
        return chat;
    }
    chat.raw = std::make_unique<RawClient>(identity->keyPair());
    if (!chat.raw->handshake(QHostAddress(client.bind), server, port)) {
        return chat;
    }
    const auto session = chat.raw->readMainMessage();
    if (!session || Protocol::typeOf(*session) != QLatin1String("session")) {
        return chat;
    }
    chat.socket = chat.raw->redeem(QHostAddress(client.bind), server,
        static_cast<quint16>(session->value(QStringLiteral("port")).toInteger()),
        session->value(QStringLiteral("ticket")).toByteArray());
    if (chat.socket && keepaliveFirst) {
        chat.sendPlaintext({});
    }
    if (chat.socket && sayHello) {
        chat.send(Protocol::Hello { QStringLiteral("chat"), version }.toCbor());
    }
    return chat;
}

} // namespace QuietWire::ChatTest
