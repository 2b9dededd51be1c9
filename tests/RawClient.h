#pragma once

// A QuietWire client written out step by step from docs/PROTOCOL.md, on a bare QTcpSocket and
// the Noise classes, so tests can break the protocol on purpose (wrong tickets, tampered
// frames, ...). It waits with QTest::qWaitFor, which keeps the event loop (and an in-process
// server) running.

#include "HandshakeState.h"
#include "Protocol.h"

#include <QCborMap>
#include <QTcpSocket>
#include <QTest>
#include <QtEndian>
#include <memory>
#include <optional>

class RawClient
{
public:
    explicit RawClient(const QuietWire::Noise::KeyPair& identity)
        : m_identity(identity)
    { }

    static QByteArray frame(const QByteArray& payload)
    {
        QByteArray out(2, Qt::Uninitialized);
        qToBigEndian<quint16>(static_cast<quint16>(payload.size()), out.data());
        return out + payload;
    }

    static std::optional<QByteArray> readFrame(QTcpSocket& socket, int timeoutMs = 10000)
    {
        if (!QTest::qWaitFor(
                [&] { return socket.bytesAvailable() >= 2 || socket.state() != QAbstractSocket::ConnectedState; },
                timeoutMs)
            || socket.bytesAvailable() < 2) {
            return std::nullopt;
        }
        uchar header[2];
        socket.peek(reinterpret_cast<char*>(header), 2);
        const int length = qFromBigEndian<quint16>(header);
        if (!QTest::qWaitFor([&] { return socket.bytesAvailable() >= 2 + length; }, timeoutMs)) {
            return std::nullopt;
        }
        socket.skip(2);
        return socket.read(length);
    }

    static bool waitClosed(QTcpSocket& socket, int timeoutMs = 10000)
    {
        return QTest::qWaitFor(
            [&] {
                // Data the peer sent before closing is not what we wait for.
                socket.readAll();
                return socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
    }

    /// TCP connect plus the three handshake messages on the main port.
    bool handshake(const QHostAddress& bindAddress, const QHostAddress& server, quint16 port)
    {
        m_main = std::make_unique<QTcpSocket>();
        if (!bindAddress.isNull()) {
            m_main->bind(bindAddress, 0);
        }
        m_main->connectToHost(server, port);
        if (!QTest::qWaitFor([&] { return m_main->state() == QAbstractSocket::ConnectedState; }, 10000)) {
            return false;
        }
        QuietWire::Noise::HandshakeState handshake;
        QuietWire::Noise::HandshakeState::Config config;
        config.protocolName = QuietWire::Protocol::NoiseProtocolName;
        config.prologue = QuietWire::Protocol::Prologue;
        config.localStatic = m_identity;
        if (!handshake.initialize(config)) {
            return false;
        }
        QByteArray message;
        if (!handshake.writeMessage({}, message)) {
            return false;
        }
        m_main->write(frame(message));
        const auto reply = readFrame(*m_main);
        QByteArray payload;
        if (!reply || !handshake.readMessage(*reply, payload)) {
            return false;
        }
        serverKey = handshake.remoteStaticKey();
        message.clear();
        if (!handshake.writeMessage({}, message) || !handshake.isFinished()) {
            return false;
        }
        m_main->write(frame(message));
        auto [c1, c2] = handshake.split();
        send = std::move(c1);
        receive = std::move(c2);
        handshakeHash = handshake.handshakeHash();
        return true;
    }

    /// The server's first transport message on the main port.
    std::optional<QCborMap> readMainMessage() { return readMessage(*m_main); }

    std::optional<QCborMap> readMessage(QTcpSocket& socket, int timeoutMs = 10000)
    {
        const auto data = readFrame(socket, timeoutMs);
        QByteArray plaintext;
        if (!data || !receive.decryptWithAd({}, *data, plaintext)) {
            return std::nullopt;
        }
        return QuietWire::Protocol::decode(plaintext);
    }

    QByteArray encryptFrame(const QCborMap& message)
    {
        QByteArray ciphertext;
        if (!send.encryptWithAd({}, QuietWire::Protocol::encode(message), ciphertext)) {
            return {};
        }
        return frame(ciphertext);
    }

    /// Opens a connection to the session port and sends the ticket frame.
    std::unique_ptr<QTcpSocket> redeem(
        const QHostAddress& bindAddress, const QHostAddress& server, quint16 port, const QByteArray& ticket)
    {
        auto socket = std::make_unique<QTcpSocket>();
        if (!bindAddress.isNull()) {
            socket->bind(bindAddress, 0);
        }
        socket->connectToHost(server, port);
        if (!QTest::qWaitFor(
                [&] {
                    return socket->state() == QAbstractSocket::ConnectedState
                        || socket->state() == QAbstractSocket::UnconnectedState;
                },
                10000)
            || socket->state() != QAbstractSocket::ConnectedState) {
            return nullptr;
        }
        socket->write(frame(ticket));
        return socket;
    }

    QTcpSocket* mainSocket() const { return m_main.get(); }

    QuietWire::Noise::CipherState send;
    QuietWire::Noise::CipherState receive;
    QByteArray serverKey;
    QByteArray handshakeHash;

private:
    QuietWire::Noise::KeyPair m_identity;
    std::unique_ptr<QTcpSocket> m_main;
};
