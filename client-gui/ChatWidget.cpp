#include "ChatWidget.h"

#include "ChatDelegate.h"
#include "ChatModel.h"
#include "MessageEdit.h"
#include "Outbox.h"
#include "ServerConnection.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QVBoxLayout>

namespace QuietWire::Gui {

ChatWidget::ChatWidget(ServerConnection* connection, QWidget* parent)
    : QWidget(parent)
    , m_connection(connection)
    , m_model(new ChatModel(this))
    , m_view(new QListView(this))
    , m_membersLabel(new QLabel(this))
    , m_members(new QListWidget(this))
    , m_toLabel(new QLabel(this))
    , m_recipient(new QComboBox(this))
    , m_input(new MessageEdit(this))
    , m_send(new QPushButton(this))
{
    setObjectName(QStringLiteral("chatTab"));
    m_view->setObjectName(QStringLiteral("chatView"));
    m_view->setModel(m_model);
    m_view->setItemDelegate(new ChatDelegate(m_view));
    m_view->setWordWrap(true);
    m_view->setUniformItemSizes(false);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setFocusPolicy(Qt::ClickFocus);

    m_members->setObjectName(QStringLiteral("memberList"));
    m_recipient->setObjectName(QStringLiteral("recipientBox"));
    m_recipient->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_input->setObjectName(QStringLiteral("messageEdit"));
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_toLabel->setBuddy(m_recipient);

    auto* inputRow = new QHBoxLayout;
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_send, 0, Qt::AlignBottom);
    auto* toRow = new QHBoxLayout;
    toRow->addWidget(m_toLabel);
    toRow->addWidget(m_recipient);
    toRow->addStretch();

    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_view, 1);
    leftLayout->addLayout(toRow);
    leftLayout->addLayout(inputRow);

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_membersLabel);
    rightLayout->addWidget(m_members, 1);

    auto* splitter = new QSplitter(this);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_input, &MessageEdit::sendRequested, this, &ChatWidget::send);
    connect(m_send, &QPushButton::clicked, this, &ChatWidget::send);
    connect(m_members, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
        if (!item->data(Qt::UserRole + 1).toBool()) { // not ourselves
            setRecipient(item->data(Qt::UserRole).toString());
            m_input->setFocus();
        }
    });
    connect(m_connection, &ServerConnection::stateChanged, this, &ChatWidget::onStateChanged);
    connect(m_connection, &ServerConnection::connectionLost, this,
        [this](const QString& message) { m_model->addSystem(tr("Disconnected: %1").arg(message)); });
    connect(m_connection, &ServerConnection::clientsReplaced, this, &ChatWidget::attachClient);
    connect(m_connection->outbox(), &Outbox::lost, this, [this](const Outbox::Entry& entry, const QString& reason) {
        m_model->addSystem(tr("Your message “%1” was not delivered: %2").arg(entry.text.left(80), reason));
    });
    attachClient();
    retranslateUi();
    onStateChanged();
}

void ChatWidget::attachClient()
{
    ChatClient* chat = m_connection->chat();
    m_model->setOwnFingerprint(m_connection->identity().fingerprint());
    connect(chat, &ChatClient::joined, this, &ChatWidget::onJoined);
    connect(chat, &ChatClient::messageReceived, this, &ChatWidget::onMessage);
    connect(chat, &ChatClient::membersChanged, this, &ChatWidget::refreshMembers);
    connect(chat, &ChatClient::memberJoined, this,
        [this](const ChatProtocol::Member& member) { m_model->addSystem(tr("%1 joined").arg(member.name)); });
    connect(chat, &ChatClient::memberLeft, this,
        [this](const ChatProtocol::Member& member) { m_model->addSystem(tr("%1 left").arg(member.name)); });
    connect(chat, &ChatClient::messageRejected, this, [this](const ChatProtocol::Rejected& rejected) {
        m_model->addSystem(tr("Your message was not delivered: %1").arg(rejected.message));
    });
}

