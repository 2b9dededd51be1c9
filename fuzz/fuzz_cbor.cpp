// Every decoder of application messages, fed arbitrary bytes.
#include "ChatProtocol.h"
#include "FileProtocol.h"
#include "Protocol.h"

#include <QCborArray>
#include <cstdint>
#include <cstdlib>
#include <type_traits>

using namespace QuietWire;

namespace {
/// Encodes a decoded chat message again (what a server relays); nothing for an unknown type, nor
/// for a refusal whose code this program does not know (it has no wire spelling to write).
template <typename T>
void encodeIfMessage(const T& decoded)
{
    if constexpr (std::is_same_v<T, ChatProtocol::Rejected>) {
        if (!isWireCode(decoded.code)) {
            return;
        }
    }
    if constexpr (!std::is_same_v<T, std::monostate>) {
        (void)decoded.toCbor();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const QByteArray fileData = FileProtocol::decodeData(input);
    if (!fileData.isNull() && fileData.size() > input.size()) {
        abort();
    }
    QString error;
    const auto message = Protocol::decode(input, &error);
    if (!message) {
        if (error.isEmpty()) {
            abort();
        }
        return 0;
    }
    (void)Protocol::typeOf(*message);
    // Every decoder of the envelope and the chat service, and the encoder of what it accepts.
    if (const auto chat = ChatProtocol::decodeServerMessage(*message); chat.ok()) {
        std::visit([](const auto& decoded) { encodeIfMessage(decoded); }, chat.value);
    }
    if (const auto send = ChatProtocol::Send::decode(*message); send.ok()) {
        (void)send.value.toCbor();
    }
    if (const auto hello = Protocol::Hello::decode(*message); hello.ok()) {
        (void)hello.value.toCbor();
    }
    if (const auto handoff = Protocol::SessionHandoff::decode(*message); handoff.ok()) {
        (void)handoff.value.toCbor();
    }
    if (const auto fatal = Protocol::FatalError::decode(*message); fatal.ok() && isWireCode(fatal.value.code)) {
        (void)fatal.value.toCbor();
    }
    (void)FileProtocol::Entry::decode(*message).value.toCbor();
    for (const QCborValue& value : message->value(QLatin1String("entries")).toArray()) {
        (void)FileProtocol::Entry::decode(value.toMap());
    }
    (void)FileProtocol::Entry::decode(message->value(QLatin1String("entry")).toMap());
    return 0;
}
