// quietwire-gui-bench: the desktop window's own event-loop stalls (issue 15), beside quietwire-bench's
// measurement of the client library alone. Runs the real MainWindow (on the offscreen platform in
// bench/gui-stall.sh), so the Chat tab's model, layout and painting are measured too.
//
//   quietwire-gui-bench --host H --port P --keys DIR --dir DIR [--messages N] [--text-bytes B] [--interval MS]
//
// One key of DIR (BenchKeys) fills general with N messages (untimed; as stall-history does), then a
// MainWindow with that key connects, opens general (its newest page) and is scrolled to the top again
// and again until the whole history is in the view, while a StallMonitor ticks in the window's thread.
// Prints one `stall_gui_history` line (Report).

#include "BenchKeys.h"
#include "BenchOptions.h"
#include "ChatModel.h"
#include "ChatWidget.h"
#include "ConversationListModel.h"
#include "ConversationView.h"
#include "EventLoop.h"
#include "GuiSettings.h"
#include "HistoryStallBench.h"
#include "MainWindow.h"
#include "Report.h"
#include "ServerConnection.h"
#include "StallMonitor.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QListView>
#include <QScrollBar>
#include <QTemporaryDir>
#include <csignal>

using namespace QuietWire;
using namespace QuietWire::Bench;

namespace {
constexpr qint64 TimeoutMs = 600000;
} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("quietwire-gui-bench"));
    std::signal(SIGPIPE, SIG_IGN);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The desktop window's event-loop stalls while a history loads."));
    parser.addHelpOption();
    const QCommandLineOption host(
        QStringLiteral("host"), QStringLiteral("Server address."), QStringLiteral("ADDR"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(
        QStringLiteral("port"), QStringLiteral("Server handshake port."), QStringLiteral("N"));
    const QCommandLineOption keys(
        QStringLiteral("keys"), QStringLiteral("Directory of client keys."), QStringLiteral("DIR"));
    const QCommandLineOption dir(
        QStringLiteral("dir"), QStringLiteral("Local work directory."), QStringLiteral("DIR"), QDir::tempPath());
    const QCommandLineOption messages(QStringLiteral("messages"), QStringLiteral("Messages in the history (10000)."),
        QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption textBytes(QStringLiteral("text-bytes"), QStringLiteral("Length of each text (200)."),
        QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption interval(QStringLiteral("interval"), QStringLiteral("Timer period in ms (5)."),
        QStringLiteral("MS"), QStringLiteral("5"));
    parser.addOptions({ host, port, keys, dir, messages, textBytes, interval });
    parser.process(app);

    BenchOptions options;
    options.host = parser.value(host);
    options.port = static_cast<quint16>(parser.value(port).toUInt());
    options.keysDir = parser.value(keys);
    options.workDir = parser.value(dir);
    options.messages = parser.value(messages).toInt();
    options.textBytes = parser.value(textBytes).toInt();
    options.intervalMs = parser.value(interval).toInt();
    if (options.port == 0 || options.keysDir.isEmpty() || options.messages <= 0 || options.intervalMs <= 0) {
        parser.showHelp(2);
    }
    QString error;
    const auto identities = BenchKeys::load(options.keysDir, 1, &error);
    if (!identities) {
        note(error);
        return 1;
    }
    {
        HistoryStallBench filler(options, identities->first());
        if (!filler.prepare()) {
            return 1;
        }
    }

    QDir().mkpath(options.workDir);
    QTemporaryDir configDir(QDir(options.workDir).filePath(QStringLiteral("gui-bench-XXXXXX")));
    Gui::GuiSettings settings(configDir.path());
    Gui::MainWindow window(identities->first(), &settings);
    window.connection()->setTrustNewKeys(true);
    window.resize(1100, 720);
    window.show();
    window.connectToServer(options.host, options.port);
    Gui::ChatWidget* chat = window.chatWidget();
    Gui::ConversationView* view = chat->conversationView();
    const bool opened = spinUntil(
        [&] {
            const auto general
                = chat->conversations()->find(ChatProtocol::ConversationKind::Room, QStringLiteral("general"));
            if (general && view->conversationId() != general->id) {
                chat->openConversation(general->id);
            }
            return general && view->conversationId() == general->id && !view->isLoading()
                && view->model()->rowCount() > 0;
        },
        TimeoutMs);
    if (!opened) {
        note(QStringLiteral("stall-gui-history: the window did not open general with its newest page"));
        return 1;
    }

    StallMonitor monitor(options.intervalMs);
    monitor.start();
    QElapsedTimer idle;
    idle.start();
    spinUntil([&] { return idle.elapsed() > 300; }, -1); // the idle loop, for comparison
    QElapsedTimer clock;
    clock.start();
    int scrolls = 0;
    monitor.setMeasuring(true);
    // What a user does: back to the top whenever the page before has come in, until the start.
    const bool finished = spinUntil(
        [&] {
            if (!view->isLoading() && !view->atStart()) {
                QScrollBar* bar = view->listView()->verticalScrollBar();
                bar->setValue(bar->minimum());
                ++scrolls;
            }
            return view->atStart() && !view->isLoading();
        },
        TimeoutMs);
    monitor.setMeasuring(false);
    monitor.stop();
    const double seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    if (!finished) {
        note(QStringLiteral("stall-gui-history: the history did not load to its start"));
        return 1;
    }
    Report report(QStringLiteral("stall_gui_history"));
    report.add(QStringLiteral("rows"), view->model()->rowCount())
        .add(QStringLiteral("scrolls"), scrolls)
        .add(QStringLiteral("text_bytes"), options.textBytes)
        .add(QStringLiteral("seconds"), seconds, 3);
    monitor.addTo(report).print();
    return 0;
}
