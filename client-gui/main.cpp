// quietwire: the QuietWire desktop client.

#include "ConnectDialog.h"
#include "FilesWidget.h"
#include "GuiSettings.h"
#include "Identity.h"
#include "IdentityLoader.h"
#include "MainWindow.h"
#include "ServerConnection.h"
#include "Translations.h"
#include "Version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>
#include <QStandardPaths>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>

using namespace QuietWire;
using namespace QuietWire::Gui;

namespace {

/// --help and --version answer on the terminal; they must work without a display (over ssh,
/// in a package check), so they do not open one.
bool onlyPrints(int argc, char* argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "-?" || arg == "-v" || arg == "--version") {
            return true;
        }
    }
    return false;
}

} // namespace

int main(int argc, char* argv[])
{
    const std::unique_ptr<QCoreApplication> application = onlyPrints(argc, argv)
        ? std::make_unique<QCoreApplication>(argc, argv)
        : std::make_unique<QApplication>(argc, argv);
    QCoreApplication& app = *application;
    // The same names as quietwire-cli: one configuration directory, one identity for both.
    QCoreApplication::setOrganizationName(QStringLiteral("QuietWire"));
    QCoreApplication::setApplicationName(QStringLiteral("quietwire"));
    QCoreApplication::setApplicationVersion(QStringLiteral(QUIETWIRE_VERSION));
    std::signal(SIGPIPE, SIG_IGN);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "QuietWire desktop client: encrypted chat and file transfer through your own QuietWire server.\n\n"
        "Files (in the config dir, shared with quietwire-cli):\n"
        "  identity.key     your private key (PKCS#8 PEM, mode 0600; optionally passphrase-protected)\n"
        "  identity.pub     your public key line, the one the administrator allows\n"
        "  known_servers    the server keys pinned on first use\n"
        "  quietwire.ini    server profiles, recent servers, language, notifications, window layout\n"
        "The interface speaks English and Russian (translations in ../share/quietwire/translations from the "
        "program, else built in)."));
    parser.addHelpOption();
    const QCommandLineOption versionOption = addVersionOption(parser);
    const QCommandLineOption configDirOption(QStringLiteral("config-dir"),
        QStringLiteral("Directory with identity.key, identity.pub, known_servers and quietwire.ini (default: "
                       "~/.config/QuietWire/quietwire, or QuietWire/quietwire in $XDG_CONFIG_HOME; shared with "
                       "quietwire-cli)."),
        QStringLiteral("DIR"));
    const QCommandLineOption connectOption(QStringLiteral("connect"),
        QStringLiteral("Connect to HOST[:PORT] at start (instead of the server profile used last)."),
        QStringLiteral("HOST[:PORT]"));
    const QCommandLineOption trustNewOption(QStringLiteral("trust-new"),
        QStringLiteral("Pin the key of a server not known yet without asking "
                       "(a changed key is still refused)."));
    const QCommandLineOption languageOption(QStringLiteral("language"),
        QStringLiteral("Interface language: en or ru (default: the setting, or "
                       "the system's language)."),
        QStringLiteral("CODE"));
    const QCommandLineOption localDirOption(QStringLiteral("local-dir"),
        QStringLiteral("Folder shown on the left of the Files tab."), QStringLiteral("DIR"));
    parser.addOptions({ configDirOption, connectOption, trustNewOption, languageOption, localDirOption });
    parser.process(app);
    if (parser.isSet(versionOption)) {
        fputs(qPrintable(versionText(QStringLiteral("quietwire"))), stdout);
        return 0;
    }
    QGuiApplication::setApplicationDisplayName(QStringLiteral("QuietWire"));
    QGuiApplication::setDesktopFileName(QStringLiteral("quietwire"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/quietwire.png")));

    const QString configDir
        = QDir(parser.isSet(configDirOption) ? parser.value(configDirOption)
                                             : QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
              .absolutePath();
    QDir().mkpath(configDir);
    GuiSettings settings(configDir);
    Translations::apply(parser.isSet(languageOption) ? parser.value(languageOption) : settings.language());

    bool created = false;
    QString error;
    const auto identity = IdentityLoader::load(configDir, nullptr, &created, &error);
    if (!identity) {
        if (!error.isEmpty()) {
            QMessageBox::critical(nullptr, QCoreApplication::translate("main", "QuietWire cannot start"), error);
        }
        return 1;
    }

    MainWindow window(*identity, &settings);
    window.connection()->setTrustNewKeys(parser.isSet(trustNewOption));
    if (parser.isSet(localDirOption)) {
        window.filesWidget()->setLocalDirectory(parser.value(localDirOption));
    }
    window.show();

    if (parser.isSet(connectOption)) {
        QString host;
        quint16 port = 0;
        if (!ConnectDialog::parseHostPort(parser.value(connectOption), &host, &port)) {
            QMessageBox::critical(&window, QCoreApplication::translate("main", "Cannot connect"),
                QCoreApplication::translate("main", "--connect %1 is not HOST or HOST:PORT")
                    .arg(parser.value(connectOption)));
        } else {
            window.connectToServer(host, port);
        }
    } else if (created) {
        // A new key: the first thing to do is to give it to an administrator.
        window.showKeyManager();
    } else {
        window.reconnectLastProfile();
    }
    return QCoreApplication::exec();
}
