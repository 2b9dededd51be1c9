// Path resolution: whatever the input, the result never leaves the home folder (the checks:
// FuzzChecks::checkPaths).
#include "FuzzChecks.h"

#include <cstdint>
#include <cstdlib>

using namespace QuietWire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (!FuzzChecks::checkPaths(QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)))
             .isEmpty()) {
        abort();
    }
    return 0;
}
