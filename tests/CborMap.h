#pragma once

// A CBOR map written out in a test: map({ { "type", "hello" }, { "seq", 1 } }).

#include <QCborMap>
#include <QCborValue>
#include <initializer_list>
#include <utility>

inline QCborMap map(std::initializer_list<std::pair<const char*, QCborValue>> fields)
{
    QCborMap result;
    for (const auto& [key, value] : fields) {
        result.insert(QLatin1String(key), value);
    }
    return result;
}
