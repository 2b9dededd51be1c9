#pragma once

#include "BenchOptions.h"
#include "ChatClient.h"
#include "Identity.h"

#include <QObject>

namespace QuietWire::Bench {

/// Event-loop stalls while a chat history loads, in the thread that runs ChatClient (the desktop
/// client's situation): a version-2 ChatClient fills general with --messages texts of
/// --text-bytes (untimed), then loads the whole history page by page (200 a page, newest first,
/// back to the start) while a StallMonitor ticks. Prints one `stall_history` line.
///
/// Only the client library's share is measured (decoding the pages, handing each message on);
/// the desktop's own model and painting come on top.
class HistoryStallBench : public QObject
{
    Q_OBJECT

public:
    HistoryStallBench(const BenchOptions& options, const Identity& identity, QObject* parent = nullptr);
    int run();
    /// Joins and fills general with --messages texts (untimed); false after a note() of why.
    /// The desktop window's measurement (quietwire-gui-bench) starts from this too.
    bool prepare() { return join() && fill(m_options.messages); }

private:
    bool join();
    bool fill(int count);

    BenchOptions m_options;
    ChatClient* m_client;
};

} // namespace QuietWire::Bench
