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

FrameReader::Result FrameReader::readHandshake(QIODevice& device, QByteArray* frame, QString* refusal)
{
    int length = 0;
    const Result result = read(device, 0, Protocol::MaxHandshakeMessage, frame, &length);
    if (result == Result::TooLarge) {
        *refusal = tr("The peer sent a %1-byte frame during the handshake (at most %2 allowed)")
                       .arg(length)
                       .arg(Protocol::MaxHandshakeMessage);
    }
    return result;
}

FrameReader::Result FrameReader::readTransport(QIODevice& device, QByteArray* frame, QString* refusal)
{
    int length = 0;
    const Result result = read(device, Protocol::TagSize, Protocol::MaxNoiseMessage, frame, &length);
    if (result == Result::TooSmall) {
        *refusal = tr("The peer sent a %1-byte transport frame, shorter than the authentication tag").arg(length);
    }
    return result;
}

QByteArray FrameReader::framed(const QByteArray& body)
{
    QByteArray frame(Protocol::FrameHeaderSize, Qt::Uninitialized);
    qToBigEndian<quint16>(static_cast<quint16>(body.size()), frame.data());
    return frame + body;
}

} // namespace QuietWire
