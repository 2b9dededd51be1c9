#pragma once

// What the file service's tests share (TestFiles, TestFileAudit, TestFileTransfer): data and
// files to transfer, whitelisted test users, a connected FileClient, one request waited for, and
// a transfer run to its end.

#include "FileClient.h"
#include "FileTransfer.h"
#include "Identity.h"
#include "ServerProcess.h"
#include "Sha256.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QMap>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <functional>
#include <memory>
#include <optional>

namespace QuietWire::FileTest {

inline QByteArray randomBytes(qint64 size)
{
    QByteArray data(size, Qt::Uninitialized);
    auto* words = reinterpret_cast<quint32*>(data.data());
    QRandomGenerator::global()->fillRange(words, size / 4);
    for (qint64 i = size - size % 4; i < size; ++i) {
        data[i] = static_cast<char>(QRandomGenerator::global()->generate());
    }
    return data;
}

inline bool writeFile(const QString& path, const QByteArray& data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

inline QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

struct User
{
    QString name;
    QString configDir;
    std::optional<Identity> identity;
};

/// A user with a key in <dir>/client-<name>, allowed on server's whitelist under name (unless
/// allow is false).
inline User makeUser(ServerProcess& server, const QString& dir, const QString& name, bool allow = true)
{
    User user;
    user.name = name;
    user.configDir = dir + QStringLiteral("/client-") + name;
    QString error;
    user.identity = Identity::loadOrCreate(user.configDir, name + QStringLiteral("@test"), &error);
    if (allow && user.identity) {
        server.command(QStringLiteral("allow %1 %2").arg(Identity::encodePublicKey(user.identity->publicKey()), name),
            QStringLiteral("allowed"));
    }
    return user;
}

/// Sends request() (which returns the request's id) and waits for its answer; a timeout is
/// ConnectionLost "timeout".
inline FileClient::Reply call(FileClient& client, const std::function<qint64()>& request, int timeoutMs = 15000)
{
    FileClient::Reply result;
    qint64 id = -1;
    bool done = false;
    const auto connection
        = QObject::connect(&client, &FileClient::replyReceived, &client, [&](const FileClient::Reply& reply) {
              if (reply.id == id) {
                  result = reply;
                  done = true;
              }
          });
    id = request();
    done = QTest::qWaitFor([&] { return done; }, timeoutMs);
    QObject::disconnect(connection);
    if (!done) {
        result.code = ErrorCode::ConnectionLost;
        result.message = QStringLiteral("timeout");
    }
    return result;
}

/// A FileClient of user connected to the server on 127.0.0.1:port, after one round trip (so the
/// server has set up the home folder); null when it does not get there.
inline std::unique_ptr<FileClient> connectUser(const User& user, quint16 port)
{
    auto client = std::make_unique<FileClient>(*user.identity, user.configDir + QStringLiteral("/known_servers"));
    client->connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
    QSignalSpy connected(client.get(), &FileClient::connected);
    client->connectToServer(QStringLiteral("127.0.0.1"), port);
    if (!connected.wait(15000) || !call(*client, [&] { return client->pwd(); }).ok) {
        return nullptr;
    }
    return client;
}

inline bool hasEnded(const FileTransfer* transfer)
{
    return transfer->state() == FileTransfer::State::Finished || transfer->state() == FileTransfer::State::Failed
        || transfer->state() == FileTransfer::State::Cancelled;
}

/// Waits until transfer has finished or failed (it may have ended already); true when it
/// finished. A failure is logged unless the transfer's "expectFailure" property is set.
inline bool runTransfer(FileTransfer* transfer, int timeoutMs = 120000)
{
    const auto ended = [transfer] {
        return transfer->state() == FileTransfer::State::Finished || transfer->state() == FileTransfer::State::Failed;
    };
    if (!QTest::qWaitFor(ended, timeoutMs)) {
        qWarning("transfer of %s timed out at %lld of %lld bytes", qPrintable(transfer->remotePath()),
            transfer->bytesDone(), transfer->bytesTotal());
        return false;
    }
    if (transfer->state() == FileTransfer::State::Failed && !transfer->property("expectFailure").toBool()) {
        qWarning("transfer failed: %s (%s)", qPrintable(transfer->errorString()),
            qPrintable(wireName(transfer->errorCode())));
    }
    return transfer->state() == FileTransfer::State::Finished;
}

/// Every object under dir with its content's SHA-256 (a folder or other object as "dir"), to prove
/// nothing changed there.
inline QMap<QString, QByteArray> snapshot(const QString& dir)
{
    QMap<QString, QByteArray> result;
    QDirIterator it(
        dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        result.insert(path, it.fileInfo().isFile() ? Sha256::hash(readFile(path)) : QByteArray("dir"));
    }
    return result;
}

} // namespace QuietWire::FileTest
