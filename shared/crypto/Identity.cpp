#include "Identity.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSysInfo>
#include <cstring>
#include <memory>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace QuietWire {

namespace {

struct BioDeleter
{
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyDeleter
{
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

void setError(QString* error, const QString& message)
{
    if (error) {
        *error = message;
    }
}

constexpr char EncryptedPemHeader[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----";

// Hands OpenSSL the passphrase the caller gave (userdata), and never prompts: without one, an
// encrypted key must fail cleanly here rather than read from a terminal.
int passphraseCallback(char* buffer, int size, int, void* userdata)
{
    const auto* passphrase = static_cast<const QByteArray*>(userdata);
    if (!passphrase || passphrase->isEmpty() || passphrase->size() > size) {
        return -1;
    }
    std::memcpy(buffer, passphrase->constData(), static_cast<size_t>(passphrase->size()));
    return static_cast<int>(passphrase->size());
}

QByteArray readWhole(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        setError(error, QStringLiteral("Cannot read %1: %2").arg(path, file.errorString()));
        return {};
    }
    // A PEM private key is a few hundred bytes; anything far larger is not one.
    QByteArray data = file.read(64 * 1024);
    return data;
}

} // namespace

QString Identity::defaultComment()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty()) {
        user = QStringLiteral("user");
    }
    return QStringLiteral("%1@%2").arg(user, QSysInfo::machineHostName());
}

std::optional<Identity> Identity::generate(const QString& comment, QString* error)
{
    auto pair = Noise::X25519::generate(error);
    if (!pair) {
        return std::nullopt;
    }
    Identity identity;
    identity.m_keyPair = *pair;
    identity.m_comment = comment.simplified();
    return identity;
}

std::optional<Identity> Identity::load(const QString& directory, QString* error)
{
    return load(directory, QByteArray(), error);
}

bool Identity::isEncrypted(const QString& directory)
{
    QFile file(QDir(directory).filePath(QLatin1String(PrivateKeyFile)));
    return file.open(QIODevice::ReadOnly) && file.read(64).trimmed().startsWith(EncryptedPemHeader);
}

