#include "Logging.h"

namespace QuietWire {
// Log text is for administrators and is not translated. Nothing secret is ever logged:
// keys appear only as public fingerprints.
Q_LOGGING_CATEGORY(lcNet, "quietwire.net", QtInfoMsg)
Q_LOGGING_CATEGORY(lcServer, "quietwire.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "quietwire.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcChat, "quietwire.chat", QtInfoMsg)
Q_LOGGING_CATEGORY(lcFiles, "quietwire.files", QtInfoMsg)
} // namespace QuietWire
