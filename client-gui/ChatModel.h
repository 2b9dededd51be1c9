#pragma once

#include "ChatProtocol.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QSet>
#include <optional>

namespace QuietWire::Gui {

/// The lines of one conversation's view: messages (in the order of their ids, each id once),
/// server notices, system lines (joins, leaves, connection changes) and the line where the unread
/// messages begin. Display text for tests and accessibility; the parts in roles for
/// ChatDelegate; the sender's short fingerprint as tooltip.
///
/// Usage: addMessage() for a live message or a page of history (older or newer: each goes where
/// its id belongs; an id already shown is skipped), addSystem() at the end, setUnreadLine() once
/// the conversation's read marker is known. oldestId() and newestId() say what to page for next.
class ChatModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum class Kind { Message, Direct, Notice, System, UnreadLine };
    Q_ENUM(Kind)
    enum Role {
        KindRole = Qt::UserRole + 1,
        TimeRole,
        FromRole,
        ToRole,
        TextRole,
        FingerprintRole,
        OwnRole,
        HistoryRole,
        IdRole, ///< qint64: the message's id (0 for system lines)
        HasAttachmentRole, ///< bool
        AttachmentNameRole, ///< QString
        AttachmentSizeRole, ///< qint64
        AttachmentPathRole, ///< QString: as the file service names it
        AttachmentRemovedRole, ///< bool
        SerialRole, ///< qint64: unique to the line in this model's life (a line never changes once added)
    };

    struct Line
    {
        Kind kind = Kind::System;
        qint64 id = 0;
        QDateTime time;
        QString from;
        QString to;
        QString text;
        QString fingerprint;
        bool own = false;
        bool history = false;
        std::optional<ChatProtocol::Attachment> attachment {};
        /// Where the line sorts: a message's id times two; the unread line sits between two ids.
        qint64 sortKey = 0;
        qint64 serial = 0; // set when added: SerialRole
    };

    explicit ChatModel(QObject* parent = nullptr);

    void setOwnFingerprint(const QString& fingerprint) { m_ownFingerprint = fingerprint; }
    /// Adds the message where its id belongs; false (and nothing added) when its id is shown already.
    bool addMessage(const ChatProtocol::Message& message);
    void addSystem(const QString& text, const QDateTime& time = QDateTime::currentDateTime());
    /// The unread line goes after message lastRead (before the first message newer than it; 0:
    /// before every message); a negative lastRead removes it.
    void setUnreadLine(qint64 lastRead);
    /// The lastRead the unread line follows, or -1 when there is none.
    qint64 unreadLineAfter() const { return m_unreadAfter; }
    void clear();
    const Line& line(int row) const { return m_lines.at(row); }
    bool contains(qint64 id) const { return m_ids.contains(id); }
    /// The row of message id, or -1.
    int rowOf(qint64 id) const;
    /// The smallest and largest message ids shown (0 when there is none).
    qint64 oldestId() const;
    qint64 newestId() const;
    qsizetype messageCount() const { return m_ids.size(); }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

    /// The plain one-line form of a line, as the view's accessible text and for copying.
    static QString plainText(const Line& line);

private:
    void insert(Line line);

    QList<Line> m_lines;
    QSet<qint64> m_ids;
    QString m_ownFingerprint;
    qint64 m_unreadAfter = -1;
    qint64 m_lastSerial = 0;
};

} // namespace QuietWire::Gui