std::optional<Identity> Identity::load(const QString& directory, const QByteArray& passphrase, QString* error)
{
    const QString keyPath = QDir(directory).filePath(QLatin1String(PrivateKeyFile));
    const QFileInfo info(keyPath);
    if (!info.exists()) {
        setError(error, QStringLiteral("Private key file %1 does not exist").arg(keyPath));
        return std::nullopt;
    }
    const auto otherAccess = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
        | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    if (info.permissions() & otherAccess) {
        setError(error,
            QStringLiteral("Private key file %1 is accessible by other users: run `chmod 600 %1` "
                           "(and consider the key compromised if others could read it)")
                .arg(keyPath));
        return std::nullopt;
    }
    QByteArray pem = readWhole(keyPath, error);
    if (pem.isEmpty()) {
        if (error && error->isEmpty()) {
            *error = QStringLiteral("Private key file %1 is empty: restore it from a backup, or move it away "
                                    "to create a new identity")
                         .arg(keyPath);
        }
        return std::nullopt;
    }
    const QString damaged = QStringLiteral("Private key file %1 is damaged or not a PEM PKCS#8 X25519 key (%2): "
                                           "restore it from a backup, or move it away to create a new identity "
                                           "(the new key must then be allowed again by every server)");
    const bool encryptedFile = pem.trimmed().startsWith(EncryptedPemHeader);
    BioPtr bio(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())));
    PkeyPtr pkey(bio
            ? PEM_read_bio_PrivateKey(bio.get(), nullptr, passphraseCallback, const_cast<QByteArray*>(&passphrase))
            : nullptr);
    OPENSSL_cleanse(pem.data(), static_cast<size_t>(pem.size()));
    if (!pkey) {
        const unsigned long code = ERR_peek_last_error();
        const bool askedForPassword = ERR_GET_REASON(code) == PEM_R_BAD_PASSWORD_READ
            || ERR_GET_REASON(code) == PEM_R_PROBLEMS_GETTING_PASSWORD;
        ERR_clear_error();
        if ((encryptedFile || askedForPassword) && passphrase.isEmpty()) {
            setError(error,
                QStringLiteral("Private key file %1 is encrypted with a passphrase, and this program "
                               "cannot ask for it: use the desktop client `quietwire`, which asks for "
                               "the passphrase at start (or can remove it in Keys > Passphrase)")
                    .arg(keyPath));
        } else if (encryptedFile) {
            setError(error,
                QStringLiteral("Cannot decrypt private key file %1: the passphrase is wrong (or the "
                               "file is damaged); type it again, or restore the file from a backup")
                    .arg(keyPath));
        } else {
            setError(error, damaged.arg(keyPath, QStringLiteral("cannot be parsed")));
        }
        return std::nullopt;
    }
    if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_X25519) {
        setError(error,
            damaged.arg(keyPath,
                QStringLiteral("it holds a %1 key, not X25519")
                    .arg(QString::fromLatin1(EVP_PKEY_get0_type_name(pkey.get())))));
        return std::nullopt;
    }
    Noise::SecretKey secret;
    size_t length = Noise::SecretKey::Size;
    if (EVP_PKEY_get_raw_private_key(pkey.get(), secret.data(), &length) != 1 || length != Noise::SecretKey::Size) {
        ERR_clear_error();
        setError(error, damaged.arg(keyPath, QStringLiteral("the raw key has the wrong size")));
        return std::nullopt;
    }
    secret = Noise::SecretKey(secret.data(), length);
    auto pair = Noise::X25519::fromPrivateKey(secret, error);
    if (!pair) {
        return std::nullopt;
    }

    Identity identity;
    identity.m_keyPair = *pair;
    identity.m_comment = defaultComment();
    // identity.pub is derived data: keep its comment, rewrite it when it is missing or stale.
    const QString pubPath = QDir(directory).filePath(QLatin1String(PublicKeyFile));
    QFile pubFile(pubPath);
    bool pubValid = false;
    if (pubFile.open(QIODevice::ReadOnly)) {
        const QString line = QString::fromUtf8(pubFile.readLine(4096)).trimmed();
        const qsizetype space = line.indexOf(QLatin1Char(' '));
        const auto key = parsePublicKey(space < 0 ? QStringView(line) : QStringView(line).left(space));
        if (key && *key == identity.publicKey()) {
            pubValid = true;
            if (space >= 0) {
                identity.m_comment = line.mid(space + 1).trimmed();
            }
        }
        pubFile.close();
    }
    if (!pubValid) {
        QSaveFile out(pubPath);
        if (out.open(QIODevice::WriteOnly)) {
            out.write(identity.publicKeyLine().toUtf8() + '\n');
            out.commit();
        }
    }
    return identity;
}

std::optional<Identity> Identity::loadOrCreate(
    const QString& directory, const QString& comment, QString* error, bool* created)
{
    if (created) {
        *created = false;
    }
    const QString keyPath = QDir(directory).filePath(QLatin1String(PrivateKeyFile));
    // Only a missing file leads to a new key; a file that exists but cannot be used is an error.
    if (QFileInfo::exists(keyPath) || QFileInfo(keyPath).isSymLink()) {
        return load(directory, error);
    }
    auto identity = generate(comment.isEmpty() ? defaultComment() : comment, error);
    if (!identity || !identity->save(directory, error)) {
        return std::nullopt;
    }
    if (created) {
        *created = true;
    }
    return identity;
}

bool Identity::save(const QString& directory, QString* error) const
{
    return save(directory, QByteArray(), error);
}

bool Identity::save(const QString& directory, const QByteArray& passphrase, QString* error) const
{
    if (!QDir().mkpath(directory)) {
        setError(error, QStringLiteral("Cannot create directory %1").arg(directory));
        return false;
    }
    QFile::setPermissions(directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    PkeyPtr pkey(
        EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, m_keyPair.privateKey.data(), Noise::SecretKey::Size));
    // BIO_s_secmem wipes its buffer when freed, so the PEM text does not linger on the heap.
    BioPtr bio(BIO_new(BIO_s_secmem()));
    // An encrypted key is PKCS#8 v2 with OpenSSL's defaults for it: PBES2 with PBKDF2 (HMAC-SHA256).
    const bool written = pkey && bio
        && (passphrase.isEmpty()
                ? PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1
                : PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey.get(), EVP_aes_256_cbc(), passphrase.constData(),
                      static_cast<int>(passphrase.size()), nullptr, nullptr)
                    == 1);
    if (!written) {
        ERR_clear_error();
        setError(error, QStringLiteral("Cannot encode the private key"));
        return false;
    }
    char* pemData = nullptr;
    const long pemSize = BIO_get_mem_data(bio.get(), &pemData);

    const QString keyPath = QDir(directory).filePath(QLatin1String(PrivateKeyFile));
    QSaveFile keyFile(keyPath);
    if (!keyFile.open(QIODevice::WriteOnly)) {
        setError(error, QStringLiteral("Cannot write %1: %2").arg(keyPath, keyFile.errorString()));
        return false;
    }
    keyFile.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (keyFile.write(pemData, pemSize) != pemSize || !keyFile.commit()) {
        setError(error, QStringLiteral("Cannot write %1: %2").arg(keyPath, keyFile.errorString()));
        return false;
    }

    const QString pubPath = QDir(directory).filePath(QLatin1String(PublicKeyFile));
    QSaveFile pubFile(pubPath);
    if (!pubFile.open(QIODevice::WriteOnly) || pubFile.write(publicKeyLine().toUtf8() + '\n') < 0
        || !pubFile.commit()) {
        setError(error, QStringLiteral("Cannot write %1: %2").arg(pubPath, pubFile.errorString()));
        return false;
    }
    return true;
}

