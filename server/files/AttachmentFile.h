#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace QuietWire {

/// The file a chat message refers to, in a conversation's shared folder (docs/PROTOCOL.md
/// section 7, "Attachments"): whether it is there as a regular file with the size and SHA-256 the
/// message declares. Opened like every file of the file service (HomeFolder: each component with
/// O_NOFOLLOW), so a symbolic link anywhere on the way is never followed.
///
/// Usage:
///     // off the event loop: it reads the whole file
///     const AttachmentFile::Verdict verdict = AttachmentFile::verify(folder, {"attachments", "a.pdf"}, size, sha256);
///     if (verdict.result != AttachmentFile::Result::Ok) { refuse(verdict.message); }
///     const bool there = AttachmentFile::present(folder, components, size); // a few system calls, no reading
class AttachmentFile
{
public:
    enum class Result {
        Ok,
        NotFound, // nothing there, or not a regular file (a folder, a link on the way)
        Mismatch, // another size or SHA-256
        Io, // the server could not read it
    };
    struct Verdict
    {
        Result result = Result::Ok;
        QString message; // for a person, naming the file (by virtualPath)
    };

    /// Reads components below the shared folder at host path folder and compares its size and
    /// SHA-256 with size and sha256. Blocks for as long as reading the file takes. virtualPath is
    /// the path as the client wrote it, for the message.
    static Verdict verify(const QString& folder, const QStringList& components, qint64 size, const QByteArray& sha256,
        const QString& virtualPath);
    /// Whether a regular file of size bytes is at components below folder now (nothing is read).
    static bool present(const QString& folder, const QStringList& components, qint64 size);
};

} // namespace QuietWire
