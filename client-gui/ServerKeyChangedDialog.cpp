#include "ServerKeyChangedDialog.h"

#include "Identity.h"

#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace QuietWire::Gui {

ServerKeyChangedDialog::ServerKeyChangedDialog(const QString& hostPort, const QByteArray& pinnedKey,
    const QByteArray& offeredKey, const QString& knownServersPath, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("serverKeyChangedDialog"));
    setWindowTitle(tr("Warning: the server's key has changed"));

    auto* icon = new QLabel(this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(48, 48));
    auto* headline
        = new QLabel(tr("<b>The key of %1 is not the one you trusted before.</b>").arg(hostPort.toHtmlEscaped()), this);
    headline->setWordWrap(true);
    auto* explanation = new QLabel(tr("Someone may be intercepting the connection, or the administrator replaced "
                                      "the server's key. The connection was stopped before your key was sent."),
        this);
    explanation->setWordWrap(true);

    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto* pinned = new QLabel(Identity::fingerprint(pinnedKey), this);
    pinned->setObjectName(QStringLiteral("pinnedFingerprintLabel"));
    auto* offered = new QLabel(Identity::fingerprint(offeredKey), this);
    offered->setObjectName(QStringLiteral("offeredFingerprintLabel"));
    for (QLabel* label : { pinned, offered }) {
        label->setFont(mono);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    auto* keys = new QFormLayout;
    keys->addRow(tr("Trusted key:"), pinned);
    keys->addRow(tr("Key offered now:"), offered);

    auto* fix = new QLabel(tr("<b>How to fix it:</b> ask the administrator for the server's fingerprint, by phone or "
                              "in person. Only if it is the key offered now, remove the old key in "
                              "<i>Keys &gt; Trusted servers</i> (or run <tt>quietwire-cli forget %1</tt>) and "
                              "connect again; you will be asked to compare the new fingerprint. The trusted keys "
                              "are kept in %2.")
                               .arg(hostPort.toHtmlEscaped(), knownServersPath.toHtmlEscaped()),
        this);
    fix->setWordWrap(true);
    fix->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* openKeys = new QPushButton(tr("Open &trusted servers"), this);
    openKeys->setObjectName(QStringLiteral("openKeysButton"));
    auto* close = new QPushButton(tr("Close"), this);
    close->setObjectName(QStringLiteral("closeButton"));
    close->setDefault(true);
    connect(openKeys, &QPushButton::clicked, this, [this] {
        accept();
        emit openKeyManager();
    });
    connect(close, &QPushButton::clicked, this, &QDialog::reject);

    auto* text = new QVBoxLayout;
    text->addWidget(headline);
    text->addWidget(explanation);
    text->addLayout(keys);
    text->addWidget(fix);
    auto* top = new QHBoxLayout;
    top->addWidget(icon, 0, Qt::AlignTop);
    top->addLayout(text, 1);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(openKeys);
    buttons->addWidget(close);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(buttons);
    resize(600, sizeHint().height());
}

} // namespace QuietWire::Gui
