#pragma once

#include "X25519.h"

#include <QByteArray>
#include <QString>
#include <optional>

namespace QuietWire {

/// A long-term X25519 identity kept as two text files in a directory:
///   identity.key  PEM PKCS#8 private key (readable by `openssl pkey`), mode 0600
///   identity.pub  one line: base64 of the 32-byte public key, a space, a comment
///
/// Usage: `auto id = Identity::loadOrCreate(dir, "alice@host", &error);` creates the pair on
/// first start and loads it on every later one. A damaged, truncated, wrong-type or
/// group/world-accessible identity.key is an error naming the file; it is never replaced,
/// because replacing it would silently change who this side is.
///
/// The private key may be encrypted with a passphrase (PKCS#8 v2: PBES2, PBKDF2, AES-256-CBC,
/// `-----BEGIN ENCRYPTED PRIVATE KEY-----`, as `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes it):
/// isEncrypted() tells before loading, load(dir, passphrase) reads it, save(dir, passphrase)
/// writes it. Callers wipe() their copies of a passphrase when done. regenerate() replaces the
/// key pair and keeps the old files as identity.key.bak-<time> / identity.pub.bak-<time>.
class Identity
{
public:
    static constexpr const char* PrivateKeyFile = "identity.key";
    static constexpr const char* PublicKeyFile = "identity.pub";

    static std::optional<Identity> generate(const QString& comment, QString* error = nullptr);
    static std::optional<Identity> load(const QString& directory, QString* error = nullptr);
    /// Like load(), for a key encrypted with passphrase (an unencrypted key loads as well).
    static std::optional<Identity> load(
        const QString& directory, const QByteArray& passphrase, QString* error = nullptr);
    /// True when identity.key in directory is a passphrase-encrypted PKCS#8 key.
    static bool isEncrypted(const QString& directory);
    /// Loads the identity in directory, or creates and saves one when identity.key does not exist.
    static std::optional<Identity> loadOrCreate(
        const QString& directory, const QString& comment, QString* error = nullptr, bool* created = nullptr);
    /// Writes identity.key (atomically, 0600) and identity.pub into directory (created 0700).
    bool save(const QString& directory, QString* error = nullptr) const;
    /// Like save(); a non-empty passphrase encrypts identity.key (an empty one writes it plain).
    bool save(const QString& directory, const QByteArray& passphrase, QString* error = nullptr) const;
    /// Creates a new key pair in directory and saves it (encrypted when passphrase is not empty),
    /// after copying the current identity.key and identity.pub to *.bak-<yyyyMMdd-HHmmss> (mode
    /// 0600). backupPath gets the copy of identity.key. Every server must allow the new key.
    static std::optional<Identity> regenerate(const QString& directory, const QString& comment,
        const QByteArray& passphrase = QByteArray(), QString* error = nullptr, QString* backupPath = nullptr);
    /// Overwrites a secret (a passphrase) in memory, then empties it.
    static void wipe(QByteArray& secret);
    static void wipe(QString& secret);

    const Noise::KeyPair& keyPair() const { return m_keyPair; }
    const QByteArray& publicKey() const { return m_keyPair.publicKey; }
    QString comment() const { return m_comment; }
    /// "<base64 key> <comment>", the line an administrator pastes into authorized_keys.
    QString publicKeyLine() const;
    QString fingerprint() const { return fingerprint(publicKey()); }

    /// "SHA256:" + unpadded base64 of SHA-256 over the 32 raw key bytes (OpenSSH style).
    static QString fingerprint(const QByteArray& publicKey);
    /// The first characters of the fingerprint, for tight spaces ("SHA256:AbCdEfGh").
    static QString shortFingerprint(const QByteArray& publicKey);
    /// Strict: exactly 44 characters of standard base64 that decode to 32 bytes.
    static std::optional<QByteArray> parsePublicKey(QStringView base64);
    static QString encodePublicKey(const QByteArray& publicKey);
    static QString defaultComment();

private:
    Noise::KeyPair m_keyPair;
    QString m_comment;
};

} // namespace QuietWire
