#include "SearchHitModel.h"

#include <QLocale>

namespace QuietWire::Gui {

SearchHitModel::SearchHitModel(QObject* parent)
    : QAbstractListModel(parent)
{ }

void SearchHitModel::setHits(const QList<ChatProtocol::SearchHit>& hits)
{
    beginResetModel();
    m_hits = hits;
    endResetModel();
}

void SearchHitModel::addHits(const QList<ChatProtocol::SearchHit>& hits)
{
    if (hits.isEmpty()) {
        return;
    }
    const int first = static_cast<int>(m_hits.size());
    beginInsertRows(QModelIndex(), first, first + static_cast<int>(hits.size()) - 1);
    m_hits.append(hits);
    endInsertRows();
}

QString SearchHitModel::markedSnippet(const QString& snippet, const QList<std::pair<qint64, qint64>>& marks)
{
    const QList<uint> points = snippet.toUcs4();
    QList<bool> marked(points.size(), false);
    for (const auto& [start, end] : marks) {
        for (qint64 i = qMax<qint64>(0, start); i < qMin<qint64>(end, points.size()); ++i) {
            marked[i] = true;
        }
    }
    QString html;
    bool open = false;
    for (qsizetype i = 0; i < points.size(); ++i) {
        if (marked.at(i) != open) {
            html += marked.at(i) ? QStringLiteral("<b style='background-color:#fff0a0'>") : QStringLiteral("</b>");
            open = marked.at(i);
        }
        const char32_t point = points.at(i);
        const QString character = QString::fromUcs4(&point, 1);
        html += character == QLatin1String("\n") ? QStringLiteral(" ") : character.toHtmlEscaped();
    }
    if (open) {
        html += QStringLiteral("</b>");
    }
    return html;
}

int SearchHitModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_hits.size());
}

QVariant SearchHitModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_hits.size()) {
        return QVariant();
    }
    const ChatProtocol::SearchHit& hit = m_hits.at(index.row());
    const QString conversation = m_namer ? m_namer(hit.conversation) : QString::number(hit.conversation);
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        return tr("%1, %2: %3").arg(conversation, hit.from.isEmpty() ? tr("server") : hit.from, hit.snippet);
    case Qt::ToolTipRole:
        return tr("%1\n%2\nDouble-click to show it in its conversation")
            .arg(conversation, QLocale().toString(hit.time.toLocalTime(), QLocale::LongFormat));
    case IdRole:
        return hit.id;
    case ConversationIdRole:
        return hit.conversation;
    case ConversationNameRole:
        return conversation;
    case FromRole:
        return hit.from;
    case TimeRole:
        return hit.time.toLocalTime();
    case SnippetRole:
        return hit.snippet;
    case SnippetHtmlRole:
        return markedSnippet(hit.snippet, hit.marks);
    case AttachmentNameRole:
        return hit.attachment ? hit.attachment->name : QString();
    default:
        return QVariant();
    }
}

} // namespace QuietWire::Gui
