#pragma once

#include "FileProtocol.h"

#include <QAbstractTableModel>

namespace QuietWire::Gui {

/// One folder of the server's file area, as the last "ls" reply gave it: folders first, then
/// files, by name. Dragging items out carries their remote paths (MimeType).
class RemoteFileModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    static constexpr char MimeType[] = "application/x-quietwire-remote-paths";
    enum Column { NameColumn, SizeColumn, ModifiedColumn, ColumnCount };
    enum Role { PathRole = Qt::UserRole + 1, IsDirectoryRole };

    explicit RemoteFileModel(QObject* parent = nullptr);

    void setListing(const QString& path, QList<FileProtocol::Entry> entries);
    void clear();
    /// The folder shown, "~" or "~/a/b".
    QString path() const { return m_path; }
    const FileProtocol::Entry& entry(int row) const { return m_entries.at(row); }
    QString pathOf(const FileProtocol::Entry& entry) const;
    int rowOf(const QString& name) const;
    static QString parentOf(const QString& path);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    int columnCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    Qt::DropActions supportedDragActions() const override { return Qt::CopyAction; }

private:
    QString m_path;
    QList<FileProtocol::Entry> m_entries;
};

} // namespace QuietWire::Gui
