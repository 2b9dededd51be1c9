// Two (then three) desktop clients in one room on the real quietwired: typing and sending,
// multi-line messages, direct messages by double-clicking a member, joins, leaves, history.

#include "ChatDelegate.h"
#include "ChatModel.h"
#include "ConversationListModel.h"
#include "ConversationView.h"
#include "GuiTestHelpers.h"
#include "MessageEdit.h"

#include <QListView>
#include <QListWidget>
#include <QTemporaryDir>

using namespace QuietWire;
using namespace QuietWire::Gui;
using namespace GuiTest;

namespace {
ChatModel* chatOf(const Client& client)
{
    return client.window->chatWidget()->model();
}

/// The first row of kind whose text is text, or -1.
int findLine(const Client& client, ChatModel::Kind kind, const QString& text)
{
    ChatModel* model = chatOf(client);
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->line(row).kind == kind && model->line(row).text == text) {
            return row;
        }
    }
    return -1;
}

/// Opens the conversation the sidebar lists as kind and name, and waits for its page.
bool open(const Client& client, ChatProtocol::ConversationKind kind, const QString& name)
{
    ChatWidget* chat = client.window->chatWidget();
    if (!QTest::qWaitFor([&] { return chat->conversations()->find(kind, name).has_value(); }, Timeout)) {
        return false;
    }
    return chat->openConversation(chat->conversations()->find(kind, name)->id)
        && QTest::qWaitFor([&] { return !chat->conversationView()->isLoading(); }, Timeout);
}

QStringList memberNames(const Client& client)
{
    QStringList names;
    auto* list = child<QListWidget>(client.window.get(), QStringLiteral("memberList"));
    for (int i = 0; list && i < list->count(); ++i) {
        names << list->item(i)->text();
    }
    return names;
}
} // namespace

class TestGuiChat : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void twoClientsTalk();
    void rowsAreSizedAgainWhenTheViewNarrows();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
};

void TestGuiChat::initTestCase()
{
    quietOffscreenWarnings();
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
    QVERIFY(m_server->start());
}

void TestGuiChat::cleanupTestCase()
{
    m_server.reset();
    m_dir.reset();
}

