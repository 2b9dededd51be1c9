#include "ChatModel.h"

#include "Format.h"

#include <QLocale>
#include <algorithm>

namespace QuietWire::Gui {

ChatModel::ChatModel(QObject* parent)
    : QAbstractListModel(parent)
{ }

bool ChatModel::addMessage(const ChatProtocol::Message& message)
{
    if (message.id > 0 && m_ids.contains(message.id)) {
        return false;
    }
    Line line;
    line.kind = message.notice ? Kind::Notice : (message.to.isEmpty() ? Kind::Message : Kind::Direct);
    line.id = message.id;
    line.time = message.time.isValid() ? message.time.toLocalTime() : QDateTime::currentDateTime();
    line.from = message.from;
    line.to = message.to;
    line.text = message.text;
    line.fingerprint = message.fingerprint;
    line.own = !message.fingerprint.isEmpty() && message.fingerprint == m_ownFingerprint;
    line.history = message.history;
    line.attachment = message.attachment;
    if (message.id > 0) {
        line.sortKey = message.id * 2;
        m_ids.insert(message.id);
    } else {
        line.sortKey = m_lines.isEmpty() ? 0 : m_lines.constLast().sortKey;
    }
    insert(std::move(line));
    return true;
}

void ChatModel::addSystem(const QString& text, const QDateTime& time)
{
    Line line;
    line.kind = Kind::System;
    line.time = time;
    line.text = text;
    line.sortKey = m_lines.isEmpty() ? 0 : m_lines.constLast().sortKey;
    insert(std::move(line));
}

void ChatModel::setUnreadLine(qint64 lastRead)
{
    for (int row = 0; row < m_lines.size(); ++row) {
        if (m_lines.at(row).kind == Kind::UnreadLine) {
            beginRemoveRows(QModelIndex(), row, row);
            m_lines.removeAt(row);
            endRemoveRows();
            break;
        }
    }
    m_unreadAfter = lastRead < 0 ? -1 : lastRead;
    if (m_unreadAfter < 0) {
        return;
    }
    Line line;
    line.kind = Kind::UnreadLine;
    line.time = QDateTime::currentDateTime();
    line.text = tr("New messages");
    line.sortKey = m_unreadAfter * 2 + 1;
    insert(std::move(line));
}

void ChatModel::insert(Line line)
{
    // After every line of the same or a smaller key: a system line stays where it was added.
    const auto position = std::upper_bound(m_lines.cbegin(), m_lines.cend(), line.sortKey,
        [](qint64 key, const Line& existing) { return key < existing.sortKey; });
    const int row = static_cast<int>(position - m_lines.cbegin());
    line.serial = ++m_lastSerial;
    beginInsertRows(QModelIndex(), row, row);
    m_lines.insert(row, std::move(line));
    endInsertRows();
}

void ChatModel::clear()
{
    beginResetModel();
    m_lines.clear();
    m_ids.clear();
    m_unreadAfter = -1;
    endResetModel();
}

int ChatModel::rowOf(qint64 id) const
{
    if (!m_ids.contains(id)) {
        return -1;
    }
    const auto position = std::lower_bound(m_lines.cbegin(), m_lines.cend(), id * 2,
        [](const Line& existing, qint64 key) { return existing.sortKey < key; });
    for (auto it = position; it != m_lines.cend() && it->sortKey == id * 2; ++it) {
        if (it->id == id) {
            return static_cast<int>(it - m_lines.cbegin());
        }
    }
    return -1;
}

qint64 ChatModel::oldestId() const
{
    for (const Line& line : m_lines) {
        if (line.id > 0) {
            return line.id;
        }
    }
    return 0;
}

qint64 ChatModel::newestId() const
{
    for (auto it = m_lines.crbegin(); it != m_lines.crend(); ++it) {
        if (it->id > 0) {
            return it->id;
        }
    }
    return 0;
}

int ChatModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_lines.size());
}

QString ChatModel::plainText(const Line& line)
{
    const QString time = QLocale().toString(line.time.time(), QLocale::ShortFormat);
    QString text;
    switch (line.kind) {
    case Kind::Message:
        text = tr("[%1] %2: %3").arg(time, line.from, line.text);
        break;
    case Kind::Direct:
        text = tr("[%1] %2 → %3 (direct): %4").arg(time, line.from, line.to, line.text);
        break;
    case Kind::Notice:
        return tr("[%1] Server notice: %2").arg(time, line.text);
    case Kind::UnreadLine:
        return tr("— %1 —").arg(line.text);
    case Kind::System:
        return tr("[%1] — %2").arg(time, line.text);
    }
    if (line.attachment) {
        text += QLatin1Char(' ')
            + (line.attachment->removed
                    ? tr("[file %1, %2, removed]").arg(line.attachment->name, Format::size(line.attachment->size))
                    : tr("[file %1, %2]").arg(line.attachment->name, Format::size(line.attachment->size)));
    }
    return text;
}

QVariant ChatModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_lines.size()) {
        return QVariant();
    }
    const Line& line = m_lines.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        return plainText(line);
    case Qt::ToolTipRole:
        if (line.kind == Kind::Message || line.kind == Kind::Direct) {
            // The short fingerprint tells two members with similar names apart.
            return tr("%1, key %2\nSent %3")
                .arg(line.from, line.fingerprint.left(15), QLocale().toString(line.time, QLocale::LongFormat));
        }
        return QLocale().toString(line.time, QLocale::LongFormat);
    case KindRole:
        return static_cast<int>(line.kind);
    case TimeRole:
        return line.time;
    case FromRole:
        return line.from;
    case ToRole:
        return line.to;
    case TextRole:
        return line.text;
    case FingerprintRole:
        return line.fingerprint;
    case OwnRole:
        return line.own;
    case HistoryRole:
        return line.history;
    case IdRole:
        return line.id;
    case HasAttachmentRole:
        return line.attachment.has_value();
    case AttachmentNameRole:
        return line.attachment ? line.attachment->name : QString();
    case AttachmentSizeRole:
        return line.attachment ? line.attachment->size : qint64(0);
    case AttachmentPathRole:
        return line.attachment ? line.attachment->path : QString();
    case AttachmentRemovedRole:
        return line.attachment && line.attachment->removed;
    case SerialRole:
        return line.serial;
    default:
        return QVariant();
    }
}

} // namespace QuietWire::Gui
