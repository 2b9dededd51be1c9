// The known_servers parser, fed arbitrary file contents.
#include "KnownServers.h"

#include <cstdint>
#include <cstdlib>

using namespace QuietWire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    QString error;
    const auto entries = KnownServers::parse(text, QStringLiteral("known_servers"), &error);
    if (!entries) {
        if (!error.contains(QStringLiteral("line"))) {
            abort();
        }
        return 0;
    }
    for (const auto& entry : *entries) {
        if (entry.key.size() != 32 || entry.hostPort.isEmpty()) {
            abort();
        }
    }
    return 0;
}
