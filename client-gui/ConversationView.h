#pragma once

#include "ChatRequests.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

class QLabel;
class QListView;
class QPushButton;
class QTimer;

namespace QuietWire {
class ChatClient;
}

namespace QuietWire::Gui {

class ChatModel;
class MessageEdit;

/// One conversation's messages (chat protocol version 2), paged from the server: open() shows
/// the newest page; scrolling to the top loads the next older one (keeping what is on screen
/// where it was) until the server says there is no more; live messages are added by
/// addLive(). A line marks where the unread messages began when the conversation was opened.
/// While the newest message is on screen and the window is active, the view tells the server
/// (a `read` request, after a short pause) that the user has read up to it.
///
/// Usage: setClient(chat); open(summary) or openAt(summary, messageId) for a search hit;
/// catchUp() after a reconnect fetches what is newer than the newest message shown. The input
/// line emits sendRequested(text) and attachRequested(paths); the owner sends.
class ConversationView : public QWidget
{
    Q_OBJECT

public:
    /// Messages per page of history.
    static constexpr qint64 PageSize = 50;
    /// The pause between the newest message becoming visible and the `read` request.
    static constexpr int ReadDelayMs = 600;

    explicit ConversationView(QWidget* parent = nullptr);

    void setClient(ChatClient* chat, const QString& ownFingerprint);
    ChatModel* model() const { return m_model; }
    QListView* listView() const { return m_view; }
    MessageEdit* input() const { return m_input; }

    /// Shows conversation from its newest page.
    void open(const ChatProtocol::ConversationSummary& conversation);
    /// Shows conversation around message id (the page up to it, then every newer one) and selects it.
    void openAt(const ChatProtocol::ConversationSummary& conversation, qint64 messageId);
    /// Version 1: no conversations; every message received is shown.
    void openVersion1();
    void close();
    qint64 conversationId() const { return m_conversation.id; }
    bool isOpen() const { return m_conversation.id > 0; }
    const ChatProtocol::ConversationSummary& conversation() const { return m_conversation; }
    /// The conversation changed on the server (topic, read marker).
    void updateConversation(const ChatProtocol::ConversationSummary& conversation);
    /// After a reconnect: the pages from the newest down to what is shown.
    void catchUp();
    /// A live message of this conversation.
    void addLive(const ChatProtocol::Message& message);
    void addSystem(const QString& text);
    /// No older messages are left on the server.
    bool atStart() const { return !m_more; }
    bool isLoading() const { return !m_pending.isEmpty(); }
    void setInputEnabled(bool enabled);
    void clearInput();

signals:
    void sendRequested(const QString& text);
    void attachRequested(const QStringList& localPaths);
    /// The attachment of the message at row is wanted on this computer.
    void downloadRequested(const QString& remotePath, const QString& name);
    void errorOccurred(const QString& message);

protected:
    void changeEvent(QEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    enum class Page { Newest, Older, Around, CatchUp };

    void retranslateUi();
    void updateTitle();
    /// Shows conversation (none: an id of 0), empty, with the unread line where its read marker is.
    void reset(const ChatProtocol::ConversationSummary& conversation, bool version1 = false);
    void requestPage(Page page, qint64 before);
    void onDone(const ChatProtocol::Done& done);
    void onRejected(const ChatProtocol::Rejected& rejected);
    /// An older (or the first) page: its messages where their ids belong, laid out at once.
    void addPage(const QList<ChatProtocol::Message>& messages, bool more);
    void maybeLoadOlder();
    bool atBottom() const;
    void scheduleRead();
    void sendRead();
    void selectPending();
    void chooseFiles();
    void downloadCurrent();

    QPointer<ChatClient> m_chat;
    ChatModel* m_model;
    QLabel* m_title;
    QListView* m_view;
    MessageEdit* m_input;
    QPushButton* m_attach;
    QPushButton* m_send;
    QPushButton* m_download;
    QTimer* m_readTimer;
    ChatProtocol::ConversationSummary m_conversation;
    bool m_version1 = false;
    /// Older messages exist on the server (the last page said more).
    bool m_more = false;
    /// Messages are being inserted and the position not restored yet: no paging meanwhile.
    bool m_adjusting = false;
    /// Requests of this view not answered yet: seq to what they fetch.
    QHash<qint64, Page> m_pending;
    /// The message to select once it is loaded (a search hit); 0: none.
    qint64 m_selectId = 0;
    /// The newest message shown is the user's own (sent from here or another of their clients).
    bool m_ownNewest = false;
    /// The newest id a read was sent for in this conversation.
    qint64 m_readSent = 0;
};

} // namespace QuietWire::Gui
