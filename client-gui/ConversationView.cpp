#include "ConversationView.h"

#include "ChatClient.h"
#include "ChatDelegate.h"
#include "ChatModel.h"
#include "MessageEdit.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMimeData>
#include <QPushButton>
#include <QScrollBar>
#include <QTimer>
#include <QVBoxLayout>

namespace QuietWire::Gui {

ConversationView::ConversationView(QWidget* parent)
    : QWidget(parent)
    , m_model(new ChatModel(this))
    , m_title(new QLabel(this))
    , m_view(new QListView(this))
    , m_input(new MessageEdit(this))
    , m_attach(new QPushButton(this))
    , m_send(new QPushButton(this))
    , m_download(new QPushButton(this))
    , m_readTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("conversationView"));
    setAcceptDrops(true);
    m_title->setObjectName(QStringLiteral("conversationTitle"));
    m_title->setTextFormat(Qt::PlainText); // names and topics come from the network
    m_title->setWordWrap(true);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_view->setObjectName(QStringLiteral("chatView"));
    m_view->setModel(m_model);
    m_view->setItemDelegate(new ChatDelegate(m_view));
    m_view->setWordWrap(true);
    m_view->setUniformItemSizes(false);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setFocusPolicy(Qt::ClickFocus);
    m_view->setAcceptDrops(false); // a file dropped on the messages reaches this widget
    m_view->installEventFilter(this);
    m_input->setObjectName(QStringLiteral("messageEdit"));
    m_input->setAcceptDrops(false);
    m_attach->setObjectName(QStringLiteral("attachButton"));
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_download->setObjectName(QStringLiteral("downloadButton"));
    m_download->setEnabled(false);
    m_readTimer->setSingleShot(true);
    m_readTimer->setInterval(ReadDelayMs);

    auto* titleRow = new QHBoxLayout;
    titleRow->addWidget(m_title, 1);
    titleRow->addWidget(m_download);
    auto* inputRow = new QHBoxLayout;
    inputRow->addWidget(m_attach, 0, Qt::AlignBottom);
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_send, 0, Qt::AlignBottom);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(titleRow);
    layout->addWidget(m_view, 1);
    layout->addLayout(inputRow);

    connect(m_input, &MessageEdit::sendRequested, this, [this] { emit sendRequested(m_input->toPlainText()); });
    connect(m_send, &QPushButton::clicked, this, [this] { emit sendRequested(m_input->toPlainText()); });
    connect(m_attach, &QPushButton::clicked, this, &ConversationView::chooseFiles);
    connect(m_download, &QPushButton::clicked, this, &ConversationView::downloadCurrent);
    connect(m_view, &QListView::doubleClicked, this, &ConversationView::downloadCurrent);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex& current) {
        m_download->setEnabled(current.data(ChatModel::HasAttachmentRole).toBool()
            && !current.data(ChatModel::AttachmentRemovedRole).toBool());
    });
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this, [this] {
        maybeLoadOlder();
        scheduleRead();
    });
    connect(m_view->verticalScrollBar(), &QScrollBar::rangeChanged, this, [this] { maybeLoadOlder(); });
    connect(m_readTimer, &QTimer::timeout, this, &ConversationView::sendRead);
    retranslateUi();
    updateTitle();
}

void ConversationView::setClient(ChatClient* chat, const QString& ownFingerprint)
{
    if (m_chat) {
        m_chat->disconnect(this);
    }
    m_chat = chat;
    m_pending.clear();
    m_model->setOwnFingerprint(ownFingerprint);
    connect(chat, &ChatClient::requestDone, this, &ConversationView::onDone);
    connect(chat, &ChatClient::requestRejected, this, &ConversationView::onRejected);
}

void ConversationView::retranslateUi()
{
    m_attach->setText(tr("&Attach…"));
    m_attach->setToolTip(tr("Upload a file into this conversation's folder and post it (or drop files here)"));
    m_send->setText(tr("&Send"));
    m_send->setToolTip(tr("Send the message (Enter); Shift+Enter starts a new line"));
    m_download->setText(tr("&Download"));
    m_download->setToolTip(tr("Download the selected message's file into the Files tab's local folder"));
    m_input->setPlaceholderText(tr("Type a message; Enter sends, Shift+Enter starts a new line"));
    updateTitle();
}

void ConversationView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    } else if (event->type() == QEvent::ActivationChange) {
        scheduleRead();
    }
    QWidget::changeEvent(event);
}

void ConversationView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    scheduleRead();
}

void ConversationView::updateTitle()
{
    if (m_version1) {
        m_title->setText(tr("general (this server has one room)"));
        return;
    }
    if (!isOpen()) {
        m_title->setText(tr("Choose a conversation on the left"));
        return;
    }
    const QString name = m_conversation.kind == ChatProtocol::ConversationKind::Direct
        ? tr("Direct conversation with %1").arg(m_conversation.name)
        : tr("Room %1").arg(m_conversation.name);
    m_title->setText(m_conversation.topic.isEmpty() ? name : tr("%1 — %2").arg(name, m_conversation.topic));
}

