#include "HistoryStallBench.h"

#include "BenchKeys.h"
#include "EventLoop.h"
#include "Report.h"
#include "StallMonitor.h"

#include <QElapsedTimer>

namespace QuietWire::Bench {

namespace {
constexpr qint64 TimeoutMs = 120000;
constexpr int FillWindow = 50; // messages sent and not answered yet, while filling
} // namespace

HistoryStallBench::HistoryStallBench(const BenchOptions& options, const Identity& identity, QObject* parent)
    : QObject(parent)
    , m_options(options)
    , m_client(new ChatClient(identity, BenchKeys::knownServersPath(options.keysDir), this))
{
    m_client->connection()->setTrustPolicy(ServiceClient::TrustPolicy::TrustNewKeys);
    m_client->connection()->setLocalAddress(options.sourceAddress(0));
    m_client->setProtocolVersion(ChatProtocol::CurrentVersion);
}

bool HistoryStallBench::join()
{
    bool joined = false;
    QString error;
    connect(m_client, &ChatClient::conversationsReceived, this, [&] { joined = true; });
    connect(m_client, &ChatClient::errorOccurred, this, [&](const QString& message) { error = message; });
    m_client->connectToServer(m_options.host, m_options.port);
    spinUntil([&] { return joined || !error.isEmpty(); }, TimeoutMs);
    m_client->disconnect(this);
    if (!joined || m_client->sessionVersion() < ChatProtocol::Version2) {
        note(QStringLiteral("stall-history: cannot join the chat of %1:%2 with version 2: %3")
                 .arg(m_options.host)
                 .arg(m_options.port)
                 .arg(error.isEmpty() ? QStringLiteral("timeout, or an older server") : error));
        return false;
    }
    return true;
}

bool HistoryStallBench::fill(int count)
{
    const QString text = QString(m_options.textBytes, QLatin1Char('h'));
    int sent = 0;
    int answered = 0;
    QString error;
    connect(m_client, &ChatClient::messageAccepted, this, [&] { ++answered; });
    connect(m_client, &ChatClient::messageRejected, this,
        [&](const ChatProtocol::Rejected& rejected) { error = rejected.message; });
    const bool done = spinUntil(
        [&] {
            while (error.isEmpty() && sent < count && sent - answered < FillWindow) {
                if (m_client->sendText(text, ChatClient::Destination { QStringLiteral("general"), {} }) < 0) {
                    error = m_client->errorString();
                    break;
                }
                ++sent;
            }
            return !error.isEmpty() || answered >= count;
        },
        TimeoutMs * 5);
    m_client->disconnect(this);
    if (!done || !error.isEmpty()) {
        note(QStringLiteral("stall-history: filling the history failed: %1")
                 .arg(error.isEmpty() ? QStringLiteral("timeout") : error));
        return false;
    }
    return true;
}

int HistoryStallBench::run()
{
    if (!prepare()) {
        return 1;
    }
    StallMonitor monitor(m_options.intervalMs);
    monitor.start();
    QElapsedTimer idle;
    idle.start();
    spinUntil([&] { return idle.elapsed() > 300; }, -1); // the idle loop, for comparison

    // The whole history, newest page first, each next request once the page before is in.
    int pages = 0;
    qint64 loaded = 0;
    bool more = true;
    bool waiting = false;
    std::optional<qint64> before;
    QString error;
    connect(m_client, &ChatClient::requestDone, this, [&](const ChatProtocol::Done& done) {
        waiting = false;
        ++pages;
        const QList<ChatProtocol::Message> messages = done.messages.value_or(QList<ChatProtocol::Message>());
        loaded += messages.size();
        more = done.more && !messages.isEmpty();
        if (!messages.isEmpty()) {
            before = messages.first().id < messages.last().id ? messages.first().id : messages.last().id;
        }
    });
    connect(m_client, &ChatClient::requestRejected, this, [&](const ChatProtocol::Rejected& rejected) {
        waiting = false;
        error = rejected.message;
    });
    QElapsedTimer clock;
    clock.start();
    monitor.setMeasuring(true);
    const bool finished = spinUntil(
        [&] {
            if (!waiting && more && error.isEmpty()) {
                ChatProtocol::HistoryRequest page;
                page.target.room = QStringLiteral("general");
                page.before = before;
                page.limit = ChatProtocol::MaxHistoryLimit;
                if (m_client->request(page) < 0) {
                    error = m_client->errorString();
                } else {
                    waiting = true;
                }
            }
            return !more || !error.isEmpty();
        },
        TimeoutMs * 5);
    monitor.setMeasuring(false);
    monitor.stop();
    const double seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    m_client->disconnectFromServer();
    if (!finished || !error.isEmpty()) {
        note(QStringLiteral("stall-history: loading the history failed: %1")
                 .arg(error.isEmpty() ? QStringLiteral("timeout") : error));
        return 1;
    }
    Report report(QStringLiteral("stall_history"));
    report.add(QStringLiteral("messages"), loaded)
        .add(QStringLiteral("pages"), pages)
        .add(QStringLiteral("text_bytes"), m_options.textBytes)
        .add(QStringLiteral("seconds"), seconds, 3);
    monitor.addTo(report).print();
    return 0;
}

} // namespace QuietWire::Bench
