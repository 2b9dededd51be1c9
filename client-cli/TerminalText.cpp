#include "TerminalText.h"

#include <QStringList>

namespace QuietWire::Cli::TerminalText {

namespace {

bool isInvisibleFormat(char32_t c)
{
    return c == 0x2028 || c == 0x2029 // line and paragraph separators
        || (c >= 0x200E && c <= 0x200F) // left-to-right and right-to-left marks
        || (c >= 0x202A && c <= 0x202E) // embeddings and overrides
        || (c >= 0x2066 && c <= 0x2069); // isolates
}

} // namespace

QString escape(const QString& text, LineBreaks lineBreaks)
{
    QString out;
    out.reserve(text.size());
    for (const char32_t c : text.toUcs4()) {
        if (c == U'\t' || (c == U'\n' && lineBreaks == LineBreaks::Keep)) {
            out += QChar(c);
        } else if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
            out += QStringLiteral("\\x")
                + QString::number(static_cast<uint>(c), 16).toUpper().rightJustified(2, QLatin1Char('0'));
        } else if (isInvisibleFormat(c)) {
            out += QStringLiteral("\\u{%1}").arg(QString::number(static_cast<uint>(c), 16).toUpper());
        } else {
            out += QString::fromUcs4(&c, 1);
        }
    }
    return out;
}

QString message(const QString& prefix, const QString& text)
{
    const QStringList lines = text.split(QLatin1Char('\n'));
    QString out = prefix + escape(lines.first());
    for (qsizetype i = 1; i < lines.size(); ++i) {
        out += QLatin1Char('\n') + QLatin1String(ContinuationMarker) + escape(lines.at(i));
    }
    return out;
}

} // namespace QuietWire::Cli::TerminalText
