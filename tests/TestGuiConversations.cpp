// The Chat tab on chat protocol version 2, against the real quietwired: the conversation list
// with unread counts that two clients of one user agree on, scrollback in pages to the start,
// a search hit opened in context, a file posted and downloaded, rooms made, joined and left.

#include "ChatModel.h"
#include "ConversationFiles.h"
#include "ConversationListModel.h"
#include "ConversationView.h"
#include "FileTestSupport.h"
#include "GuiTestHelpers.h"
#include "MessageEdit.h"
#include "RoomCreateDialog.h"
#include "SearchHitModel.h"
#include "SearchPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDropEvent>
#include <QFile>
#include <QInputDialog>
#include <QListView>
#include <QMimeData>
#include <QPushButton>
#include <QScrollBar>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace QuietWire;
using namespace QuietWire::Gui;
using namespace GuiTest;

namespace {

ConversationListModel* sidebarOf(const Client& client)
{
    return client.window->chatWidget()->conversations();
}

ConversationView* viewOf(const Client& client)
{
    return client.window->chatWidget()->conversationView();
}

/// The unread count the sidebar shows for a conversation (-1: not listed).
qint64 unreadOf(const Client& client, ChatProtocol::ConversationKind kind, const QString& name)
{
    const auto conversation = sidebarOf(client)->find(kind, name);
    if (!conversation) {
        return -1;
    }
    return sidebarOf(client)->indexOf(conversation->id).data(ConversationListModel::UnreadRole).toLongLong();
}

/// The sidebar rows of a kind, by name.
QStringList rowsOf(const Client& client, ConversationListModel::RowKind kind)
{
    QStringList names;
    ConversationListModel* model = sidebarOf(client);
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row);
        if (index.data(ConversationListModel::RowKindRole).toInt() == static_cast<int>(kind)) {
            names << index.data(ConversationListModel::NameRole).toString();
        }
    }
    return names;
}

/// The ids of the messages in the open conversation, in the view's order.
QList<qint64> shownIds(const Client& client)
{
    QList<qint64> ids;
    ChatModel* model = viewOf(client)->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->line(row).id > 0) {
            ids << model->line(row).id;
        }
    }
    return ids;
}

int rowWithText(const Client& client, const QString& text)
{
    ChatModel* model = viewOf(client)->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->line(row).text == text) {
            return row;
        }
    }
    return -1;
}

/// Opens a conversation by name and waits for its first page.
bool openByName(Client& client, ChatProtocol::ConversationKind kind, const QString& name)
{
    if (!QTest::qWaitFor([&] { return sidebarOf(client)->find(kind, name).has_value(); }, Timeout)) {
        qWarning("%s does not list %s", qPrintable(client.name), qPrintable(name));
        return false;
    }
    const qint64 id = sidebarOf(client)->find(kind, name)->id;
    // Like a user: a click on the row.
    auto* list = child<QListView>(client.window.get(), QStringLiteral("conversationList"));
    const QModelIndex index = sidebarOf(client)->indexOf(id);
    list->scrollTo(index);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(index).center());
    return QTest::qWaitFor(
        [&] { return viewOf(client)->conversationId() == id && !viewOf(client)->isLoading(); }, Timeout);
}

bool activate(Client& client)
{
    client.window->raise();
    client.window->activateWindow();
    return QTest::qWaitForWindowActive(client.window.get(), Timeout);
}

/// Sends text to a room through the client's own ChatClient (the way a script would post).
qint64 post(Client& client, const QString& room, const QString& text)
{
    return client.connection()->chat()->sendText(text, ChatClient::Destination { room, QString() });
}

/// With QUIETWIRE_SCREENSHOT_DIR set, the window as the user sees it, saved there as NAME.png.
void screenshot(const Client& client, const QString& name)
{
    const QString dir = qEnvironmentVariable("QUIETWIRE_SCREENSHOT_DIR");
    if (dir.isEmpty()) {
        return;
    }
    QTest::qWait(300); // the views' delayed layouts
    QVERIFY(client.window->grab().save(QDir(dir).filePath(name + QStringLiteral(".png"))));
}

} // namespace

class TestGuiConversations : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void unreadCountsAcrossTwoClientsOfOneUser();
    void scrollbackLoadsOlderPagesToTheStart();
    void searchHitOpensInContext();
    void roomsMadeJoinedAndLeft();
    void fileAttachedAndDownloaded();
    void reconnectFetchesWhatWasSaidMeanwhile();
    void versionOneSessionKeepsItsOneRoom();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<Client> m_alice;
    std::unique_ptr<Client> m_bob;
};

