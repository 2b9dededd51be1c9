// The whitelist parser, fed arbitrary file contents.
#include "AuthorizedKeys.h"

#include <cstdint>
#include <cstdlib>

using namespace QuietWire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    QString error;
    const auto keys = AuthorizedKeys::parse(text, QStringLiteral("authorized_keys"), &error);
    if (!keys) {
        if (!error.contains(QStringLiteral("line"))) {
            abort(); // every refusal names the line
        }
        return 0;
    }
    for (const auto& entry : keys->entries()) {
        if (entry.key.size() != 32 || (!entry.name.isEmpty() && !AuthorizedKeys::isValidName(entry.name))
            || keys->find(entry.key) != &entry) {
            abort();
        }
    }
    return 0;
}