std::optional<Identity> Identity::regenerate(
    const QString& directory, const QString& comment, const QByteArray& passphrase, QString* error, QString* backupPath)
{
    auto identity = generate(comment.isEmpty() ? defaultComment() : comment, error);
    if (!identity) {
        return std::nullopt;
    }
    // Copies, not renames: if writing the new key fails, the old one is still in place.
    const QDir dir(directory);
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString suffix = QStringLiteral(".bak-") + stamp;
    for (int n = 2; QFileInfo::exists(dir.filePath(QLatin1String(PrivateKeyFile) + suffix)); ++n) {
        suffix = QStringLiteral(".bak-%1-%2").arg(stamp).arg(n);
    }
    const QString keyBackup = dir.filePath(QLatin1String(PrivateKeyFile) + suffix);
    for (const char* name : { PrivateKeyFile, PublicKeyFile }) {
        const QString from = dir.filePath(QLatin1String(name));
        if (!QFileInfo::exists(from)) {
            continue;
        }
        const QString to = dir.filePath(QLatin1String(name) + suffix);
        if (!QFile::copy(from, to) || !QFile::setPermissions(to, QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
            setError(error, QStringLiteral("Cannot back up %1 to %2; the key was not changed").arg(from, to));
            return std::nullopt;
        }
    }
    if (!identity->save(directory, passphrase, error)) {
        return std::nullopt;
    }
    if (backupPath) {
        *backupPath = QFileInfo::exists(keyBackup) ? keyBackup : QString();
    }
    return identity;
}

void Identity::wipe(QByteArray& secret)
{
    if (!secret.isEmpty()) {
        OPENSSL_cleanse(secret.data(), static_cast<size_t>(secret.size()));
    }
    secret.clear();
}

void Identity::wipe(QString& secret)
{
    if (!secret.isEmpty()) {
        OPENSSL_cleanse(secret.data(), static_cast<size_t>(secret.size()) * sizeof(QChar));
    }
    secret.clear();
}

QString Identity::publicKeyLine() const
{
    const QString key = encodePublicKey(publicKey());
    return m_comment.isEmpty() ? key : QStringLiteral("%1 %2").arg(key, m_comment);
}

QString Identity::fingerprint(const QByteArray& publicKey)
{
    const QByteArray digest = QCryptographicHash::hash(publicKey, QCryptographicHash::Sha256);
    return QStringLiteral("SHA256:")
        + QString::fromLatin1(digest.toBase64(QByteArray::Base64Encoding | QByteArray::OmitTrailingEquals));
}

QString Identity::shortFingerprint(const QByteArray& publicKey)
{
    return fingerprint(publicKey).left(15);
}

std::optional<QByteArray> Identity::parsePublicKey(QStringView base64)
{
    if (base64.size() != 44) {
        return std::nullopt;
    }
    const auto result = QByteArray::fromBase64Encoding(base64.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!result || result.decoded.size() != Noise::X25519::KeySize) {
        return std::nullopt;
    }
    // Only the canonical encoding: "...=" with non-zero padding bits would alias another key text.
    if (encodePublicKey(result.decoded) != base64) {
        return std::nullopt;
    }
    return result.decoded;
}

QString Identity::encodePublicKey(const QByteArray& publicKey)
{
    return QString::fromLatin1(publicKey.toBase64());
}

} // namespace QuietWire
