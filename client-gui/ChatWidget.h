#pragma once

#include "ChatClient.h"

#include <QHash>
#include <QPointer>
#include <QWidget>
#include <optional>

class QLabel;
class QLineEdit;
class QListView;
class QListWidget;
class QPushButton;
class QTimer;

namespace QuietWire::Gui {

class ChatModel;
class ConversationFiles;
class ConversationListModel;
class ConversationView;
class FilesWidget;
class SearchPanel;
class ServerConnection;
class UnreadTracker;

/// The Chat tab (chat protocol version 2): the conversations at the left (rooms joined, rooms to
/// join, direct conversations, with their unread counts), the open conversation in the middle
/// (ConversationView: paged history, the unread line, read markers), and at the right the search
/// and the people connected now. Rooms are made, joined, left, given a topic and invitations
/// from the buttons under the list; a name typed into the field there opens the direct
/// conversation with that person. Files dropped onto the conversation, or chosen with Attach,
/// are uploaded into its shared folder through the Files tab's transfer list, then posted.
/// A server that speaks only version 1 shows its one room, as before.
class ChatWidget : public QWidget
{
    Q_OBJECT

public:
    static constexpr int RoomsRefreshMs = 60 * 1000;

    explicit ChatWidget(ServerConnection* connection, QWidget* parent = nullptr);

    /// The open conversation's lines.
    ChatModel* model() const;
    ConversationListModel* conversations() const { return m_conversations; }
    ConversationView* conversationView() const { return m_view; }
    SearchPanel* searchPanel() const { return m_search; }
    ConversationFiles* conversationFiles() const { return m_files; }
    /// Attachments go through files' transfer list and come down into its local folder.
    void setFilesWidget(FilesWidget* files);
    /// Where mute is kept (per server, in the settings): the list shows it, and a row's context
    /// menu (Mute / Unmute) sets it through setConversationMuted().
    void setMuteKeeper(UnreadTracker* tracker);
    void setConversationMuted(qint64 conversationId, bool muted);

    /// Opens a conversation of the user by id (false when it is not in the list).
    bool openConversation(qint64 conversationId);
    /// Opens (and makes, on the server, if there was none) the direct conversation with name.
    void openDirect(const QString& name);
    void createRoom(const QString& name, const QString& topic, bool isPrivate);
    void joinRoom(const QString& name);
    void leaveRoom(const QString& name);
    void inviteToRoom(const QString& room, const QString& member);
    void setRoomTopic(const QString& room, const QString& topic);
    /// Asks the server for the rooms to join (also done on connecting, after the user's own room
    /// requests, and every RoomsRefreshMs: nobody is told when someone else makes a public room).
    void refreshRooms();
    /// The last error or note shown under the conversation list.
    QString statusText() const;

signals:
    void conversationOpened(qint64 conversationId);

protected:
    void changeEvent(QEvent* event) override;

private:
    enum class Action { Rooms, Create, Join, Leave, Invite, Topic, Direct };
    struct PendingRequest
    {
        Action action = Action::Rooms;
        QString name; // the room's, or the person's
    };

    void retranslateUi();
    void attachClient();
    void onStateChanged();
    void onJoined(const QString& myName);
    void onConversationsReceived();
    void onMessage(const ChatProtocol::Message& message);
    void onDone(const ChatProtocol::Done& done);
    void onRejected(const ChatProtocol::Rejected& rejected);
    void onSidebarActivated(const QModelIndex& index);
    void syncSidebar();
    void updateButtons();
    void refreshMembers();
    void showCreateRoomDialog();
    void showInviteDialog();
    void showTopicDialog();
    void openHit(const ChatProtocol::SearchHit& hit);
    void download(const QString& remotePath, const QString& name);
    void setStatus(const QString& text, bool error);
    void sendRequest(ChatProtocol::RoomRequest request, const PendingRequest& pending);
    /// Where messages of the open conversation go.
    ChatClient::Destination destination() const;
    /// Every message leaves through here: text (and a posted file) to destination.
    bool sendMessage(const ChatClient::Destination& destination, const QString& text,
        const std::optional<ChatProtocol::Attachment>& attachment = std::nullopt);

    ServerConnection* m_connection;
    ConversationListModel* m_conversations;
    QListView* m_sidebar;
    QPushButton* m_newRoom;
    QPushButton* m_join;
    QPushButton* m_leave;
    QPushButton* m_invite;
    QPushButton* m_topic;
    QLineEdit* m_directName;
    QLabel* m_status;
    ConversationView* m_view;
    SearchPanel* m_search;
    QLabel* m_membersLabel;
    QListWidget* m_members;
    ConversationFiles* m_files;
    QTimer* m_roomsTimer;
    FilesWidget* m_filesWidget = nullptr;
    QPointer<UnreadTracker> m_muteKeeper;
    QHash<qint64, PendingRequest> m_pending;
    /// A conversation to open once the sidebar lists it (made or joined just now).
    qint64 m_openWhenListed = 0;
    bool m_syncing = false;
};

} // namespace QuietWire::Gui
