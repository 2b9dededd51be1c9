#pragma once

#include "Identity.h"

#include <QHostAddress>
#include <QString>

namespace QuietWire::Cli {

struct ChatOptions
{
    enum class Mode { Interactive, Send, Listen };
    Mode mode = Mode::Interactive;
    QString sendText;
    QString sendTo;
    int listenCount = 0;
    bool trustNew = false;
    QHostAddress bindAddress;
};

/// `quietwire-cli chat`: runs the chat until it ends and returns the exit code.
int runChat(
    const Identity& identity, const QString& configDir, const QString& host, quint16 port, const ChatOptions& options);

} // namespace QuietWire::Cli
