#include "StoreThread.h"

#include <QMetaObject>

namespace QuietWire {

StoreThread::StoreThread(const ChatStore::Options& options, QObject* parent)
    : QThread(parent)
    , m_options(options)
{ }

StoreThread::~StoreThread()
{
    close();
}

bool StoreThread::open(StoreFailure* failure)
{
    start();
    std::unique_lock lock(m_mutex);
    m_opened.wait(lock, [this] { return m_openDone; });
    if (m_openFailure.error != StoreError::None) {
        *failure = m_openFailure;
        lock.unlock();
        wait();
        return false;
    }
    return true;
}

void StoreThread::close()
{
    {
        std::lock_guard lock(m_mutex);
        m_closing = true;
    }
    m_wake.notify_one();
    wait();
}

void StoreThread::append(const ChatStore::NewMessage& message, QObject* context, AppendDone done)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back({ {}, message, QPointer<QObject>(context), std::move(done) });
    }
    m_wake.notify_one();
}

void StoreThread::enqueue(std::function<void(ChatStore&)> task)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back({ std::move(task), {}, {}, {} });
    }
    m_wake.notify_one();
}

void StoreThread::deliver(const QPointer<QObject>& context, std::function<void()> call)
{
    // Queued to this object's thread (it lives where it was created); the guard is read there.
    QMetaObject::invokeMethod(
        this,
        [context, call = std::move(call)] {
            if (context) {
                call();
            }
        },
        Qt::QueuedConnection);
}

qint64 StoreThread::groupsCommitted() const
{
    std::lock_guard lock(m_mutex);
    return m_groups;
}

qint64 StoreThread::messagesCommitted() const
{
    std::lock_guard lock(m_mutex);
    return m_messages;
}

void StoreThread::commitGroup(ChatStore& store, std::deque<Item>& items)
{
    QList<ChatStore::NewMessage> batch;
    batch.reserve(static_cast<qsizetype>(items.size()));
    for (const Item& item : items) {
        batch << item.message;
    }
    const auto results = store.append(batch);
    const StoreFailure failure = results ? StoreFailure() : store.failure();
    if (results) {
        std::lock_guard lock(m_mutex);
        ++m_groups;
        m_messages += batch.size();
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
        Item& item = items[i];
        const ChatStore::Appended result = results ? results->at(static_cast<qsizetype>(i)) : ChatStore::Appended();
        deliver(item.context, [done = std::move(item.done), result, failure] { done(result, failure); });
    }
    items.clear();
}

void StoreThread::run()
{
    StoreFailure failure;
    std::unique_ptr<ChatStore> store = ChatStore::open(m_options, &failure);
    {
        std::lock_guard lock(m_mutex);
        m_openDone = true;
        m_openFailure = store ? StoreFailure() : failure;
    }
    m_opened.notify_all();
    if (!store) {
        return;
    }
    std::deque<Item> group;
    for (;;) {
        std::deque<Item> work;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_closing || !m_queue.empty(); });
            if (m_queue.empty()) {
                break; // closing, and everything posted is done
            }
            work.swap(m_queue);
        }
        // In posted order; consecutive appends go in one transaction (at most MaxGroup).
        for (Item& item : work) {
            // A database server that went away is tried again here, between two pieces of work
            // (what runs meanwhile fails with Unavailable).
            store->reconnectIfLost();
            if (item.task) {
                if (!group.empty()) {
                    commitGroup(*store, group);
                }
                item.task(*store);
            } else {
                group.push_back(std::move(item));
                if (group.size() >= MaxGroup) {
                    commitGroup(*store, group);
                }
            }
        }
        if (!group.empty()) {
            commitGroup(*store, group);
        }
    }
}

} // namespace QuietWire
