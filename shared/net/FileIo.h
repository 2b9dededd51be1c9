#pragma once

#include <QString>
#include <atomic>
#include <fcntl.h>
#include <functional>

class QFile;

namespace QuietWire {

class EncryptedTcpSocket;
class Sha256;

/// The file work the server's file service and the client's transfers share: hashing the prefix
/// a resume claims, making a finished file durable before it becomes visible, and streaming a
/// file as "data" messages without queueing more than a little on the socket.
///
/// Usage:
///     Sha256 prefix;
///     if (!FileIo::hashPrefix(part, offset, prefix) || prefix.result() != claimed) { mismatch(); }
///     ...
///     const FileIo::SendResult result = FileIo::sendChunks(*socket, file, size, hash, &sent);
///     ...
///     if (!FileIo::syncFile(part) || !FileIo::durableRename(AT_FDCWD, partPath, AT_FDCWD, path)) { fail(errno); }
namespace FileIo {

/// Queued bytes on the socket above which sendChunks() waits for bytesWritten.
inline constexpr qint64 SendHighWater = 1024 * 1024;

/// Adds the first length bytes of file to hasher, read from the start; the position is then at
/// length. False when the file is shorter or cannot be read, or when stop (checked between
/// blocks, from another thread: PrefixHasher) became true.
bool hashPrefix(QFile& file, qint64 length, Sha256& hasher, const std::atomic<bool>* stop = nullptr);

/// Flushes file and waits until its data is on the disk (fsync). False with errno set.
bool syncFile(QFile& file);

/// Renames fromName in the folder fromDir to toName in toDir (AT_FDCWD: names are paths), then,
/// when toDir is a folder descriptor, syncs that folder so the new name survives a crash. False
/// with errno set when the rename fails.
bool durableRename(int fromDir, const QString& fromName, int toDir, const QString& toName);

enum class SendResult {
    Waiting, // the socket has enough queued (or is not ready): call again on bytesWritten
    Finished, // the file ended, or end was reached
    ReadError, // file.read() failed: file.errorString() says why
};

/// Sends file from its current position, *position being that position, as "data" messages of up
/// to FileProtocol::ChunkSize bytes, never past end, while the socket is ready and holds less than
/// SendHighWater. Each chunk is added to hash and *position; sent (if given) is called after each.
SendResult sendChunks(EncryptedTcpSocket& socket, QFile& file, qint64 end, Sha256& hash, qint64* position,
    const std::function<void()>& sent = {});

} // namespace FileIo

} // namespace QuietWire
