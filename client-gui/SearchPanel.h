#pragma once

#include "ChatRequests.h"

#include <QPointer>
#include <QWidget>
#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;

namespace QuietWire {
class ChatClient;
}

namespace QuietWire::Gui {

class SearchHitModel;

/// The Chat tab's search (chat protocol version 2): a field, where to search (every
/// conversation, or the one open), the hits with their marked snippets (newest first) and More
/// for the next page. Activating a hit emits hitActivated().
class SearchPanel : public QWidget
{
    Q_OBJECT

public:
    static constexpr qint64 PageSize = 20;

    explicit SearchPanel(QWidget* parent = nullptr);

    void setClient(ChatClient* chat);
    SearchHitModel* model() const { return m_model; }
    /// The conversation "This conversation" searches (0: none open).
    void setCurrentConversation(qint64 conversationId);
    void setConversationNamer(std::function<QString(qint64)> namer);
    /// Searches for text where the scope box says.
    void search(const QString& text);

signals:
    void hitActivated(const QuietWire::ChatProtocol::SearchHit& hit);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void sendRequest(qint64 before);
    void onDone(const ChatProtocol::Done& done);
    void onRejected(const ChatProtocol::Rejected& rejected);

    QPointer<ChatClient> m_chat;
    SearchHitModel* m_model;
    QLineEdit* m_field;
    QComboBox* m_scope;
    QListView* m_hits;
    QPushButton* m_more;
    QLabel* m_status;
    qint64 m_currentConversation = 0;
    /// What the hits shown answer, for More.
    ChatProtocol::SearchRequest m_request;
    qint64 m_pendingSeq = -1;
    bool m_pendingIsMore = false;
};

} // namespace QuietWire::Gui
