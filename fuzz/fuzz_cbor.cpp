// Every decoder of application messages, fed arbitrary bytes.
#include "ChatProtocol.h"
#include "FileProtocol.h"
#include "Protocol.h"

#include <QCborArray>
#include <cstdint>
#include <cstdlib>

using namespace QuietWire;

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
    (void)ChatProtocol::Message::fromCbor(*message).toCbor();
    (void)FileProtocol::Entry::decode(*message).value.toCbor();
    for (const QCborValue& value : message->value(QLatin1String("entries")).toArray()) {
        (void)FileProtocol::Entry::decode(value.toMap());
    }
    (void)FileProtocol::Entry::decode(message->value(QLatin1String("entry")).toMap());
    return 0;
}
