// quietwire-screenshots: the desktop client's window, connected, saved as chat.png, search.png and files.png.
// Used by scripts/screenshots.sh; not installed, so the product binary carries no such hook.

#include "ChatWidget.h"
#include "ConversationListModel.h"
#include "FilesWidget.h"
#include "GuiSettings.h"
#include "IdentityLoader.h"
#include "MainWindow.h"
#include "RemoteFileModel.h"
#include "SearchPanel.h"
#include "ServerConnection.h"
#include "Translations.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTabWidget>
#include <QTimer>
#include <csignal>
#include <cstdio>
#include <memory>

using namespace QuietWire;
using namespace QuietWire::Gui;

namespace {

/// Once connected and the server folder is listed, starts one download (so the transfer list
/// shows what it looks like), waits for it and the layout to settle, then saves both tabs.
void takeScreenshots(MainWindow* window, const QString& directory)
{
    auto* poll = new QTimer(window);
    poll->setInterval(200);
    auto step = std::make_shared<int>(0);
    QObject::connect(poll, &QTimer::timeout, window, [window, directory, poll, step] {
        FilesWidget* files = window->filesWidget();
        if (*step == 0) {
            if (!window->connection()->filesReady() || files->remoteModel()->rowCount() == 0) {
                return;
            }
            for (int row = 0; row < files->remoteModel()->rowCount(); ++row) {
                const auto& entry = files->remoteModel()->entry(row);
                if (entry.type == FileProtocol::Entry::Type::File
                    && !QFileInfo::exists(QDir(files->localDirectory()).filePath(entry.name))) {
                    files->download({ files->remoteModel()->pathOf(entry) });
                    break;
                }
            }
            *step = 1;
            return;
        }
        if (*step < 10) { // two seconds for the transfer and the layout to settle
            ++*step;
            return;
        }
        QDir().mkpath(directory);
        window->tabs()->setCurrentIndex(0);
        // The room with the file sent into it; the direct conversation stays unread in the list.
        ChatWidget* chat = window->chatWidget();
        if (const auto lab = chat->conversations()->find(ChatProtocol::ConversationKind::Room, QStringLiteral("lab"))) {
            chat->openConversation(lab->id);
        }
        poll->stop();
        QTimer::singleShot(1500, window, [window, chat, directory] {
            window->grab().save(QDir(directory).filePath(QStringLiteral("chat.png")));
            chat->searchPanel()->search(QStringLiteral("calibration"));
            QTimer::singleShot(1500, window, [window, directory] {
                window->grab().save(QDir(directory).filePath(QStringLiteral("search.png")));
                window->tabs()->setCurrentIndex(1);
                QTimer::singleShot(500, window, [window, directory] {
                    window->grab().save(QDir(directory).filePath(QStringLiteral("files.png")));
                    QApplication::quit();
                });
            });
        });
    });
    poll->start();
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("QuietWire"));
    QCoreApplication::setApplicationName(QStringLiteral("quietwire"));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("QuietWire"));
    std::signal(SIGPIPE, SIG_IGN);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Saves chat.png, search.png and files.png of the QuietWire window "
                                                    "to DIR once connected (trusting a new server key), "
                                                    "then quits."));
    parser.addHelpOption();
    const QCommandLineOption configDirOption(
        QStringLiteral("config-dir"), QStringLiteral("The client's config dir."), QStringLiteral("DIR"));
    const QCommandLineOption connectOption(
        QStringLiteral("connect"), QStringLiteral("The server, HOST:PORT."), QStringLiteral("HOST:PORT"));
    const QCommandLineOption localDirOption(QStringLiteral("local-dir"),
        QStringLiteral("Folder shown on the left of the Files tab."), QStringLiteral("DIR"));
    const QCommandLineOption languageOption(
        QStringLiteral("language"), QStringLiteral("Interface language: en or ru."), QStringLiteral("CODE"));
    parser.addOptions({ configDirOption, connectOption, localDirOption, languageOption });
    parser.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("Where to save the screenshots."));
    parser.process(app);
    const QString host = parser.value(connectOption).section(QLatin1Char(':'), 0, 0);
    const auto port = static_cast<quint16>(parser.value(connectOption).section(QLatin1Char(':'), 1).toUInt());
    if (parser.positionalArguments().size() != 1 || !parser.isSet(configDirOption) || host.isEmpty() || port == 0) {
        parser.showHelp(2);
    }

    const QString configDir = QDir(parser.value(configDirOption)).absolutePath();
    GuiSettings settings(configDir);
    Translations::apply(parser.isSet(languageOption) ? parser.value(languageOption) : settings.language());
    bool created = false;
    QString error;
    const auto identity = IdentityLoader::load(configDir, nullptr, &created, &error);
    if (!identity) {
        fprintf(stderr, "quietwire-screenshots: %s\n", qPrintable(error));
        return 1;
    }
    MainWindow window(*identity, &settings);
    window.connection()->setTrustNewKeys(true);
    if (parser.isSet(localDirOption)) {
        window.filesWidget()->setLocalDirectory(parser.value(localDirOption));
    }
    window.show();
    window.connectToServer(host, port);
    takeScreenshots(&window, QDir(parser.positionalArguments().constFirst()).absolutePath());
    return QCoreApplication::exec();
}
