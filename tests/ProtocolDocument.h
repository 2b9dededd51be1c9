#pragma once

// Reading docs/PROTOCOL.md from a test: its sections, its tables, the `words` in backquotes and the
// types of its message examples, so a test can take the message types and codes from the document
// itself (a type added to the document without code then fails the test). The one parser of the
// document for every test (TestProtocolDocument, TestProtocolCodec, TestFileCodec). Needs
// QUIETWIRE_SOURCE_DIR.
//
// Usage:
//     for (const QStringList& row : ProtocolDocument::table(
//              ProtocolDocument::section(ProtocolDocument::text(), QStringLiteral("## 8.")),
//              QStringLiteral("request"))) {
//         const QStringList types = ProtocolDocument::quoted(row.value(0));
//     }
//     const QStringList chat = ProtocolDocument::section(ProtocolDocument::text(), QStringLiteral("## 7."));
//     ProtocolDocument::table(ProtocolDocument::subsection(chat, QStringLiteral("#### Client to server")), "type");

#include <QFile>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

namespace QuietWire::ProtocolDocument {

/// The whole of docs/PROTOCOL.md, or an empty string when it cannot be read.
inline QString text()
{
    QFile file(QStringLiteral(QUIETWIRE_SOURCE_DIR "/docs/PROTOCOL.md"));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

/// The lines of the section whose heading starts with `heading` ("## 8."), up to the next "## ".
inline QStringList section(const QString& document, const QString& heading)
{
    QStringList lines;
    bool inside = false;
    for (const QString& line : document.split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("## "))) {
            inside = line.startsWith(heading);
            continue;
        }
        if (inside) {
            lines.append(line);
        }
    }
    return lines;
}

/// The lines under the heading line that is exactly `heading` ("#### Client to server"), up to the
/// next heading of the same level or above.
inline QStringList subsection(const QStringList& lines, const QString& heading)
{
    const qsizetype level = heading.indexOf(QLatin1Char(' '));
    QStringList result;
    bool inside = false;
    for (const QString& line : lines) {
        const qsizetype hashes = line.indexOf(QLatin1Char(' '));
        const bool isHeading
            = line.startsWith(QLatin1Char('#')) && hashes > 0 && line.left(hashes) == QString(hashes, QLatin1Char('#'));
        if (isHeading && hashes <= level) {
            inside = line.trimmed() == heading;
            continue;
        }
        if (inside) {
            result.append(line);
        }
    }
    return result;
}

/// The rows (cells split on '|') of the `nth` table in `lines` whose header's first cell starts
/// with `firstHeader`.
inline QList<QStringList> table(const QStringList& lines, const QString& firstHeader, int nth = 0)
{
    QList<QStringList> rows;
    int found = -1;
    bool inside = false;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (!inside) {
            if (line.startsWith(QLatin1Char('|'))
                && line.section(QLatin1Char('|'), 1, 1).trimmed().startsWith(firstHeader) && ++found == nth) {
                inside = true;
                ++i; // the |---| line
            }
            continue;
        }
        if (!line.startsWith(QLatin1Char('|'))) {
            break;
        }
        QStringList cells = line.split(QLatin1Char('|'));
        cells.removeFirst();
        cells.removeLast();
        rows.append(cells);
    }
    return rows;
}

/// Every `word` in backquotes in text.
inline QStringList quoted(const QString& text)
{
    QStringList words;
    static const QRegularExpression pattern(QStringLiteral("`([a-z_0-9]+)`"));
    for (auto it = pattern.globalMatch(text); it.hasNext();) {
        words.append(it.next().captured(1));
    }
    return words;
}

/// Every "type" value that opens a JSON-like example in lines, once, in the order they first
/// appear: `{"type":"put",...}`, `{"type": "result", ...}` (sections 4, 5 and 8 write messages out).
inline QStringList exampleTypes(const QStringList& lines)
{
    QStringList types;
    static const QRegularExpression pattern(QStringLiteral("\\{\\s*\"type\"\\s*:\\s*\"([a-z_0-9]+)\""));
    for (auto it = pattern.globalMatch(lines.join(QLatin1Char('\n'))); it.hasNext();) {
        const QString type = it.next().captured(1);
        if (!types.contains(type)) {
            types.append(type);
        }
    }
    return types;
}

} // namespace QuietWire::ProtocolDocument
