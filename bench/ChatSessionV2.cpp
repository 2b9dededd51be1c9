#include "ChatSessionV2.h"

#include "ChatMessages.h"
#include "EventLoop.h"
#include "Protocol.h"

#include <QMetaMethod>
#include <QTimer>

namespace QuietWire::Bench {

ChatSessionV2::ChatSessionV2(const Identity& identity, QObject* parent)
    : QObject(parent)
    , m_identity(identity)
{ }

void ChatSessionV2::start(const QString& host, quint16 port, const QHostAddress& localAddress)
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_joined = false;
    m_failed = false;
    m_conversations.clear();
    m_socket = new EncryptedTcpSocket(m_identity.keyPair(), this);
    m_socket->setLocalAddress(localAddress);
    m_socket->setPeerKeyCheck([](const QByteArray&) { return true; });
    connect(m_socket, &EncryptedTcpSocket::ready, this, [this] {
        m_clock.start();
        // The real clients' version: 3 (presence instead of join and leave); an older server answers 2.
        const Protocol::Hello hello { QLatin1String(Protocol::ServiceChat), ChatProtocol::CurrentVersion };
        if (!m_socket->sendMessage(Protocol::encode(hello.toCbor()))) {
            fail(m_socket->errorString());
        }
    });
    connect(m_socket, &EncryptedTcpSocket::messageReceived, this, &ChatSessionV2::onMessage);
    connect(m_socket, &EncryptedTcpSocket::errorOccurred, this,
        [this](EncryptedTcpSocket::Error, const QString& message) { fail(message); });
    connect(m_socket, &EncryptedTcpSocket::disconnected, this, [this] { fail(QStringLiteral("the session ended")); });
    m_socket->connectToHost(host, port);
}

bool ChatSessionV2::send(const QCborMap& message)
{
    return m_socket && m_socket->isReady() && m_socket->sendMessage(Protocol::encode(message));
}

void ChatSessionV2::close()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    m_joined = false;
}

void ChatSessionV2::fail(const QString& why)
{
    if (m_failed) {
        return;
    }
    m_failed = true;
    m_lastError = why;
    emit failed(why);
}

void ChatSessionV2::onMessage(const QByteArray& data)
{
    QString error;
    const auto map = Protocol::decode(data, &error);
    if (!map) {
        fail(QStringLiteral("undecodable message: ") + error);
        return;
    }
    if (Protocol::is<Protocol::FatalError>(*map)) {
        fail(QStringLiteral("the server closed the session: ") + Protocol::FatalError::decode(*map).value.message);
        return;
    }
    // The echoes of the load are most of what arrives: only decoded when someone listens.
    if (Protocol::is<ChatProtocol::Message>(*map)
        && !isSignalConnected(QMetaMethod::fromSignal(&ChatSessionV2::messageReceived))) {
        return;
    }
    const auto decoded = ChatProtocol::decodeServerMessage(*map);
    if (!decoded.ok()) {
        fail(QStringLiteral("a bad %1 from the server: %2").arg(Protocol::typeOf(*map), decoded.error->message));
        return;
    }
    const ChatProtocol::ServerMessage& message = decoded.value;
    if (const auto* accepted = std::get_if<ChatProtocol::Accepted>(&message)) {
        emit this->accepted(*accepted);
    } else if (const auto* done = std::get_if<ChatProtocol::Done>(&message)) {
        emit this->done(*done);
    } else if (const auto* rejected = std::get_if<ChatProtocol::Rejected>(&message)) {
        emit this->rejected(rejected->seq, wireName(rejected->code) + QStringLiteral(": ") + rejected->message);
    } else if (const auto* chat = std::get_if<ChatProtocol::Message>(&message)) {
        emit messageReceived(*chat);
    } else if (const auto* welcome = std::get_if<ChatProtocol::Welcome>(&message)) {
        m_name = welcome->name;
        if (welcome->version.value_or(1) < 2) {
            fail(QStringLiteral("the server does not speak chat version 2"));
        }
    } else if (const auto* conversations = std::get_if<ChatProtocol::Conversations>(&message)) {
        m_conversations += conversations->conversations;
    } else if (std::holds_alternative<ChatProtocol::HistoryEnd>(message)) {
        m_joinMs = static_cast<double>(m_clock.nsecsElapsed()) / 1e6;
        m_joined = true;
        emit joined();
    }
}

QList<ChatSessionV2*> ChatSessionV2::openMany(
    const BenchOptions& options, const QList<Identity>& keys, int count, QObject* parent, QString* error)
{
    constexpr int MaxAttempts = 5;
    QList<ChatSessionV2*> sessions;
    QList<int> queue;
    QList<int> attempts(count, 0);
    int inFlight = 0;
    int up = 0;
    bool gaveUp = false;
    QObject scope; // the connections below use locals
    const auto launch = [&] {
        while (inFlight < options.connectBatch && !queue.isEmpty()) {
            const int i = queue.takeFirst();
            ++attempts[i];
            ++inFlight;
            sessions.at(i)->start(options.host, options.port, options.sourceAddress(i));
        }
    };
    for (int i = 0; i < count; ++i) {
        auto* session = new ChatSessionV2(keys.at(i % keys.size()), parent);
        sessions << session;
        connect(session, &ChatSessionV2::joined, &scope, [&] {
            --inFlight;
            ++up;
            launch();
        });
        connect(session, &ChatSessionV2::failed, &scope, [&, i, session](const QString& why) {
            if (session->isJoined()) {
                return; // counted by the benchmark itself
            }
            --inFlight;
            if (attempts[i] >= MaxAttempts) {
                *error = QStringLiteral("session %1: %2").arg(i).arg(why);
                gaveUp = true;
                return;
            }
            QTimer::singleShot(100 * attempts[i], &scope, [&, i] {
                queue.append(i);
                launch();
            });
        });
        queue << i;
    }
    launch();
    if (!spinUntil([&] { return up == count || gaveUp; }, 300000) || up != count) {
        if (error->isEmpty()) {
            *error = QStringLiteral("only %1 of %2 sessions joined in 300 s").arg(up).arg(count);
        }
        qDeleteAll(sessions);
        return {};
    }
    return sessions;
}

} // namespace QuietWire::Bench