void ConversationView::open(const ChatProtocol::ConversationSummary& conversation)
{
    reset(conversation);
    requestPage(Page::Newest, 0);
}

void ConversationView::openAt(const ChatProtocol::ConversationSummary& conversation, qint64 messageId)
{
    reset(conversation);
    m_selectId = messageId;
    requestPage(Page::Around, messageId + 1);
}

void ConversationView::reset(const ChatProtocol::ConversationSummary& conversation, bool version1)
{
    m_version1 = version1;
    m_conversation = conversation;
    m_pending.clear();
    m_selectId = 0;
    m_readSent = 0;
    m_ownNewest = false;
    m_more = false;
    m_model->clear();
    if (conversation.unread > 0) {
        m_model->setUnreadLine(conversation.lastRead);
    }
    m_attach->setEnabled(m_input->isEnabled() && !version1); // files in messages need version 2
    updateTitle();
}

void ConversationView::openVersion1()
{
    reset(ChatProtocol::ConversationSummary(), true);
}

void ConversationView::close()
{
    reset(ChatProtocol::ConversationSummary(), false);
}

void ConversationView::updateConversation(const ChatProtocol::ConversationSummary& conversation)
{
    if (conversation.id != m_conversation.id) {
        return;
    }
    m_conversation = conversation;
    updateTitle();
    scheduleRead();
}

void ConversationView::catchUp()
{
    if (!isOpen()) {
        return;
    }
    m_pending.clear();
    m_readSent = 0;
    if (m_model->messageCount() == 0) {
        requestPage(Page::Newest, 0);
    } else {
        requestPage(Page::CatchUp, 0);
    }
}

void ConversationView::addLive(const ChatProtocol::Message& message)
{
    const bool following = atBottom();
    if (!m_model->addMessage(message)) {
        return;
    }
    const int row = m_model->rowOf(message.id);
    const bool own = row >= 0 && m_model->line(row).own;
    if (following || own) {
        m_view->scrollToBottom();
    }
    // Who wrote the newest message has read what comes before it, whichever window is active.
    m_ownNewest = own;
    scheduleRead();
}

void ConversationView::addSystem(const QString& text)
{
    const bool following = atBottom();
    m_model->addSystem(text);
    if (following) {
        m_view->scrollToBottom();
    }
}

void ConversationView::setInputEnabled(bool enabled)
{
    m_input->setEnabled(enabled);
    m_send->setEnabled(enabled);
    m_attach->setEnabled(enabled && !m_version1);
}

void ConversationView::clearInput()
{
    m_input->clear();
}

void ConversationView::requestPage(Page page, qint64 before)
{
    if (!m_chat || !isOpen()) {
        return;
    }
    ChatProtocol::HistoryRequest request;
    request.target.conversation = m_conversation.id;
    if (before > 0) {
        request.before = before;
    }
    request.limit = PageSize;
    const qint64 seq = m_chat->request(request);
    if (seq < 0) {
        emit errorOccurred(m_chat->errorString());
        return;
    }
    m_pending.insert(seq, page);
}

void ConversationView::onDone(const ChatProtocol::Done& done)
{
    const auto pending = m_pending.constFind(done.seq);
    if (pending == m_pending.cend()) {
        return;
    }
    const Page page = pending.value();
    m_pending.erase(pending);
    if (!done.messages || (done.conversation && *done.conversation != m_conversation.id)) {
        return;
    }
    const QList<ChatProtocol::Message>& messages = *done.messages;
    QScrollBar* bar = m_view->verticalScrollBar();
    switch (page) {
    case Page::Older: {
        // What is on screen stays where it is: keep the distance from the bottom.
        const int fromBottom = bar->maximum() - bar->value();
        addPage(messages, done.more);
        bar->setValue(bar->maximum() - fromBottom);
        break;
    }
    case Page::Newest: {
        addPage(messages, done.more);
        int unreadRow = -1;
        for (int row = 0; row < m_model->rowCount(); ++row) {
            if (m_model->line(row).kind == ChatModel::Kind::UnreadLine) {
                unreadRow = row;
            }
        }
        if (unreadRow >= 0 && unreadRow + 1 < m_model->rowCount()) {
            m_view->scrollTo(m_model->index(unreadRow), QAbstractItemView::PositionAtTop);
        } else {
            m_view->scrollToBottom();
        }
        break;
    }
    case Page::Around:
        addPage(messages, done.more);
        selectPending();
        requestPage(Page::CatchUp, 0);
        break;
    case Page::CatchUp: {
        const bool following = atBottom() && m_selectId == 0;
        bool allNew = !messages.isEmpty();
        for (const auto& message : messages) {
            allNew = m_model->addMessage(message) && allNew;
        }
        const bool further = allNew && done.more;
        if (further) {
            requestPage(Page::CatchUp, messages.constLast().id);
        }
        static_cast<QAbstractItemView*>(m_view)->doItemsLayout();
        if (m_selectId != 0) {
            selectPending();
            if (!further) {
                m_selectId = 0; // in context now: later pages follow the bottom again
            }
        } else if (following) {
            m_view->scrollToBottom();
        }
        break;
    }
    }
    maybeLoadOlder();
    scheduleRead();
}

