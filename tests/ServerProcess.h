#pragma once

// Runs the real quietwired and quietwire-cli binaries for integration tests.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>
#include <memory>

inline QString binary(const char* name)
{
    return QDir(QStringLiteral(QUIETWIRE_BIN_DIR)).filePath(QString::fromLatin1(name));
}

/// count consecutive ports that are free right now.
inline quint16 freePortRange(int count)
{
    for (int attempt = 0; attempt < 200; ++attempt) {
        const auto first = static_cast<quint16>(QRandomGenerator::global()->bounded(20000, 60000));
        bool free = true;
        for (int i = 0; i < count && free; ++i) {
            QTcpServer probe;
            free = probe.listen(QHostAddress::Any, static_cast<quint16>(first + i));
        }
        if (free) {
            return first;
        }
    }
    return 0;
}

/// Waits (spinning the event loop) until predicate holds; false on timeout.
template <typename Predicate>
bool waitUntil(Predicate predicate, int timeoutMs = 15000)
{
    return QTest::qWaitFor(predicate, timeoutMs);
}

/// QProcess::waitForFinished() returns false for a process that already finished while the
/// event loop ran; this does not.
inline bool waitFinished(QProcess& process, int timeoutMs = 30000)
{
    return process.state() == QProcess::NotRunning || process.waitForFinished(timeoutMs);
}

class ServerProcess
{
public:
    explicit ServerProcess(QString dataDir)
        : m_dataDir(std::move(dataDir))
    { }
    ~ServerProcess() { stop(); }

    bool start(const QStringList& extra = {}, int poolSize = 8)
    {
        sessionPortFirst = freePortRange(poolSize);
        sessionPortLast = static_cast<quint16>(sessionPortFirst + poolSize - 1);
        m_out.clear();
        m_err.clear();
        m_process = std::make_unique<QProcess>();
        QStringList args { QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--listen"),
            QStringLiteral("127.0.0.1"), QStringLiteral("--port"), QStringLiteral("0"),
            QStringLiteral("--session-ports"), QStringLiteral("%1-%2").arg(sessionPortFirst).arg(sessionPortLast) };
        if (m_wrapper.isEmpty()) {
            m_process->start(binary("quietwired"), args + extra);
        } else {
            m_process->start(m_wrapper.first(), m_wrapper.mid(1) + QStringList { binary("quietwired") } + args + extra);
        }
        if (!m_process->waitForStarted(10000)) {
            return false;
        }
        if (!waitForOutput(QStringLiteral("Type `help`"))) {
            qWarning("server did not start: %s %s", m_out.constData(), m_err.constData());
            return false;
        }
        const auto match = QRegularExpression(QStringLiteral("Listening on: .* port (\\d+) \\(handshake\\)"))
                               .match(QString::fromUtf8(m_out));
        const auto key = QRegularExpression(QStringLiteral("Public key: +(\\S+)")).match(QString::fromUtf8(m_out));
        port = static_cast<quint16>(match.captured(1).toUInt());
        publicKey = key.captured(1);
        return port != 0;
    }

    /// Writes authorized_keys with these lines ("<key> <name>") into a new data dir, then starts.
    bool start(const QStringList& authorizedKeys, const QStringList& extra, int poolSize)
    {
        QDir().mkpath(m_dataDir);
        QFile::setPermissions(m_dataDir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QFile file(QDir(m_dataDir).filePath(QStringLiteral("authorized_keys")));
        if (!file.open(QIODevice::WriteOnly)) {
            return false;
        }
        file.write(authorizedKeys.join(QLatin1Char('\n')).toUtf8() + '\n');
        file.close();
        return start(extra, poolSize);
    }

    void stop()
    {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->terminate();
            if (!m_process->waitForFinished(10000)) {
                m_process->kill();
                m_process->waitForFinished(5000);
            }
        }
    }

    void pump()
    {
        m_out += m_process->readAllStandardOutput();
        m_err += m_process->readAllStandardError();
    }