void TestGuiChat::twoClientsTalk()
{
    auto alice = makeClient(m_dir->path(), QStringLiteral("alice"), m_server.get(), true);
    auto bob = makeClient(m_dir->path(), QStringLiteral("bob"), m_server.get(), true);
    QVERIFY(alice && bob);
    auto* aliceInput = child<MessageEdit>(alice->window.get(), QStringLiteral("messageEdit"));
    QVERIFY(aliceInput);
    QVERIFY(!aliceInput->isEnabled()); // nothing to type into before connecting

    QVERIFY(connectTrusting(*alice, m_server->port));
    QVERIFY(connectTrusting(*bob, m_server->port));
    // Members and the system line for bob's arrival.
    QTRY_VERIFY_WITH_TIMEOUT(memberNames(*alice).contains(QStringLiteral("bob")), Timeout);
    QVERIFY(memberNames(*alice).contains(QStringLiteral("alice (you)")));
    QTRY_VERIFY_WITH_TIMEOUT(findLine(*alice, ChatModel::Kind::System, QStringLiteral("bob joined")) >= 0, Timeout);
    QVERIFY(memberNames(*bob).contains(QStringLiteral("alice")));

    // Enter sends; Shift+Enter is a new line inside the message.
    QVERIFY(aliceInput->isEnabled());
    aliceInput->setFocus();
    QTest::keyClicks(aliceInput, QStringLiteral("Hello Bob"));
    QTest::keyClick(aliceInput, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(aliceInput, QStringLiteral("second line"));
    QCOMPARE(findLine(*bob, ChatModel::Kind::Message, QStringLiteral("Hello Bob\nsecond line")), -1);
    QTest::keyClick(aliceInput, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(
        findLine(*bob, ChatModel::Kind::Message, QStringLiteral("Hello Bob\nsecond line")) >= 0, Timeout);
    QVERIFY(aliceInput->toPlainText().isEmpty());
    const int row = findLine(*bob, ChatModel::Kind::Message, QStringLiteral("Hello Bob\nsecond line"));
    const QModelIndex index = chatOf(*bob)->index(row);
    QCOMPARE(index.data(ChatModel::FromRole).toString(), QStringLiteral("alice"));
    // The sender's short fingerprint in the tooltip, and the time in the line.
    const QString shortFingerprint = Identity::shortFingerprint(alice->identity->publicKey());
    QVERIFY2(index.data(Qt::ToolTipRole).toString().contains(shortFingerprint),
        qPrintable(index.data(Qt::ToolTipRole).toString()));
    QVERIFY(index.data(Qt::DisplayRole).toString().contains(QStringLiteral("alice: Hello Bob")));
    QVERIFY(index.data(ChatModel::TimeRole).toDateTime().isValid());
    // Alice sees her own message once, marked as hers.
    QTRY_VERIFY_WITH_TIMEOUT(
        findLine(*alice, ChatModel::Kind::Message, QStringLiteral("Hello Bob\nsecond line")) >= 0, Timeout);
    QVERIFY(
        chatOf(*alice)->line(findLine(*alice, ChatModel::Kind::Message, QStringLiteral("Hello Bob\nsecond line"))).own);

    // Bob double-clicks alice in the member list: their direct conversation opens.
    auto* bobMembers = child<QListWidget>(bob->window.get(), QStringLiteral("memberList"));
    const auto found = bobMembers->findItems(QStringLiteral("alice"), Qt::MatchExactly);
    QCOMPARE(found.size(), 1);
    const QPoint centre = bobMembers->visualItemRect(found.first()).center();
    QTest::mouseClick(bobMembers->viewport(), Qt::LeftButton, {}, centre);
    QTest::mouseDClick(bobMembers->viewport(), Qt::LeftButton, {}, centre);
    ConversationView* bobView = bob->window->chatWidget()->conversationView();
    QTRY_VERIFY_WITH_TIMEOUT(bobView->conversation().kind == ChatProtocol::ConversationKind::Direct
            && bobView->conversation().name == QLatin1String("alice"),
        Timeout);
    auto* bobInput = child<MessageEdit>(bob->window.get(), QStringLiteral("messageEdit"));
    QTest::keyClicks(bobInput, QStringLiteral("just for you"));
    QVERIFY(click(bob->window.get(), QStringLiteral("sendButton")));
    QTRY_VERIFY_WITH_TIMEOUT(findLine(*bob, ChatModel::Kind::Direct, QStringLiteral("just for you")) >= 0, Timeout);
    // Alice's list shows it unread; opening it shows the message, to her.
    QTRY_VERIFY_WITH_TIMEOUT(alice->window->chatWidget()->conversations()->find(
                                 ChatProtocol::ConversationKind::Direct, QStringLiteral("bob")),
        Timeout);
    QVERIFY(findLine(*alice, ChatModel::Kind::Direct, QStringLiteral("just for you")) < 0); // general is open
    QVERIFY(open(*alice, ChatProtocol::ConversationKind::Direct, QStringLiteral("bob")));
    QTRY_VERIFY_WITH_TIMEOUT(findLine(*alice, ChatModel::Kind::Direct, QStringLiteral("just for you")) >= 0, Timeout);
    QCOMPARE(chatOf(*alice)->line(findLine(*alice, ChatModel::Kind::Direct, QStringLiteral("just for you"))).to,
        QStringLiteral("alice"));

    // A latecomer sees the room's history on opening it, without the direct message.
    auto carol = makeClient(m_dir->path(), QStringLiteral("carol"), m_server.get(), true);
    QVERIFY(carol);
    QVERIFY(connectTrusting(*carol, m_server->port));
    QTRY_VERIFY_WITH_TIMEOUT(
        findLine(*carol, ChatModel::Kind::Message, QStringLiteral("Hello Bob\nsecond line")) >= 0, Timeout);
    QVERIFY(chatOf(*carol)
                ->line(findLine(*carol, ChatModel::Kind::Message, QStringLiteral("Hello Bob\nsecond line")))
                .history);
    QCOMPARE(carol->window->chatWidget()->conversationView()->conversation().name, QStringLiteral("general"));
    QCOMPARE(findLine(*carol, ChatModel::Kind::Direct, QStringLiteral("just for you")), -1);
    QVERIFY(!carol->window->chatWidget()->conversations()->find(
        ChatProtocol::ConversationKind::Direct, QStringLiteral("bob")));

    // Bob leaves: a system line and the member list for the others.
    QVERIFY(click(bob->window.get(), QStringLiteral("disconnectActionButton")));
    QTRY_VERIFY_WITH_TIMEOUT(findLine(*alice, ChatModel::Kind::System, QStringLiteral("bob left")) >= 0, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!memberNames(*alice).contains(QStringLiteral("bob")), Timeout);
    QVERIFY(!bobInput->isEnabled());
    QVERIFY(memberNames(*bob).isEmpty());

    // An administrator's notice reaches the room as one.
    QVERIFY(open(*alice, ChatProtocol::ConversationKind::Room, QStringLiteral("general")));
    QVERIFY(!m_server->command(QStringLiteral("say maintenance at noon"), QStringLiteral("said to")).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(
        findLine(*alice, ChatModel::Kind::Notice, QStringLiteral("maintenance at noon")) >= 0, Timeout);
}

void TestGuiChat::rowsAreSizedAgainWhenTheViewNarrows()
{
    // The delegate keeps each row's size (laying out rich text is what costs when a page of history
    // comes in); a narrower view wraps the text again, and a new line gets its own size.
    ChatModel model;
    QListView view;
    view.setModel(&model);
    view.setItemDelegate(new ChatDelegate(&view));
    view.resize(900, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    ChatProtocol::Message message;
    message.id = 1;
    message.from = QStringLiteral("bob");
    message.fingerprint = QStringLiteral("SHA256:b");
    message.text = QString(30, QLatin1Char('x')) + QStringLiteral(" long words").repeated(20);
    message.time = QDateTime::currentDateTimeUtc();
    model.addMessage(message);
    ChatProtocol::Message shortOne = message;
    shortOne.id = 2;
    shortOne.text = QStringLiteral("short");
    model.addMessage(shortOne);
    QStyleOptionViewItem option;
    option.initFrom(view.viewport());
    option.widget = &view;
    QAbstractItemDelegate* delegate = view.itemDelegate();
    const int wide = delegate->sizeHint(option, model.index(0)).height();
    const int shortWide = delegate->sizeHint(option, model.index(1)).height();
    QVERIFY(wide > shortWide); // two rows, two sizes: the key is the line, not the position
    QCOMPARE(delegate->sizeHint(option, model.index(0)).height(), wide);
    view.resize(250, 400);
    QTRY_VERIFY(view.viewport()->width() < 300);
    const int narrow = delegate->sizeHint(option, model.index(0)).height();
    QVERIFY2(narrow > wide, qPrintable(QStringLiteral("%1 at 250 px, %2 at 900 px").arg(narrow).arg(wide)));
    QCOMPARE(delegate->sizeHint(option, model.index(1)).height(), shortWide);
}

QTEST_MAIN(TestGuiChat)
#include "TestGuiChat.moc"
