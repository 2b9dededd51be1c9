#include "ConnectDialog.h"

#include "Protocol.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace QuietWire::Gui {

ConnectDialog::ConnectDialog(const QStringList& recentServers, QWidget* parent)
    : QDialog(parent)
    , m_host(new QLineEdit(this))
    , m_port(new QSpinBox(this))
    , m_recent(new QListWidget(this))
{
    setObjectName(QStringLiteral("connectDialog"));
    setWindowTitle(tr("Connect to a server"));

    m_host->setObjectName(QStringLiteral("hostEdit"));
    m_host->setPlaceholderText(tr("chat.example.org or 192.0.2.10"));
    m_port->setObjectName(QStringLiteral("portSpin"));
    m_port->setRange(1, 65535);
    m_port->setValue(Protocol::DefaultPort);
    m_recent->setObjectName(QStringLiteral("recentList"));
    m_recent->addItems(recentServers);
    m_recent->setContextMenuPolicy(Qt::CustomContextMenu);

    auto* form = new QFormLayout;
    form->addRow(tr("&Server:"), m_host);
    form->addRow(tr("&Port:"), m_port);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_connectButton = buttons->button(QDialogButtonBox::Ok);
    m_connectButton->setObjectName(QStringLiteral("connectOkButton"));
    m_connectButton->setText(tr("&Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    auto* recentLabel = new QLabel(tr("&Recent servers:"), this);
    recentLabel->setBuddy(m_recent);
    layout->addWidget(recentLabel);
    layout->addWidget(m_recent);
    layout->addWidget(buttons);

    connect(m_host, &QLineEdit::textChanged, this, &ConnectDialog::updateButtons);
    connect(m_recent, &QListWidget::currentTextChanged, this, &ConnectDialog::useRecent);
    connect(m_recent, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        useRecent(item->text());
        accept();
    });
    connect(m_recent, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QListWidgetItem* item = m_recent->itemAt(pos);
        if (!item) {
            return;
        }
        QMenu menu(this);
        menu.addAction(tr("Remove from this list"), this, [this, item] {
            emit forgetRecentServer(item->text());
            delete item;
        });
        menu.exec(m_recent->viewport()->mapToGlobal(pos));
    });

    if (!recentServers.isEmpty()) {
        m_recent->setCurrentRow(0);
    }
    updateButtons();
    resize(420, 320);
}

void ConnectDialog::useRecent(const QString& hostPort)
{
    QString host;
    quint16 port = 0;
    if (parseHostPort(hostPort, &host, &port)) {
        m_host->setText(host);
        m_port->setValue(port);
    }
}

void ConnectDialog::updateButtons()
{
    m_connectButton->setEnabled(!host().isEmpty());
}

QString ConnectDialog::host() const
{
    QString host;
    quint16 port = 0;
    // A pasted "host:port" works too.
    if (parseHostPort(m_host->text().trimmed(), &host, &port)) {
        return host;
    }
    return m_host->text().trimmed();
}

quint16 ConnectDialog::port() const
{
    QString host;
    quint16 port = 0;
    const QString text = m_host->text().trimmed();
    if (parseHostPort(text, &host, &port)
        && (text.contains(QLatin1String("]:")) || text.count(QLatin1Char(':')) == 1)) {
        return port;
    }
    return static_cast<quint16>(m_port->value());
}

bool ConnectDialog::parseHostPort(const QString& text, QString* host, quint16* port)
{
    return Protocol::parseHostPort(text, host, port);
}

} // namespace QuietWire::Gui