void TestGuiConversations::initTestCase()
{
    quietOffscreenWarnings();
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
    QVERIFY(m_server->start());
    m_alice = makeClient(m_dir->path(), QStringLiteral("alice"), m_server.get(), true);
    m_bob = makeClient(m_dir->path(), QStringLiteral("bob"), m_server.get(), true);
    QVERIFY(m_alice && m_bob);
    m_alice->window->resize(1100, 700);
    m_bob->window->resize(1100, 700);
    QVERIFY(connectTrusting(*m_alice, m_server->port));
    QVERIFY(connectTrusting(*m_bob, m_server->port));
    QCOMPARE(m_alice->connection()->chat()->sessionVersion(), ChatProtocol::CurrentVersion);
    // general is open first.
    QTRY_VERIFY_WITH_TIMEOUT(viewOf(*m_alice)->conversation().name == QLatin1String("general"), Timeout);
}

void TestGuiConversations::cleanupTestCase()
{
    m_alice.reset();
    m_bob.reset();
    m_server.reset();
    m_dir.reset();
}

void TestGuiConversations::unreadCountsAcrossTwoClientsOfOneUser()
{
    // A second window of alice's, with her key: another device of the same user.
    auto second = std::make_unique<Client>();
    second->name = QStringLiteral("alice-2");
    second->configDir = m_alice->configDir;
    second->identity = m_alice->identity;
    second->settings = std::make_unique<GuiSettings>(m_dir->filePath(QStringLiteral("config-alice-2")));
    second->settings->setLocalFolder(m_dir->path());
    second->window = std::make_unique<MainWindow>(*second->identity, second->settings.get());
    second->window->resize(1100, 700);
    second->window->show();
    QVERIFY(connectTrusting(*second, m_server->port));
    QTRY_VERIFY_WITH_TIMEOUT(viewOf(*second)->conversation().name == QLatin1String("general"), Timeout);

    // Bob writes to alice three times while she reads general in both windows.
    QVERIFY(activate(*m_bob));
    QSignalSpy total(sidebarOf(*m_alice), &ConversationListModel::totalUnreadChanged);
    for (int i = 1; i <= 3; ++i) {
        QVERIFY(m_bob->connection()->chat()->sendText(
                    QStringLiteral("psst %1").arg(i), ChatClient::Destination { QString(), QStringLiteral("alice") })
            >= 0);
    }
    using ChatProtocol::ConversationKind;
    QTRY_COMPARE_WITH_TIMEOUT(unreadOf(*m_alice, ConversationKind::Direct, QStringLiteral("bob")), 3, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(unreadOf(*second, ConversationKind::Direct, QStringLiteral("bob")), 3, Timeout);
    QVERIFY(rowsOf(*m_alice, ConversationListModel::RowKind::Direct).contains(QStringLiteral("bob")));
    QCOMPARE(sidebarOf(*m_alice)->totalUnread(), 3);
    QVERIFY(!total.isEmpty());
    QCOMPARE(total.constLast().at(0).toInt(), 3);
    // Bold while unread, with the time of the last message.
    const QModelIndex row
        = sidebarOf(*m_alice)->indexOf(sidebarOf(*m_alice)->find(ConversationKind::Direct, QStringLiteral("bob"))->id);
    QVERIFY(row.data(Qt::FontRole).value<QFont>().bold());
    QVERIFY(row.data(ConversationListModel::LastTimeRole).toDateTime().isValid());
    QCOMPARE(row.data(ConversationListModel::KeyRole).toString(), QStringLiteral("direct:bob"));
    // Muted: out of the total, still counted on its row.
    QVERIFY(sidebarOf(*m_alice)->setData(row, true, ConversationListModel::MutedRole));
    QCOMPARE(sidebarOf(*m_alice)->totalUnread(), 0);
    QCOMPARE(row.data(ConversationListModel::UnreadRole).toLongLong(), 3);
    sidebarOf(*m_alice)->setMuted(QStringLiteral("direct:bob"), false);
    QCOMPARE(sidebarOf(*m_alice)->totalUnread(), 3);
    screenshot(*m_alice, QStringLiteral("convo15-unread"));

    // Opening it in an inactive window reads nothing.
    QVERIFY(openByName(*m_alice, ConversationKind::Direct, QStringLiteral("bob")));
    QTRY_COMPARE_WITH_TIMEOUT(shownIds(*m_alice).size(), 3, Timeout);
    // The unread line sits above the three.
    const int unreadLine = rowWithText(*m_alice, QStringLiteral("New messages"));
    QVERIFY(unreadLine >= 0);
    QCOMPARE(viewOf(*m_alice)->model()->line(unreadLine).kind, ChatModel::Kind::UnreadLine);
    QCOMPARE(unreadLine + 1, rowWithText(*m_alice, QStringLiteral("psst 1")));
    QTest::qWait(3 * ConversationView::ReadDelayMs);
    QCOMPARE(unreadOf(*second, ConversationKind::Direct, QStringLiteral("bob")), 3);

    // The second window reads it (active, at the bottom): both agree it is read.
    QVERIFY(activate(*second));
    QVERIFY(openByName(*second, ConversationKind::Direct, QStringLiteral("bob")));
    QTRY_COMPARE_WITH_TIMEOUT(unreadOf(*second, ConversationKind::Direct, QStringLiteral("bob")), 0, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(unreadOf(*m_alice, ConversationKind::Direct, QStringLiteral("bob")), 0, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(sidebarOf(*m_alice)->totalUnread(), 0, Timeout);
    QVERIFY(!sidebarOf(*m_alice)
                 ->indexOf(sidebarOf(*m_alice)->find(ConversationKind::Direct, QStringLiteral("bob"))->id)
                 .data(Qt::FontRole)
                 .value<QFont>()
                 .bold());

    // A message while the second window is active and open on it: read at once, again in both.
    QVERIFY(m_bob->connection()->chat()->sendText(
                QStringLiteral("psst 4"), ChatClient::Destination { QString(), QStringLiteral("alice") })
        >= 0);
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(*second, QStringLiteral("psst 4")) >= 0, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(*m_alice, QStringLiteral("psst 4")) >= 0, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(unreadOf(*m_alice, ConversationKind::Direct, QStringLiteral("bob")), 0, Timeout);
    QCOMPARE(rowWithText(*second, QStringLiteral("psst 4")), rowWithText(*second, QStringLiteral("psst 3")) + 1);

    second.reset();
    QVERIFY(openByName(*m_alice, ConversationKind::Room, QStringLiteral("general")));
}

void TestGuiConversations::scrollbackLoadsOlderPagesToTheStart()
{
    using ChatProtocol::ConversationKind;
    // Bob makes a public room and posts 250 messages into it.
    m_bob->window->chatWidget()->createRoom(QStringLiteral("archive"), QStringLiteral("Old things"), false);
    QTRY_VERIFY_WITH_TIMEOUT(sidebarOf(*m_bob)->find(ConversationKind::Room, QStringLiteral("archive")), Timeout);
    constexpr int Count = 250;
    QSet<qint64> posted;
    QObject context;
    connect(m_bob->connection()->chat(), &ChatClient::messageAccepted, &context,
        [&](qint64, qint64 id) { posted.insert(id); });
    for (int i = 1; i <= Count; ++i) {
        const QString text = i == 20 ? QStringLiteral("the needle is <b>here</b> number %1").arg(i)
                                     : QStringLiteral("archive line %1").arg(i);
        QVERIFY(post(*m_bob, QStringLiteral("archive"), text) >= 0);
    }
    QTRY_COMPARE_WITH_TIMEOUT(posted.size(), Count, Timeout);

    // Alice joins it from "Rooms to join" (a double-click) and sees the newest page. Her list of
    // rooms was fetched before the room was made: she refreshes it.
    m_alice->window->chatWidget()->refreshRooms();
    QTRY_VERIFY_WITH_TIMEOUT(
        rowsOf(*m_alice, ConversationListModel::RowKind::AvailableRoom).contains(QStringLiteral("archive")), Timeout);
    {
        auto* list = child<QListView>(m_alice->window.get(), QStringLiteral("conversationList"));
        const QModelIndex index = sidebarOf(*m_alice)->indexOfAvailableRoom(QStringLiteral("archive"));
        QVERIFY(index.isValid());
        list->scrollTo(index);
        const QPoint centre = list->visualRect(index).center();
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, centre);
        QTest::mouseDClick(list->viewport(), Qt::LeftButton, {}, centre);
    }
    QTRY_COMPARE_WITH_TIMEOUT(viewOf(*m_alice)->conversation().name, QStringLiteral("archive"), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!viewOf(*m_alice)->isLoading() && shownIds(*m_alice).size() >= 50, Timeout);
    QVERIFY(rowsOf(*m_alice, ConversationListModel::RowKind::Room).contains(QStringLiteral("archive")));
    QVERIFY(!rowsOf(*m_alice, ConversationListModel::RowKind::AvailableRoom).contains(QStringLiteral("archive")));
    QVERIFY(!viewOf(*m_alice)->atStart());
    QVERIFY(shownIds(*m_alice).size() < Count);
    QCOMPARE(shownIds(*m_alice).constLast(), *std::max_element(posted.cbegin(), posted.cend()));

    // Up to the top, page by page: what was at the top stays where it was when a page arrives.
    QListView* list = viewOf(*m_alice)->listView();
    QScrollBar* bar = list->verticalScrollBar();
    int pages = 0;
    int kept = 0; // pages that arrived while the test watched the top message
    while (!viewOf(*m_alice)->atStart() && pages < 20) {
        const int before = static_cast<int>(shownIds(*m_alice).size());
        bar->setValue(0);
        // The first message on screen (the unread line may be above it) and where it is.
        qint64 topId = 0;
        int topY = 0;
        for (int row = list->indexAt(QPoint(4, 4)).row(); row >= 0 && row < list->model()->rowCount(); ++row) {
            const QModelIndex index = list->model()->index(row, 0);
            if (index.data(ChatModel::IdRole).toLongLong() > 0) {
                topId = index.data(ChatModel::IdRole).toLongLong();
                topY = list->visualRect(index).top();
                break;
            }
        }
        QVERIFY(topId > 0);
        QTRY_VERIFY_WITH_TIMEOUT(shownIds(*m_alice).size() > before || viewOf(*m_alice)->atStart(), Timeout);
        QTRY_VERIFY_WITH_TIMEOUT(!viewOf(*m_alice)->isLoading(), Timeout);
        QTest::qWait(50);
        if (shownIds(*m_alice).size() > before) {
            // No jump: the message that was at the top is still where it was.
            const QModelIndex top = viewOf(*m_alice)->model()->index(viewOf(*m_alice)->model()->rowOf(topId));
            const int y = list->visualRect(top).top();
            ++kept;
            QVERIFY2(qAbs(y - topY) <= 4,
                qPrintable(QStringLiteral("message %1 moved from y %2 to %3").arg(topId).arg(topY).arg(y)));
        }
        ++pages;
    }
    QVERIFY(viewOf(*m_alice)->atStart());
    // Paging waited for the user: a page at a time, each where the top message stayed put.
    QVERIFY2(kept >= 2, qPrintable(QString::number(kept)));
    const QList<qint64> ids = shownIds(*m_alice);
    QCOMPARE(ids.size(), Count);
    QCOMPARE(QSet<qint64>(ids.cbegin(), ids.cend()), posted);
    QVERIFY(std::is_sorted(ids.cbegin(), ids.cend()));
    QCOMPARE(viewOf(*m_alice)->model()->line(rowWithText(*m_alice, QStringLiteral("archive line 1"))).id,
        *std::min_element(posted.cbegin(), posted.cend()));
}

void TestGuiConversations::searchHitOpensInContext()
{
    using ChatProtocol::ConversationKind;
    QVERIFY(openByName(*m_alice, ConversationKind::Room, QStringLiteral("general")));
    SearchPanel* search = m_alice->window->chatWidget()->searchPanel();
    auto* field = child<QLineEdit>(search, QStringLiteral("searchEdit"));
    QVERIFY(field && field->isEnabled());
    field->clear();
    QTest::keyClicks(field, QStringLiteral("needl"));
    QTest::keyClick(field, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(search->model()->rowCount(), 1, Timeout);
    const QModelIndex hit = search->model()->index(0);
    QCOMPARE(hit.data(SearchHitModel::ConversationNameRole).toString(), QStringLiteral("archive"));
    QCOMPARE(hit.data(SearchHitModel::FromRole).toString(), QStringLiteral("bob"));
    // The mark in bold; the message's own markup shown as text, not taken as markup.
    const QString html = hit.data(SearchHitModel::SnippetHtmlRole).toString();
    QVERIFY2(html.contains(QStringLiteral(">needle</b>")), qPrintable(html));
    QVERIFY2(html.contains(QStringLiteral("&lt;b&gt;here&lt;/b&gt;")), qPrintable(html));

    // "This conversation" (general) finds nothing.
    auto* scope = child<QComboBox>(search, QStringLiteral("searchScope"));
    scope->setCurrentIndex(1);
    QTest::keyClick(field, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(search->model()->rowCount(), 0, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!labelText(search, QStringLiteral("searchStatus")).contains(QStringLiteral("…")), Timeout);
    scope->setCurrentIndex(0);
    QTest::keyClick(field, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(search->model()->rowCount(), 1, Timeout);

    // Many hits come in pages: More adds the next.
    field->clear();
    QTest::keyClicks(field, QStringLiteral("archive line"));
    QTest::keyClick(field, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(search->model()->rowCount(), int(SearchPanel::PageSize), Timeout);
    QVERIFY(click(search, QStringLiteral("searchMoreButton")));
    QTRY_COMPARE_WITH_TIMEOUT(search->model()->rowCount(), int(2 * SearchPanel::PageSize), Timeout);
    screenshot(*m_alice, QStringLiteral("convo15-search"));
    QSet<qint64> hitIds;
    for (int row = 0; row < search->model()->rowCount(); ++row) {
        hitIds.insert(search->model()->hit(row).id);
    }
    QCOMPARE(hitIds.size(), search->model()->rowCount());

    // Opening the needle: its conversation, the page around it and every newer one, the hit selected.
    field->clear();
    QTest::keyClicks(field, QStringLiteral("needle"));
    QTest::keyClick(field, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(search->model()->rowCount(), 1, Timeout);
    const qint64 needle = search->model()->hit(0).id;
    auto* results = child<QListView>(search, QStringLiteral("searchResults"));
    const QPoint centre = results->visualRect(search->model()->index(0)).center();
    QTest::mouseClick(results->viewport(), Qt::LeftButton, {}, centre);
    QTest::mouseDClick(results->viewport(), Qt::LeftButton, {}, centre);
    QTRY_COMPARE_WITH_TIMEOUT(viewOf(*m_alice)->conversation().name, QStringLiteral("archive"), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!viewOf(*m_alice)->isLoading(), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        viewOf(*m_alice)->listView()->currentIndex().data(ChatModel::IdRole).toLongLong(), needle, Timeout);
    const QList<qint64> ids = shownIds(*m_alice);
    QVERIFY(rowWithText(*m_alice, QStringLiteral("archive line 19")) >= 0);
    QVERIFY(rowWithText(*m_alice, QStringLiteral("archive line 21")) >= 0);
    QCOMPARE(ids.constLast(), sidebarOf(*m_alice)->find(ConversationKind::Room, QStringLiteral("archive"))->last->id);
    QCOMPARE(QSet<qint64>(ids.cbegin(), ids.cend()).size(), ids.size());
    // On screen.
    const QRect rect = viewOf(*m_alice)->listView()->visualRect(viewOf(*m_alice)->listView()->currentIndex());
    QVERIFY(viewOf(*m_alice)->listView()->viewport()->rect().intersects(rect));
}

void TestGuiConversations::roomsMadeJoinedAndLeft()
{
    using ChatProtocol::ConversationKind;
    // Alice makes a public room with the dialog.
    QVERIFY(click(m_alice->window.get(), QStringLiteral("newRoomButton")));
    RoomCreateDialog* dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (dialog = findWindow<RoomCreateDialog>(QStringLiteral("roomCreateDialog"))) != nullptr, Timeout);
    QTest::keyClicks(child<QLineEdit>(dialog, QStringLiteral("roomNameEdit")), QStringLiteral("design"));
    QTest::keyClicks(child<QLineEdit>(dialog, QStringLiteral("roomTopicEdit")), QStringLiteral("Widgets"));
    QVERIFY(click(dialog, QStringLiteral("roomCreateOkButton")));
    QTRY_COMPARE_WITH_TIMEOUT(viewOf(*m_alice)->conversation().name, QStringLiteral("design"), Timeout);
    QVERIFY(rowsOf(*m_alice, ConversationListModel::RowKind::Room).contains(QStringLiteral("design")));
    QCOMPARE(viewOf(*m_alice)->conversation().topic, QStringLiteral("Widgets"));
    QVERIFY(labelText(m_alice->window.get(), QStringLiteral("conversationTitle")).contains(QStringLiteral("Widgets")));

    // The owner changes the topic.
    QVERIFY(click(m_alice->window.get(), QStringLiteral("topicButton")));
    QInputDialog* topic = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((topic = findWindow<QInputDialog>(QStringLiteral("topicDialog"))) != nullptr, Timeout);
    topic->setTextValue(QStringLiteral("Widgets and <b>gadgets</b>"));
    topic->accept();
    QTRY_COMPARE_WITH_TIMEOUT(
        viewOf(*m_alice)->conversation().topic, QStringLiteral("Widgets and <b>gadgets</b>"), Timeout);
    // Shown as the text it is, not as markup: in the title and in the list's tooltip.
    QVERIFY(labelText(m_alice->window.get(), QStringLiteral("conversationTitle"))
                .endsWith(QStringLiteral("Widgets and <b>gadgets</b>")));
    QCOMPARE(child<QLabel>(m_alice->window.get(), QStringLiteral("conversationTitle"))->textFormat(), Qt::PlainText);
    const QString tip
        = sidebarOf(*m_alice)->indexOf(viewOf(*m_alice)->conversationId()).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("Widgets and &lt;b&gt;gadgets&lt;/b&gt;")), qPrintable(tip));

    // The same name again: the server's refusal, shown.
    m_alice->window->chatWidget()->createRoom(QStringLiteral("design"), QString(), false);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_alice->window->chatWidget()->statusText().startsWith(QStringLiteral("The room design was not made: ")),
        Timeout);

    // A private room, with bob invited: it appears in his list without him asking.
    m_alice->window->chatWidget()->createRoom(QStringLiteral("secret"), QString(), true);
    QTRY_COMPARE_WITH_TIMEOUT(viewOf(*m_alice)->conversation().name, QStringLiteral("secret"), Timeout);
    QVERIFY(click(m_alice->window.get(), QStringLiteral("inviteButton")));
    QInputDialog* invite = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((invite = findWindow<QInputDialog>(QStringLiteral("inviteDialog"))) != nullptr, Timeout);
    invite->setTextValue(QStringLiteral("bob"));
    invite->accept();
    QTRY_VERIFY_WITH_TIMEOUT(
        rowsOf(*m_bob, ConversationListModel::RowKind::Room).contains(QStringLiteral("secret")), Timeout);
    QVERIFY(!rowsOf(*m_bob, ConversationListModel::RowKind::AvailableRoom).contains(QStringLiteral("secret")));

    // Bob joins design, says something, and leaves it again.
    m_bob->window->chatWidget()->joinRoom(QStringLiteral("design"));
    QTRY_COMPARE_WITH_TIMEOUT(viewOf(*m_bob)->conversation().name, QStringLiteral("design"), Timeout);
    QVERIFY(!child<QPushButton>(m_bob->window.get(), QStringLiteral("topicButton"))->isEnabled()); // not an owner
    auto* input = child<MessageEdit>(m_bob->window.get(), QStringLiteral("messageEdit"));
    input->setFocus();
    QTest::keyClicks(input, QStringLiteral("hello design"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(*m_alice, QStringLiteral("hello design")) < 0
            && unreadOf(*m_alice, ConversationKind::Room, QStringLiteral("design")) == 1,
        Timeout);
    QVERIFY(click(m_bob->window.get(), QStringLiteral("leaveRoomButton")));
    QTRY_VERIFY_WITH_TIMEOUT(
        !rowsOf(*m_bob, ConversationListModel::RowKind::Room).contains(QStringLiteral("design")), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(
        rowsOf(*m_bob, ConversationListModel::RowKind::AvailableRoom).contains(QStringLiteral("design")), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(viewOf(*m_bob)->conversation().name, QStringLiteral("general"), Timeout);
    // general cannot be left.
    QVERIFY(!child<QPushButton>(m_bob->window.get(), QStringLiteral("leaveRoomButton"))->isEnabled());

    // A direct conversation with a name typed in; one nobody has is refused with the server's word.
    auto* direct = child<QLineEdit>(m_bob->window.get(), QStringLiteral("directNameEdit"));
    QTest::keyClicks(direct, QStringLiteral("nobody-here"));
    QTest::keyClick(direct, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(m_bob->window->chatWidget()->statusText().startsWith(
                                 QStringLiteral("Cannot open the conversation with nobody-here: ")),
        Timeout);
    direct->clear();
    QTest::keyClicks(direct, QStringLiteral("bob"));
    QTest::keyClick(direct, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(viewOf(*m_bob)->conversation().kind == ConversationKind::Direct
            && viewOf(*m_bob)->conversation().name == QLatin1String("bob"),
        Timeout);
    QVERIFY(rowsOf(*m_bob, ConversationListModel::RowKind::Direct).contains(QStringLiteral("bob")));
}

void TestGuiConversations::fileAttachedAndDownloaded()
{
    using ChatProtocol::ConversationKind;
    QVERIFY(openByName(*m_alice, ConversationKind::Room, QStringLiteral("general")));
    QVERIFY(openByName(*m_bob, ConversationKind::Room, QStringLiteral("general")));
    const QByteArray bytes = FileTest::randomBytes(300 * 1024 + 17);
    const QString local = QDir(m_dir->path()).filePath(QStringLiteral("plan.bin"));
    QVERIFY(FileTest::writeFile(local, bytes));

    // Alice drops the file onto the conversation.
    ConversationView* view = viewOf(*m_alice);
    QMimeData mime;
    mime.setUrls({ QUrl::fromLocalFile(local) });
    const QPoint at = view->listView()->geometry().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view, &drop);

    // Bob sees it with its name and size, from alice.
    int row = -1;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            ChatModel* model = viewOf(*m_bob)->model();
            for (int i = 0; i < model->rowCount(); ++i) {
                if (model->line(i).attachment && model->line(i).attachment->name == QLatin1String("plan.bin")) {
                    row = i;
                    return true;
                }
            }
            return false;
        }(),
        Timeout);
    const QModelIndex message = viewOf(*m_bob)->model()->index(row);
    QCOMPARE(message.data(ChatModel::FromRole).toString(), QStringLiteral("alice"));
    QCOMPARE(message.data(ChatModel::AttachmentSizeRole).toLongLong(), bytes.size());
    QVERIFY(message.data(ChatModel::AttachmentPathRole)
                .toString()
                .startsWith(QStringLiteral("/rooms/general/attachments/")));
    QVERIFY(message.data(Qt::DisplayRole).toString().contains(QStringLiteral("plan.bin")));

    // Bob selects it and downloads it into his local folder: the same bytes.
    auto* download = child<QPushButton>(m_bob->window.get(), QStringLiteral("downloadButton"));
    viewOf(*m_bob)->listView()->setCurrentIndex(message);
    QVERIFY(click(m_bob->window.get(), QStringLiteral("downloadButton")));
    const QString target = QDir(m_bob->window->filesWidget()->localDirectory()).filePath(QStringLiteral("plan.bin"));
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(target) && FileTest::readFile(target) == bytes, Timeout);
    screenshot(*m_bob, QStringLiteral("convo15-attachment"));

    // A second post of the same file takes the next free name.
    m_alice->window->chatWidget()->conversationFiles()->attach(
        local, ChatClient::Destination { QStringLiteral("general"), {} });
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            ChatModel* model = viewOf(*m_bob)->model();
            for (int i = 0; i < model->rowCount(); ++i) {
                if (model->line(i).attachment && model->line(i).attachment->name == QLatin1String("plan (2).bin")) {
                    return true;
                }
            }
            return false;
        }(),
        Timeout);

    // Removed on the server: the history shows it as removed and Download is off.
    const QString remote = message.data(ChatModel::AttachmentPathRole).toString();
    qint64 removeId = -1;
    bool removed = false;
    QObject context;
    connect(m_bob->connection()->files(), &FileClient::replyReceived, &context,
        [&](const FileClient::Reply& reply) { removed = removed || (reply.id == removeId && reply.ok); });
    removeId = m_bob->connection()->files()->remove(remote);
    QVERIFY(removeId > 0);
    QTRY_VERIFY_WITH_TIMEOUT(removed, Timeout);
    QVERIFY(openByName(*m_bob, ConversationKind::Direct, QStringLiteral("bob")));
    QVERIFY(openByName(*m_bob, ConversationKind::Room, QStringLiteral("general")));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            ChatModel* model = viewOf(*m_bob)->model();
            for (int i = 0; i < model->rowCount(); ++i) {
                if (model->line(i).attachment && model->line(i).attachment->path == remote) {
                    row = i;
                    return true;
                }
            }
            return false;
        }(),
        Timeout);
    QVERIFY(viewOf(*m_bob)->model()->index(row).data(ChatModel::AttachmentRemovedRole).toBool());
    viewOf(*m_bob)->listView()->setCurrentIndex(viewOf(*m_bob)->model()->index(row));
    QVERIFY(!download->isEnabled());
}

