#pragma once

#include "Identity.h"

#include <QList>
#include <QString>
#include <optional>

namespace QuietWire::Bench {

/// The client keys of a benchmark: <dir>/0000 ... <dir>/NNNN, each an identity directory as
/// quietwire-cli keeps it, plus <dir>/authorized_keys (names b0000 ...) for the server to start
/// with, and <dir>/known_servers shared by every client of the run.
class BenchKeys
{
public:
    static bool generate(const QString& dir, int count, QString* error);
    /// Loads the first count keys (all of them when count is 0).
    static std::optional<QList<Identity>> load(const QString& dir, int count, QString* error);
    static QString knownServersPath(const QString& dir);
    static QString name(int index);
};

} // namespace QuietWire::Bench
