#pragma once

#include "FilePane.h"

#include <memory>

class QFileIconProvider;
class QFileSystemModel;

class QToolButton;

namespace QuietWire::Gui {

/// The Files tab's left pane: a folder of this computer (QFileSystemModel), changed with the
/// local file system's own calls.
class LocalPane : public FilePane
{
    Q_OBJECT

public:
    explicit LocalPane(QWidget* parent);
    ~LocalPane() override;

    QFileSystemModel* model() const { return m_model; }
    QString directory() const { return m_dir; }
    /// False (with a status message) when path is not a folder.
    bool setDirectory(const QString& path);

    bool isReady() const override { return true; }
    bool canGoUp() const override;
    void goUp() override;
    void refresh() override;
    QList<Item> selectedItems() const override;
    QString newFolderLabel() const override;
    void makeDirectory(const QString& name) override;
    void rename(const Item& item, const QString& newName) override;
    QString deleteQuestion(const QStringList& names) const override;
    void remove(const QList<Item>& items) override;
    void retranslateUi() override;

signals:
    void directoryChanged(const QString& path);

private:
    std::unique_ptr<QFileIconProvider> m_iconProvider;
    QFileSystemModel* m_model;
    QToolButton* m_home;
    QString m_dir;
};

} // namespace QuietWire::Gui
