// The Files tab against the real quietwired: upload and download with the toolbar, drag and
// drop both ways, new folder, cancel and resume, and the window's responsiveness meanwhile.

#include "FileListView.h"
#include "GuiTestHelpers.h"
#include "ProgressBarDelegate.h"
#include "RemoteFileModel.h"
#include "Sha256.h"
#include "TransferList.h"
#include "TransferModel.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFile>
#include <QFileSystemModel>
#include <QInputDialog>
#include <QMessageBox>
#include <QMimeData>
#include <QRandomGenerator>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeView>
#include <QUrl>

using namespace QuietWire;
using namespace QuietWire::Gui;
using namespace GuiTest;

namespace {
QByteArray randomBytes(qint64 size)
{
    QByteArray data(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; i += 4) {
        const quint32 word = QRandomGenerator::global()->generate();
        memcpy(data.data() + i, &word, static_cast<size_t>(qMin<qint64>(4, size - i)));
    }
    return data;
}

bool writeFile(const QString& path, const QByteArray& data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

/// Writes size random bytes in 1 MiB blocks and returns their SHA-256 (multi-GiB files fit).
QByteArray writeRandomFile(const QString& path, qint64 size)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return QByteArray();
    }
    Sha256 hash;
    for (qint64 left = size; left > 0;) {
        const QByteArray block = randomBytes(qMin<qint64>(left, 1024 * 1024));
        if (file.write(block) != block.size()) {
            return QByteArray();
        }
        hash.addData(block);
        left -= block.size();
    }
    return hash.result();
}

QByteArray fileHash(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return QByteArray();
    }
    Sha256 hash;
    while (!file.atEnd()) {
        hash.addData(file.read(1024 * 1024));
    }
    return hash.result();
}

/// Size of the cancel/resume transfer: 48 MiB, or QUIETWIRE_TEST_BIG_MB (to measure multi-GiB runs).
qint64 bigTransferSize()
{
    const int megabytes = qEnvironmentVariableIntValue("QUIETWIRE_TEST_BIG_MB");
    return qint64(megabytes > 0 ? megabytes : 48) * 1024 * 1024;
}

/// Room for the big transfers (the default quota is 1 GiB per user).
QStringList serverOptions()
{
    return { QStringLiteral("--quota"), QStringLiteral("%1M").arg(3 * bigTransferSize() / (1024 * 1024) + 64) };
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QModelIndex transferIndex(TransferList* list, int row, int column)
{
    return list->model()->index(row, column);
}

/// What the progress delegate paints: the model's progress role and the bar's text.
int progressValue(TransferList* list, int row)
{
    return transferIndex(list, row, TransferModel::ProgressColumn).data(TransferModel::ProgressRole).toInt();
}

QString progressText(TransferList* list, int row)
{
    return transferIndex(list, row, TransferModel::ProgressColumn).data().toString();
}

QString stateText(TransferList* list, int row)
{
    return transferIndex(list, row, TransferModel::StateColumn).data().toString();
}

FileTransfer::State transferState(TransferList* list, int row)
{
    return transferIndex(list, row, 0).data(TransferModel::StateRole).value<FileTransfer::State>();
}

bool transferDone(TransferList* list, int row)
{
    return row < list->model()->rowCount() && progressValue(list, row) == 100
        && progressText(list, row) == QLatin1String("100%") && stateText(list, row).startsWith(QLatin1String("Done"));
}

/// Clicks the row of a view the way a user selects it.
bool clickRow(QAbstractItemView* view, const QModelIndex& index)
{
    const QRect rect = view->visualRect(index);
    if (!index.isValid() || !rect.isValid()) {
        return false;
    }
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    return view->selectionModel()->isRowSelected(index.row(), index.parent());
}

void drop(QAbstractItemView* view, QMimeData* mime)
{
    const QPoint at = view->viewport()->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent dropEvent(QPointF(at), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &dropEvent);
    QVERIFY(dropEvent.isAccepted());
}
} // namespace

