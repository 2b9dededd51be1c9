#pragma once

#include <QByteArray>
#include <QCborArray>
#include <QCborMap>
#include <QString>

namespace QuietWire {

/// Reads the fields of one decoded message with their wire types checked. Every field from the
/// network goes through here: a field of the wrong type is never read as a default. The first
/// problem is remembered, so a handler reads all its fields, then checks ok() once and answers
/// bad_request with error(), which names the field and the type it must have.
///
/// Usage:
///     MessageFields fields(request);
///     const QString path = fields.text("path");                  // required
///     const qint64 offset = fields.optionalUnsigned("offset", 0); // absent: 0
///     if (!fields.ok()) { fail(BadRequest, fields.error()); return; }
class MessageFields
{
public:
    explicit MessageFields(const QCborMap& message)
        : m_message(message)
    { }

    bool has(const char* key) const;
    /// A text string; required, or absent -> defaultValue.
    QString text(const char* key);
    QString optionalText(const char* key, const QString& defaultValue = QString());
    /// A non-negative CBOR integer (major type 0); required, or absent -> defaultValue.
    qint64 unsignedInteger(const char* key);
    qint64 optionalUnsigned(const char* key, qint64 defaultValue);
    /// A byte string (never a text string of hex digits).
    QByteArray bytes(const char* key);
    QByteArray optionalBytes(const char* key, const QByteArray& defaultValue = QByteArray());
    bool optionalBool(const char* key, bool defaultValue);
    /// An array (its items are the caller's to check; reject() a bad one).
    QCborArray array(const char* key);
    QCborArray optionalArray(const char* key, const QCborArray& defaultValue = QCborArray());
    /// A map (its fields are the caller's to read, with a MessageFields of their own).
    QCborMap map(const char* key);
    /// Records that key, present and of the right wire type, is still not what it must be
    /// ("a port number (1-65535)"): the same "field \"key\" must be ..." message as a wrong type.
    void reject(const char* key, const char* expected);

    bool ok() const { return m_error.isEmpty(); }
    /// "field \"to\" must be a text string", or empty.
    QString error() const { return m_error; }
    /// The first field that was missing or had the wrong type.
    QString failedField() const { return m_failedField; }

private:
    void fail(const char* key, const char* expected, bool missing);

    QCborMap m_message;
    QString m_error;
    QString m_failedField;
};

} // namespace QuietWire
