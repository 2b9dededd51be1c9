#pragma once

#include "Identity.h"

#include <QHostAddress>
#include <QStringList>
#include <optional>

namespace QuietWire::Cli {

struct RequestOptions
{
    bool trustNew = false;
    QHostAddress bindAddress;
    bool json = false; // one JSON object per line on stdout
    QString room; // history, search: the conversation of a room
    QString to; // history, search: the direct conversation with a person
    std::optional<qint64> before; // history, search: only older messages than this id
    std::optional<qint64> limit; // history, search: how many (the server's default when unset)
    bool all = false; // history: every page
    bool isPrivate = false; // room create
    QString topic; // room create
};

/// `quietwire-cli rooms|room|history|search HOST[:PORT] ARGS...`: one chat request over a
/// version-2 session (history --all: one page after another), its answer printed, then the exit
/// code (0 on success; 1 with the server's code and reason on stderr; 2 for a usage mistake).
/// command is "rooms", "room", "history" or "search"; args are what follows HOST.
int runRequest(const Identity& identity, const QString& configDir, const QString& host, quint16 port,
    const QString& command, const QStringList& args, const RequestOptions& options);

} // namespace QuietWire::Cli