class TestGuiFiles : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void uploadAndDownloadWithTheToolbar();
    void dragAndDropBothWays();
    void folderDroppedAndFetchedBack();
    void cancelThenRetryResumes();
    void downloadResumesAfterServerRestart();
    void roomFoldersFromTheServerPane();
    void quittingDuringATransferAsksWithoutBlocking();

private:
    QModelIndex localIndex(const QString& path);
    QModelIndex remoteIndex(const QString& name);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<Client> m_alice;
    FilesWidget* m_files = nullptr;
    FileListView* m_localView = nullptr;
    FileListView* m_remoteView = nullptr;
    TransferList* m_transfers = nullptr;
    QString m_home;
};

void TestGuiFiles::initTestCase()
{
    quietOffscreenWarnings();
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<ServerProcess>(m_dir->filePath(QStringLiteral("server")));
    QVERIFY(m_server->start(serverOptions()));
    m_alice = makeClient(m_dir->path(), QStringLiteral("alice"), m_server.get(), true);
    QVERIFY(m_alice);
    QVERIFY(connectTrusting(*m_alice, m_server->port));
    m_home = m_server->dataDir() + QStringLiteral("/files/alice");

    // The Files tab, chosen with the mouse.
    QTabWidget* tabs = m_alice->window->tabs();
    QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(1).center());
    QCOMPARE(tabs->currentIndex(), 1);
    m_files = m_alice->window->filesWidget();
    m_localView = child<FileListView>(m_files, QStringLiteral("localView"));
    m_remoteView = child<FileListView>(m_files, QStringLiteral("remoteView"));
    m_transfers = child<TransferList>(m_files, QStringLiteral("transferList"));
    QVERIFY(m_localView && m_remoteView && m_transfers);
    QTRY_COMPARE_WITH_TIMEOUT(m_files->remoteModel()->path(), QStringLiteral("~"), Timeout);
}

void TestGuiFiles::cleanupTestCase()
{
    m_alice.reset();
    m_server.reset();
    m_dir.reset();
}

QModelIndex TestGuiFiles::localIndex(const QString& path)
{
    QModelIndex index;
    [[maybe_unused]] const bool found = QTest::qWaitFor(
        [&] {
            index = m_files->localModel()->index(path);
            return index.isValid() && m_localView->visualRect(index).isValid();
        },
        Timeout);
    return index;
}

QModelIndex TestGuiFiles::remoteIndex(const QString& name)
{
    QModelIndex index;
    [[maybe_unused]] const bool found = QTest::qWaitFor(
        [&] {
            const int row = m_files->remoteModel()->rowOf(name);
            index = row >= 0 ? m_files->remoteModel()->index(row, 0) : QModelIndex();
            return index.isValid();
        },
        Timeout);
    return index;
}

