#pragma once

#include "ChatProtocol.h"

#include <QAbstractListModel>
#include <QDateTime>

namespace QuietWire::Gui {

/// The lines of the chat view: room messages, direct messages, server notices and system lines
/// (joins, leaves, connection changes). Display text for tests and accessibility; the parts in
/// roles for ChatDelegate; the sender's short fingerprint as tooltip.
class ChatModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum class Kind { Message, Direct, Notice, System };
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
    };
    /// Oldest lines go once the view holds this many.
    static constexpr int MaxLines = 5000;

    struct Line
    {
        Kind kind = Kind::System;
        QDateTime time;
        QString from;
        QString to;
        QString text;
        QString fingerprint;
        bool own = false;
        bool history = false;
    };

    explicit ChatModel(QObject* parent = nullptr);

    void setOwnFingerprint(const QString& fingerprint) { m_ownFingerprint = fingerprint; }
    void addMessage(const ChatProtocol::Message& message);
    void addSystem(const QString& text, const QDateTime& time = QDateTime::currentDateTime());
    void clear();
    const Line& line(int row) const { return m_lines.at(row); }

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

    /// The plain one-line form of a line, as the view's accessible text and for copying.
    static QString plainText(const Line& line);

private:
    void append(Line line);

    QList<Line> m_lines;
    QString m_ownFingerprint;
};

} // namespace QuietWire::Gui