void ConversationView::addPage(const QList<ChatProtocol::Message>& messages, bool more)
{
    m_adjusting = true;
    for (const auto& message : messages) {
        m_model->addMessage(message);
    }
    m_more = more;
    static_cast<QAbstractItemView*>(m_view)->doItemsLayout(); // the rows' heights, for the scroll position
    m_adjusting = false;
}

void ConversationView::onRejected(const ChatProtocol::Rejected& rejected)
{
    if (m_pending.remove(rejected.seq) > 0) {
        emit errorOccurred(tr("The conversation's history could not be loaded: %1").arg(rejected.message));
    }
}

void ConversationView::selectPending()
{
    const int row = m_model->rowOf(m_selectId);
    if (row < 0) {
        return;
    }
    static_cast<QAbstractItemView*>(m_view)->doItemsLayout();
    const QModelIndex index = m_model->index(row);
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

void ConversationView::maybeLoadOlder()
{
    if (m_adjusting || !isOpen() || m_version1 || !m_more || m_model->oldestId() <= 0) {
        return;
    }
    for (const Page page : std::as_const(m_pending)) {
        if (page != Page::CatchUp) {
            return; // one page at a time; the newest or the context page first
        }
    }
    if (m_view->verticalScrollBar()->value() <= m_view->viewport()->height() / 2) {
        requestPage(Page::Older, m_model->oldestId());
    }
}

bool ConversationView::atBottom() const
{
    const QScrollBar* bar = m_view->verticalScrollBar();
    return bar->value() >= bar->maximum() - 4;
}

void ConversationView::scheduleRead()
{
    if (isOpen() && !m_version1) {
        m_readTimer->start();
    }
}

void ConversationView::sendRead()
{
    if (!m_chat || !isOpen() || !isVisible() || !(window()->isActiveWindow() || m_ownNewest) || !atBottom()) {
        return;
    }
    const qint64 newest = m_model->newestId();
    if (newest <= 0 || newest <= m_readSent) {
        return;
    }
    if (newest <= m_conversation.lastRead && m_conversation.unread == 0) {
        return;
    }
    ChatProtocol::ReadRequest read;
    read.conversation = m_conversation.id;
    read.upTo = newest;
    if (m_chat->request(read) >= 0) {
        m_readSent = newest;
    }
}

void ConversationView::chooseFiles()
{
    auto* dialog = new QFileDialog(this, tr("Attach files"));
    dialog->setObjectName(QStringLiteral("attachFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFiles);
    connect(dialog, &QFileDialog::filesSelected, this, [this](const QStringList& files) {
        if (!files.isEmpty()) {
            emit attachRequested(files);
        }
    });
    dialog->open();
}

void ConversationView::downloadCurrent()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.data(ChatModel::HasAttachmentRole).toBool()) {
        return;
    }
    if (current.data(ChatModel::AttachmentRemovedRole).toBool()) {
        emit errorOccurred(
            tr("%1 was removed from the server").arg(current.data(ChatModel::AttachmentNameRole).toString()));
        return;
    }
    emit downloadRequested(
        current.data(ChatModel::AttachmentPathRole).toString(), current.data(ChatModel::AttachmentNameRole).toString());
}

void ConversationView::dragEnterEvent(QDragEnterEvent* event)
{
    if (!m_version1 && isOpen() && m_input->isEnabled() && event->mimeData()->hasUrls()) {
        event->acceptProposedAction();
    }
}

void ConversationView::dropEvent(QDropEvent* event)
{
    QStringList files;
    QStringList skipped;
    for (const QUrl& url : event->mimeData()->urls()) {
        const QFileInfo info(url.toLocalFile());
        if (url.isLocalFile() && info.isFile()) {
            files << info.absoluteFilePath();
        } else {
            skipped << (url.isLocalFile() ? info.fileName() : url.toDisplayString());
        }
    }
    if (!skipped.isEmpty()) {
        emit errorOccurred(
            tr("Only files can be posted into a conversation; skipped: %1").arg(skipped.join(QLatin1String(", "))));
    }
    if (!files.isEmpty()) {
        event->acceptProposedAction();
        emit attachRequested(files);
    }
}

bool ConversationView::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view && event->type() == QEvent::Resize) {
        QTimer::singleShot(0, this, &ConversationView::maybeLoadOlder);
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace QuietWire::Gui
