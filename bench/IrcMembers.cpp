#include "IrcMembers.h"

#include "EventLoop.h"
#include "Report.h"

#include <QElapsedTimer>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>

namespace QuietWire::Bench {

namespace {
const QByteArray Channel("#bench");
} // namespace

IrcMembers::IrcMembers(const BenchOptions& options, QObject* parent)
    : QObject(parent)
    , m_options(options)
    , m_ledger(options)
{
    m_ca = QSslCertificate::fromPath(options.ircCa);
}

void IrcMembers::start(int index)
{
    auto* socket = new QSslSocket(this);
    m_members[index].socket = socket;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates(m_ca); // the self-made certificate of the script's server
    socket->setSslConfiguration(configuration);
    socket->setPeerVerifyName(QStringLiteral("localhost"));
    const QHostAddress source = m_options.sourceAddress(m_options.first + index);
    if (!source.isNull()) {
        socket->bind(source);
    }
    connect(socket, &QSslSocket::encrypted, this, [this, index] {
        const QByteArray nick = "m" + QByteArray::number(m_options.first + index);
        m_members[index].socket->write("NICK " + nick + "\r\nUSER " + nick + " 0 * :bench\r\n");
    });
    connect(socket, &QSslSocket::readyRead, this, [this, index] { onReadyRead(index); });
    connect(socket, &QSslSocket::errorOccurred, this, [this, index, socket](QAbstractSocket::SocketError) {
        m_lastError = socket->errorString();
        if (!m_members[index].joined) {
            ++m_failed;
        }
    });
    connect(socket, &QSslSocket::sslErrors, this,
        [this](const QList<QSslError>& errors) { m_lastError = errors.value(0).errorString(); });
    socket->connectToHostEncrypted(m_options.host, m_options.ircPort);
}

void IrcMembers::onReadyRead(int index)
{
    Member& member = m_members[index];
    member.buffer += member.socket->readAll();
    qsizetype start = 0;
    while (true) {
        const qsizetype end = member.buffer.indexOf('\n', start);
        if (end < 0) {
            break;
        }
        qsizetype length = end - start;
        if (length > 0 && member.buffer.at(end - 1) == '\r') {
            --length;
        }
        onLine(index, QByteArrayView(member.buffer).sliced(start, length));
        start = end + 1;
    }
    member.buffer.remove(0, start);
}

void IrcMembers::onLine(int index, QByteArrayView line)
{
    Member& member = m_members[index];
    // ":nick!user@host PRIVMSG #bench :text", ":server 001 nick :Welcome", "PING :token"
    if (line.startsWith("PING ")) {
        member.socket->write("PONG " + line.sliced(5).toByteArray() + "\r\n");
        return;
    }
    const qsizetype command = line.indexOf(' ');
    if (command < 0) {
        return;
    }
    const QByteArrayView rest = line.sliced(command + 1);
    if (rest.startsWith("PRIVMSG ")) {
        const qsizetype text = rest.indexOf(" :");
        if (text >= 0) {
            m_ledger.received(QString::fromUtf8(rest.sliced(text + 2)));
        }
    } else if (rest.startsWith("001 ")) {
        member.socket->write("JOIN " + Channel + "\r\n");
    } else if (rest.startsWith("366 ") && !member.joined) { // end of the channel's names: joined
        member.joined = true;
        ++m_joined;
    } else if (rest.startsWith("4") && !member.joined) { // an error numeric before the join
        m_lastError = QString::fromUtf8(line.toByteArray());
        ++m_failed;
    }
}

int IrcMembers::run()
{
    if (m_ca.isEmpty()) {
        note(QStringLiteral("irc-members: no certificate in --irc-ca %1").arg(m_options.ircCa));
        return 2;
    }
    const int count = m_options.members;
    m_members.resize(count);
    QElapsedTimer clock;
    clock.start();
    // At most --connect-batch set-ups at once, as for the QuietWire members.
    int started = 0;
    const bool allUp = spinUntil(
        [&] {
            while (started < count && started - m_joined - m_failed < m_options.connectBatch) {
                start(started++);
            }
            return m_joined + m_failed >= count;
        },
        300000);
    if (!allUp || m_failed > 0) {
        note(QStringLiteral("irc-members: %1 of %2 joined, %3 failed; last error: %4")
                 .arg(m_joined)
                 .arg(count)
                 .arg(m_failed)
                 .arg(m_lastError));
        return 1;
    }
    Report(QStringLiteral("members_ready"))
        .add(QStringLiteral("protocol"), QStringLiteral("irc"))
        .add(QStringLiteral("members"), count)
        .add(QStringLiteral("connect_seconds"), static_cast<double>(clock.elapsed()) / 1000.0, 3)
        .add(QStringLiteral("cipher"), m_members.first().socket->sessionCipher().name())
        .print();
    const double cpuAtReady = cpuSeconds();
    if (m_options.send) {
        QSslSocket* sender = m_members.first().socket;
        m_ledger.runSchedule([&](const QString& text) {
            return sender->write("PRIVMSG " + Channel + " :" + text.toUtf8() + "\r\n") > 0;
        });
    }
    m_ledger.holdUntilStopFile();
    int lost = 0;
    for (const Member& member : std::as_const(m_members)) {
        lost += member.socket->state() == QAbstractSocket::ConnectedState ? 0 : 1;
    }
    m_ledger.print(count, cpuAtReady);
    Report(QStringLiteral("members_done")).add(QStringLiteral("lost_sessions"), lost).print();
    return 0;
}

} // namespace QuietWire::Bench
