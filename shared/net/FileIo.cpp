#include "FileIo.h"

#include "EncryptedTcpSocket.h"
#include "FileProtocol.h"
#include "Sha256.h"

#include <QFile>
#include <cstdio>
#include <unistd.h>

namespace QuietWire::FileIo {

namespace {
constexpr qint64 HashBlock = 1024 * 1024;
} // namespace

bool hashPrefix(QFile& file, qint64 length, Sha256& hasher, const std::atomic<bool>* stop)
{
    if (!file.seek(0)) {
        return false;
    }
    QByteArray buffer(HashBlock, Qt::Uninitialized);
    for (qint64 left = length; left > 0;) {
        if (stop && stop->load()) {
            return false;
        }
        const qint64 n = file.read(buffer.data(), qMin(left, HashBlock));
        if (n <= 0) {
            return false;
        }
        hasher.addData(buffer.constData(), n);
        left -= n;
    }
    return file.seek(length);
}

bool syncFile(QFile& file)
{
    return file.flush() && ::fsync(file.handle()) == 0;
}

bool durableRename(int fromDir, const QString& fromName, int toDir, const QString& toName)
{
    if (::renameat(fromDir, QFile::encodeName(fromName).constData(), toDir, QFile::encodeName(toName).constData())
        != 0) {
        return false;
    }
    if (toDir != AT_FDCWD) {
        ::fsync(toDir);
    }
    return true;
}

SendResult sendChunks(EncryptedTcpSocket& socket, QFile& file, qint64 end, Sha256& hash, qint64* position,
    const std::function<void()>& sent)
{
    while (socket.isReady() && socket.bytesToWrite() < SendHighWater) {
        // The file is read straight into the message, behind its header: no copy of the chunk.
        const qint64 want = qMin<qint64>(FileProtocol::ChunkSize, end - *position);
        QByteArray message = FileProtocol::encodeDataHeader(want);
        const qsizetype header = message.size();
        message.resize(header + want);
        const qint64 n = want > 0 ? file.read(message.data() + header, want) : 0;
        if (n < 0) {
            return SendResult::ReadError;
        }
        if (n == 0) {
            return SendResult::Finished;
        }
        if (n < want) { // a short read: the header announced more
            message = FileProtocol::encodeData(message.constData() + header, n);
        }
        hash.addData(message.constData() + message.size() - n, n);
        *position += n;
        socket.sendMessage(message);
        if (sent) {
            sent();
        }
    }
    return SendResult::Waiting;
}

} // namespace QuietWire::FileIo
