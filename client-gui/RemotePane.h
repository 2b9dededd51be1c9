#pragma once

#include "FileClient.h"
#include "FilePane.h"

#include <QHash>

class QToolButton;

namespace QuietWire::Gui {

class RemoteFileModel;
class ServerConnection;

/// The Files tab's right pane: a folder on the server (RemoteFileModel), changed with FileClient
/// requests whose replies it takes itself. Two buttons above the path go to the user's home ("~")
/// and to the shared folders of their rooms ("/rooms"; PROTOCOL.md section 8, Paths).
class RemotePane : public FilePane
{
    Q_OBJECT

public:
    RemotePane(ServerConnection* connection, QWidget* parent);

    RemoteFileModel* model() const { return m_model; }
    /// The folder shown ("~", "~/a", "/rooms/lab"); empty while not connected.
    QString directory() const;
    /// Lists path once the files session is ready (remembered until then).
    void setDirectory(const QString& path);

    bool isReady() const override;
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

private:
    enum class Request { List, MakeDirectory, Rename, Remove };

    void attachClient();
    void onConnectionStateChanged();
    void onReply(const FileClient::Reply& reply);

    ServerConnection* m_connection;
    RemoteFileModel* m_model;
    QToolButton* m_home;
    QToolButton* m_shared;
    QString m_wantedDir = QStringLiteral("~");
    QHash<qint64, Request> m_requests;
    qint64 m_listRequest = 0;
};

} // namespace QuietWire::Gui
