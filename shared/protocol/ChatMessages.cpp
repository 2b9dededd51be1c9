#include "ChatMessages.h"

namespace QuietWire::ChatProtocol {

using Protocol::Decoded;

namespace {
/// One message's decoder, picked by type; the variant holds the struct even when a field failed
/// (the value read so far: a request's seq), the error says which.
template <typename Variant, typename T>
Decoded<Variant> decodeAs(const QCborMap& map)
{
    Decoded<T> message = T::decode(map);
    return { Variant { std::move(message.value) }, std::move(message.error) };
}

template <typename Variant, typename Entry, std::size_t N>
Decoded<Variant> decodeBy(const QCborMap& map, const Entry (&decoders)[N])
{
    const QString type = Protocol::typeOf(map);
    for (const auto& [name, decoder] : decoders) {
        if (type == QLatin1String(name)) {
            return decoder(map);
        }
    }
    return { Variant {}, std::nullopt }; // a type this side does not know: ignored
}
} // namespace

Decoded<ServerMessage> decodeServerMessage(const QCborMap& map)
{
    using Decoder = Decoded<ServerMessage> (*)(const QCborMap&);
    static const std::pair<const char*, Decoder> decoders[] = {
        { Welcome::Type, &decodeAs<ServerMessage, Welcome> },
        { Members::Type, &decodeAs<ServerMessage, Members> },
        { Message::Type, &decodeAs<ServerMessage, Message> },
        { Message::NoticeType, &decodeAs<ServerMessage, Message> },
        { HistoryEnd::Type, &decodeAs<ServerMessage, HistoryEnd> },
        { Join::Type, &decodeAs<ServerMessage, Join> },
        { Leave::Type, &decodeAs<ServerMessage, Leave> },
        { Presence::Type, &decodeAs<ServerMessage, Presence> },
        { Accepted::Type, &decodeAs<ServerMessage, Accepted> },
        { Rejected::Type, &decodeAs<ServerMessage, Rejected> },
        { Conversations::Type, &decodeAs<ServerMessage, Conversations> },
        { Done::Type, &decodeAs<ServerMessage, Done> },
        { ReadMarker::Type, &decodeAs<ServerMessage, ReadMarker> },
        { RoomChanged::Type, &decodeAs<ServerMessage, RoomChanged> },
        { RoomGone::Type, &decodeAs<ServerMessage, RoomGone> },
    };
    Decoded<ServerMessage> decoded = decodeBy<ServerMessage>(map, decoders);
    if (!decoded.ok()) {
        decoded.value = std::monostate {}; // nothing of a message that failed is used
    }
    return decoded;
}

Decoded<ClientMessage> decodeClientMessage(const QCborMap& map)
{
    using Decoder = Decoded<ClientMessage> (*)(const QCborMap&);
    static const std::pair<const char*, Decoder> decoders[] = {
        { Send::Type, &decodeAs<ClientMessage, Send> },
        { HistoryRequest::Type, &decodeAs<ClientMessage, HistoryRequest> },
        { SearchRequest::Type, &decodeAs<ClientMessage, SearchRequest> },
        { ReadRequest::Type, &decodeAs<ClientMessage, ReadRequest> },
        { RoomsRequest::Type, &decodeAs<ClientMessage, RoomsRequest> },
    };
    if (RoomRequest::actionOf(Protocol::typeOf(map))) { // room_create, room_join, ...
        return decodeAs<ClientMessage, RoomRequest>(map);
    }
    return decodeBy<ClientMessage>(map, decoders);
}

std::optional<qint64> seqOf(const Decoded<ClientMessage>& decoded)
{
    if (!seqUsable(decoded.error)) {
        return std::nullopt;
    }
    return std::visit(
        [](const auto& message) -> std::optional<qint64> {
            if constexpr (std::is_same_v<std::decay_t<decltype(message)>, std::monostate>) {
                return std::nullopt;
            } else {
                return message.seq;
            }
        },
        decoded.value);
}

} // namespace QuietWire::ChatProtocol
