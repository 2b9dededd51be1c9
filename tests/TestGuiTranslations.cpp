// The Russian translation is complete: every string lupdate finds in client-gui/ and shared/
// today (not only those in the committed .ts) has a Russian text in the compiled catalogue,
// the committed .ts has nothing unfinished, placeholders match, and the widgets switch
// language at run time.

#include "GuiSettings.h"
#include "GuiTestHelpers.h"
#include "Identity.h"
#include "MainWindow.h"
#include "Translations.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTranslator>
#include <QXmlStreamReader>

using namespace QuietWire;
using namespace QuietWire::Gui;

namespace {

struct Message
{
    QString context;
    QString source;
    QString comment;
    QString translation;
    QString translationType; // "unfinished", "vanished", "obsolete" or ""
};

QList<Message> parseTs(const QString& path, QString* error)
{
    QList<Message> messages;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return messages;
    }
    QXmlStreamReader xml(&file);
    QString context;
    Message current;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            if (xml.name() == QLatin1String("context")) {
                context.clear();
            } else if (xml.name() == QLatin1String("name")) {
                context = xml.readElementText();
            } else if (xml.name() == QLatin1String("message")) {
                current = Message();
                current.context = context;
            } else if (xml.name() == QLatin1String("source")) {
                current.source = xml.readElementText();
            } else if (xml.name() == QLatin1String("comment")) {
                current.comment = xml.readElementText();
            } else if (xml.name() == QLatin1String("translation")) {
                current.translationType = xml.attributes().value(QLatin1String("type")).toString();
                current.translation = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            }
        } else if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
            messages.append(current);
        }
    }
    if (xml.hasError()) {
        *error = xml.errorString();
    }
    return messages;
}

QSet<QString> placeholders(const QString& text)
{
    QSet<QString> result;
    static const QRegularExpression pattern(QStringLiteral("%[1-9]"));
    for (const auto& match : pattern.globalMatch(text)) {
        result.insert(match.captured());
    }
    return result;
}

} // namespace

class TestGuiTranslations : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { GuiTest::quietOffscreenWarnings(); }
    void everySourceStringHasRussian();
    void committedCatalogueIsFinished();
    void widgetsSwitchLanguage();
};

