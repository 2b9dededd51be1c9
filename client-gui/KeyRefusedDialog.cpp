#include "KeyRefusedDialog.h"

#include "Identity.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace QuietWire::Gui {

KeyRefusedDialog::KeyRefusedDialog(const QString& hostPort, const Identity& identity, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("keyRefusedDialog"));
    setWindowTitle(tr("Your key is not allowed on %1").arg(hostPort));

    auto* icon = new QLabel(this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxInformation).pixmap(48, 48));
    auto* headline
        = new QLabel(tr("<b>The server %1 does not know your key yet.</b>").arg(hostPort.toHtmlEscaped()), this);
    headline->setWordWrap(true);
    auto* explanation = new QLabel(tr("Give this line to the server's administrator (copy it into an e-mail or a "
                                      "chat). They allow it under your name with "
                                      "<tt>allow &lt;line&gt; &lt;name&gt;</tt> on the server console; then connect "
                                      "again."),
        this);
    explanation->setWordWrap(true);

    auto* keyLine = new QLineEdit(identity.publicKeyLine(), this);
    keyLine->setObjectName(QStringLiteral("publicKeyLineEdit"));
    keyLine->setReadOnly(true);
    keyLine->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    keyLine->setCursorPosition(0);
    auto* copy = new QPushButton(tr("&Copy"), this);
    copy->setObjectName(QStringLiteral("copyKeyButton"));
    connect(copy, &QPushButton::clicked, this, [copy, line = identity.publicKeyLine()] {
        QApplication::clipboard()->setText(line);
        copy->setText(tr("Copied"));
    });
    auto* keyRow = new QHBoxLayout;
    keyRow->addWidget(keyLine, 1);
    keyRow->addWidget(copy);
    auto* fingerprint = new QLabel(tr("Your key's fingerprint: %1").arg(identity.fingerprint()), this);
    fingerprint->setObjectName(QStringLiteral("ownFingerprintLabel"));
    fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* retry = new QPushButton(tr("Connect &again"), this);
    retry->setObjectName(QStringLiteral("retryButton"));
    auto* close = new QPushButton(tr("Close"), this);
    close->setObjectName(QStringLiteral("closeButton"));
    close->setDefault(true);
    connect(retry, &QPushButton::clicked, this, [this] { done(Retry); });
    connect(close, &QPushButton::clicked, this, &QDialog::reject);

    auto* text = new QVBoxLayout;
    text->addWidget(headline);
    text->addWidget(explanation);
    text->addLayout(keyRow);
    text->addWidget(fingerprint);
    auto* top = new QHBoxLayout;
    top->addWidget(icon, 0, Qt::AlignTop);
    top->addLayout(text, 1);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(retry);
    buttons->addWidget(close);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(buttons);
    resize(640, sizeHint().height());
}

} // namespace QuietWire::Gui