void TestGuiFiles::uploadAndDownloadWithTheToolbar()
{
    const QByteArray data = randomBytes(3 * 1024 * 1024 + 17);
    const QString local = QDir(m_files->localDirectory()).filePath(QStringLiteral("report.bin"));
    QVERIFY(writeFile(local, data));

    m_localView->setFocus();
    QVERIFY(clickRow(m_localView, localIndex(local)));
    QVERIFY(click(m_files, QStringLiteral("uploadActionButton")));
    QTRY_VERIFY_WITH_TIMEOUT(transferDone(m_transfers, 0), Timeout);
    QCOMPARE(m_transfers->model()->rowCount(), 1);
    QCOMPARE(transferState(m_transfers, 0), FileTransfer::State::Finished);
    QVERIFY(!transferIndex(m_transfers, 0, 0).data(TransferModel::CanRetryRole).toBool());
    QCOMPARE(transferIndex(m_transfers, 0, TransferModel::NameColumn).data().toString(), QStringLiteral("report.bin"));
    QCOMPARE(readFile(m_home + QStringLiteral("/report.bin")), data);
    QVERIFY(stateText(m_transfers, 0).contains(QStringLiteral("SHA-256 verified")));
    // The server pane shows the new file by itself.
    QVERIFY(remoteIndex(QStringLiteral("report.bin")).isValid());

    // A new local folder, made with the toolbar and opened with a double-click.
    QVERIFY(click(m_files, QStringLiteral("newFolderActionButton")));
    QInputDialog* ask = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((ask = findWindow<QInputDialog>(QStringLiteral("nameDialog"))), Timeout);
    auto* nameEdit = ask->findChild<QLineEdit*>();
    QVERIFY(nameEdit);
    QTest::keyClicks(nameEdit, QStringLiteral("downloads"));
    QTest::keyClick(nameEdit, Qt::Key_Return);
    const QString downloads = QDir(m_files->localDirectory()).filePath(QStringLiteral("downloads"));
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(downloads).isDir(), Timeout);
    const QModelIndex folder = localIndex(downloads);
    QVERIFY(folder.isValid());
    // A widget double-click is a press and release, then the double-click event.
    QTest::mouseClick(m_localView->viewport(), Qt::LeftButton, {}, m_localView->visualRect(folder).center());
    QTest::mouseDClick(m_localView->viewport(), Qt::LeftButton, {}, m_localView->visualRect(folder).center());
    QTRY_COMPARE_WITH_TIMEOUT(m_files->localDirectory(), downloads, Timeout);

    // Download it back into that folder.
    m_remoteView->setFocus();
    QVERIFY(clickRow(m_remoteView, remoteIndex(QStringLiteral("report.bin"))));
    QVERIFY(click(m_files, QStringLiteral("downloadActionButton")));
    QTRY_VERIFY_WITH_TIMEOUT(transferDone(m_transfers, 1), Timeout);
    QCOMPARE(readFile(downloads + QStringLiteral("/report.bin")), data);
    QVERIFY(!QFile::exists(downloads + QStringLiteral("/report.bin.part")));

    // A server folder made from the toolbar while the server pane is active.
    m_remoteView->setFocus();
    QVERIFY(click(m_files, QStringLiteral("newFolderActionButton")));
    QTRY_VERIFY_WITH_TIMEOUT((ask = findWindow<QInputDialog>(QStringLiteral("nameDialog"))), Timeout);
    nameEdit = ask->findChild<QLineEdit*>();
    QTest::keyClicks(nameEdit, QStringLiteral("shared"));
    QTest::keyClick(nameEdit, Qt::Key_Return);
    QVERIFY(remoteIndex(QStringLiteral("shared")).isValid());
    QVERIFY(QFileInfo(m_home + QStringLiteral("/shared")).isDir());
}

void TestGuiFiles::dragAndDropBothWays()
{
    // From the desktop (or the local pane): file URLs dropped on the server pane upload.
    const QString desktopFile = m_dir->filePath(QStringLiteral("from-desktop.txt"));
    QVERIFY(writeFile(desktopFile, "dropped from the desktop\n"));
    const int before = m_transfers->model()->rowCount();
    QMimeData urls;
    urls.setUrls({ QUrl::fromLocalFile(desktopFile) });
    drop(m_remoteView, &urls);
    QTRY_VERIFY_WITH_TIMEOUT(transferDone(m_transfers, before), Timeout);
    QCOMPARE(readFile(m_home + QStringLiteral("/from-desktop.txt")), QByteArray("dropped from the desktop\n"));

    // Dragging from the server pane carries remote paths; dropping them on the local pane downloads.
    const QModelIndex remote = remoteIndex(QStringLiteral("from-desktop.txt"));
    QVERIFY(remote.isValid());
    std::unique_ptr<QMimeData> dragged(m_files->remoteModel()->mimeData({ remote }));
    QVERIFY(dragged->hasFormat(QLatin1String(RemoteFileModel::MimeType)));
    // The local pane takes no drops of local files: it never moves files about by itself.
    QDragEnterEvent refused(QPoint(5, 5), Qt::CopyAction, &urls, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_localView->viewport(), &refused);
    QVERIFY(!refused.isAccepted());
    drop(m_localView, dragged.get());
    QTRY_VERIFY_WITH_TIMEOUT(transferDone(m_transfers, before + 1), Timeout);
    QCOMPARE(readFile(QDir(m_files->localDirectory()).filePath(QStringLiteral("from-desktop.txt"))),
        QByteArray("dropped from the desktop\n"));
}

