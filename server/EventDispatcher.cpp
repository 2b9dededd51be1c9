// quietwired's main thread runs on EpollEventDispatcher (main.cpp); its other threads (the store's),
// and the main thread under QUIETWIRE_EVENT_DISPATCHER=qt, run on Qt's own UNIX event dispatcher instead
// of GLib's (Debian's Qt picks GLib by default). GLib keeps its poll records in a list, and every queued socket write
// enables and then disables the socket's write notifier: with 500 chat members each broadcast walked that list 1000
// times (bench/ANALYSIS.md, "Chat fan-out"). The server needs no GLib integration.
//
// The choice has to be made before QCoreApplication exists, so it is made before main() runs.
// A QT_NO_GLIB already in the environment is left alone: Qt uses GLib when the variable is empty,
// so `QT_NO_GLIB= quietwired` still selects GLib's dispatcher for a comparison.
#include <QByteArray>
#include <QtGlobal>

namespace {

void useUnixEventDispatcher()
{
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB")) {
        qputenv("QT_NO_GLIB", QByteArrayLiteral("1"));
    }
}

} // namespace

Q_CONSTRUCTOR_FUNCTION(useUnixEventDispatcher)
