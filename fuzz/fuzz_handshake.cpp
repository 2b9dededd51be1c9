// Both Noise XX roles, fed arbitrary bytes where a peer's handshake message belongs.
#include "HandshakeState.h"
#include "Protocol.h"

#include <cstdint>

using namespace QuietWire;

namespace {
Noise::KeyPair fixedKey(unsigned char fill)
{
    // Fixed keys keep runs reproducible; X25519 clamps any 32 bytes into a valid scalar.
    const QByteArray bytes(32, static_cast<char>(fill));
    return *Noise::X25519::fromPrivateKey(Noise::SecretKey(bytes));
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    static const Noise::KeyPair server = fixedKey(0x11);
    static const Noise::KeyPair client = fixedKey(0x22);
    const bool asResponder = data[0] & 1;
    const QByteArray input(reinterpret_cast<const char*>(data + 1), static_cast<qsizetype>(size - 1));

    Noise::HandshakeState state;
    Noise::HandshakeState::Config config;
    config.protocolName = Protocol::NoiseProtocolName;
    config.prologue = Protocol::Prologue;
    config.role = asResponder ? Noise::HandshakeState::Role::Responder : Noise::HandshakeState::Role::Initiator;
    config.localStatic = asResponder ? server : client;
    if (!state.initialize(config)) {
        return 0;
    }
    QByteArray out;
    QByteArray payload;
    if (!asResponder && !state.writeMessage({}, out)) {
        return 0;
    }
    // Split the input into up to two messages (msg 1 and 3, or msg 2 and a bogus extra).
    const qsizetype cut = input.isEmpty() ? 0 : static_cast<uchar>(input.at(0)) * input.size() / 256;
    for (const QByteArray& message : { input.mid(1, cut), input.mid(1 + cut) }) {
        if (state.isFinished() || state.isMyTurn()) {
            break;
        }
        payload.clear();
        if (!state.readMessage(message, payload)) {
            return 0;
        }
        if (!state.isFinished()) {
            out.clear();
            if (!state.writeMessage({}, out)) {
                return 0;
            }
        }
    }
    if (state.isFinished()) {
        auto [a, b] = state.split();
        QByteArray plain;
        (void)b.decryptWithAd({}, input, plain);
    }
    return 0;
}
