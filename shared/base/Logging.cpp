#include "Logging.h"

namespace QuietWire {
// Log text is for administrators and is not translated. Nothing secret is ever logged:
// keys appear only as public fingerprints.
Q_LOGGING_CATEGORY(lcNet, "quietwire.net", QtInfoMsg)
Q_LOGGING_CATEGORY(lcServer, "quietwire.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "quietwire.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcChat, "quietwire.chat", QtInfoMsg)
Q_LOGGING_CATEGORY(lcFiles, "quietwire.files", QtInfoMsg)

namespace Logging {

namespace {

/// Characters that must not reach a log line as they are: C0 and C1 controls, DEL, and the
/// format characters that end lines or reorder text on display (line/paragraph separators, the
/// bidirectional embeddings, overrides and isolates, the BOM).
bool needsEscape(char32_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 || (c >= 0x200e && c <= 0x200f)
        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

} // namespace

QString escaped(const QString& text, int maxChars)
{
    QString out;
    out.reserve(qMin<qsizetype>(text.size(), maxChars) + 16);
    qsizetype shown = 0;
    const QList<uint> codePoints = text.toUcs4();
    for (const uint c : codePoints) {
        if (shown >= maxChars) {
            break;
        }
        ++shown;
        switch (c) {
        case '\n':
            out += QLatin1String("\\n");
            continue;
        case '\r':
            out += QLatin1String("\\r");
            continue;
        case '\t':
            out += QLatin1String("\\t");
            continue;
        case '\\':
            out += QLatin1String("\\\\");
            continue;
        default:
            break;
        }
        if (needsEscape(c)) {
            out += c <= 0xff ? QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'))
                             : QStringLiteral("\\u%1").arg(c, 4, 16, QLatin1Char('0'));
        } else {
            const char32_t one[1] = { c };
            out += QString::fromUcs4(one, 1);
        }
    }
    if (codePoints.size() > shown) {
        out += QStringLiteral("...(%1 more characters)").arg(codePoints.size() - shown);
    }
    return out;
}

} // namespace Logging
} // namespace QuietWire
