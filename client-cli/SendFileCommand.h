#pragma once

#include "Identity.h"

#include <QHostAddress>
#include <QString>

namespace QuietWire::Cli {

struct SendFileOptions
{
    QString room; // the room's folder and the room (neither room nor to: general)
    QString to; // or the direct conversation with this name
    QString local; // the file to send
    QString text; // sent with it (may be empty)
    bool json = false;
    bool trustNew = false;
    QHostAddress bindAddress;
};

/// `quietwire-cli send-file HOST (--room R | --to NAME) LOCAL [--text T]`: uploads LOCAL into the
/// conversation's shared folder under attachments/YYYY-MM-DD/ (UTC; never over an existing name:
/// "report (2).pdf"), then sends a message that refers to it (docs/PROTOCOL.md section 7,
/// "Attachments") and prints the message's id. 0 on success, 1 with the reason on stderr, 2 for a
/// usage mistake.
///
/// Usage:
///     return runSendFile(identity, configDir, host, port, options);
int runSendFile(const Identity& identity, const QString& configDir, const QString& host, quint16 port,
    const SendFileOptions& options);

} // namespace QuietWire::Cli
