// Arbitrary bytes, delivered in arbitrary pieces, through the frame reader every connection uses.
#include "FrameReader.h"

#include <QBuffer>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 3) {
        return 0;
    }
    using QuietWire::FrameReader;
    // The first bytes choose the limits and the piece size, the rest is the stream.
    const int maxLength = (data[0] << 8 | data[1]);
    const int minLength = data[2] % 32;
    const QByteArray stream(reinterpret_cast<const char*>(data + 3), static_cast<qsizetype>(size - 3));
    QByteArray arrived;
    QBuffer device(&arrived);
    device.open(QIODevice::ReadOnly);
    qsizetype fed = 0;
    qsizetype consumed = 0;
    const qsizetype piece = 1 + data[0] % 7;
    while (fed < stream.size()) {
        const qint64 position = device.pos();
        arrived.append(stream.mid(fed, piece));
        device.seek(position);
        fed += piece;
        for (;;) {
            QByteArray frame;
            int length = -1;
            const auto result = FrameReader::read(device, minLength, maxLength, &frame, &length);
            if (result == FrameReader::Result::Frame) {
                if (frame.size() != length || length > maxLength || length < minLength) {
                    abort();
                }
                consumed += 2 + length;
                continue;
            }
            if (result != FrameReader::Result::NeedMore) {
                if (length < 0 || (result == FrameReader::Result::TooLarge && length <= maxLength)) {
                    abort();
                }
                return 0; // the connection would be closed here
            }
            break;
        }
    }
    if (consumed > stream.size()) {
        abort();
    }
    return 0;
}
