#include "UnknownServerDialog.h"

#include "Identity.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace QuietWire::Gui {

UnknownServerDialog::UnknownServerDialog(const QString& hostPort, const QByteArray& key, QWidget* parent)
    : QDialog(parent)
    , m_hostPort(hostPort)
    , m_key(key)
{
    setObjectName(QStringLiteral("unknownServerDialog"));
    setWindowTitle(tr("New server: compare the fingerprint"));

    auto* icon = new QLabel(this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxQuestion).pixmap(48, 48));
    auto* intro = new QLabel(tr("<b>This is the first connection to %1.</b><br>"
                                "Its key fingerprint is:")
                                 .arg(hostPort.toHtmlEscaped()),
        this);
    intro->setWordWrap(true);

    auto* fingerprint = new QLabel(Identity::fingerprint(key), this);
    fingerprint->setObjectName(QStringLiteral("fingerprintLabel"));
    fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(mono.pointSizeF() * 1.15);
    mono.setBold(true);
    fingerprint->setFont(mono);

    auto* advice = new QLabel(tr("Compare it with the fingerprint the server's administrator gave you (the server "
                                 "prints it at start, and <tt>quietwired fingerprint</tt> shows it). Trust the "
                                 "server only if both are the same; if they differ, someone may be between you "
                                 "and the server: cancel and tell the administrator."),
        this);
    advice->setWordWrap(true);

    auto* once = new QPushButton(tr("Trust &once"), this);
    once->setObjectName(QStringLiteral("trustOnceButton"));
    once->setToolTip(tr("Connect now, and ask again next time"));
    auto* always = new QPushButton(tr("&Always trust"), this);
    always->setObjectName(QStringLiteral("alwaysTrustButton"));
    always->setToolTip(tr("Remember this key for %1 (in known_servers) and connect").arg(hostPort));
    auto* cancel = new QPushButton(tr("Cancel"), this);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    cancel->setDefault(true);
    connect(once, &QPushButton::clicked, this, [this] { done(TrustOnce); });
    connect(always, &QPushButton::clicked, this, [this] { done(AlwaysTrust); });
    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);

    auto* text = new QVBoxLayout;
    text->addWidget(intro);
    text->addWidget(fingerprint);
    text->addWidget(advice);
    auto* top = new QHBoxLayout;
    top->addWidget(icon, 0, Qt::AlignTop);
    top->addLayout(text, 1);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(once);
    buttons->addWidget(always);
    buttons->addWidget(cancel);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(buttons);
    resize(560, sizeHint().height());
}

} // namespace QuietWire::Gui
