#pragma once

#include "Identity.h"

#include <QCoreApplication>
#include <optional>

class QWidget;

namespace QuietWire::Gui {

/// Loads the identity at start: creates it on first use, and asks for the passphrase (as often
/// as needed, until Quit) when identity.key is encrypted.
class IdentityLoader
{
    Q_DECLARE_TR_FUNCTIONS(IdentityLoader)

public:
    /// nullopt when the key cannot be used (error says why) or the user chose Quit (error empty).
    static std::optional<Identity> load(const QString& configDir, QWidget* parent, bool* created, QString* error);
};

} // namespace QuietWire::Gui
