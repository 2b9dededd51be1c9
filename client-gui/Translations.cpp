#include "Translations.h"

#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>
#include <memory>

namespace QuietWire::Gui {

namespace {
std::unique_ptr<QTranslator> g_appTranslator;
std::unique_ptr<QTranslator> g_qtTranslator;
QString g_current = QStringLiteral("en");

void removeTranslator(std::unique_ptr<QTranslator>& translator)
{
    if (translator) {
        QCoreApplication::removeTranslator(translator.get());
        translator.reset();
    }
}
} // namespace

QList<Translations::Language> Translations::available()
{
    return { { QString(), tr("System language") }, { QStringLiteral("en"), QStringLiteral("English") },
        { QStringLiteral("ru"), QStringLiteral("Русский") } };
}

QString Translations::resolve(const QString& setting)
{
    if (setting == QLatin1String("en") || setting == QLatin1String("ru")) {
        return setting;
    }
    // The first language the user prefers that QuietWire speaks; English otherwise.
    for (const QString& language : QLocale::system().uiLanguages()) {
        if (language.startsWith(QLatin1String("ru"))) {
            return QStringLiteral("ru");
        }
        if (language.startsWith(QLatin1String("en"))) {
            return QStringLiteral("en");
        }
    }
    return QStringLiteral("en");
}

QString Translations::apply(const QString& setting)
{
    const QString language = resolve(setting);
    removeTranslator(g_appTranslator);
    removeTranslator(g_qtTranslator);
    g_current = language;
    if (language != QLatin1String("en")) {
        auto app = std::make_unique<QTranslator>();
        const QString file = QStringLiteral("quietwire_%1.qm").arg(language);
        if (app->load(file, installedDirectory()) || app->load(file, QStringLiteral(":/i18n"))) {
            QCoreApplication::installTranslator(app.get());
            g_appTranslator = std::move(app);
        }
        auto qt = std::make_unique<QTranslator>();
        if (qt->load(QStringLiteral("qtbase_%1").arg(language), QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
            QCoreApplication::installTranslator(qt.get());
            g_qtTranslator = std::move(qt);
        }
    } else {
        // Still tell the widgets, so switching back to English retranslates them.
        QEvent event(QEvent::LanguageChange);
        QCoreApplication::sendEvent(QCoreApplication::instance(), &event);
    }
    QLocale::setDefault(QLocale(language == QLatin1String("ru") ? QLocale::Russian : QLocale::English));
    return language;
}

QString Translations::installedDirectory()
{
    return QDir::cleanPath(
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral(QUIETWIRE_TRANSLATIONS_RELDIR)));
}

QString Translations::loadedFrom()
{
    return g_appTranslator ? g_appTranslator->filePath() : QString();
}

QString Translations::current()
{
    return g_current;
}

} // namespace QuietWire::Gui
