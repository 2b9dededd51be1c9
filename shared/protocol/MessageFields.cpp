#include "MessageFields.h"

#include <QCborValue>

namespace QuietWire {

bool MessageFields::has(const char* key) const
{
    return m_message.contains(QLatin1String(key));
}

void MessageFields::fail(const char* key, const char* expected, bool missing)
{
    if (!m_error.isEmpty()) {
        return; // the first problem is the one reported
    }
    m_failedField = QLatin1String(key);
    m_error = missing
        ? QStringLiteral("field \"%1\" is missing; it must be %2").arg(m_failedField, QLatin1String(expected))
        : QStringLiteral("field \"%1\" must be %2").arg(m_failedField, QLatin1String(expected));
}

QString MessageFields::text(const char* key)
{
    if (!has(key)) {
        fail(key, "a text string", true);
        return {};
    }
    return optionalText(key);
}

QString MessageFields::optionalText(const char* key, const QString& defaultValue)
{
    if (!has(key)) {
        return defaultValue;
    }
    const QCborValue value = m_message.value(QLatin1String(key));
    if (!value.isString()) {
        fail(key, "a text string", false);
        return defaultValue;
    }
    return value.toString();
}

qint64 MessageFields::unsignedInteger(const char* key)
{
    if (!has(key)) {
        fail(key, "an unsigned integer", true);
        return 0;
    }
    return optionalUnsigned(key, 0);
}

qint64 MessageFields::optionalUnsigned(const char* key, qint64 defaultValue)
{
    if (!has(key)) {
        return defaultValue;
    }
    const QCborValue value = m_message.value(QLatin1String(key));
    // isInteger() never converts a floating-point value (see Protocol::integer); values past
    // 2^63-1 come out of QCborValue negative and are refused with the rest.
    if (!value.isInteger() || value.toInteger() < 0) {
        fail(key, "an unsigned integer", false);
        return defaultValue;
    }
    return value.toInteger();
}

QByteArray MessageFields::bytes(const char* key)
{
    if (!has(key)) {
        fail(key, "a byte string", true);
        return {};
    }
    return optionalBytes(key);
}

QByteArray MessageFields::optionalBytes(const char* key, const QByteArray& defaultValue)
{
    if (!has(key)) {
        return defaultValue;
    }
    const QCborValue value = m_message.value(QLatin1String(key));
    if (!value.isByteArray()) {
        fail(key, "a byte string", false);
        return defaultValue;
    }
    return value.toByteArray();
}

bool MessageFields::optionalBool(const char* key, bool defaultValue)
{
    if (!has(key)) {
        return defaultValue;
    }
    const QCborValue value = m_message.value(QLatin1String(key));
    if (!value.isBool()) {
        fail(key, "true or false", false);
        return defaultValue;
    }
    return value.toBool();
}

QCborArray MessageFields::array(const char* key)
{
    if (!has(key)) {
        fail(key, "an array", true);
        return {};
    }
    return optionalArray(key);
}

QCborMap MessageFields::map(const char* key)
{
    if (!has(key)) {
        fail(key, "a map", true);
        return {};
    }
    const QCborValue value = m_message.value(QLatin1String(key));
    if (!value.isMap()) {
        fail(key, "a map", false);
        return {};
    }
    return value.toMap();
}

QCborArray MessageFields::optionalArray(const char* key, const QCborArray& defaultValue)
{
    if (!has(key)) {
        return defaultValue;
    }
    const QCborValue value = m_message.value(QLatin1String(key));
    if (!value.isArray()) {
        fail(key, "an array", false);
        return defaultValue;
    }
    return value.toArray();
}

void MessageFields::reject(const char* key, const char* expected)
{
    fail(key, expected, false);
}

} // namespace QuietWire
