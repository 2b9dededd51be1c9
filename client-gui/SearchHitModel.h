#pragma once

#include "ChatRequests.h"

#include <QAbstractListModel>
#include <functional>

namespace QuietWire::Gui {

/// The hits of a chat search (chat protocol version 2), newest first, with their marked
/// snippets. setHits() starts a new result list, addHits() appends a further page.
class SearchHitModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        IdRole = Qt::UserRole + 1, ///< qint64: the message's id
        ConversationIdRole, ///< qint64
        ConversationNameRole, ///< QString
        FromRole, ///< QString
        TimeRole, ///< QDateTime
        SnippetRole, ///< QString: the snippet as plain text
        SnippetHtmlRole, ///< QString: the snippet escaped, its marks in <b>
        AttachmentNameRole, ///< QString ("" without a file)
    };

    explicit SearchHitModel(QObject* parent = nullptr);

    /// Names conversations by id for the hits (a room's name, or the other person's).
    void setConversationNamer(std::function<QString(qint64)> namer) { m_namer = std::move(namer); }
    void setHits(const QList<ChatProtocol::SearchHit>& hits);
    void addHits(const QList<ChatProtocol::SearchHit>& hits);
    const ChatProtocol::SearchHit& hit(int row) const { return m_hits.at(row); }
    /// The oldest hit's id: `before` of the next page (0 when there is none).
    qint64 lastId() const { return m_hits.isEmpty() ? 0 : m_hits.constLast().id; }

    /// The snippet as rich text: every character escaped, each mark ([start, end) in code
    /// points) in bold on a highlight.
    static QString markedSnippet(const QString& snippet, const QList<std::pair<qint64, qint64>>& marks);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    QList<ChatProtocol::SearchHit> m_hits;
    std::function<QString(qint64)> m_namer;
};

} // namespace QuietWire::Gui
