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
    QString from; // whitelist name of the sender ("" for a server notice)
    QString fingerprint; // sender's key fingerprint
    QString to; // for a direct message: the recipient's name
    QString text;
    QDateTime time;
    bool history = false; // replayed on join
    bool notice = false; // from the server administrator

    QCborMap toCbor() const;
    static Message fromCbor(const QCborMap& map);
};

/// Why a chat text cannot be sent. The server refuses such text (bad_request), the console's
/// `say` and the clients too, before it goes out.
enum class TextError {
    None,
    Empty, // nothing but white space
    TooLong, // more than MaxTextBytes in UTF-8
    ControlCharacter, // C0 (but newline and tab), DEL or C1: CR, ESC... would let a sender draw
                      // "alice: ..." lines or run escape sequences in other members' terminals
};
/// The first problem of text; position gets the index of a control character.
TextError checkText(const QString& text, qsizetype* position = nullptr);
/// A message for a person, naming the problem (and the character: "U+001B at position 5").
QString describe(TextError error, const QString& text, qsizetype position);

struct Member
{
    QString name;
    QString fingerprint;
};

QCborMap makeSend(qint64 seq, const QString& text, const QString& to = QString());
QCborMap makeMember(const QString& type, const Member& member);
/// Sent after welcome, the rest of the member list and the replayed history: what follows is live.
QCborMap makeHistoryEnd();

} // namespace QuietWire::ChatProtocol
