#pragma once

#include "ChatStore.h"

#include <QPointer>
#include <QThread>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>

class QObject;

namespace QuietWire {

/// A ChatStore on a thread of its own, so the event loop never waits for the disk. Work is done in
/// the order it was posted; consecutive appends are grouped into one transaction (a group
/// commit): while one commit runs, the messages that arrive meanwhile gather and go in the next,
/// so a message waits at most one commit and the disk sees one fsync per group, not per message.
/// Results come back through the event loop of the thread that created the StoreThread (the
/// server's), where the context object given with the work must live; none comes when the
/// context is gone by then.
///
/// Usage:
///     StoreThread store(options);
///     StoreFailure failure;
///     if (!store.open(&failure)) { fail(failure.message); }
///     store.append(message, this, [](const ChatStore::Appended& result, const StoreFailure& failure) { ... });
///     store.post(this, [](ChatStore& s) { return s.history(id, 0, 100); }, [](const auto& page) { ... });
///     store.close(); // finishes what was posted
class StoreThread : public QThread
{
    Q_OBJECT

public:
    /// Most messages in one transaction.
    static constexpr int MaxGroup = 1000;

    explicit StoreThread(const ChatStore::Options& options, QObject* parent = nullptr);
    ~StoreThread() override;

    /// Starts the thread and opens the store in it; false (with failure set) when it cannot.
    bool open(StoreFailure* failure);
    /// Runs everything posted so far, then closes the store and ends the thread.
    void close();

    using AppendDone = std::function<void(const ChatStore::Appended&, const StoreFailure&)>;
    /// Stores message durably; done(result, failure) runs on this object's thread after the commit
    /// (failure.error != None: the commit failed and the message is not stored).
    void append(const ChatStore::NewMessage& message, QObject* context, AppendDone done);

    /// Runs work(store) on the store's thread, then done(result) on this object's thread.
    template <typename Work, typename Done>
    void post(QObject* context, Work work, Done done)
    {
        enqueue([this, guard = QPointer<QObject>(context), work = std::move(work), done = std::move(done)](
                    ChatStore& store) mutable {
            auto result = work(store);
            deliver(guard, [done = std::move(done), result = std::move(result)]() mutable { done(result); });
        });
    }

    /// Runs work(store) on the store's thread after everything posted before it, and waits for its
    /// result: for the administrator's console, whose commands answer at once. Not for the event
    /// loop's hot paths (it waits for the commits queued ahead of it).
    template <typename Work>
    auto call(Work work) -> decltype(work(std::declval<ChatStore&>()))
    {
        using Result = decltype(work(std::declval<ChatStore&>()));
        std::promise<Result> promise;
        std::future<Result> future = promise.get_future();
        enqueue([&promise, &work](ChatStore& store) { promise.set_value(work(store)); });
        return future.get();
    }

    /// Transactions committed with appends so far (for tests and the benchmark).
    qint64 groupsCommitted() const;
    qint64 messagesCommitted() const;

protected:
    void run() override;

private:
    struct Item
    {
        std::function<void(ChatStore&)> task; // or, when empty, an append:
        ChatStore::NewMessage message;
        QPointer<QObject> context; // made and read on the StoreThread's own thread only
        AppendDone done;
    };
    void enqueue(std::function<void(ChatStore&)> task);
    /// Runs call on this object's thread when context is still alive there.
    void deliver(const QPointer<QObject>& context, std::function<void()> call);
    void commitGroup(ChatStore& store, std::deque<Item>& items);

    ChatStore::Options m_options;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_opened;
    std::deque<Item> m_queue;
    bool m_closing = false;
    bool m_openDone = false;
    StoreFailure m_openFailure;
    qint64 m_groups = 0;
    qint64 m_messages = 0;
};

} // namespace QuietWire
