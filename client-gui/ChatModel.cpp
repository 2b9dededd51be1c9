#include "ChatModel.h"

#include <QLocale>

namespace QuietWire::Gui {

ChatModel::ChatModel(QObject* parent)
    : QAbstractListModel(parent)
{ }

void ChatModel::addMessage(const ChatProtocol::Message& message)
{
    Line line;
    line.kind = message.notice ? Kind::Notice : (message.to.isEmpty() ? Kind::Message : Kind::Direct);
    line.time = message.time.isValid() ? message.time.toLocalTime() : QDateTime::currentDateTime();
    line.from = message.from;
    line.to = message.to;
    line.text = message.text;
    line.fingerprint = message.fingerprint;
    line.own = !message.fingerprint.isEmpty() && message.fingerprint == m_ownFingerprint;
    line.history = message.history;
    append(std::move(line));
}

void ChatModel::addSystem(const QString& text, const QDateTime& time)
{
    Line line;
    line.kind = Kind::System;
    line.time = time;
    line.text = text;
    append(std::move(line));
}

void ChatModel::append(Line line)
{
    if (m_lines.size() >= MaxLines) {
        const int drop = MaxLines / 10;
        beginRemoveRows(QModelIndex(), 0, drop - 1);
        m_lines.remove(0, drop);
        endRemoveRows();
    }
    const int row = static_cast<int>(m_lines.size());
    beginInsertRows(QModelIndex(), row, row);
    m_lines.append(std::move(line));
    endInsertRows();
}

void ChatModel::clear()
{
    beginResetModel();
    m_lines.clear();
    endResetModel();
}

int ChatModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_lines.size());
}

QString ChatModel::plainText(const Line& line)
{
    const QString time = QLocale().toString(line.time.time(), QLocale::ShortFormat);
    switch (line.kind) {
    case Kind::Message:
        return tr("[%1] %2: %3").arg(time, line.from, line.text);
    case Kind::Direct:
        return tr("[%1] %2 → %3 (direct): %4").arg(time, line.from, line.to, line.text);
    case Kind::Notice:
        return tr("[%1] Server notice: %2").arg(time, line.text);
    case Kind::System:
        break;
    }
    return tr("[%1] — %2").arg(time, line.text);
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
    default:
        return QVariant();
    }
}

} // namespace QuietWire::Gui
