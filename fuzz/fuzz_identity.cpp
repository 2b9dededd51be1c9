// The private key file parser, fed arbitrary file contents.
#include "Identity.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <cstdint>
#include <cstdlib>

using namespace QuietWire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/quietwire-fuzz-XXXXXX"));
    const QString path = dir.filePath(QStringLiteral("identity.key"));
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            abort();
        }
        file.write(reinterpret_cast<const char*>(data), static_cast<qint64>(size));
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    QString error;
    const auto identity = Identity::load(dir.path(), &error);
    if (!identity && !error.contains(path)) {
        abort(); // every refusal names the file
    }
    if (identity && identity->publicKey().size() != 32) {
        abort();
    }
    return 0;
}
