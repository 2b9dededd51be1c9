#pragma once

#include <QString>

namespace QuietWire {

/// What `--version` prints for every QuietWire program: the program and its version, the wire
/// protocol, and the Qt and OpenSSL libraries it runs with (the facts a bug report needs).
QString versionText(const QString& program);

} // namespace QuietWire
