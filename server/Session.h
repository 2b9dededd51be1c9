#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHostAddress>
#include <QPointer>
#include <QString>

namespace QuietWire {

class EncryptedTcpSocket;
class FileService;

/// One live, authorized client session on the server.
struct Session
{
    int id = 0;
    QPointer<EncryptedTcpSocket> socket;
    QByteArray key;
    QString name; // whitelist name, or the short fingerprint when the key has none
    QString fingerprint;
    QHostAddress address;
    QString service;
    quint16 sessionPort = 0;
    QDateTime since;
    FileService* files = nullptr; // for a "files" session
};

} // namespace QuietWire
