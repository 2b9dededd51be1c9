#include "ErrorCode.h"

#include <QTest>

using namespace QuietWire;

/// The protocol layer's codec: every error code and message type of docs/PROTOCOL.md goes through
/// its one encoder and decoder and comes back the same.
class TestProtocolCodec : public QObject
{
    Q_OBJECT

private slots:
    void everyWireCodeRoundTrips_data();
    void everyWireCodeRoundTrips();
    void clientSideKindsNeverTravel();
    void unknownCodeIsUnknown();
};

void TestProtocolCodec::everyWireCodeRoundTrips_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("code");
    const QList<std::pair<const char*, ErrorCode>> codes {
        { "unauthorized", ErrorCode::Unauthorized },
        { "busy", ErrorCode::Busy },
        { "bad_request", ErrorCode::BadRequest },
        { "unknown_service", ErrorCode::UnknownService },
        { "revoked", ErrorCode::Revoked },
        { "kicked", ErrorCode::Kicked },
        { "shutdown", ErrorCode::Shutdown },
        { "too_many_sessions", ErrorCode::TooManySessions },
        { "not_found", ErrorCode::NotFound },
        { "exists", ErrorCode::Exists },
        { "not_empty", ErrorCode::NotEmpty },
        { "permission", ErrorCode::Permission },
        { "quota", ErrorCode::Quota },
        { "bad_path", ErrorCode::BadPath },
        { "io", ErrorCode::Io },
        { "mismatch", ErrorCode::Mismatch },
    };
    for (const auto& [text, code] : codes)
        QTest::newRow(text) << QString::fromLatin1(text) << int(code);
}

void TestProtocolCodec::everyWireCodeRoundTrips()
{
    QFETCH(QString, text);
    QFETCH(int, code);
    QCOMPARE(int(errorCodeFromWire(text)), code);
    QCOMPARE(wireName(ErrorCode(code)), text);
    QVERIFY(isWireCode(ErrorCode(code)));
}

void TestProtocolCodec::clientSideKindsNeverTravel()
{
    for (const ErrorCode code :
        { ErrorCode::None, ErrorCode::Unknown, ErrorCode::ConnectionLost, ErrorCode::LocalFile }) {
        QVERIFY(wireName(code).isEmpty());
        QVERIFY(!isWireCode(code));
    }
    // Not even the names the client once used as fake wire codes.
    QCOMPARE(errorCodeFromWire(u"connection"), ErrorCode::Unknown);
    QCOMPARE(errorCodeFromWire(u"local"), ErrorCode::Unknown);
}

void TestProtocolCodec::unknownCodeIsUnknown()
{
    QCOMPARE(errorCodeFromWire(u"from_the_future"), ErrorCode::Unknown);
    QCOMPARE(errorCodeFromWire(u"NOT_FOUND"), ErrorCode::Unknown); // exact spelling only
    QCOMPARE(errorCodeFromWire(u""), ErrorCode::None);
    QVERIFY((Failure { ErrorCode::ConnectionLost, QString() }.isInterruption()));
    QVERIFY(!(Failure { ErrorCode::NotFound, QString() }.isInterruption()));
}

QTEST_APPLESS_MAIN(TestProtocolCodec)
#include "TestProtocolCodec.moc"
