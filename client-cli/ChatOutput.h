#pragma once

#include "ChatProtocol.h"
#include "ChatRequests.h"

#include <QJsonObject>
#include <QString>

/// Chat messages, rooms and search hits as quietwire-cli prints them: text for a person (escaped
/// by TerminalText, continuation lines marked) or one JSON object per line for a script (--json;
/// times in ISO 8601 UTC, text as it came).
namespace QuietWire::Cli::ChatOutput {

/// "alice: text", "alice -> bob: text" (direct) or "* server: text" (a notice), after prefix
/// (already safe for a terminal); an attachment as a last line "[file NAME, SIZE bytes: PATH]".
QString messageText(const ChatProtocol::Message& message, const QString& prefix = QString());
/// "42  2026-12-01 17:03:04  alice: text": id and local time before the message.
QString messageLine(const ChatProtocol::Message& message);

/// {"type":"message","id":..,"conversation":..,"room"|"to":..,"from":..,"fingerprint":..,"time":..,"text":..,
/// "attachment":{"path","name","size","sha256" (hex),"removed"} when it has one}
QJsonObject messageJson(const ChatProtocol::Message& message);
/// time in ISO 8601 UTC with milliseconds ("2026-12-01T17:03:04.123Z").
QString isoTime(const QDateTime& time);
/// The object as one line of compact JSON, without the line break.
QString line(const QJsonObject& object);

/// {"type":"room","id","name","topic","private","members","joined"}
QJsonObject roomJson(const ChatProtocol::RoomInfo& room);
/// "owner" or "member".
QString roleName(ChatProtocol::Role role);

} // namespace QuietWire::Cli::ChatOutput