    bool waitForOutput(const QString& text, int timeoutMs = 15000, qsizetype from = 0)
    {
        return waitUntil(
                   [&] {
                       pump();
                       return QString::fromUtf8(m_out.mid(from)).contains(text)
                           || m_process->state() == QProcess::NotRunning;
                   },
                   timeoutMs)
            && QString::fromUtf8(m_out.mid(from)).contains(text);
    }

    bool waitForLog(const QString& text, int timeoutMs = 15000)
    {
        return waitUntil(
            [&] {
                pump();
                return QString::fromUtf8(m_err).contains(text);
            },
            timeoutMs);
    }

    /// Sends one console line and returns what the console printed until expected appeared.
    QString command(const QString& line, const QString& expected)
    {
        pump();
        const qsizetype from = m_out.size();
        m_process->write(line.toUtf8() + '\n');
        if (!waitForOutput(expected, 15000, from)) {
            pump();
            qWarning("console of %s did not answer '%s' with '%s'; got: %s\n%s\nits log ends with: %s",
                qPrintable(m_dataDir), qPrintable(line), qPrintable(expected), m_out.mid(from).constData(),
                qPrintable(threads()), m_err.right(3000).constData());
            return QString();
        }
        return QString::fromUtf8(m_out.mid(from));
    }

    /// What each of the server's threads is doing (from /proc: state, system call, kernel wait), for a
    /// failure's message: which of them waits, and on what.
    QString threads() const
    {
        if (!m_process || m_process->state() == QProcess::NotRunning) {
            return QStringLiteral("the server is not running");
        }
        QString text = QStringLiteral("threads of pid %1:").arg(m_process->processId());
        const QString task = QStringLiteral("/proc/%1/task").arg(m_process->processId());
        const auto read = [](const QString& path) {
            QFile file(path);
            return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()).trimmed() : QStringLiteral("?");
        };
        for (const QString& tid : QDir(task).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            const QString dir = task + QLatin1Char('/') + tid;
            text += QStringLiteral("\n  %1 %2: syscall %3; wchan %4; kernel stack %5")
                        .arg(tid, read(dir + QStringLiteral("/comm")), read(dir + QStringLiteral("/syscall")),
                            read(dir + QStringLiteral("/wchan")),
                            read(dir + QStringLiteral("/stack")).replace(QLatin1Char('\n'), QLatin1String(" | ")));
        }
        return text;
    }

    /// A command that runs the server, e.g. {"prlimit", "--fsize=1048576", "--"}.
    void setWrapper(const QStringList& wrapper) { m_wrapper = wrapper; }
    QProcess* process() const { return m_process.get(); }
    QString log()
    {
        QTest::qWait(100); // lets QProcess read what the server wrote so far
        pump();
        return QString::fromUtf8(m_err);
    }
    QString dataDir() const { return m_dataDir; }
    /// What the server printed on its standard output so far (the banner, the console's answers).
    QString output()
    {
        pump();
        return QString::fromUtf8(m_out);
    }

    quint16 port = 0;
    quint16 sessionPortFirst = 0;
    quint16 sessionPortLast = 0;
    QString publicKey;

private:
    QString m_dataDir;
    QStringList m_wrapper;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_out;
    QByteArray m_err;
};

struct CliResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

/// Runs one of the project's programs to completion, input on its standard input. The event loop
/// turns meanwhile: a test's own clients go on, and a ServerProcess's log is read (a server whose
/// log pipe is full stops).
inline CliResult runProgram(
    const char* program, const QStringList& args, const QByteArray& input = {}, int timeoutMs = 30000)
{
    QProcess process;
    process.start(binary(program), args);
    CliResult result;
    if (!process.waitForStarted(10000)) {
        return result;
    }
    process.write(input);
    process.closeWriteChannel();
    if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        result.err = QStringLiteral("(timed out) ");
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err += QString::fromUtf8(process.readAllStandardError());
    return result;
}

/// Runs quietwire-cli to completion.
inline CliResult runCli(const QStringList& args, int timeoutMs = 30000)
{
    return runProgram("quietwire-cli", args, {}, timeoutMs);
}
