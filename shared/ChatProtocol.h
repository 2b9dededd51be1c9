#pragma once

#include <QCborMap>
#include <QDateTime>
#include <QList>
#include <QString>

/// Messages of the "chat" service (docs/PROTOCOL.md, section Chat), encoded and decoded in one place.
namespace QuietWire::ChatProtocol {

/// Longest chat text accepted, in UTF-8 bytes.
inline constexpr int MaxTextBytes = 16 * 1024;
inline constexpr int HistorySize = 100;

struct Message
{
    qint64 id = 0;
    QString from;        // whitelist name of the sender ("" for a server notice)
    QString fingerprint; // sender's key fingerprint
    QString to;          // for a direct message: the recipient's name
    QString text;
    QDateTime time;
    bool history = false; // replayed on join
    bool notice = false;  // from the server administrator

    QCborMap toCbor() const;
    static Message fromCbor(const QCborMap& map);
};

struct Member
{
    QString name;
    QString fingerprint;
};

QCborMap makeSend(qint64 seq, const QString& text, const QString& to = QString());
QCborMap makeMember(const QString& type, const Member& member);

} // namespace QuietWire::ChatProtocol
