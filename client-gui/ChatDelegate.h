#pragma once

#include "RichTextDelegate.h"

namespace QuietWire::Gui {

/// Draws a chat line: the time in grey, the sender in bold (one colour per key), the text
/// wrapped to the view's width, a file under it; system lines in grey italics; the unread line
/// across the view.
class ChatDelegate : public RichTextDelegate
{
    Q_OBJECT

public:
    explicit ChatDelegate(QObject* parent = nullptr);

protected:
    QString html(const QModelIndex& index) const override;
    /// ChatModel's SerialRole: a chat line never changes once added.
    qint64 sizeKey(const QModelIndex& index) const override;
};

} // namespace QuietWire::Gui
