#include "NoiseTransport.h"

#include <QtEndian>

namespace QuietWire {

NoiseTransport::NoiseTransport(Noise::CipherState send, Noise::CipherState receive)
{
    m_send.cipher = std::move(send);
    m_receive.cipher = std::move(receive);
}

void NoiseTransport::setRekeyLimits(quint64 messages, quint64 bytes)
{
    m_rekeyAfterMessages = qMax<quint64>(1, messages);
    m_rekeyAfterBytes = qMax<quint64>(1, bytes);
}

bool NoiseTransport::seal(const QByteArray& message, QByteArray* frame)
{
    frame->clear();
    if (!m_send.cipher.hasKey()) {
        return fail(Error::NoKey, QStringLiteral("the transport has no key"));
    }
    if (message.size() > Protocol::MaxPayload) {
        return fail(Error::MessageTooLarge,
            QStringLiteral("%1 bytes do not fit in one transport message (at most %2)")
                .arg(message.size())
                .arg(Protocol::MaxPayload));
    }
    // Header and ciphertext in one buffer: no copy of the message on the way to the socket.
    frame->reserve(Protocol::FrameHeaderSize + message.size() + Protocol::TagSize);
    frame->resize(Protocol::FrameHeaderSize);
    if (!m_send.cipher.encryptWithAd({}, message, *frame)) {
        frame->clear();
        return fail(Error::NonceExhausted, m_send.cipher.errorString());
    }
    qToBigEndian<quint16>(static_cast<quint16>(frame->size() - Protocol::FrameHeaderSize), frame->data());
    if (!count(m_send, message.size())) {
        frame->clear();
        return false;
    }
    return true;
}

bool NoiseTransport::open(const QByteArray& body, QByteArray* message)
{
    if (!m_receive.cipher.hasKey()) {
        return fail(Error::NoKey, QStringLiteral("the transport has no key"));
    }
    message->clear();
    message->reserve(body.size());
    if (!m_receive.cipher.decryptWithAd({}, body, *message)) {
        return fail(Error::DecryptFailed, m_receive.cipher.errorString());
    }
    return count(m_receive, message->size());
}

bool NoiseTransport::count(Direction& direction, qsizetype size)
{
    direction.bytes += static_cast<quint64>(size);
    if (++direction.messages < m_rekeyAfterMessages && direction.bytes < m_rekeyAfterBytes) {
        return true;
    }
    direction.messages = 0;
    direction.bytes = 0;
    ++direction.rekeys;
    if (!direction.cipher.rekey()) {
        return fail(Error::RekeyFailed, direction.cipher.errorString());
    }
    return true;
}

bool NoiseTransport::fail(Error error, const QString& message)
{
    m_error = error;
    m_errorString = message;
    return false;
}

} // namespace QuietWire
