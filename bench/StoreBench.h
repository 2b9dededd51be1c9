#pragma once

#include "BenchOptions.h"

namespace QuietWire::Bench {

/// The chat store alone (server/store/ChatStore, no network): fills a store with --stored
/// messages in --conversations conversations through the same batched append the server's group
/// commit uses, then times history pages and searches against it. Records: store_fill (messages/s,
/// file size), store_history and store_search (p50, p99, max in ms).
class StoreBench
{
public:
    explicit StoreBench(const BenchOptions& options);
    int run();

private:
    BenchOptions m_options;
};

} // namespace QuietWire::Bench
