#pragma once

#include <QCommandLineOption>
#include <QString>

class QCommandLineParser;

namespace QuietWire {

/// What `--version` prints for every QuietWire program: the program and its version, the wire
/// protocol, and the Qt and OpenSSL libraries it runs with (the facts a bug report needs).
QString versionText(const QString& program);
/// Adds -v/--version to parser (instead of Qt's, which prints the version line only); the
/// caller prints versionText() when it is set.
QCommandLineOption addVersionOption(QCommandLineParser& parser);

} // namespace QuietWire
