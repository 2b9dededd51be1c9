#include "ChatDelegate.h"

#include "ChatModel.h"
#include "Format.h"

#include <QLocale>

namespace QuietWire::Gui {

namespace {
QString nameColour(const QString& fingerprint)
{
    static const char* const colours[]
        = { "#1f6fb2", "#a0522d", "#2e8b57", "#8e44ad", "#c0392b", "#b7950b", "#16a085", "#d35400" };
    return QLatin1String(colours[qHash(fingerprint) % (sizeof(colours) / sizeof(colours[0]))]);
}

QString escaped(const QString& text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QLatin1String("<br>"));
}
} // namespace

ChatDelegate::ChatDelegate(QObject* parent)
    : RichTextDelegate(parent)
{ }

QString ChatDelegate::html(const QModelIndex& index) const
{
    const auto kind = static_cast<ChatModel::Kind>(index.data(ChatModel::KindRole).toInt());
    const QString time = QLocale().toString(index.data(ChatModel::TimeRole).toDateTime().time(), QLocale::ShortFormat);
    const QString from = escaped(index.data(ChatModel::FromRole).toString());
    const QString text = escaped(index.data(ChatModel::TextRole).toString());
    const QString colour = nameColour(index.data(ChatModel::FingerprintRole).toString());
    QString html = QStringLiteral("<span style='color:#888888'>%1</span>&nbsp; ").arg(time);
    switch (kind) {
    case ChatModel::Kind::Message:
        html += QStringLiteral("<b style='color:%1'>%2</b> %3").arg(colour, from, text);
        break;
    case ChatModel::Kind::Direct:
        html
            += QStringLiteral("<b style='color:%1'>%2</b> <span style='color:#888888'>%3</span> <i>%4</i>")
                   .arg(colour, from, escaped(tr("→ %1 (direct)").arg(index.data(ChatModel::ToRole).toString())), text);
        break;
    case ChatModel::Kind::Notice:
        html += QStringLiteral("<b style='color:#b00020'>%1</b> %2").arg(escaped(tr("Server:")), text);
        break;
    case ChatModel::Kind::System:
        html += QStringLiteral("<i style='color:#777777'>%1</i>").arg(text);
        break;
    case ChatModel::Kind::UnreadLine:
        html = QStringLiteral(
            "<table width='100%' cellspacing='0'><tr><td><hr></td>"
            "<td width='1%' style='white-space:nowrap'><b style='color:#c0392b'>&nbsp;%1&nbsp;</b></td>"
            "<td><hr></td></tr></table>")
                   .arg(text);
        break;
    }
    if (index.data(ChatModel::HasAttachmentRole).toBool()) {
        const QString name = escaped(index.data(ChatModel::AttachmentNameRole).toString());
        const QString size = escaped(Format::size(index.data(ChatModel::AttachmentSizeRole).toLongLong()));
        html += index.data(ChatModel::AttachmentRemovedRole).toBool()
            ? QStringLiteral("<br><span style='color:#888888'>%1 <s>%2</s> (%3) %4</span>")
                  .arg(escaped(tr("File:")), name, size, escaped(tr("removed from the server")))
            : QStringLiteral("<br>%1 <b>%2</b> <span style='color:#888888'>(%3) %4</span>")
                  .arg(escaped(tr("File:")), name, size, escaped(tr("double-click or Download to save it")));
    }
    return html;
}

qint64 ChatDelegate::sizeKey(const QModelIndex& index) const
{
    return index.data(ChatModel::SerialRole).toLongLong();
}

} // namespace QuietWire::Gui
