#include "RemoteFileModel.h"

#include "Format.h"

#include <QApplication>
#include <QLocale>
#include <QMimeData>
#include <QStyle>
#include <algorithm>

namespace QuietWire::Gui {

RemoteFileModel::RemoteFileModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void RemoteFileModel::setListing(const QString& path, QList<FileProtocol::Entry> entries)
{
    std::sort(entries.begin(), entries.end(), [](const FileProtocol::Entry& a, const FileProtocol::Entry& b) {
        const bool aDir = a.type == FileProtocol::Entry::Type::Directory;
        const bool bDir = b.type == FileProtocol::Entry::Type::Directory;
        if (aDir != bDir) {
            return aDir;
        }
        return QString::localeAwareCompare(a.name, b.name) < 0;
    });
    beginResetModel();
    m_path = path;
    m_entries = std::move(entries);
    endResetModel();
}

void RemoteFileModel::clear()
{
    beginResetModel();
    m_path.clear();
    m_entries.clear();
    endResetModel();
}

QString RemoteFileModel::pathOf(const FileProtocol::Entry& entry) const
{
    return m_path.endsWith(QLatin1Char('/')) ? m_path + entry.name : m_path + QLatin1Char('/') + entry.name;
}

int RemoteFileModel::rowOf(const QString& name) const
{
    for (int row = 0; row < m_entries.size(); ++row) {
        if (m_entries.at(row).name == name) {
            return row;
        }
    }
    return -1;
}

QString RemoteFileModel::parentOf(const QString& path)
{
    // "~/a" -> "~", "/rooms/lab" -> "/rooms", "/rooms" -> "/"; "~" and "/" are their own.
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    if (slash < 0) {
        return QStringLiteral("~");
    }
    return slash == 0 ? QStringLiteral("/") : path.left(slash);
}

int RemoteFileModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int RemoteFileModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RemoteFileModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size()) {
        return QVariant();
    }
    const FileProtocol::Entry& entry = m_entries.at(index.row());
    const bool directory = entry.type == FileProtocol::Entry::Type::Directory;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return entry.name;
        case SizeColumn:
            return directory ? QString() : Format::size(entry.size);
        case ModifiedColumn:
            return QLocale().toString(entry.modified.toLocalTime(), QLocale::ShortFormat);
        default:
            return QVariant();
        }
    case Qt::DecorationRole:
        if (index.column() == NameColumn) {
            return QApplication::style()->standardIcon(directory ? QStyle::SP_DirIcon : QStyle::SP_FileIcon);
        }
        return QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn) {
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        }
        return QVariant();
    case Qt::ToolTipRole:
        return pathOf(entry);
    case PathRole:
        return pathOf(entry);
    case IsDirectoryRole:
        return directory;
    default:
        return QVariant();
    }
}

QVariant RemoteFileModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return QVariant();
    }
    switch (section) {
    case NameColumn:
        return tr("Name");
    case SizeColumn:
        return tr("Size");
    case ModifiedColumn:
        return tr("Modified");
    default:
        return QVariant();
    }
}

Qt::ItemFlags RemoteFileModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags flags = QAbstractTableModel::flags(index);
    if (index.isValid()) {
        flags |= Qt::ItemIsDragEnabled;
    }
    return flags;
}

QStringList RemoteFileModel::mimeTypes() const
{
    return { QLatin1String(MimeType) };
}

QMimeData* RemoteFileModel::mimeData(const QModelIndexList& indexes) const
{
    QStringList paths;
    for (const QModelIndex& index : indexes) {
        if (index.column() == NameColumn && index.row() < m_entries.size()) {
            paths << pathOf(m_entries.at(index.row()));
        }
    }
    auto* data = new QMimeData;
    data->setData(QLatin1String(MimeType), paths.join(QLatin1Char('\n')).toUtf8());
    return data;
}

} // namespace QuietWire::Gui
