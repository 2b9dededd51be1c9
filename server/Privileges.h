#pragma once

#include <QString>

namespace QuietWire {

/// The privilege drop of quietwired run as root on a data dir that belongs to another user (the
/// service's): it becomes that user, so every file it writes stays the service's and readable by
/// it (root-owned files in the service's data dir would lock the service out).
///
/// Usage:
///     QString error;
///     if (!Privileges::becomeOwnerOf(dataDir, &error)) { fail(error); }
namespace Privileges {

/// Not root, or the data dir is missing or root's: nothing to do, true. Else switches to the
/// directory owner's user id, its primary group from the user database and its supplementary
/// groups (never the directory's group: a data dir owned by nobody:root must not leave the server
/// in group root), and checks that the switch cannot be undone; false with error when it fails.
bool becomeOwnerOf(const QString& dataDir, QString* error);

} // namespace Privileges

} // namespace QuietWire