void TestGuiFiles::folderDroppedAndFetchedBack()
{
    // A folder dropped on the server pane goes whole: one row with the total, its files below it, the link skipped.
    const QString project = m_dir->filePath(QStringLiteral("проект"));
    QVERIFY(QDir().mkpath(project + QStringLiteral("/sub")));
    QVERIFY(writeFile(project + QStringLiteral("/a.txt"), "first\n"));
    const QByteArray data = randomBytes(300 * 1024 + 5);
    QVERIFY(writeFile(project + QStringLiteral("/sub/b.bin"), data));
    QVERIFY(writeFile(project + QStringLiteral("/sub/empty"), QByteArray()));
    QVERIFY(QFile::link(project + QStringLiteral("/a.txt"), project + QStringLiteral("/link")));
    const int row = m_transfers->model()->rowCount();
    QMimeData urls;
    urls.setUrls({ QUrl::fromLocalFile(project) });
    drop(m_remoteView, &urls);
    QTRY_VERIFY_WITH_TIMEOUT(transferDone(m_transfers, row), Timeout);
    QCOMPARE(transferIndex(m_transfers, row, TransferModel::NameColumn).data().toString(), QStringLiteral("проект/"));
    QVERIFY2(stateText(m_transfers, row).contains(QStringLiteral("3 files (3 sent, 0 already there)")),
        qPrintable(stateText(m_transfers, row)));
    QVERIFY(stateText(m_transfers, row).contains(QStringLiteral("1 skipped")));
    const QModelIndex folder = transferIndex(m_transfers, row, 0);
    QCOMPARE(m_transfers->model()->rowCount(folder), 4);
    QStringList files;
    for (int i = 0; i < 4; ++i) {
        files << m_transfers->model()->index(i, TransferModel::NameColumn, folder).data().toString() + QLatin1Char('=')
                + m_transfers->model()
                      ->index(i, TransferModel::StateColumn, folder)
                      .data()
                      .toString()
                      .section(QLatin1Char(':'), 0, 0);
    }
    QCOMPARE(files,
        QStringList({ QStringLiteral("a.txt=Done"), QStringLiteral("link=Skipped"), QStringLiteral("sub/b.bin=Done"),
            QStringLiteral("sub/empty=Done") }));
    QCOMPARE(readFile(m_home + QStringLiteral("/проект/sub/b.bin")), data);
    QVERIFY(QFileInfo(m_home + QStringLiteral("/проект/sub/empty")).isFile());
    QVERIFY(!QFileInfo::exists(m_home + QStringLiteral("/проект/link")));
    m_transfers->view()->expand(folder);
    m_transfers->view()->scrollTo(m_transfers->model()->index(3, 0, folder));
    if (const QString shot = qEnvironmentVariable("QUIETWIRE_TEST_SCREENSHOT"); !shot.isEmpty()) {
        QTest::qWait(200); // the view lays the opened rows out on its next turn
        m_alice->window->grab().save(shot);
    }

    // Selected on the server pane and fetched with the toolbar: the same tree arrives in the local folder.
    m_remoteView->setFocus();
    QVERIFY(clickRow(m_remoteView, remoteIndex(QStringLiteral("проект"))));
    QVERIFY(click(m_files, QStringLiteral("downloadActionButton")));
    QTRY_VERIFY_WITH_TIMEOUT(transferDone(m_transfers, row + 1), Timeout);
    const QString back = QDir(m_files->localDirectory()).filePath(QStringLiteral("проект"));
    QCOMPARE(readFile(back + QStringLiteral("/sub/b.bin")), data);
    QCOMPARE(readFile(back + QStringLiteral("/a.txt")), QByteArray("first\n"));
    QVERIFY(QFileInfo(back + QStringLiteral("/sub/empty")).isFile());
    QVERIFY(!QFileInfo::exists(back + QStringLiteral("/link")));
    QCOMPARE(m_transfers->model()->rowCount(transferIndex(m_transfers, row + 1, 0)), 3);
}

