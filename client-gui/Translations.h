#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>

namespace QuietWire::Gui {

/// Chooses and installs the interface language: QuietWire's own strings (translations/*.ts,
/// installed beside the program in share/quietwire/translations, with a copy compiled into the
/// program) and Qt's (standard buttons), from the system locale or a setting.
class Translations
{
    Q_DECLARE_TR_FUNCTIONS(Translations)

public:
    struct Language
    {
        QString code; // "" = the system's language
        QString name; // in that language, so everyone finds their own
    };
    static QList<Language> available();
    /// "en" or "ru" for a setting ("" = system locale).
    static QString resolve(const QString& setting);
    /// Installs the translators for setting; widgets get QEvent::LanguageChange. Returns the code used.
    static QString apply(const QString& setting);
    static QString current();
    /// Where an installed program keeps its .qm files (../share/quietwire/translations from the binary).
    static QString installedDirectory();
    /// The .qm file in use ("" for English); ":/i18n/..." when the compiled-in copy is used.
    static QString loadedFrom();
};

} // namespace QuietWire::Gui
