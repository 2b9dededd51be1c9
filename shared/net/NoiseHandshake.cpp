#include "NoiseHandshake.h"

#include "FrameReader.h"
#include "Protocol.h"

namespace QuietWire {

NoiseHandshake::NoiseHandshake() = default;

NoiseHandshake::~NoiseHandshake() = default;

bool NoiseHandshake::start(Role role, const Noise::KeyPair& identity)
{
    m_state = std::make_unique<Noise::HandshakeState>();
    m_remoteStaticKey.clear();
    m_handshakeHash.clear();
    Noise::HandshakeState::Config config;
    config.protocolName = Protocol::NoiseProtocolName;
    config.role = role;
    config.prologue = Protocol::Prologue;
    config.localStatic = identity;
    if (!m_state->initialize(config)) {
        const QString reason = m_state->errorString();
        m_state.reset();
        return fail(reason);
    }
    return true;
}

bool NoiseHandshake::writeFrame(QByteArray* frame)
{
    QByteArray message;
    if (!m_state || !m_state->writeMessage({}, message)) {
        return fail(tr("Cannot write handshake message: %1").arg(m_state ? m_state->errorString() : QString()));
    }
    *frame = FrameReader::framed(message);
    return true;
}

bool NoiseHandshake::readFrame(const QByteArray& body)
{
    if (!m_state || m_state->isMyTurn()) {
        return fail(tr("The peer sent a handshake message out of turn"));
    }
    QByteArray payload; // empty in QuietWire/1; later versions may put data here
    if (!m_state->readMessage(body, payload)) {
        return fail(tr("Handshake message from the peer is invalid (%1); is it a QuietWire/1 peer?")
                        .arg(m_state->errorString()));
    }
    return true;
}

bool NoiseHandshake::isMyTurn() const
{
    return m_state && m_state->isMyTurn();
}

bool NoiseHandshake::isFinished() const
{
    return m_state && m_state->isFinished();
}

QByteArray NoiseHandshake::remoteStaticKey() const
{
    return m_state ? m_state->remoteStaticKey() : m_remoteStaticKey;
}

QByteArray NoiseHandshake::handshakeHash() const
{
    return m_state ? m_state->handshakeHash() : m_handshakeHash;
}

NoiseTransport NoiseHandshake::finish()
{
    if (!isFinished()) {
        return {};
    }
    auto [initiatorToResponder, responderToInitiator] = m_state->split();
    const bool initiator = m_state->role() == Role::Initiator;
    m_remoteStaticKey = m_state->remoteStaticKey();
    m_handshakeHash = m_state->handshakeHash();
    m_state.reset(); // wipes the ephemeral key and the chaining key
    return initiator ? NoiseTransport(std::move(initiatorToResponder), std::move(responderToInitiator))
                     : NoiseTransport(std::move(responderToInitiator), std::move(initiatorToResponder));
}

bool NoiseHandshake::fail(const QString& message)
{
    m_errorString = message;
    return false;
}

} // namespace QuietWire
