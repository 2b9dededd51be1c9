#include "ConnectDialog.h"

#include "KnownServers.h"
#include "Protocol.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace QuietWire::Gui {

ConnectDialog::ConnectDialog(const QStringList& recentServers, const QList<ServerProfile>& profiles, QWidget* parent)
    : QDialog(parent)
    , m_profiles(profiles)
    , m_name(new QLineEdit(this))
    , m_host(new QLineEdit(this))
    , m_port(new QSpinBox(this))
    , m_profileList(new QListWidget(this))
    , m_recent(new QListWidget(this))
    , m_saveProfileButton(new QPushButton(tr("Sa&ve as profile"), this))
    , m_removeProfileButton(new QPushButton(tr("Re&move profile"), this))
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
    m_name->setObjectName(QStringLiteral("profileNameEdit"));
    m_name->setPlaceholderText(tr("optional: keep this server under a name"));
    m_profileList->setObjectName(QStringLiteral("profileList"));
    m_saveProfileButton->setObjectName(QStringLiteral("saveProfileButton"));
    m_saveProfileButton->setToolTip(tr("Keep the server under this name (the same name changes that profile)"));
    m_saveProfileButton->setAutoDefault(false);
    m_removeProfileButton->setObjectName(QStringLiteral("removeProfileButton"));
    m_removeProfileButton->setAutoDefault(false);
    fillProfileList(QString());

    auto* form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
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
    auto* profilesLabel = new QLabel(tr("Saved pro&files:"), this);
    profilesLabel->setBuddy(m_profileList);
    layout->addWidget(profilesLabel);
    auto* profileRow = new QHBoxLayout;
    profileRow->addWidget(m_profileList, 1);
    auto* profileButtons = new QVBoxLayout;
    profileButtons->addWidget(m_saveProfileButton);
    profileButtons->addWidget(m_removeProfileButton);
    profileButtons->addStretch();
    profileRow->addLayout(profileButtons);
    layout->addLayout(profileRow);
    auto* recentLabel = new QLabel(tr("&Recent servers:"), this);
    recentLabel->setBuddy(m_recent);
    layout->addWidget(recentLabel);
    layout->addWidget(m_recent);
    layout->addWidget(buttons);

    connect(m_host, &QLineEdit::textChanged, this, &ConnectDialog::updateButtons);
    connect(m_name, &QLineEdit::textChanged, this, &ConnectDialog::updateButtons);
    connect(m_saveProfileButton, &QPushButton::clicked, this, &ConnectDialog::saveProfile);
    connect(m_removeProfileButton, &QPushButton::clicked, this, &ConnectDialog::removeProfile);
    connect(m_profileList, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (item) {
            useProfile(item->data(Qt::UserRole).toString());
        }
        updateButtons();
    });
    connect(m_profileList, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        useProfile(item->data(Qt::UserRole).toString());
        accept();
    });
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
    resize(460, 480);
}

void ConnectDialog::accept()
{
    if (!m_name->text().trimmed().isEmpty()) {
        saveProfile();
    }
    QDialog::accept();
}

void ConnectDialog::fillProfileList(const QString& current)
{
    const QSignalBlocker blocker(m_profileList);
    m_profileList->clear();
    for (const ServerProfile& profile : m_profiles) {
        // Plain text items: a name is the user's own, but it is shown as typed.
        auto* item = new QListWidgetItem(
            tr("%1 (%2)").arg(profile.name, KnownServers::hostPort(profile.host, profile.port)), m_profileList);
        item->setData(Qt::UserRole, profile.name);
        if (profile.name == current) {
            m_profileList->setCurrentItem(item);
        }
    }
}

void ConnectDialog::useProfile(const QString& name)
{
    const ServerProfile* profile = findProfile(m_profiles, name);
    if (!profile) {
        return;
    }
    m_name->setText(profile->name);
    m_host->setText(profile->host);
    m_port->setValue(profile->port);
}

void ConnectDialog::saveProfile()
{
    const QString name = m_name->text().trimmed();
    if (name.isEmpty() || host().isEmpty()) {
        return;
    }
    const ServerProfile profile { name, host(), port() };
    auto same
        = std::find_if(m_profiles.begin(), m_profiles.end(), [&](const ServerProfile& p) { return p.name == name; });
    if (same != m_profiles.end()) {
        if (*same == profile) {
            return;
        }
        *same = profile;
    } else {
        m_profiles.append(profile);
    }
    fillProfileList(name);
    updateButtons();
    emit profilesChanged(m_profiles);
}

void ConnectDialog::removeProfile()
{
    QListWidgetItem* item = m_profileList->currentItem();
    if (!item) {
        return;
    }
    const QString name = item->data(Qt::UserRole).toString();
    m_profiles.removeIf([&](const ServerProfile& profile) { return profile.name == name; });
    fillProfileList(QString());
    if (m_name->text().trimmed() == name) {
        m_name->clear();
    }
    updateButtons();
    emit profilesChanged(m_profiles);
}

void ConnectDialog::useRecent(const QString& hostPort)
{
    QString host;
    quint16 port = 0;
    if (parseHostPort(hostPort, &host, &port)) {
        m_name->clear(); // a recent server is not a profile until it is given a name
        m_host->setText(host);
        m_port->setValue(port);
    }
}

void ConnectDialog::updateButtons()
{
    m_connectButton->setEnabled(!host().isEmpty());
    m_saveProfileButton->setEnabled(!host().isEmpty() && !m_name->text().trimmed().isEmpty());
    m_removeProfileButton->setEnabled(m_profileList->currentItem() != nullptr);
}

QString ConnectDialog::profileName() const
{
    return m_name->text().trimmed();
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