void ChatWidget::retranslateUi()
{
    m_membersLabel->setText(tr("In the room"));
    m_toLabel->setText(tr("&To:"));
    m_send->setText(tr("&Send"));
    m_send->setToolTip(tr("Send the message (Enter); Shift+Enter starts a new line"));
    m_input->setPlaceholderText(tr("Type a message; Enter sends, Shift+Enter starts a new line"));
    m_members->setToolTip(tr("Double-click a member to send them a direct message"));
    refreshMembers();
}

void ChatWidget::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
    }
    QWidget::changeEvent(event);
}

void ChatWidget::onStateChanged()
{
    const bool connected = m_connection->state() == ServerConnection::State::Connected;
    m_input->setEnabled(m_connection->acceptsMessages()); // reconnecting: typed messages wait in the outbox
    m_send->setEnabled(m_connection->acceptsMessages());
    m_recipient->setEnabled(connected);
    if (!connected) {
        m_members->clear();
    }
    if (m_connection->state() == ServerConnection::State::Disconnected) {
        m_sawHistory = false;
    }
}

void ChatWidget::onJoined(const QString& myName)
{
    m_sawHistory = false;
    m_model->addSystem(tr("Connected to %1 as %2").arg(m_connection->hostPort(), myName));
    refreshMembers();
    m_input->setFocus();
}

void ChatWidget::onMessage(const ChatProtocol::Message& message)
{
    const bool following = m_view->verticalScrollBar()->value() >= m_view->verticalScrollBar()->maximum() - 4;
    if (message.history && !m_sawHistory) {
        m_sawHistory = true;
        m_model->addSystem(tr("Earlier messages in the room:"));
    }
    m_model->addMessage(message);
    scrollToBottomIfFollowing(following || m_model->line(m_model->rowCount() - 1).own);
}

void ChatWidget::scrollToBottomIfFollowing(bool following)
{
    if (following) {
        m_view->scrollToBottom();
    }
}

void ChatWidget::refreshMembers()
{
    const QString selected = recipient();
    m_members->clear();
    m_recipient->clear();
    m_recipient->addItem(tr("Everyone in the room"), QString());
    if (m_connection->state() != ServerConnection::State::Connected) {
        return;
    }
    ChatClient* chat = m_connection->chat();
    auto* me = new QListWidgetItem(tr("%1 (you)").arg(chat->myName()), m_members);
    me->setData(Qt::UserRole, chat->myName());
    me->setData(Qt::UserRole + 1, true);
    me->setToolTip(tr("Your key: %1").arg(m_connection->identity().fingerprint()));
    QFont bold = me->font();
    bold.setBold(true);
    me->setFont(bold);
    QStringList seen;
    for (const auto& member : chat->members()) {
        const QString id = member.name + QLatin1Char(' ') + member.fingerprint;
        if (seen.contains(id)) {
            continue; // one entry per person, however many sessions they have open
        }
        seen << id;
        auto* item = new QListWidgetItem(member.name, m_members);
        item->setData(Qt::UserRole, member.name);
        item->setToolTip(tr("Key %1\nDouble-click to send a direct message").arg(member.fingerprint));
        if (m_recipient->findData(member.name) < 0 && member.name != chat->myName()) {
            m_recipient->addItem(tr("%1 only (direct)").arg(member.name), member.name);
        }
    }
    setRecipient(selected);
}

void ChatWidget::setRecipient(const QString& name)
{
    if (!name.isEmpty() && m_recipient->findData(name) < 0) {
        m_recipient->addItem(tr("%1 only (direct)").arg(name), name);
    }
    m_recipient->setCurrentIndex(qMax(0, m_recipient->findData(name)));
}

QString ChatWidget::recipient() const
{
    return m_recipient->currentData().toString();
}

void ChatWidget::send()
{
    const QString text = m_input->toPlainText();
    if (text.trimmed().isEmpty()) {
        return;
    }
    // Through the outbox: kept while reconnecting, sent once (docs/CLIENT.md, Reconnection).
    if (!m_connection->outbox()->send(text, ChatClient::Destination { QString(), recipient() })) {
        m_model->addSystem(tr("Not sent: %1").arg(m_connection->outbox()->errorString()));
        m_view->scrollToBottom();
        return;
    }
    m_input->clear();
}

} // namespace QuietWire::Gui
