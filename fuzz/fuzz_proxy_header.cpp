// The PROXY protocol version 2 header a trusted load balancer sends first: whatever the bytes,
// the parser stays within them and agrees with itself (the checks: FuzzChecks::checkProxyHeader).
#include "FuzzChecks.h"

#include <cstdint>
#include <cstdlib>

using namespace QuietWire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (!FuzzChecks::checkProxyHeader(QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)))
             .isEmpty()) {
        abort();
    }
    return 0;
}
