#pragma once

#include "ChatProtocol.h"
#include "ChatRequests.h"

#include <variant>

/// Any chat message by its type: the one table from a message's "type" to its struct's decoder,
/// for each direction.
///
/// Usage:
///     const auto message = ChatProtocol::decodeServerMessage(map); // Decoded<ServerMessage>
///     if (!message.ok()) { log(message.error->message); return; }  // the error names the field
///     std::visit(handler, message.value);                           // monostate: an unknown type
namespace QuietWire::ChatProtocol {

/// Any server-to-client chat message; std::monostate for a type this program does not know (a
/// newer server's), which a client ignores (docs/PROTOCOL.md section 4).
using ServerMessage = std::variant<std::monostate, Welcome, Members, Message, HistoryEnd, Join, Leave, Presence,
    Accepted, Rejected, Conversations, Done, ReadMarker, RoomChanged, RoomGone>;
/// The message map holds, by its type, through that type's decode(); the error is set for a known
/// type with a bad field (the value is then std::monostate).
Protocol::Decoded<ServerMessage> decodeServerMessage(const QCborMap& map);

/// Any client-to-server chat message; std::monostate for a type the server ignores.
using ClientMessage
    = std::variant<std::monostate, Send, HistoryRequest, SearchRequest, ReadRequest, RoomsRequest, RoomRequest>;
/// As decodeServerMessage(). On an error the value holds the request's seq when it was usable
/// (seqOf()), so the answer can be "rejected" with it.
Protocol::Decoded<ClientMessage> decodeClientMessage(const QCborMap& map);
/// The seq of a decoded client message (also one whose other field failed); nullopt when it has
/// none that can be answered.
std::optional<qint64> seqOf(const Protocol::Decoded<ClientMessage>& decoded);

} // namespace QuietWire::ChatProtocol
