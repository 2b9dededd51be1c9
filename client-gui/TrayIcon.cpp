#include "TrayIcon.h"

#include <QLoggingCategory>
#include <QMenu>
#include <QPainter>
#include <QSystemTrayIcon>
#include <QWidget>
#include <utility>

Q_LOGGING_CATEGORY(lcTray, "quietwire.gui.tray", QtInfoMsg)

namespace QuietWire::Gui {

namespace {
/// How long a notification stays (the desktop may keep it shorter or longer).
constexpr int NotificationMs = 8000;
} // namespace

TrayIcon::TrayIcon(QWidget* window, QObject* parent)
    : QObject(parent)
    , m_window(window)
    , m_available(QSystemTrayIcon::isSystemTrayAvailable())
    , m_baseIcon(QStringLiteral(":/icons/quietwire.png"))
{
    m_tray = new QSystemTrayIcon(m_baseIcon, this);
    m_tray->setObjectName(QStringLiteral("trayIcon"));
    m_menu = new QMenu; // a popup of its own, not of the window (which may be hidden)
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_showAction = m_menu->addAction(QString(), this, &TrayIcon::toggleWindow);
    m_showAction->setObjectName(QStringLiteral("trayShowAction"));
    m_menu->addSeparator();
    m_quitAction = m_menu->addAction(QString(), this, &TrayIcon::quitRequested);
    m_quitAction->setObjectName(QStringLiteral("trayQuitAction"));
    // The menu's text follows the window's visibility when it opens.
    connect(m_menu, &QMenu::aboutToShow, this, &TrayIcon::retranslateUi);
    m_tray->setContextMenu(m_menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick) {
            toggleWindow();
        }
    });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        showWindow();
        if (m_lastShown) {
            emit openConversationRequested(m_lastShown->conversation);
        }
    });
    retranslateUi();
    if (m_available) {
        m_tray->show();
    } else if (static bool logged = false; !std::exchange(logged, true)) {
        // Once, at start. The icon stays hidden (QSystemTrayIcon shows nothing there anyway);
        // the title still shows the count, and closing minimises.
        qCInfo(lcTray) << "no system tray on this desktop: no tray icon and no desktop notifications; the window "
                          "title shows the unread count";
    }
}

TrayIcon::~TrayIcon()
{
    delete m_menu; // QSystemTrayIcon does not own its context menu
}

void TrayIcon::retranslateUi()
{
    // "Unread messages: 3" rather than a plural form: it reads right for every count in Russian too.
    const QString title = m_server.isEmpty() ? tr("QuietWire") : tr("QuietWire — %1").arg(m_server);
    m_toolTip = m_unread > 0 ? tr("%1\nUnread messages: %2").arg(title).arg(m_unread)
        : m_server.isEmpty() ? title
                             : tr("%1\nNo unread messages").arg(title);
    m_tray->setToolTip(m_toolTip);
    m_showAction->setText(m_window && m_window->isVisible() ? tr("&Hide QuietWire") : tr("&Show QuietWire"));
    m_quitAction->setText(tr("&Quit"));
}

void TrayIcon::setUnread(int unread, const QString& server)
{
    const bool iconChanged = unread != m_unread;
    m_unread = unread;
    m_server = server;
    if (iconChanged) {
        QIcon icon;
        for (const int size : { 16, 22, 24, 32, 48, 64 }) {
            icon.addPixmap(badged(m_baseIcon, unread, size));
        }
        m_tray->setIcon(icon);
    }
    retranslateUi();
}

QPixmap TrayIcon::badged(const QIcon& base, int count, int size)
{
    QPixmap pixmap = base.pixmap(size, size);
    if (count <= 0) {
        return pixmap;
    }
    const QString text = count > 99 ? QStringLiteral("99+") : QString::number(count);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(qMax(7, size * 9 / 16));
    painter.setFont(font);
    const QFontMetrics metrics(font);
    const int height = qMin(size, metrics.height());
    const int width = qMin(size, qMax(height, metrics.horizontalAdvance(text) + height / 2));
    const QRectF badge(size - width, size - height, width, height);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0xd3, 0x2f, 0x2f));
    painter.drawRoundedRect(badge, height / 2.0, height / 2.0);
    painter.setPen(Qt::white);
    painter.drawText(badge, Qt::AlignCenter, text);
    return pixmap;
}

void TrayIcon::showNotification(const Notification& notification)
{
    m_lastShown = notification;
    if (m_available) {
        m_tray->showMessage(
            plainForDesktop(notification.title), plainForDesktop(notification.text), m_baseIcon, NotificationMs);
    }
}

QString TrayIcon::plainForDesktop(QString text)
{
    // Names and text are the network's. Qt's own balloon shows them as plain text, but a
    // freedesktop notification server that supports body markup reads tags (a link, an image
    // from a path) and entities in them, and one that does not shows an escaped "&lt;" as it is.
    // Look-alike characters read the same on both (docs/CLIENT.md, "Notifications and profiles").
    text.replace(QLatin1Char('&'), QChar(0xFF06));
    text.replace(QLatin1Char('<'), QChar(0x2039));
    text.replace(QLatin1Char('>'), QChar(0x203A));
    return text;
}

void TrayIcon::toggleWindow()
{
    if (m_window && m_window->isVisible() && !m_window->isMinimized()) {
        m_window->hide();
    } else {
        showWindow();
    }
}

void TrayIcon::showWindow()
{
    if (!m_window) {
        return;
    }
    if (m_window->isMinimized()) {
        m_window->showNormal();
    } else {
        m_window->show();
    }
    m_window->raise();
    m_window->activateWindow();
}

} // namespace QuietWire::Gui
