#pragma once

#include <QByteArray>

class QIODevice;

namespace QuietWire {

/// Takes one length-prefixed frame (2-byte big-endian length, then the bytes) off a device,
/// checking the length against the limits before a single byte of the body is buffered.
/// EncryptedTcpSocket reads every frame through it; the fuzz target feeds it arbitrary bytes.
class FrameReader
{
public:
    enum class Result {
        Frame,      // *frame holds the next frame, taken off the device
        NeedMore,   // the header or the body is not complete yet; nothing was taken
        TooLarge,   // the header announces more than maxLength; *length says how much
        TooSmall,   // the header announces less than minLength
    };

    static Result read(QIODevice& device, int minLength, int maxLength, QByteArray* frame, int* length);
};

} // namespace QuietWire
