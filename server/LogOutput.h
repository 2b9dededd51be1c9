#pragma once

namespace QuietWire::LogOutput {

/// quietwired's log lines on stderr: `2026-12-02 03:04:05.678 warning: text`, the time in local
/// time (left out when stamped is false: under systemd the journal stamps every line itself),
/// "warning: " before warnings, "error: " before critical and fatal messages. Each line leaves in
/// one write(2), and the date and time are formatted once a second, not per line: Qt's own
/// handler formatted a QDateTime for every line, which showed in the handshake profile
/// (bench/ANALYSIS.md, "Round 2: handshakes").
void install(bool stamped);

} // namespace QuietWire::LogOutput