void TestGuiFiles::cancelThenRetryResumes()
{
    const qint64 size = bigTransferSize();
    const QString local = QDir(m_files->localDirectory()).filePath(QStringLiteral("big.bin"));
    const QByteArray sha256 = writeRandomFile(local, size);
    QVERIFY(!sha256.isEmpty());
    const int row = m_transfers->model()->rowCount();

    // Measures how long the event loop is ever kept busy while the upload runs.
    QElapsedTimer sinceTick;
    qint64 longestGapMs = 0;
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, this, [&] { longestGapMs = qMax(longestGapMs, sinceTick.restart()); });

    m_localView->setFocus();
    QVERIFY(clickRow(m_localView, localIndex(local)));
    QVERIFY(click(m_files, QStringLiteral("uploadActionButton")));
    QTRY_VERIFY_WITH_TIMEOUT(m_transfers->model()->rowCount() == row + 1, Timeout);
    FileTransfer* first = m_alice->connection()->files()->findChildren<FileTransfer*>().last();
    // Cancel and Retry act on the selected transfers: select this one like a user.
    QTreeView* view = m_transfers->view();
    QVERIFY(clickRow(view, transferIndex(m_transfers, row, TransferModel::NameColumn)));
    auto* cancel = child<QToolButton>(m_transfers, QStringLiteral("cancelTransferButton"));
    auto* retry = child<QToolButton>(m_transfers, QStringLiteral("retryTransferButton"));
    QVERIFY(cancel && retry);
    // The progress is painted by the delegate: no widget in the row.
    QVERIFY(qobject_cast<ProgressBarDelegate*>(view->itemDelegateForColumn(TransferModel::ProgressColumn)));
    QVERIFY(!view->indexWidget(transferIndex(m_transfers, row, TransferModel::ProgressColumn)));
    // The server must have seen the cancelled session end, or the retry's put would find the
    // target still busy with it (a real race a person clicking Retry at once can also meet).
    const qsizetype endedBefore = m_server->log().count(QStringLiteral(" ended"));
    bool clicked = false;
    FileTransfer::State stateWhileRunning = FileTransfer::State::Idle;
    connect(first, &FileTransfer::progress, this, [&](qint64 done, qint64) {
        if (done >= 8 * 1024 * 1024 && !clicked) {
            clicked = true;
            stateWhileRunning = transferState(m_transfers, row);
            if (const QString grabDir = qEnvironmentVariable("QUIETWIRE_TEST_GRAB_DIR"); !grabDir.isEmpty()) {
                m_alice->window->grab().save(QDir(grabDir).filePath(QStringLiteral("files-running.png")));
            }
            QTimer::singleShot(0, this, [&] { QTest::mouseClick(cancel, Qt::LeftButton); });
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(stateText(m_transfers, row).startsWith(QLatin1String("Cancelled")), Timeout);
    QVERIFY(retry->isEnabled());
    QVERIFY(!cancel->isEnabled());
    // The model says what the row shows: cancelled part of the way, with Retry and not Cancel.
    QCOMPARE(stateWhileRunning, FileTransfer::State::Running);
    QCOMPARE(transferState(m_transfers, row), FileTransfer::State::Cancelled);
    QVERIFY2(progressValue(m_transfers, row) > 0 && progressValue(m_transfers, row) < 100,
        qPrintable(progressText(m_transfers, row)));
    QCOMPARE(progressText(m_transfers, row), QStringLiteral("%1%").arg(progressValue(m_transfers, row)));
    QVERIFY(transferIndex(m_transfers, row, 0).data(TransferModel::CanRetryRole).toBool());
    QVERIFY(!transferIndex(m_transfers, row, 0).data(TransferModel::CanCancelRole).toBool());
    if (const QString grabDir = qEnvironmentVariable("QUIETWIRE_TEST_GRAB_DIR"); !grabDir.isEmpty()) {
        QVERIFY(m_alice->window->grab().save(QDir(grabDir).filePath(QStringLiteral("files-cancelled.png"))));
    }
    // What arrived waits in the server's partial file (in a staging folder no path reaches).
    const QString serverPart = m_home + QStringLiteral("/.partial\\uploads/")
        + QString::fromLatin1(Sha256::hash(QByteArrayLiteral("big.bin")).toHex()) + QStringLiteral(".part");
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(serverPart).size() > 0, Timeout);
    QVERIFY(!QFile::exists(m_home + QStringLiteral("/big.bin")));
    QTRY_VERIFY_WITH_TIMEOUT(m_server->log().count(QStringLiteral(" ended")) > endedBefore, Timeout);

    sinceTick.start();
    ticker.start();
    QVERIFY(click(m_transfers, QStringLiteral("retryTransferButton")));
    QElapsedTimer clock;
    clock.start();
    QTRY_VERIFY_WITH_TIMEOUT(transferDone(m_transfers, row), 120000 + static_cast<int>(size / (256 * 1024)));
    const qint64 elapsedMs = clock.elapsed();
    ticker.stop();
    FileTransfer* second = m_alice->connection()->files()->findChildren<FileTransfer*>().last();
    QVERIFY(second != first);
    QVERIFY2(second->resumedFrom() > 0, "the retry started over instead of resuming");
    QCOMPARE(fileHash(m_home + QStringLiteral("/big.bin")), sha256);
    qInfo("%lld MiB upload: resumed at byte %lld, rest sent in %lld ms, longest event-loop gap %lld ms",
        size / (1024 * 1024), second->resumedFrom(), elapsedMs, longestGapMs);
    // Generous for a loaded machine; per-chunk repainting would show up as multi-second stalls.
    QVERIFY2(longestGapMs < 1500, qPrintable(QString::number(longestGapMs)));
}

void TestGuiFiles::downloadResumesAfterServerRestart()
{
    // A file put straight into alice's folder on the server's disk.
    QVERIFY(!writeRandomFile(m_home + QStringLiteral("/big.bin"), bigTransferSize()).isEmpty());
    m_files->refreshRemote();
    const QString target = QDir(m_files->localDirectory()).filePath(QStringLiteral("again"));
    QVERIFY(QDir().mkpath(target));
    m_files->setLocalDirectory(target);
    const int row = m_transfers->model()->rowCount();
    m_remoteView->setFocus();
    QVERIFY(clickRow(m_remoteView, remoteIndex(QStringLiteral("big.bin"))));
    QVERIFY(click(m_files, QStringLiteral("downloadActionButton")));
    QTRY_VERIFY_WITH_TIMEOUT(m_transfers->model()->rowCount() == row + 1, Timeout);
    FileTransfer* first = m_alice->connection()->files()->findChildren<FileTransfer*>().last();

    // The server goes away in the middle of the download.
    bool stopping = false;
    connect(first, &FileTransfer::progress, this, [&](qint64 done, qint64) {
        if (done >= 8 * 1024 * 1024 && !stopping) {
            stopping = true;
            QTimer::singleShot(0, this, [&] { m_server->stop(); });
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(stateText(m_transfers, row).startsWith(QLatin1String("Interrupted")), Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(!m_alice->isConnected(), Timeout);
    const qint64 partial = QFileInfo(target + QStringLiteral("/big.bin.part")).size();
    QVERIFY2(partial > 0, "nothing kept of the interrupted download");

    // It comes back (same data, same key, another port); reconnecting resumes the download by itself.
    m_server = std::make_unique<ServerProcess>(m_server->dataDir());
    QVERIFY(m_server->start(serverOptions()));
    QElapsedTimer sinceTick;
    qint64 longestGapMs = 0;
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, this, [&] { longestGapMs = qMax(longestGapMs, sinceTick.restart()); });
    QElapsedTimer clock;
    clock.start();
    sinceTick.start();
    ticker.start();
    QVERIFY2(connectTrusting(*m_alice, m_server->port),
        qPrintable(labelText(m_alice->window.get(), QStringLiteral("connectionStateLabel"))));
    QTRY_VERIFY_WITH_TIMEOUT(
        transferDone(m_transfers, row), 120000 + static_cast<int>(bigTransferSize() / (256 * 1024)));
    ticker.stop();
    FileTransfer* second = m_alice->connection()->files()->findChildren<FileTransfer*>().last();
    QVERIFY(second != first);
    QVERIFY2(second->resumedFrom() > 0, "the download started over instead of resuming");
    QVERIFY(second->resumedFrom() <= partial);
    qInfo("%lld MiB download: resumed at byte %lld after a server restart, reconnected and finished in %lld ms, "
          "longest event-loop gap %lld ms",
        bigTransferSize() / (1024 * 1024), second->resumedFrom(), clock.elapsed(), longestGapMs);
    QVERIFY2(longestGapMs < 1500, qPrintable(QString::number(longestGapMs)));
    QCOMPARE(fileHash(target + QStringLiteral("/big.bin")), fileHash(m_home + QStringLiteral("/big.bin")));
    QVERIFY(!QFile::exists(target + QStringLiteral("/big.bin.part")));
}

void TestGuiFiles::roomFoldersFromTheServerPane()
{
    // "Room folders" above the server pane opens the shared tree; a room's folder takes a drop
    // like the home does; Up climbs to "/" and no further; "My files" comes back home.
    QVERIFY(click(m_files, QStringLiteral("remoteSharedButton")));
    QTRY_COMPARE_WITH_TIMEOUT(m_files->remoteModel()->path(), QStringLiteral("/rooms"), Timeout);
    const QModelIndex general = remoteIndex(QStringLiteral("general"));
    QVERIFY(general.isValid());
    QCOMPARE(general.data(RemoteFileModel::PathRole).toString(), QStringLiteral("/rooms/general"));
    QTest::mouseClick(m_remoteView->viewport(), Qt::LeftButton, {}, m_remoteView->visualRect(general).center());
    QTest::mouseDClick(m_remoteView->viewport(), Qt::LeftButton, {}, m_remoteView->visualRect(general).center());
    QTRY_COMPARE_WITH_TIMEOUT(m_files->remoteModel()->path(), QStringLiteral("/rooms/general"), Timeout);

    const QString desktopFile = m_dir->filePath(QStringLiteral("for-the-room.txt"));
    QVERIFY(writeFile(desktopFile, "for everyone in general\n"));
    const int before = m_transfers->model()->rowCount();
    QMimeData urls;
    urls.setUrls({ QUrl::fromLocalFile(desktopFile) });
    drop(m_remoteView, &urls);
    QTRY_VERIFY_WITH_TIMEOUT(transferDone(m_transfers, before), Timeout);
    QVERIFY(remoteIndex(QStringLiteral("for-the-room.txt")).isValid());
    // On the server it is in the room's folder (<data-dir>/rooms/<id>/), not in alice's home.
    QStringList found;
    const QDir rooms(m_server->dataDir() + QStringLiteral("/rooms"));
    for (const QString& id : rooms.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (QFile::exists(rooms.filePath(id + QStringLiteral("/for-the-room.txt")))) {
            found << id;
        }
    }
    QCOMPARE(found.size(), 1);
    QCOMPARE(readFile(rooms.filePath(found.first() + QStringLiteral("/for-the-room.txt"))),
        QByteArray("for everyone in general\n"));
    QVERIFY(!QFile::exists(m_home + QStringLiteral("/for-the-room.txt")));
    if (const QString shot = qEnvironmentVariable("QUIETWIRE_TEST_SCREENSHOT_ROOMS"); !shot.isEmpty()) {
        QTest::qWait(200);
        m_alice->window->grab().save(shot);
    }

    m_remoteView->setFocus();
    QVERIFY(click(m_files, QStringLiteral("upActionButton")));
    QTRY_COMPARE_WITH_TIMEOUT(m_files->remoteModel()->path(), QStringLiteral("/rooms"), Timeout);
    QVERIFY(click(m_files, QStringLiteral("upActionButton")));
    QTRY_COMPARE_WITH_TIMEOUT(m_files->remoteModel()->path(), QStringLiteral("/"), Timeout);
    QVERIFY(remoteIndex(QStringLiteral("rooms")).isValid());
    auto* up = child<QAbstractButton>(m_files, QStringLiteral("upActionButton"));
    QVERIFY(up);
    QTRY_VERIFY_WITH_TIMEOUT(!up->isEnabled(), Timeout); // "/" is the top

    QVERIFY(click(m_files, QStringLiteral("remoteHomeButton")));
    QTRY_COMPARE_WITH_TIMEOUT(m_files->remoteModel()->path(), QStringLiteral("~"), Timeout);
}

void TestGuiFiles::quittingDuringATransferAsksWithoutBlocking()
{
    // big.bin is on the server from the test before; a fresh folder makes its download a new one.
    const QString target = QDir(m_files->localDirectory()).filePath(QStringLiteral("quit"));
    QVERIFY(QDir().mkpath(target));
    m_files->setLocalDirectory(target);
    const int row = m_transfers->model()->rowCount();
    m_files->download({ QStringLiteral("~/big.bin") });
    QTRY_VERIFY_WITH_TIMEOUT(m_transfers->model()->rowCount() == row + 1, Timeout);
    FileTransfer* transfer = m_alice->connection()->files()->findChildren<FileTransfer*>().last();

    // Closing while it runs: the question is opened, close() returns at once, the window stays.
    MainWindow* window = m_alice->window.get();
    int closes = 0;
    bool closedWhileRunning = false;
    connect(transfer, &FileTransfer::progress, this, [&](qint64, qint64) {
        if (closes == 0) {
            ++closes;
            closedWhileRunning = transfer->state() == FileTransfer::State::Running;
            QVERIFY(!window->close());
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(findWindow<QMessageBox>(QStringLiteral("quitConfirmBox")), Timeout);
    QVERIFY(closedWhileRunning);
    QVERIFY(window->isVisible());
    // Cancel keeps the window and the transfer.
    QMessageBox* box = findWindow<QMessageBox>(QStringLiteral("quitConfirmBox"));
    QTest::mouseClick(box->button(QMessageBox::Cancel), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!findWindow<QMessageBox>(QStringLiteral("quitConfirmBox")), Timeout);
    QVERIFY(window->isVisible());
    QVERIFY(transfer->state() != FileTransfer::State::Cancelled);
    QTRY_VERIFY_WITH_TIMEOUT(transferDone(m_transfers, row), Timeout);

    // Asked again while another transfer runs, Quit closes the window.
    m_files->download({ QStringLiteral("~/report.bin") });
    QTRY_VERIFY_WITH_TIMEOUT(m_transfers->model()->rowCount() == row + 2, Timeout);
    FileTransfer* second = m_alice->connection()->files()->findChildren<FileTransfer*>().last();
    QVERIFY(second != transfer);
    connect(second, &FileTransfer::progress, this, [&](qint64, qint64) {
        if (closes == 1) {
            ++closes;
            window->close();
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT((box = findWindow<QMessageBox>(QStringLiteral("quitConfirmBox"))), Timeout);
    QVERIFY(click(box, QStringLiteral("confirmQuitButton")));
    QTRY_VERIFY_WITH_TIMEOUT(!window->isVisible(), Timeout);
}

QTEST_MAIN(TestGuiFiles)
#include "TestGuiFiles.moc"
