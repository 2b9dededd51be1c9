#include "FileArea.h"

#include "HomeFolder.h"
#include "Logging.h"
#include "SharedFileLedger.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <sys/stat.h>
#include <utility>

namespace QuietWire {

FileArea::FileArea(QString root, QString roomsRoot, Limits limits)
    : m_root(std::move(root))
    , m_roomsRoot(std::move(roomsRoot))
    , m_limits(limits)
{ }

qint64 FileArea::quotaOf(const QString& home) const
{
    return home.startsWith(m_roomsRoot + QLatin1Char('/')) ? m_limits.roomQuotaBytes : m_limits.quotaBytes;
}

FileArea::~FileArea() = default;

void FileArea::shareThrough(std::unique_ptr<SharedFileLedger> ledger)
{
    m_shared = std::move(ledger);
    m_usage.clear();
}

QString FileArea::sharedFolderPath(const QString& roomsRoot, qint64 conversationId)
{
    return QDir(roomsRoot).filePath(QString::number(conversationId));
}

QString FileArea::sharedFolder(qint64 conversationId, QString* error)
{
    const QString path = sharedFolderPath(conversationId);
    if (!QFileInfo::exists(path)) {
        if (!QDir().mkpath(path)) {
            if (error) {
                *error = QStringLiteral("Cannot create the shared folder %1").arg(path);
            }
            return {};
        }
        QFile::setPermissions(m_roomsRoot, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    return path;
}

QString FileArea::keepAside(const QString& roomsRoot, qint64 conversationId, QString* error)
{
    const QString path = QDir(roomsRoot).filePath(QString::number(conversationId));
    if (!QFileInfo(path).isDir()) {
        return {};
    }
    const QString aside = QDir(roomsRoot).filePath(QStringLiteral("deleted"));
    QDir().mkpath(aside);
    QFile::setPermissions(aside, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString target = QDir(aside).filePath(
        QStringLiteral("%1-%2")
            .arg(conversationId)
            .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'"))));
    if (!QDir().rename(path, target)) {
        if (error) {
            *error = QStringLiteral("Cannot move %1 to %2").arg(path, target);
        }
        return {};
    }
    return target;
}

void FileArea::forget(const QString& home)
{
    m_usage.remove(home);
}

QString FileArea::home(const QString& folderName, QString* error)
{
    const QString path = QDir(m_root).filePath(folderName);
    if (!QFileInfo::exists(path)) {
        if (!QDir().mkpath(path)) {
            if (error) {
                *error = QStringLiteral("Cannot create the home folder %1").arg(path);
            }
            return {};
        }
        QFile::setPermissions(m_root, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    return path;
}

qint64 FileArea::cost(const struct stat& st)
{
    return qint64(st.st_blocks) * 512 + EntryCost;
}

FileArea::Usage FileArea::measure(int dirFd, bool* complete)
{
    Usage usage;
    const HomeFolder::Error error = HomeFolder::walk(dirFd, [&usage](const struct stat& st, int depth) {
        usage.bytes += cost(st);
        ++usage.entries;
        usage.height = qMax(usage.height, depth);
    });
    if (complete) {
        *complete = error == HomeFolder::Error::None;
    }
    return usage;
}

FileArea::Usage FileArea::measureHome(const QString& home)
{
    ++m_walks;
    const HomeFolder folder(home);
    bool complete = folder.isOpen();
    Usage measured = folder.isOpen() ? measure(folder.fd(), &complete) : Usage();
    struct stat self;
    if (folder.isOpen() && ::fstat(folder.fd(), &self) == 0) {
        measured.bytes += qint64(self.st_blocks) * 512; // the home folder's own blocks grow with its entries
    }
    if (!complete) {
        qCWarning(lcFiles).noquote() << "could not measure all of" << home
                                     << "- its usage may be counted short until the server restarts";
    }
    return measured;
}

QString FileArea::ledgerKey(const QString& path) const
{
    if (path.startsWith(m_roomsRoot + QLatin1Char('/'))) {
        return QStringLiteral("room/") + path.mid(m_roomsRoot.size() + 1);
    }
    if (path.startsWith(m_root + QLatin1Char('/'))) {
        return QStringLiteral("home/") + path.mid(m_root.size() + 1);
    }
    return path;
}

FileArea::Usage FileArea::usage(const QString& home)
{
    if (m_shared) {
        // The nodes' common count; the first node that needs it measures it.
        const QString key = ledgerKey(home);
        if (m_dirty.contains(home)) {
            const Usage measured = measureHome(home);
            if (m_shared->replace(key, { measured.bytes, measured.entries, measured.height })) {
                m_dirty.remove(home);
            }
            return measured;
        }
        auto kept = m_shared->usage(key);
        if (!kept && !m_shared->failed()) {
            const Usage measured = measureHome(home);
            m_shared->set(key, { measured.bytes, measured.entries, measured.height });
            kept = m_shared->usage(key);
        }
        if (!kept) {
            return m_usage.value(home); // the store cannot be read: check() refuses meanwhile
        }
        return *m_usage.insert(home, { kept->bytes, kept->entries, kept->height });
    }
    auto it = m_usage.find(home);
    if (it != m_usage.end()) {
        return *it;
    }
    // Once per home and server run; from then on every request that changes the tree adjusts it.
    return *m_usage.insert(home, measureHome(home));
}

void FileArea::adjust(const QString& home, qint64 bytes, qint64 entries)
{
    if (m_shared) {
        if (!m_shared->adjust(ledgerKey(home), bytes, entries)) {
            m_dirty.insert(home); // counted again from the disk once the store is back
        }
        return;
    }
    usage(home); // a change is always added to a measured usage (callers measure before they change)
    Usage& kept = m_usage[home];
    kept.bytes = qMax<qint64>(0, kept.bytes + bytes);
    kept.entries = qMax<qint64>(0, kept.entries + entries);
}

void FileArea::noteDepth(const QString& home, int depth)
{
    if (m_shared) {
        if (!m_shared->noteDepth(ledgerKey(home), depth)) {
            m_dirty.insert(home);
        }
        return;
    }
    usage(home);
    Usage& kept = m_usage[home];
    kept.height = qMax(kept.height, depth);
}

FileArea::Refusal FileArea::check(
    const QString& home, qint64 bytes, qint64 entries, int depth, qint64* available, UploadLease* hold)
{
    const Usage now = usage(home);
    if (m_shared && m_shared->failed()) {
        return Refusal::Unavailable;
    }
    const qint64 free = quotaOf(home) - now.bytes - (m_shared ? 0 : m_reserved.value(home));
    if (available) {
        *available = qMax<qint64>(0, free);
    }
    if (depth > m_limits.maxDepth) {
        return Refusal::Depth;
    }
    if (entries > 0 && now.entries + entries > m_limits.maxEntries) {
        return Refusal::Entries;
    }
    if (m_shared) {
        // The bytes and every node's reservations, checked and (with hold) reserved in one step.
        qint64 reservation = 0;
        const auto fit = m_shared->reserveIfFits(ledgerKey(home), bytes, quotaOf(home), available,
            hold && hold->isValid() && hold->m_reservation == 0 ? &reservation : nullptr);
        if (fit == SharedFileLedger::Fit::Unavailable) {
            return Refusal::Unavailable;
        }
        if (fit == SharedFileLedger::Fit::TooBig) {
            return Refusal::Bytes;
        }
        if (reservation != 0) {
            hold->m_reservation = reservation;
            hold->m_reserved = qMax<qint64>(0, bytes);
        }
        return Refusal::None;
    }
    if (bytes > 0 && bytes > free) {
        return Refusal::Bytes;
    }
    if (hold) {
        hold->reserve(bytes);
    }
    return Refusal::None;
}

QString FileArea::explain(
    const QString& home, Refusal refusal, const QString& what, qint64 bytes, qint64 available) const
{
    const bool shared = home.startsWith(m_roomsRoot + QLatin1Char('/'));
    switch (refusal) {
    case Refusal::Depth:
        return QStringLiteral("%1 would be more than %2 folders deep, the limit of this server; keep your folders "
                              "shallower")
            .arg(what)
            .arg(m_limits.maxDepth);
    case Refusal::Entries:
        return QStringLiteral("%1 would take your folder past its limit of %2 files and folders; remove some first")
            .arg(what)
            .arg(m_limits.maxEntries);
    case Refusal::Bytes:
        return QStringLiteral("%1 needs %2 more bytes, but only %3 bytes of %4 quota of %5 bytes are free; remove "
                              "some files first")
            .arg(what)
            .arg(bytes)
            .arg(available)
            .arg(shared ? QStringLiteral("the shared folder's") : QStringLiteral("your"))
            .arg(quotaOf(home));
    case Refusal::Unavailable:
        return QStringLiteral("%1 cannot be checked against the quota now: the server's shared bookkeeping (its chat "
                              "store) cannot be reached; try again shortly")
            .arg(what);
    case Refusal::None:
        break;
    }
    return QString();
}

void FileArea::reserve(const QString& home, qint64 bytes)
{
    m_reserved[home] += bytes;
}

void FileArea::release(const QString& home, qint64 bytes)
{
    auto it = m_reserved.find(home);
    if (it == m_reserved.end()) {
        return;
    }
    *it -= bytes;
    if (*it <= 0) {
        m_reserved.erase(it);
    }
}

FileArea::UploadLease FileArea::claimUpload(const QString& home, const QString& target)
{
    if (m_uploads.contains(target)) {
        return {};
    }
    if (m_shared && !m_shared->claim(ledgerKey(target))) {
        return {}; // another node's upload holds it
    }
    m_uploads.insert(target);
    return UploadLease(this, home, target);
}

FileArea::UploadLease::UploadLease(FileArea* area, QString home, QString target)
    : m_area(area)
    , m_home(std::move(home))
    , m_target(std::move(target))
{ }

FileArea::UploadLease::UploadLease(UploadLease&& other) noexcept
    : m_area(std::exchange(other.m_area, nullptr))
    , m_home(std::move(other.m_home))
    , m_target(std::move(other.m_target))
    , m_reserved(std::exchange(other.m_reserved, 0))
    , m_reservation(std::exchange(other.m_reservation, 0))
{ }

FileArea::UploadLease& FileArea::UploadLease::operator=(UploadLease&& other) noexcept
{
    if (this != &other) {
        release();
        m_area = std::exchange(other.m_area, nullptr);
        m_home = std::move(other.m_home);
        m_target = std::move(other.m_target);
        m_reserved = std::exchange(other.m_reserved, 0);
        m_reservation = std::exchange(other.m_reservation, 0);
    }
    return *this;
}

void FileArea::UploadLease::reserve(qint64 bytes)
{
    if (!m_area) {
        return;
    }
    if (m_area->m_shared) {
        if (m_reservation == 0) {
            // Not held by check(): a reservation without a check (what is left of an upload).
            m_area->m_shared->reserveIfFits(
                m_area->ledgerKey(m_home), 0, m_area->quotaOf(m_home), nullptr, &m_reservation);
        }
        if (m_reservation != 0) {
            m_area->m_shared->resize(m_reservation, bytes);
        }
        m_reserved = bytes;
        return;
    }
    m_area->release(m_home, m_reserved);
    m_reserved = bytes;
    m_area->reserve(m_home, m_reserved);
}

void FileArea::UploadLease::release()
{
    if (!m_area) {
        return;
    }
    if (m_area->m_shared) {
        if (m_reservation != 0) {
            m_area->m_shared->drop(m_reservation);
        }
        m_area->m_shared->unclaim(m_area->ledgerKey(m_target));
        m_reservation = 0;
    }
    m_area->release(m_home, m_reserved);
    m_area->m_uploads.remove(m_target);
    m_area = nullptr;
    m_reserved = 0;
}

qint64 FileArea::parseSize(const QString& text)
{
    static const QRegularExpression pattern(
        QStringLiteral("^\\s*(\\d+)\\s*([kmgt]?)(i?b)?\\s*$"), QRegularExpression::CaseInsensitiveOption);
    const auto match = pattern.match(text);
    if (!match.hasMatch()) {
        return -1;
    }
    bool ok = false;
    qint64 value = match.captured(1).toLongLong(&ok);
    if (!ok) {
        return -1;
    }
    const QString unit = match.captured(2).toLower();
    const int shift = unit == QLatin1String("k") ? 10
        : unit == QLatin1String("m")             ? 20
        : unit == QLatin1String("g")             ? 30
        : unit == QLatin1String("t")             ? 40
                                                 : 0;
    if (value > (std::numeric_limits<qint64>::max() >> shift)) {
        return -1;
    }
    return value << shift;
}

} // namespace QuietWire
