#pragma once

#include "ChatProtocol.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QListView;
class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace QuietWire::Gui {

class ChatModel;
class MessageEdit;
class ServerConnection;

/// The Chat tab: the room's messages, the members, and the input line. Double-clicking a member
/// addresses the next messages to them alone.
class ChatWidget : public QWidget
{
    Q_OBJECT

public:
    explicit ChatWidget(ServerConnection* connection, QWidget* parent = nullptr);

    ChatModel* model() const { return m_model; }
    /// Addresses the next messages to name ("" = the whole room).
    void setRecipient(const QString& name);
    QString recipient() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void attachClient();
    void onStateChanged();
    void onJoined(const QString& myName);
    void onMessage(const ChatProtocol::Message& message);
    void refreshMembers();
    void send();
    void scrollToBottomIfFollowing(bool following);

    ServerConnection* m_connection;
    ChatModel* m_model;
    QListView* m_view;
    QLabel* m_membersLabel;
    QListWidget* m_members;
    QLabel* m_toLabel;
    QComboBox* m_recipient;
    MessageEdit* m_input;
    QPushButton* m_send;
    bool m_sawHistory = false;
};

} // namespace QuietWire::Gui
