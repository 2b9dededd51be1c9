#pragma once

#include "BenchOptions.h"
#include "FanoutLedger.h"

#include <QList>
#include <QObject>
#include <QSslCertificate>

class QSslSocket;

namespace QuietWire::Bench {

/// The IRC side of the fan-out bench: --members clients of an IRC server over TLS (QSslSocket, on
/// the same event loop as the QuietWire members of SessionBench::fanoutMembers), nicks m<first+i>,
/// each in channel #bench. Texts go into the FanoutLedger; with --send, member 0 runs its schedule.
///
/// Usage: IrcMembers(options).run() (quietwire-bench irc-members --irc-port N --irc-ca FILE ...)
class IrcMembers : public QObject
{
    Q_OBJECT

public:
    explicit IrcMembers(const BenchOptions& options, QObject* parent = nullptr);
    int run();

private:
    struct Member
    {
        QSslSocket* socket = nullptr;
        QByteArray buffer;
        bool joined = false;
    };

    void start(int index);
    void onReadyRead(int index);
    void onLine(int index, QByteArrayView line);

    BenchOptions m_options;
    FanoutLedger m_ledger;
    QList<QSslCertificate> m_ca;
    QList<Member> m_members;
    int m_joined = 0;
    int m_failed = 0;
    QString m_lastError;
};

} // namespace QuietWire::Bench
