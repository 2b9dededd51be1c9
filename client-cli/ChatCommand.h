#pragma once

#include "ChatProtocol.h"
#include "Identity.h"

#include <QHostAddress>
#include <QString>

namespace QuietWire::Cli {

struct ChatOptions
{
    enum class Mode { Interactive, Send, Listen };
    Mode mode = Mode::Interactive;
    QString sendText;
    /// A room or a person: a version-2 session whose messages go there (--send, typed lines) and,
    /// for --listen, the only conversation printed. Neither: version 1, the general room.
    QString room;
    QString to;
    int listenCount = 0;
    bool json = false; // messages (and --send's answer) as one JSON object per line
    /// --send: a file already in the conversation's shared folder, sent with the text (send-file).
    std::optional<ChatProtocol::Attachment> attachment;
    bool trustNew = false;
    QHostAddress bindAddress;
};

/// `quietwire-cli chat`: runs the chat until it ends and returns the exit code (0 success; 1 with
/// the reason on stderr: the server's code and message for a refused --send).
int runChat(
    const Identity& identity, const QString& configDir, const QString& host, quint16 port, const ChatOptions& options);

} // namespace QuietWire::Cli
