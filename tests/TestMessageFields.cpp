#include "MessageFields.h"

#include <QCborArray>
#include <QTest>

using QuietWire::MessageFields;

/// Every field from the network is type-checked: a wrong type is an error naming the field,
/// never a default.
class TestMessageFields : public QObject
{
    Q_OBJECT

private slots:
    void rightTypesAreRead()
    {
        const QCborMap map { { QStringLiteral("to"), QStringLiteral("bob") }, { QStringLiteral("seq"), 7 },
            { QStringLiteral("sha"), QByteArray("\x01\x02", 2) }, { QStringLiteral("r"), true } };
        MessageFields fields(map);
        QCOMPARE(fields.text("to"), QStringLiteral("bob"));
        QCOMPARE(fields.unsignedInteger("seq"), 7);
        QCOMPARE(fields.bytes("sha"), QByteArray("\x01\x02", 2));
        QCOMPARE(fields.optionalBool("r", false), true);
        QCOMPARE(fields.optionalUnsigned("offset", 42), 42);
        QCOMPARE(fields.optionalText("path", QStringLiteral("~")), QStringLiteral("~"));
        QVERIFY(fields.ok());
        QVERIFY(fields.error().isEmpty());
    }

    void wrongTypesAreErrors_data()
    {
        QTest::addColumn<QCborValue>("value");
        QTest::addColumn<int>("kind"); // 0 text, 1 unsigned, 2 bytes, 3 bool, 4 array
        QTest::newRow("text as number") << QCborValue(5) << 0;
        QTest::newRow("text as bytes") << QCborValue(QByteArray("x")) << 0;
        QTest::newRow("text as array") << QCborValue(QCborArray { QStringLiteral("bob") }) << 0;
        QTest::newRow("text as null") << QCborValue(nullptr) << 0;
        QTest::newRow("unsigned as text") << QCborValue(QStringLiteral("5")) << 1;
        QTest::newRow("unsigned negative") << QCborValue(-1) << 1;
        QTest::newRow("unsigned as double") << QCborValue(5.0) << 1;
        QTest::newRow("unsigned as bool") << QCborValue(true) << 1;
        QTest::newRow("bytes as hex text") << QCborValue(QStringLiteral("abcd")) << 2;
        QTest::newRow("bool as integer") << QCborValue(1) << 3;
        QTest::newRow("array as map") << QCborValue(QCborMap()) << 4;
        QTest::newRow("array as text") << QCborValue(QStringLiteral("[1, 2]")) << 4;
    }

    void wrongTypesAreErrors()
    {
        QFETCH(QCborValue, value);
        QFETCH(int, kind);
        const QCborMap map { { QStringLiteral("field"), value } };
        // Required and optional readers alike refuse a present field of the wrong type.
        for (const bool optional : { false, true }) {
            MessageFields fields(map);
            switch (kind) {
            case 0:
                optional ? void(fields.optionalText("field", QStringLiteral("d"))) : void(fields.text("field"));
                break;
            case 1:
                optional ? void(fields.optionalUnsigned("field", 3)) : void(fields.unsignedInteger("field"));
                break;
            case 2:
                optional ? void(fields.optionalBytes("field")) : void(fields.bytes("field"));
                break;
            case 3:
                fields.optionalBool("field", false);
                break;
            default:
                optional ? void(fields.optionalArray("field")) : void(fields.array("field"));
                break;
            }
            QVERIFY(!fields.ok());
            QCOMPARE(fields.failedField(), QStringLiteral("field"));
            QVERIFY2(fields.error().contains(QLatin1String("\"field\"")), qPrintable(fields.error()));
        }
    }

    void missingRequiredFieldIsAnError()
    {
        MessageFields fields(QCborMap { { QStringLiteral("type"), QStringLiteral("rm") } });
        fields.optionalUnsigned("id", 0);
        QVERIFY(fields.ok());
        fields.text("path");
        QVERIFY(!fields.ok());
        QCOMPARE(fields.failedField(), QStringLiteral("path"));
        QVERIFY(fields.error().contains(QLatin1String("missing")));
        // The first problem is the one reported.
        fields.unsignedInteger("size");
        QCOMPARE(fields.failedField(), QStringLiteral("path"));
    }

    void arraysAndRejectedValues()
    {
        const QCborMap map { { QStringLiteral("ports"), QCborArray { 7401, 7464 } }, { QStringLiteral("port"), 0 } };
        MessageFields fields(map);
        QCOMPARE(fields.array("ports"), (QCborArray { 7401, 7464 }));
        QCOMPARE(fields.optionalArray("absent", QCborArray { 1 }), QCborArray { 1 });
        QVERIFY(fields.ok());
        fields.array("members");
        QCOMPARE(fields.failedField(), QStringLiteral("members"));
        QVERIFY(fields.error().contains(QLatin1String("missing")));

        // A value of the right wire type that is still wrong reads like a wrong type.
        MessageFields values(map);
        QCOMPARE(values.unsignedInteger("port"), 0);
        QVERIFY(values.ok());
        values.reject("port", "a port number (1-65535)");
        QVERIFY(!values.ok());
        QCOMPARE(values.failedField(), QStringLiteral("port"));
        QCOMPARE(values.error(), QStringLiteral("field \"port\" must be a port number (1-65535)"));
    }
};

QTEST_GUILESS_MAIN(TestMessageFields)
#include "TestMessageFields.moc"
