#pragma once

#include <QString>

/// Text from the network made safe for a terminal. Chat text and names come from other people:
/// printed raw, a carriage return or an escape sequence could redraw the screen, and a line break
/// could start a line that reads "alice: ..." although bob sent it.
namespace QuietWire::Cli::TerminalText {

/// Whether a line break is shown as \n or kept (in error messages the client wrote itself).
enum class LineBreaks { Escape, Keep };

/// Every character a terminal would act on, shown visibly: C0 controls but tab (\x1B), DEL and
/// C1 controls (\x9B), and the Unicode separators and direction controls that break or reorder a
/// line (\u{2028}, \u{202E}).
QString escape(const QString& text, LineBreaks lineBreaks = LineBreaks::Escape);

/// Marks each line of a message after its first, so it cannot pass for another sender's line.
inline constexpr char ContinuationMarker[] = "  | ";

/// prefix (already safe) followed by text; every line after the first starts with ContinuationMarker.
QString message(const QString& prefix, const QString& text);

} // namespace QuietWire::Cli::TerminalText
