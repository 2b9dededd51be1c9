#pragma once

#include <QObject>
#include <QString>

class QLabel;
class QLayout;
class QLineEdit;
class QWidget;

namespace QuietWire::Gui {

class FileListView;

/// One pane of the Files tab, as the toolbar sees it: FilesWidget calls these on the pane that
/// has the focus and never asks which one it is. LocalPane shows this computer, RemotePane the
/// server. Each builds its own title, path field and view (widget()).
class FilePane : public QObject
{
    Q_OBJECT

public:
    /// A selected file or folder.
    struct Item
    {
        QString name;
        QString path;
        bool directory = false;
    };

    ~FilePane() override;

    QWidget* widget() const { return m_widget; }
    FileListView* view() const { return m_view; }

    /// The local pane always; the server pane once connected and listed.
    virtual bool isReady() const = 0;
    virtual bool canGoUp() const = 0;
    virtual void goUp() = 0;
    virtual void refresh() = 0;
    virtual QList<Item> selectedItems() const = 0;
    /// The label of the "New folder" question, naming where it goes.
    virtual QString newFolderLabel() const = 0;
    virtual void makeDirectory(const QString& name) = 0;
    virtual void rename(const Item& item, const QString& newName) = 0;
    virtual QString deleteQuestion(const QStringList& names) const = 0;
    virtual void remove(const QList<Item>& items) = 0;
    virtual void retranslateUi() = 0;

signals:
    void statusMessage(const QString& message, bool error);
    /// A file (not a folder) was double-clicked or Enter pressed on it: transfer the selection.
    void fileActivated();
    void focused();
    /// The folder shown, the selection or the readiness changed: the toolbar may change.
    void changed();

protected:
    FilePane(FileListView* view, QWidget* parent);
    /// Puts a row of controls between the title and the path field.
    void addControlRow(QLayout* row);

    QLabel* m_title;
    QLineEdit* m_pathEdit;
    FileListView* m_view;

private:
    QWidget* m_widget;
};

} // namespace QuietWire::Gui