void TestGuiConversations::reconnectFetchesWhatWasSaidMeanwhile()
{
    using ChatProtocol::ConversationKind;
    QVERIFY(openByName(*m_alice, ConversationKind::Room, QStringLiteral("archive")));
    QTRY_VERIFY_WITH_TIMEOUT(!viewOf(*m_alice)->isLoading(), Timeout);
    const QList<qint64> before = shownIds(*m_alice);
    QVERIFY(!before.isEmpty());

    // Alice is away; bob posts 70 messages (more than a page); alice comes back.
    QVERIFY(click(m_alice->window.get(), QStringLiteral("disconnectActionButton")));
    QTRY_VERIFY_WITH_TIMEOUT(!m_alice->isConnected(), Timeout);
    QSet<qint64> posted;
    QObject context;
    connect(m_bob->connection()->chat(), &ChatClient::messageAccepted, &context,
        [&](qint64, qint64 id) { posted.insert(id); });
    for (int i = 1; i <= 70; ++i) {
        QVERIFY(post(*m_bob, QStringLiteral("archive"), QStringLiteral("meanwhile %1").arg(i)) >= 0);
    }
    QTRY_COMPARE_WITH_TIMEOUT(posted.size(), 70, Timeout);
    QVERIFY(connectTrusting(*m_alice, m_server->port));
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(*m_alice, QStringLiteral("meanwhile 70")) >= 0, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!viewOf(*m_alice)->isLoading(), Timeout);
    const QList<qint64> after = shownIds(*m_alice);
    QCOMPARE(QSet<qint64>(after.cbegin(), after.cend()).size(), after.size()); // no duplicates
    for (qint64 id : posted) {
        QVERIFY2(after.contains(id), qPrintable(QStringLiteral("message %1 is missing").arg(id)));
    }
    for (qint64 id : before) {
        QVERIFY(after.contains(id));
    }
    QVERIFY(std::is_sorted(after.cbegin(), after.cend()));
    QCOMPARE(viewOf(*m_alice)->conversation().name, QStringLiteral("archive"));
}