void TestGuiTranslations::everySourceStringHasRussian()
{
    // lupdate over today's sources, into a scratch .ts: a new tr() string without a translation
    // fails here even if nobody ran `ninja update_translations`.
    QTemporaryDir dir;
    const QString scratch = dir.filePath(QStringLiteral("scan_ru.ts"));
    QProcess lupdate;
    lupdate.start(QStringLiteral(QUIETWIRE_LUPDATE),
        { QStringLiteral("-silent"), QStringLiteral("-no-obsolete"), QStringLiteral("-locations"),
            QStringLiteral("none"), QStringLiteral("-source-language"), QStringLiteral("en"),
            QStringLiteral("-target-language"), QStringLiteral("ru"),
            QStringLiteral(QUIETWIRE_SOURCE_DIR "/client-gui"), QStringLiteral(QUIETWIRE_SOURCE_DIR "/shared"),
            QStringLiteral("-ts"), scratch });
    QVERIFY(lupdate.waitForFinished(120000));
    QVERIFY2(lupdate.exitCode() == 0, lupdate.readAllStandardError().constData());
    QString error;
    const QList<Message> found = parseTs(scratch, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(found.size() > 200, qPrintable(QString::number(found.size())));

    QTranslator russian;
    QVERIFY(russian.load(QStringLiteral(":/i18n/quietwire_ru.qm")));
    QStringList missing;
    for (const Message& message : found) {
        const QString text
            = russian.translate(message.context.toUtf8().constData(), message.source.toUtf8().constData(),
                message.comment.isEmpty() ? nullptr : message.comment.toUtf8().constData());
        if (text.isEmpty()) {
            missing << QStringLiteral("%1: \"%2\"").arg(message.context, message.source);
        }
    }
    QVERIFY2(missing.isEmpty(),
        qPrintable(QStringLiteral("%1 string(s) without a Russian translation (run `ninja -C "
                                  "build update_translations` and translate them in "
                                  "translations/quietwire_ru.ts):\n")
                       .arg(missing.size())
            + missing.join(QLatin1Char('\n'))));
}

void TestGuiTranslations::committedCatalogueIsFinished()
{
    QString error;
    const QList<Message> messages
        = parseTs(QStringLiteral(QUIETWIRE_SOURCE_DIR "/translations/quietwire_ru.ts"), &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(!messages.isEmpty());
    QStringList problems;
    for (const Message& message : messages) {
        if (message.translationType == QLatin1String("vanished")
            || message.translationType == QLatin1String("obsolete")) {
            continue;
        }
        if (message.translationType == QLatin1String("unfinished") || message.translation.trimmed().isEmpty()) {
            problems << QStringLiteral("unfinished: %1: \"%2\"").arg(message.context, message.source);
        } else if (placeholders(message.source) != placeholders(message.translation)) {
            problems << QStringLiteral("placeholders differ: %1: \"%2\" -> \"%3\"")
                            .arg(message.context, message.source, message.translation);
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestGuiTranslations::widgetsSwitchLanguage()
{
    QTemporaryDir dir;
    const auto identity = Identity::loadOrCreate(dir.path(), QStringLiteral("t@test"));
    QVERIFY(identity);
    GuiSettings settings(dir.path());
    settings.setLocalFolder(dir.path());
    MainWindow window(*identity, &settings);
    window.show();
    auto* connect = window.findChild<QAction*>(QStringLiteral("connectAction"));
    QVERIFY(connect);
    QCOMPARE(Translations::resolve(QString()), QStringLiteral("en")); // LANG=C.UTF-8 in ctest
    QCOMPARE(connect->text(), QStringLiteral("Connect"));

    // Settings > Language > Русский, OK: the open window speaks Russian at once.
    QTest::mouseClick(window.findChild<QToolButton*>(QStringLiteral("settingsActionButton")), Qt::LeftButton);
    QWidget* dialog = nullptr;
    QTRY_VERIFY((dialog = [] {
        for (QWidget* widget : QApplication::topLevelWidgets()) {
            if (widget->objectName() == QLatin1String("settingsDialog") && widget->isVisible()) {
                return widget;
            }
        }
        return static_cast<QWidget*>(nullptr);
    }()));
    auto* language = dialog->findChild<QComboBox*>(QStringLiteral("languageBox"));
    QVERIFY(language);
    language->setCurrentIndex(language->findData(QStringLiteral("ru")));
    QTest::mouseClick(dialog->findChild<QAbstractButton*>(QStringLiteral("settingsOkButton")), Qt::LeftButton);
    QTRY_COMPARE(connect->text(), QStringLiteral("Подключиться"));
    QCOMPARE(window.tabs()->tabText(1), QStringLiteral("Файлы"));
    QCOMPARE(settings.language(), QStringLiteral("ru"));
    QCOMPARE(GuiSettings(dir.path()).language(), QStringLiteral("ru"));
    // The catalogue comes from the install layout beside the program (the build tree mirrors it:
    // build/share/quietwire/translations), not from the copy compiled in.
    QCOMPARE(Translations::loadedFrom(),
        QDir(Translations::installedDirectory()).filePath(QStringLiteral("quietwire_ru.qm")));
    QVERIFY(Translations::installedDirectory().endsWith(QLatin1String("/share/quietwire/translations")));
    // Shared library strings come out in Russian too.
    QVERIFY(QCoreApplication::translate("QuietWire::ChatClient", "Not connected to a chat server")
        != QLatin1String("Not connected to a chat server"));

    Translations::apply(QStringLiteral("en"));
    QTRY_COMPARE(connect->text(), QStringLiteral("Connect"));
}

QTEST_MAIN(TestGuiTranslations)
#include "TestGuiTranslations.moc"
