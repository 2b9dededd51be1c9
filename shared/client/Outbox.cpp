#include "Outbox.h"

#include <QUuid>

namespace QuietWire {

Outbox::Outbox(QObject* parent)
    : QObject(parent)
{
    m_resendTimer.setSingleShot(true);
    connect(&m_resendTimer, &QTimer::timeout, this, &Outbox::flush);
}

void Outbox::setClient(ChatClient* chat)
{
    if (m_chat) {
        m_chat->disconnect(this);
    }
    m_chat = chat;
    m_joined = false;
    for (Entry& entry : m_entries) {
        entry.seq = -1;
    }
    if (!m_chat) {
        return;
    }
    connect(m_chat, &ChatClient::joined, this, &Outbox::onJoined);
    connect(m_chat, &ChatClient::disconnected, this, &Outbox::onDisconnected);
    connect(m_chat, &ChatClient::messageStored, this, &Outbox::onStored);
    connect(m_chat, &ChatClient::messageRejected, this, &Outbox::onRejected);
}

bool Outbox::isVersion2() const
{
    return m_chat && m_chat->sessionVersion() >= ChatProtocol::Version2;
}

bool Outbox::send(const QString& text, const ChatClient::Destination& destination,
    const std::optional<ChatProtocol::Attachment>& attachment)
{
    Entry entry { text, destination, QUuid::createUuid().toString(QUuid::WithoutBraces), -1, attachment };
    if (isSendable()) {
        // Sent now, so a message the client refuses (empty, too long...) is refused while typed.
        entry.seq = m_chat->sendText(entry.text, entry.destination, entry.clientId, entry.attachment);
        if (entry.seq < 0) {
            m_errorString = m_chat->errorString();
            return false;
        }
    }
    m_entries.append(entry);
    emit countChanged(count());
    return true;
}

void Outbox::clear(const QString& reason)
{
    const QList<Entry> entries = std::exchange(m_entries, {});
    m_resendTimer.stop();
    for (const Entry& entry : entries) {
        emit lost(entry, reason);
    }
    if (!entries.isEmpty()) {
        emit countChanged(0);
    }
}

void Outbox::onJoined()
{
    m_joined = true;
    flush();
}

void Outbox::onDisconnected()
{
    m_joined = false;
    m_resendTimer.stop();
    const bool resendable = isVersion2();
    QList<Entry> lostEntries;
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (it->seq < 0) {
            ++it;
        } else if (resendable) {
            it->seq = -1; // the same client id goes out again after the next joined()
            ++it;
        } else {
            lostEntries.append(*it);
            it = m_entries.erase(it);
        }
    }
    for (const Entry& entry : lostEntries) {
        emit lost(entry,
            tr("the connection closed before the server confirmed it; this server (chat protocol version 1) "
               "cannot recognise a resend, so it was not sent again: check whether it arrived"));
    }
    if (!lostEntries.isEmpty()) {
        emit countChanged(count());
    }
}

bool Outbox::isSendable() const
{
    // Joined, and the session still up (its disconnected() may not have come yet).
    return m_joined && m_chat && m_chat->connection()->isReady();
}

void Outbox::flush()
{
    if (!isSendable()) {
        return;
    }
    QList<Entry> refused;
    QList<QString> reasons;
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        if (it->seq >= 0) {
            ++it;
            continue;
        }
        it->seq = m_chat->sendText(it->text, it->destination, it->clientId, it->attachment);
        if (it->seq >= 0) {
            ++it;
            continue;
        }
        refused.append(*it);
        reasons.append(m_chat->errorString());
        it = m_entries.erase(it);
    }
    for (qsizetype i = 0; i < refused.size(); ++i) {
        emit lost(refused.at(i), reasons.at(i));
    }
    if (!refused.isEmpty()) {
        emit countChanged(count());
    }
}

qsizetype Outbox::indexOfSeq(qint64 seq) const
{
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (m_entries.at(i).seq == seq) {
            return i;
        }
    }
    return -1;
}

void Outbox::onStored(const ChatProtocol::Accepted& accepted)
{
    const qsizetype at = indexOfSeq(accepted.seq);
    if (at < 0) {
        return; // sent past the outbox
    }
    const Entry entry = m_entries.takeAt(at);
    m_backoff.reset();
    emit countChanged(count());
    emit delivered(entry, accepted);
}

void Outbox::onRejected(const ChatProtocol::Rejected& answer)
{
    const qsizetype at = indexOfSeq(answer.seq);
    if (at < 0) {
        return;
    }
    if (answer.code == ErrorCode::Unavailable || answer.code == ErrorCode::Busy) {
        // Nothing was stored; the same client id goes out again a little later.
        m_entries[at].seq = -1;
        if (!m_resendTimer.isActive()) {
            m_resendTimer.start(m_backoff.nextDelayMs());
        }
        return;
    }
    const Entry entry = m_entries.takeAt(at);
    emit countChanged(count());
    emit rejected(entry, answer);
}

} // namespace QuietWire
