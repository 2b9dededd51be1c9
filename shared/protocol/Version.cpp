#include "Version.h"

#include "Protocol.h"

#include <QCommandLineParser>
#include <openssl/crypto.h>

namespace QuietWire {

QString versionText(const QString& program)
{
    return QStringLiteral("%1 %2\n"
                          "protocol %3, prologue %4\n"
                          "Qt %5 (built with %6), %7\n")
        .arg(program, QStringLiteral(QUIETWIRE_VERSION), QLatin1String(Protocol::NoiseProtocolName),
            QLatin1String(Protocol::Prologue), QLatin1String(qVersion()), QStringLiteral(QT_VERSION_STR),
            QString::fromLatin1(OpenSSL_version(OPENSSL_VERSION)));
}

QCommandLineOption addVersionOption(QCommandLineParser& parser)
{
    const QCommandLineOption option({ QStringLiteral("v"), QStringLiteral("version") },
        QStringLiteral("Displays the version, the protocol and the libraries."));
    parser.addOption(option);
    return option;
}

} // namespace QuietWire
