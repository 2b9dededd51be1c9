// The whitelist parser, fed arbitrary file contents (the checks: FuzzChecks::checkAuthorizedKeys).
#include "FuzzChecks.h"

#include <cstdint>
#include <cstdlib>

using namespace QuietWire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (!FuzzChecks::checkAuthorizedKeys(QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)))
             .isEmpty()) {
        abort();
    }
    return 0;
}
