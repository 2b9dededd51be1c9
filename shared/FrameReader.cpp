#include "FrameReader.h"

#include "Protocol.h"

#include <QIODevice>
#include <QtEndian>

namespace QuietWire {

FrameReader::Result FrameReader::read(QIODevice& device, int minLength, int maxLength, QByteArray* frame, int* length)
{
    uchar header[Protocol::FrameHeaderSize];
    if (device.bytesAvailable() < Protocol::FrameHeaderSize
        || device.peek(reinterpret_cast<char*>(header), Protocol::FrameHeaderSize) != Protocol::FrameHeaderSize) {
        return Result::NeedMore;
    }
    *length = qFromBigEndian<quint16>(header);
    if (*length > maxLength) {
        return Result::TooLarge;
    }
    if (*length < minLength) {
        return Result::TooSmall;
    }
    if (device.bytesAvailable() < Protocol::FrameHeaderSize + *length) {
        return Result::NeedMore;
    }
    device.skip(Protocol::FrameHeaderSize);
    *frame = device.read(*length);
    return frame->size() == *length ? Result::Frame : Result::NeedMore;
}

} // namespace QuietWire
