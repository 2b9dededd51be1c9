#pragma once

// Shared by the GUI tests: a MainWindow per user with its own config dir, a real quietwired,
// and ways to find and answer the windows the client opens (they are opened with open(), so a
// test finds them among the top-level widgets by objectName and clicks their buttons).

#include "ChatWidget.h"
#include "FilesWidget.h"
#include "GuiSettings.h"
#include "Identity.h"
#include "MainWindow.h"
#include "ServerConnection.h"
#include "ServerProcess.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QTest>
#include <QToolButton>
#include <memory>

namespace GuiTest {

/// Generous: the suite runs on a busy two-core machine.
inline constexpr int Timeout = 30000;

/// The offscreen platform warns about window size hints on every dialog; that is noise here.
inline void quietOffscreenWarnings()
{
    static QtMessageHandler previous = nullptr;
    previous = qInstallMessageHandler([](QtMsgType type, const QMessageLogContext& context, const QString& message) {
        if (message.contains(QLatin1String("does not support propagateSizeHints"))) {
            return;
        }
        if (previous) {
            previous(type, context, message);
        }
    });
}

/// A visible top-level window (dialogs included) with this objectName, or nullptr.
template <typename T = QWidget>
T* findWindow(const QString& objectName)
{
    for (QWidget* widget : QApplication::topLevelWidgets()) {
        if (widget->objectName() == objectName && widget->isVisible()) {
            if (auto* typed = qobject_cast<T*>(widget)) {
                return typed;
            }
        }
    }
    return nullptr;
}

template <typename T = QWidget>
T* child(QWidget* parent, const QString& objectName)
{
    return parent ? parent->findChild<T*>(objectName) : nullptr;
}

/// Clicks like a user: the widget must be there, visible and enabled.
inline bool click(QWidget* parent, const QString& objectName)
{
    auto* button = child<QAbstractButton>(parent, objectName);
    if (!button || !button->isVisible() || !button->isEnabled()) {
        qWarning("cannot click %s: %s", qPrintable(objectName),
            !button ? "not found" : (!button->isVisible() ? "hidden" : "disabled"));
        return false;
    }
    QTest::mouseClick(button, Qt::LeftButton);
    return true;
}

inline QString labelText(QWidget* parent, const QString& objectName)
{
    auto* label = child<QLabel>(parent, objectName);
    return label ? label->text() : QString();
}

inline QString serverFingerprint(const ServerProcess& server)
{
    return QuietWire::Identity::fingerprint(QByteArray::fromBase64(server.publicKey.toLatin1()));
}

/// One person at the desktop: config dir, identity, settings and the main window.
struct Client
{
    QString name;
    QString configDir;
    std::optional<QuietWire::Identity> identity;
    std::unique_ptr<QuietWire::Gui::GuiSettings> settings;
    std::unique_ptr<QuietWire::Gui::MainWindow> window;

    QuietWire::Gui::ServerConnection* connection() const { return window->connection(); }
    bool isConnected() const { return connection()->state() == QuietWire::Gui::ServerConnection::State::Connected; }
};

/// Creates the client's key (allowed on the server when allow is set) and shows its window.
inline std::unique_ptr<Client> makeClient(
    const QString& baseDir, const QString& name, ServerProcess* server, bool allow)
{
    auto client = std::make_unique<Client>();
    client->name = name;
    client->configDir = QDir(baseDir).filePath(QStringLiteral("config-") + name);
    QString error;
    client->identity = QuietWire::Identity::loadOrCreate(client->configDir, name + QStringLiteral("@test"), &error);
    if (!client->identity) {
        qWarning("identity: %s", qPrintable(error));
        return nullptr;
    }
    if (allow
        && server
               ->command(QStringLiteral("allow %1 %2")
                             .arg(QuietWire::Identity::encodePublicKey(client->identity->publicKey()), name),
                   QStringLiteral("allowed"))
               .isEmpty()) {
        return nullptr;
    }
    const QString local = QDir(baseDir).filePath(QStringLiteral("local-") + name);
    QDir().mkpath(local);
    client->settings = std::make_unique<QuietWire::Gui::GuiSettings>(client->configDir);
    client->settings->setLocalFolder(local);
    client->window = std::make_unique<QuietWire::Gui::MainWindow>(*client->identity, client->settings.get());
    client->window->setWindowTitle(name);
    client->window->show();
    return client;
}

/// Toolbar Connect: the connection dialog, or nullptr when it did not open.
inline QWidget* openConnectDialog(Client& client)
{
    if (!click(client.window.get(), QStringLiteral("connectActionButton"))) {
        return nullptr;
    }
    QWidget* dialog = nullptr;
    if (!QTest::qWaitFor([&] { return (dialog = findWindow(QStringLiteral("connectDialog"))) != nullptr; }, Timeout)) {
        qWarning("no connection dialog");
    }
    return dialog;
}

/// Toolbar Connect, then the connection dialog filled in like a user would.
inline bool connectWithDialog(Client& client, quint16 port)
{
    QWidget* dialog = openConnectDialog(client);
    if (!dialog) {
        return false;
    }
    auto* host = child<QLineEdit>(dialog, QStringLiteral("hostEdit"));
    auto* portSpin = child<QSpinBox>(dialog, QStringLiteral("portSpin"));
    if (!host || !portSpin) {
        return false;
    }
    host->clear();
    QTest::keyClicks(host, QStringLiteral("127.0.0.1"));
    portSpin->setValue(port);
    return click(dialog, QStringLiteral("connectOkButton"));
}

/// Connects without the dialogs: trust-new, as `quietwire --connect HOST:PORT --trust-new`.
inline bool connectTrusting(Client& client, quint16 port)
{
    client.connection()->setTrustNewKeys(true);
    client.window->connectToServer(QStringLiteral("127.0.0.1"), port);
    return QTest::qWaitFor([&] { return client.isConnected() && client.connection()->filesReady(); }, Timeout);
}

} // namespace GuiTest
