#pragma once

#include "ServiceClient.h"

#include <QMetaEnum>
#include <QString>

namespace QuietWire::Bench {

/// A short label for why a bench connection failed, to count failures by kind in a report:
/// the server's wire code ("busy"), the server key problem, or the socket's error name
/// ("RemoteClosed").
inline QString failureLabel(const ServiceClient& client)
{
    switch (client.serverKeyProblem()) {
    case ServiceClient::ServerKeyProblem::Unknown:
        return QStringLiteral("unknown_server_key");
    case ServiceClient::ServerKeyProblem::Changed:
        return QStringLiteral("server_key_changed");
    case ServiceClient::ServerKeyProblem::PinsUnreadable:
        return QStringLiteral("known_servers");
    case ServiceClient::ServerKeyProblem::None:
        break;
    }
    if (isWireCode(client.lastFailure().code)) {
        return wireName(client.lastFailure().code);
    }
    if (client.lastSocketError() != EncryptedTcpSocket::Error::None) {
        return QString::fromLatin1(
            QMetaEnum::fromType<EncryptedTcpSocket::Error>().valueToKey(static_cast<int>(client.lastSocketError())));
    }
    return QStringLiteral("unknown");
}

} // namespace QuietWire::Bench