void TestGuiConversations::versionOneSessionKeepsItsOneRoom()
{
    // A client that asks for version 1 gets what a version-1 server gives: one room, replayed.
    auto carol = makeClient(m_dir->path(), QStringLiteral("carol"), m_server.get(), true);
    QVERIFY(carol);
    carol->connection()->chat()->setProtocolVersion(ChatProtocol::Version1);
    QVERIFY(connectTrusting(*carol, m_server->port));
    QCOMPARE(carol->connection()->chat()->sessionVersion(), ChatProtocol::Version1);
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(*carol, QStringLiteral("hello design")) < 0
            && labelText(carol->window.get(), QStringLiteral("conversationTitle"))
                == QStringLiteral("general (this server has one room)"),
        Timeout);
    QVERIFY(!child<QPushButton>(carol->window.get(), QStringLiteral("newRoomButton"))->isEnabled());
    QVERIFY(!child<QWidget>(carol->window.get(), QStringLiteral("searchPanel"))->isEnabled());
    QVERIFY(!child<QPushButton>(carol->window.get(), QStringLiteral("attachButton"))->isEnabled());
    QVERIFY(carol->window->chatWidget()->statusText().contains(QStringLiteral("version 1")));
    // general's history was replayed (the file alice posted there, as version 1 shows it).
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            ChatModel* model = viewOf(*carol)->model();
            for (int row = 0; row < model->rowCount(); ++row) {
                if (model->line(row).history && model->line(row).text.contains(QStringLiteral("[file plan.bin"))) {
                    return true;
                }
            }
            return false;
        }(),
        Timeout);
    // Typing sends to general; alice (version 2) gets it there.
    QVERIFY(openByName(*m_alice, ChatProtocol::ConversationKind::Room, QStringLiteral("general")));
    auto* input = child<MessageEdit>(carol->window.get(), QStringLiteral("messageEdit"));
    input->setFocus();
    QTest::keyClicks(input, QStringLiteral("from the old days"));
    QTest::keyClick(input, Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(*carol, QStringLiteral("from the old days")) >= 0, Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(rowWithText(*m_alice, QStringLiteral("from the old days")) >= 0, Timeout);
}

QTEST_MAIN(TestGuiConversations)
#include "TestGuiConversations.moc"
