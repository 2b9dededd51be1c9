#include "LogOutput.h"

#include <QByteArray>
#include <QString>
#include <QtGlobal>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <unistd.h>

namespace QuietWire::LogOutput {

namespace {

bool g_stamped = true;

/// The date and time of the current second, as text; one per thread (the store logs from its own).
struct SecondText
{
    time_t second = -1;
    char text[32] = {};
    size_t length = 0;
};
thread_local SecondText t_second;

void appendTime(QByteArray& line)
{
    timespec now {};
    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec != t_second.second) {
        tm local {};
        localtime_r(&now.tv_sec, &local);
        t_second.length = strftime(t_second.text, sizeof t_second.text, "%Y-%m-%d %H:%M:%S", &local);
        t_second.second = now.tv_sec;
    }
    line.append(t_second.text, static_cast<qsizetype>(t_second.length));
    char millis[8];
    const int length = std::snprintf(millis, sizeof millis, ".%03d ", static_cast<int>(now.tv_nsec / 1000000));
    line.append(millis, length);
}

void writeLine(const QByteArray& line)
{
    const char* data = line.constData();
    qsizetype left = line.size();
    while (left > 0) {
        const ssize_t written = ::write(STDERR_FILENO, data, static_cast<size_t>(left));
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return; // nowhere to report it
        }
        data += written;
        left -= written;
    }
}

void handler(QtMsgType type, const QMessageLogContext&, const QString& message)
{
    QByteArray line;
    line.reserve(message.size() + 48);
    if (g_stamped) {
        appendTime(line);
    }
    if (type == QtWarningMsg) {
        line.append("warning: ");
    } else if (type == QtCriticalMsg || type == QtFatalMsg) {
        line.append("error: ");
    }
    line.append(message.toUtf8());
    line.append('\n');
    writeLine(line);
    if (type == QtFatalMsg) {
        std::abort();
    }
}

} // namespace

void install(bool stamped)
{
    g_stamped = stamped;
    qInstallMessageHandler(handler);
}

} // namespace QuietWire::LogOutput
