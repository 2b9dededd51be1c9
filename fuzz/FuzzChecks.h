#pragma once

// The properties the fuzz targets check, in one place: each fuzz target (fuzz/fuzz_<target>.cpp)
// calls its check and abort()s on a problem, and TestFuzzRegressions replays the crash inputs and
// seed corpora through the same functions in every build. Each returns what is wrong, or an empty
// string.
//
// Usage:
//     if (!FuzzChecks::checkCbor(input).isEmpty()) { abort(); }             // a fuzz target
//     QVERIFY2(FuzzChecks::checkCbor(input).isEmpty(), qPrintable(...));    // a test

#include "AuthorizedKeys.h"
#include "ChatMessages.h"
#include "FilePaths.h"
#include "FileProtocol.h"
#include "KnownServers.h"
#include "Protocol.h"
#include "ProxyHeader.h"

#include <QByteArray>
#include <QCborArray>
#include <QString>
#include <QStringList>
#include <type_traits>
#include <variant>

namespace QuietWire::FuzzChecks {

/// A decode that failed must say so as every decoder does: bad_request naming the field.
template <typename T>
QString decodeErrorProblem(const Protocol::Decoded<T>& decoded)
{
    if (decoded.ok()) {
        return QString();
    }
    const Protocol::DecodeError& error = *decoded.error;
    if (error.code != ErrorCode::BadRequest || error.field.isEmpty()
        || !error.message.startsWith(QStringLiteral("field \"%1\" ").arg(error.field))) {
        return QStringLiteral("a decode error that does not name its field (\"%1\"): %2")
            .arg(error.field, error.message);
    }
    return QString();
}

/// Encodes a decoded message again (what a server relays or answers); nothing for an unknown
/// chat type, nor for a code this program does not know (it has no wire spelling to write).
template <typename T>
void encodeIfMessage(const T& decoded)
{
    if constexpr (
        std::is_same_v<T,
            ChatProtocol::
                Rejected> || std::is_same_v<T, Protocol::FatalError> || std::is_same_v<T, FileProtocol::Failed>) {
        if (!isWireCode(decoded.code)) {
            return;
        }
    }
    if constexpr (!std::is_same_v<T, std::monostate>) {
        (void)decoded.toCbor();
    }
}

/// message through T's decoder: its error, if any, must name the field; what it accepts encodes.
template <typename T>
QString decodeAndEncode(const QCborMap& message)
{
    const Protocol::Decoded<T> decoded = T::decode(message);
    if (decoded.ok()) {
        encodeIfMessage(decoded.value);
    }
    return decodeErrorProblem(decoded);
}

/// fuzz_cbor: every decoder of application messages.
inline QString checkCbor(const QByteArray& input)
{
    const QByteArray fileData = FileProtocol::decodeData(input);
    if (!fileData.isNull() && fileData.size() > input.size()) {
        return QStringLiteral("decodeData gave %1 bytes from a %2-byte message").arg(fileData.size()).arg(input.size());
    }
    QString error;
    const auto message = Protocol::decode(input, &error);
    if (!message) {
        return error.isEmpty() ? QStringLiteral("decode failed without saying why") : QString();
    }
    // What was decoded encodes to a message that decodes and encodes to the same bytes. (Bytes, not
    // maps: a NaN with a payload is written as the canonical NaN, and a NaN never equals itself.)
    const QByteArray encoded = Protocol::encode(*message);
    const auto again = Protocol::decode(encoded, &error);
    if (!again || Protocol::encode(*again) != encoded) {
        return QStringLiteral("the decoded message does not survive encoding: %1").arg(error);
    }
    (void)Protocol::typeOf(*message);
    // Every decoder of the envelope and the chat service, and the encoder of what it accepts.
    const auto chat = ChatProtocol::decodeServerMessage(*message);
    if (chat.ok()) {
        std::visit([](const auto& decoded) { encodeIfMessage(decoded); }, chat.value);
    }
    // Every client-to-server chat message (version 2's requests too), as the server reads them.
    const auto request = ChatProtocol::decodeClientMessage(*message);
    if (request.ok()) {
        std::visit([](const auto& decoded) { encodeIfMessage(decoded); }, request.value);
    }
    QStringList problems { decodeErrorProblem(chat), decodeErrorProblem(request),
        decodeAndEncode<ChatProtocol::Send>(*message), decodeAndEncode<Protocol::Hello>(*message),
        decodeAndEncode<Protocol::SessionHandoff>(*message), decodeAndEncode<Protocol::FatalError>(*message) };
    // The files service's entries, wherever a listing or a stat result carries them.
    problems.append(decodeAndEncode<FileProtocol::Entry>(*message));
    for (const QCborValue& value : message->value(QLatin1String("entries")).toArray()) {
        problems.append(decodeAndEncode<FileProtocol::Entry>(value.toMap()));
    }
    problems.append(decodeAndEncode<FileProtocol::Entry>(message->value(QLatin1String("entry")).toMap()));
    problems.removeAll(QString());
    return problems.value(0);
}

/// What a resolved path may be: components that stay in their folder, below the home or a shared
/// folder's root; none in the virtual folders ("/", "/rooms", "/direct").
inline QString pathProblem(const FilePaths::Location& resolved)
{
    if (resolved.isVirtual() && !resolved.components.isEmpty()) {
        return QStringLiteral("components below the virtual folder %1").arg(FilePaths::areaRoot(resolved));
    }
    if (resolved.isShared() != !resolved.folder.isEmpty()) {
        return QStringLiteral("a shared folder without a name, or a name outside one: %1").arg(resolved.folder);
    }
    QStringList all = resolved.components;
    if (resolved.isShared()) {
        all.prepend(resolved.folder);
    }
    for (const QString& component : all) {
        if (component.isEmpty() || component == QLatin1String(".") || component == QLatin1String("..")
            || component.contains(QLatin1Char('/')) || component.contains(QChar(0)) || component == QLatin1String("~")
            || component.contains(QLatin1Char('\\')) || component.toUtf8().size() > FilePaths::MaxNameBytes) {
            return QStringLiteral("component \"%1\" of %2").arg(component, FilePaths::toVirtual(resolved));
        }
    }
    const QString host = FilePaths::toHost(QStringLiteral("/srv/home"), resolved.components);
    if (!(host == QLatin1String("/srv/home") || host.startsWith(QLatin1String("/srv/home/")))) {
        return QStringLiteral("%1 is outside /srv/home").arg(host);
    }
    return QString();
}

/// fuzz_paths: whatever the input, the result never leaves the home folder or the shared folder it
/// names, and a refusal says why. A '|' splits the input into a current folder and a path.
inline QString checkPaths(const QByteArray& input)
{
    const QString text = QString::fromUtf8(input);
    const qsizetype bar = text.indexOf(QLatin1Char('|'));
    FilePaths::Location cwd;
    if (bar >= 0) {
        const auto base = FilePaths::resolve({}, text.left(bar));
        if (!base) {
            return QString();
        }
        cwd = *base;
    }
    QString error;
    const auto resolved = FilePaths::resolve(cwd, bar >= 0 ? text.mid(bar + 1) : text, &error);
    if (!resolved) {
        return error.isEmpty() ? QStringLiteral("refused without saying why") : QString();
    }
    return pathProblem(*resolved);
}

/// fuzz_proxy_header: a parsed header lies within the input and the limit, its every prefix asks
/// for more, a refusal says why, and more bytes are asked for only below the limit.
inline QString checkProxyHeader(const QByteArray& input)
{
    const ProxyHeader::Result result = ProxyHeader::parse(input);
    switch (result.status) {
    case ProxyHeader::Status::Invalid:
        return result.error.isEmpty() ? QStringLiteral("refused without saying why") : QString();
    case ProxyHeader::Status::NeedMore:
        return input.size() < ProxyHeader::MaxSize ? QString() : QStringLiteral("asks for more beyond the limit");
    case ProxyHeader::Status::Parsed:
        break;
    }
    if (result.size < ProxyHeader::FixedSize || result.size > input.size() || result.size > ProxyHeader::MaxSize) {
        return QStringLiteral("a header of %1 bytes in %2").arg(result.size).arg(input.size());
    }
    if (ProxyHeader::parse(input.left(result.size - 1)).status != ProxyHeader::Status::NeedMore) {
        return QStringLiteral("a prefix of a header does not ask for more");
    }
    if (result.hasAddresses && (result.source.isNull() || result.destination.isNull())) {
        return QStringLiteral("addresses without an address");
    }
    return QString();
}

/// fuzz_authorized_keys: every refusal names the line; every entry is a whole key, findable.
inline QString checkAuthorizedKeys(const QByteArray& input)
{
    QString error;
    const auto keys = AuthorizedKeys::parse(input, QStringLiteral("authorized_keys"), &error);
    if (!keys) {
        return error.contains(QStringLiteral("line")) ? QString()
                                                      : QStringLiteral("refusal without a line: %1").arg(error);
    }
    for (const auto& entry : keys->entries()) {
        if (entry.key.size() != 32 || (!entry.name.isEmpty() && !AuthorizedKeys::isValidName(entry.name))
            || keys->find(entry.key) != &entry) {
            return QStringLiteral("entry %1 (%2 key bytes)").arg(entry.name).arg(entry.key.size());
        }
    }
    return QString();
}

/// fuzz_known_servers: every refusal names the line; every entry has a whole key and a host.
inline QString checkKnownServers(const QByteArray& input)
{
    QString error;
    const auto entries = KnownServers::parse(input, QStringLiteral("known_servers"), &error);
    if (!entries) {
        return error.contains(QStringLiteral("line")) ? QString()
                                                      : QStringLiteral("refusal without a line: %1").arg(error);
    }
    for (const auto& entry : *entries) {
        if (entry.key.size() != 32 || entry.hostPort.isEmpty()) {
            return QStringLiteral("entry for \"%1\" (%2 key bytes)").arg(entry.hostPort).arg(entry.key.size());
        }
    }
    return QString();
}

} // namespace QuietWire::FuzzChecks
