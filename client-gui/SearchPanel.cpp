#include "SearchPanel.h"

#include "ChatClient.h"
#include "ConversationDelegate.h"
#include "RichTextDelegate.h"
#include "SearchHitModel.h"

#include <QComboBox>
#include <QEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QVBoxLayout>

namespace QuietWire::Gui {

namespace {

/// A hit: where and who in grey, then the snippet with its marks (SnippetHtmlRole: escaped).
class SearchHitDelegate : public RichTextDelegate
{
public:
    using RichTextDelegate::RichTextDelegate;

protected:
    QString html(const QModelIndex& index) const override
    {
        const QString from = index.data(SearchHitModel::FromRole).toString();
        const QString where
            = QStringLiteral("%1 · %2 · %3")
                  .arg(index.data(SearchHitModel::ConversationNameRole).toString(),
                      from.isEmpty() ? SearchPanel::tr("server") : from,
                      ConversationDelegate::timeText(index.data(SearchHitModel::TimeRole).toDateTime()));
        QString html = QStringLiteral("<span style='color:#888888'>%1</span><br>%2")
                           .arg(where.toHtmlEscaped(), index.data(SearchHitModel::SnippetHtmlRole).toString());
        const QString file = index.data(SearchHitModel::AttachmentNameRole).toString();
        if (!file.isEmpty()) {
            html += QStringLiteral("<br><b>%1</b> %2")
                        .arg(SearchPanel::tr("File:").toHtmlEscaped(), file.toHtmlEscaped());
        }
        return html;
    }
};

} // namespace

SearchPanel::SearchPanel(QWidget* parent)
    : QWidget(parent)
    , m_model(new SearchHitModel(this))
    , m_field(new QLineEdit(this))
    , m_scope(new QComboBox(this))
    , m_hits(new QListView(this))
    , m_more(new QPushButton(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("searchPanel"));
    m_field->setObjectName(QStringLiteral("searchEdit"));
    m_field->setClearButtonEnabled(true);
    m_scope->setObjectName(QStringLiteral("searchScope"));
    m_hits->setObjectName(QStringLiteral("searchResults"));
    m_hits->setModel(m_model);
    m_hits->setItemDelegate(new SearchHitDelegate(m_hits));
    m_hits->setWordWrap(true);
    m_hits->setUniformItemSizes(false);
    m_hits->setResizeMode(QListView::Adjust);
    m_hits->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_more->setObjectName(QStringLiteral("searchMoreButton"));
    m_more->setVisible(false);
    m_status->setObjectName(QStringLiteral("searchStatus"));
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_field);
    layout->addWidget(m_scope);
    layout->addWidget(m_status);
    layout->addWidget(m_hits, 1);
    layout->addWidget(m_more);

    connect(m_field, &QLineEdit::returnPressed, this, [this] { search(m_field->text()); });
    connect(m_more, &QPushButton::clicked, this, [this] { sendRequest(m_model->lastId()); });
    connect(m_hits, &QListView::activated, this, [this](const QModelIndex& index) {
        if (index.isValid()) {
            emit hitActivated(m_model->hit(index.row()));
        }
    });
    retranslateUi();
}

void SearchPanel::setClient(ChatClient* chat)
{
    if (m_chat) {
        m_chat->disconnect(this);
    }
    m_chat = chat;
    m_pendingSeq = -1;
    connect(chat, &ChatClient::requestDone, this, &SearchPanel::onDone);
    connect(chat, &ChatClient::requestRejected, this, &SearchPanel::onRejected);
}

void SearchPanel::setCurrentConversation(qint64 conversationId)
{
    m_currentConversation = conversationId;
}

void SearchPanel::setConversationNamer(std::function<QString(qint64)> namer)
{
    m_model->setConversationNamer(std::move(namer));
}

void SearchPanel::retranslateUi()
{
    m_field->setPlaceholderText(tr("Search messages"));
    m_field->setToolTip(
        tr("Every word must occur in a message; a word also finds longer words it starts. Enter searches."));
    const int scope = qMax(0, m_scope->currentIndex());
    m_scope->clear();
    m_scope->addItem(tr("Everywhere"));
    m_scope->addItem(tr("This conversation"));
    m_scope->setCurrentIndex(scope);
    m_more->setText(tr("&More results"));
}

void SearchPanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QWidget::changeEvent(event);
}

void SearchPanel::search(const QString& text)
{
    m_field->setText(text);
    m_model->setHits({});
    m_more->setVisible(false);
    m_request = ChatProtocol::SearchRequest();
    m_request.text = text.trimmed();
    m_request.limit = PageSize;
    if (m_request.text.isEmpty()) {
        m_status->clear();
        return;
    }
    if (m_scope->currentIndex() == 1) {
        if (m_currentConversation <= 0) {
            m_status->setText(tr("Open a conversation first, or search everywhere"));
            return;
        }
        m_request.target.conversation = m_currentConversation;
    }
    sendRequest(0);
}

void SearchPanel::sendRequest(qint64 before)
{
    if (!m_chat) {
        return;
    }
    ChatProtocol::SearchRequest request = m_request;
    if (before > 0) {
        request.before = before;
    }
    m_pendingSeq = m_chat->request(request);
    m_pendingIsMore = before > 0;
    if (m_pendingSeq < 0) {
        m_status->setText(tr("Cannot search: %1").arg(m_chat->errorString()));
        return;
    }
    m_status->setText(tr("Searching…"));
}

void SearchPanel::onDone(const ChatProtocol::Done& done)
{
    if (done.seq != m_pendingSeq) {
        return;
    }
    m_pendingSeq = -1;
    const QList<ChatProtocol::SearchHit> hits = done.hits.value_or(QList<ChatProtocol::SearchHit>());
    if (m_pendingIsMore) {
        m_model->addHits(hits);
    } else {
        m_model->setHits(hits);
    }
    m_more->setVisible(done.more);
    m_status->setText(m_model->rowCount() == 0
            ? tr("No messages found for “%1”").arg(m_request.text)
            : tr("Messages found: %1; double-click one to show it in its conversation").arg(m_model->rowCount()));
}

void SearchPanel::onRejected(const ChatProtocol::Rejected& rejected)
{
    if (rejected.seq != m_pendingSeq) {
        return;
    }
    m_pendingSeq = -1;
    m_status->setText(tr("The search was refused: %1").arg(rejected.message));
}

} // namespace QuietWire::Gui
