#pragma once

#include "Identity.h"

#include <QHostAddress>
#include <QStringList>

namespace QuietWire::Cli {

struct FilesOptions
{
    bool trustNew = false;
    bool resume = false;
    bool recursive = false;
    qint64 catBytes = 4096;
    QHostAddress bindAddress;
};

/// `quietwire-cli files HOST[:PORT] COMMAND ARGS...`: one operation, then the exit code
/// (0 on success; 1 with the server's error on stderr; 2 for a usage mistake).
int runFiles(const Identity& identity, const QString& configDir, const QString& host, quint16 port,
    const QStringList& args, const FilesOptions& options);

} // namespace QuietWire::Cli
