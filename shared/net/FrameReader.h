#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QString>

class QIODevice;

namespace QuietWire {

/// Takes one length-prefixed frame (2-byte big-endian length, then the bytes) off a device,
/// checking the length against the limits before a single byte of the body is buffered
/// (docs/PROTOCOL.md section 2). Every QuietWire connection reads its frames through it; the fuzz
/// target feeds it arbitrary bytes. framed() is the writing side.
///
/// Usage:
///     QByteArray frame;
///     QString refusal;
///     switch (FrameReader::readTransport(*socket, &frame, &refusal)) {
///     case FrameReader::Result::NeedMore: return;            // wait for readyRead
///     case FrameReader::Result::Frame: ... open it; break;
///     default: ... close the connection, telling refusal
///     }
class FrameReader
{
    Q_DECLARE_TR_FUNCTIONS(QuietWire::FrameReader)

public:
    enum class Result {
        Frame, // *frame holds the next frame, taken off the device
        NeedMore, // the header or the body is not complete yet; nothing was taken
        TooLarge, // the header announces more than maxLength; *length says how much
        TooSmall, // the header announces less than minLength
    };

    static Result read(QIODevice& device, int minLength, int maxLength, QByteArray* frame, int* length);
    /// A handshake frame: at most Protocol::MaxHandshakeMessage bytes. *refusal says why one is refused.
    static Result readHandshake(QIODevice& device, QByteArray* frame, QString* refusal);
    /// A transport frame: at least the tag (Protocol::TagSize bytes). *refusal says why one is refused.
    static Result readTransport(QIODevice& device, QByteArray* frame, QString* refusal);

    /// body behind its length header: what read() takes off the other end. At most 65535 bytes.
    static QByteArray framed(const QByteArray& body);
};

} // namespace QuietWire
