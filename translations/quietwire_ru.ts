<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru_RU" sourcelanguage="en">
<context>
    <name>Format</name>
    <message>
        <source>%1 B</source>
        <translation>%1 Б</translation>
    </message>
    <message>
        <source>%1 KiB</source>
        <translation>%1 КиБ</translation>
    </message>
    <message>
        <source>%1 MiB</source>
        <translation>%1 МиБ</translation>
    </message>
    <message>
        <source>%1 GiB</source>
        <translation>%1 ГиБ</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/с</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 ч %2 мин</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 мин %2 с</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 с</translation>
    </message>
</context>
<context>
    <name>IdentityLoader</name>
    <message>
        <source>Your key cannot be used: %1</source>
        <translation>Ваш ключ нельзя использовать: %1</translation>
    </message>
    <message>
        <source>This passphrase does not unlock the key. Check the keyboard layout and Caps Lock, and try again.</source>
        <translation>Этот пароль не разблокирует ключ. Проверьте раскладку клавиатуры и Caps Lock и попробуйте снова.</translation>
    </message>
</context>
<context>
    <name>QuietWire::ChatClient</name>
    <message>
        <source>Nothing to send: the message is empty</source>
        <translation>Нечего отправлять: сообщение пустое</translation>
    </message>
    <message>
        <source>The message is too long: at most %1 bytes</source>
        <translation>Сообщение слишком длинное: допускается не более %1 байт</translation>
    </message>
    <message>
        <source>Not connected to a chat server</source>
        <translation>Нет подключения к серверу чата</translation>
    </message>
    <message>
        <source>The message contains the control character U+%1; only line breaks and tabs are allowed</source>
        <translation>Сообщение содержит управляющий символ U+%1; допустимы только переводы строк и табуляция</translation>
    </message>
    <message>
        <source>A message goes to a room or to a person, not both</source>
        <translation>Сообщение отправляется в комнату или одному человеку, но не туда и туда сразу</translation>
    </message>
    <message>
        <source>This server has one room only (it speaks version 1 of the chat protocol)</source>
        <translation>На этом сервере только одна комната (он работает по версии 1 протокола чата)</translation>
    </message>
    <message>
        <source>This server cannot take files in messages (it speaks version 1 of the chat protocol)</source>
        <translation>Этот сервер не принимает файлы в сообщениях (он работает по версии 1 протокола чата)</translation>
    </message>
    <message>
        <source>A client id is 1 to %1 bytes without control characters</source>
        <translation>Клиентский идентификатор сообщения — от 1 до %1 байт без управляющих символов</translation>
    </message>
    <message>
        <source>This server speaks version %1 of the chat protocol; history, search and rooms need version %2</source>
        <translation>Этот сервер работает по версии %1 протокола чата; для истории, поиска и комнат нужна версия %2</translation>
    </message>
</context>
<context>
    <name>QuietWire::ClientConnection</name>
    <message>
        <source>The server key %1 was not accepted</source>
        <translation>Ключ сервера %1 не принят</translation>
    </message>
    <message>
        <source>Rekeying failed: %1</source>
        <translation>Не удалось сменить ключ: %1</translation>
    </message>
    <message>
        <source>A message from %1 failed authentication (tampered with, replayed, dropped, reordered or from another session); the connection was closed</source>
        <translation>Сообщение от %1 не прошло проверку подлинности (изменено, повторено, пропущено, переставлено или взято из другого сеанса); соединение закрыто</translation>
    </message>
    <message>
        <source>The server&apos;s first message is not understood: %1</source>
        <translation>Первое сообщение сервера непонятно: %1</translation>
    </message>
    <message>
        <source>The server&apos;s first message is not a valid session hand-off</source>
        <translation>Первое сообщение сервера не является корректной передачей сеанса</translation>
    </message>
    <message>
        <source>Connecting to %1 port %2 timed out</source>
        <translation>Время ожидания подключения к %1, порт %2, истекло</translation>
    </message>
    <message>
        <source>The handshake with %1 on port %2 worked, but its session port %3 did not answer in time. Ask the administrator to open TCP ports %4-%5 as well as %2 in the firewall.</source>
        <translation>Рукопожатие с %1 на порту %2 прошло, но сеансовый порт %3 не ответил вовремя. Попросите администратора открыть в межсетевом экране TCP-порты %4-%5, а также %2.</translation>
    </message>
    <message>
        <source>The peer did not complete the QuietWire handshake within %1 seconds</source>
        <translation>Собеседник не завершил рукопожатие QuietWire за %1 с</translation>
    </message>
    <message>
        <source>%1 closed the connection during the handshake: the server may be busy with too many connections (try again shortly), or it is not a QuietWire server (protocol %2) on port %3</source>
        <translation>%1 закрыл соединение во время рукопожатия: сервер может быть перегружен соединениями (повторите попытку чуть позже) или на порту %3 работает не сервер QuietWire (протокол %2)</translation>
    </message>
    <message>
        <source>Cannot connect to %1 port %2: %3</source>
        <translation>Не удалось подключиться к %1, порт %2: %3</translation>
    </message>
    <message>
        <source>The handshake with %1 on port %2 worked, but its session port %3 cannot be reached (%4). Ask the administrator to open TCP ports %5-%6 as well as %2 in the firewall.</source>
        <translation>Рукопожатие с %1 на порту %2 прошло, но сеансовый порт %3 недоступен (%4). Попросите администратора открыть в межсетевом экране TCP-порты %5-%6, а также %2.</translation>
    </message>
    <message>
        <source>Connection error: %1</source>
        <translation>Ошибка соединения: %1</translation>
    </message>
</context>
<context>
    <name>QuietWire::EncryptedTcpSocket</name>
    <message>
        <source>Cannot send: the encrypted session is not established</source>
        <translation>Отправка невозможна: зашифрованный сеанс не установлен</translation>
    </message>
    <message>
        <source>Cannot send a %1-byte message: at most %2 bytes fit in one transport message</source>
        <translation>Нельзя отправить сообщение длиной %1 байт: в одно транспортное сообщение помещается не более %2 байт</translation>
    </message>
    <message>
        <source>Cannot encrypt: %1; reconnect to start a new session</source>
        <translation>Шифрование невозможно: %1; подключитесь заново, чтобы начать новый сеанс</translation>
    </message>
    <message>
        <source>Connection error: %1</source>
        <translation>Ошибка соединения: %1</translation>
    </message>
    <message>
        <source>Nothing arrived from the peer for %1 seconds, not even a keepalive; the connection is considered dead and was closed</source>
        <translation>От собеседника ничего не приходило %1 с, даже сигнала активности; соединение сочтено оборванным и закрыто</translation>
    </message>
    <message>
        <source>A message from %1 failed authentication (tampered with, replayed, dropped, reordered or from another session); the connection was closed</source>
        <translation>Сообщение от %1 не прошло проверку подлинности (изменено, повторено, пропущено, переставлено или взято из другого сеанса); соединение закрыто</translation>
    </message>
    <message>
        <source>Rekeying failed: %1</source>
        <translation>Не удалось сменить ключ: %1</translation>
    </message>
    <message>
        <source>Cannot send an empty message: empty transport messages are keepalives</source>
        <translation>Нельзя отправить пустое сообщение: пустые транспортные сообщения служат сигналами активности</translation>
    </message>
</context>
<context>
    <name>QuietWire::FileClient</name>
    <message>
        <source>The connection to the server closed before it answered</source>
        <translation>Соединение с сервером закрылось до его ответа</translation>
    </message>
    <message>
        <source>Not connected to a file server</source>
        <translation>Нет подключения к файловому серверу</translation>
    </message>
    <message>
        <source>The server sent a listing of %1 that does not move forward</source>
        <translation>Сервер прислал список %1, который не продвигается дальше</translation>
    </message>
    <message>
        <source>The server sent a failure that is not understood: %1</source>
        <translation>Сервер прислал сообщение об ошибке, которое не удалось разобрать: %1</translation>
    </message>
    <message>
        <source>The server sent an answer that is not understood: %1</source>
        <translation>Сервер прислал ответ, который не удалось разобрать: %1</translation>
    </message>
    <message>
        <source>The server sent a listing of %1 that is not understood: %2</source>
        <translation>Сервер прислал список %1, который не удалось разобрать: %2</translation>
    </message>
</context>
<context>
    <name>QuietWire::FileTransfer</name>
    <message>
        <source>The connection closed before the transfer finished; resume it to continue where it stopped</source>
        <translation>Соединение закрылось до конца передачи; возобновите её, чтобы продолжить с места остановки</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>Не удалось прочитать %1: %2</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Не удалось записать %1: %2</translation>
    </message>
    <message>
        <source>The server sent more data than the file has</source>
        <translation>Сервер прислал больше данных, чем есть в файле</translation>
    </message>
    <message>
        <source>The server resumed at another offset than asked</source>
        <translation>Сервер продолжил не с того смещения, которое было запрошено</translation>
    </message>
    <message>
        <source>The server stored a file whose SHA-256 differs from yours</source>
        <translation>Сервер сохранил файл, SHA-256 которого отличается от вашего</translation>
    </message>
    <message>
        <source>%1 became shorter during the upload</source>
        <translation>Файл %1 стал короче во время отправки</translation>
    </message>
    <message>
        <source>The downloaded data does not match the server&apos;s SHA-256 (the file may have changed during the download); download it again</source>
        <translation>Загруженные данные не совпадают с SHA-256 на сервере (возможно, файл изменился во время загрузки); загрузите его ещё раз</translation>
    </message>
    <message>
        <source>Cannot move %1 into place: %2</source>
        <translation>Не удалось переместить %1 на место: %2</translation>
    </message>
    <message>
        <source>The server&apos;s answer to the download is not understood: %1</source>
        <translation>Ответ сервера на загрузку не удалось разобрать: %1</translation>
    </message>
    <message>
        <source>The server sent a failure that is not understood: %1</source>
        <translation>Сервер прислал сообщение об ошибке, которое не удалось разобрать: %1</translation>
    </message>
    <message>
        <source>The session for this transfer has closed; run it again to resume it</source>
        <translation>Сеанс этой передачи закрылся; запустите её снова, чтобы продолжить</translation>
    </message>
</context>
<context>
    <name>QuietWire::FrameReader</name>
    <message>
        <source>The peer sent a %1-byte frame during the handshake (at most %2 allowed)</source>
        <translation>Собеседник прислал во время рукопожатия кадр длиной %1 байт (допускается не более %2)</translation>
    </message>
    <message>
        <source>The peer sent a %1-byte transport frame, shorter than the authentication tag</source>
        <translation>Собеседник прислал транспортный кадр длиной %1 байт — короче метки аутентификации</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::ChatDelegate</name>
    <message>
        <source>→ %1 (direct)</source>
        <translation>→ %1 (лично)</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>Сервер:</translation>
    </message>
    <message>
        <source>removed from the server</source>
        <translation>удалён с сервера</translation>
    </message>
    <message>
        <source>double-click or Download to save it</source>
        <translation>дважды щёлкните или нажмите «Скачать», чтобы сохранить</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>Файл:</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::ChatModel</name>
    <message>
        <source>[%1] %2: %3</source>
        <translation>[%1] %2: %3</translation>
    </message>
    <message>
        <source>[%1] %2 → %3 (direct): %4</source>
        <translation>[%1] %2 → %3 (лично): %4</translation>
    </message>
    <message>
        <source>[%1] Server notice: %2</source>
        <translation>[%1] Объявление сервера: %2</translation>
    </message>
    <message>
        <source>[%1] — %2</source>
        <translation>[%1] — %2</translation>
    </message>
    <message>
        <source>%1, key %2
Sent %3</source>
        <translation>%1, ключ %2
Отправлено %3</translation>
    </message>
    <message>
        <source>New messages</source>
        <translation>Новые сообщения</translation>
    </message>
    <message>
        <source>— %1 —</source>
        <translation>— %1 —</translation>
    </message>
    <message>
        <source>[file %1, %2, removed]</source>
        <translation>[файл %1, %2, удалён]</translation>
    </message>
    <message>
        <source>[file %1, %2]</source>
        <translation>[файл %1, %2]</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::ChatWidget</name>
    <message>
        <source>Disconnected: %1</source>
        <translation>Отключено: %1</translation>
    </message>
    <message>
        <source>%1 joined</source>
        <translation>%1 входит в комнату</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>%1 выходит из комнаты</translation>
    </message>
    <message>
        <source>Your message was not delivered: %1</source>
        <translation>Ваше сообщение не доставлено: %1</translation>
    </message>
    <message>
        <source>Connected to %1 as %2</source>
        <translation>Подключено к %1 как %2</translation>
    </message>
    <message>
        <source>%1 (you)</source>
        <translation>%1 (вы)</translation>
    </message>
    <message>
        <source>Your key: %1</source>
        <translation>Ваш ключ: %1</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>Не отправлено: %1</translation>
    </message>
    <message>
        <source>Your message “%1” was not delivered: %2</source>
        <translation>Ваше сообщение «%1» не доставлено: %2</translation>
    </message>
    <message>
        <source>conversation %1</source>
        <translation>беседа %1</translation>
    </message>
    <message>
        <source>You left the room %1</source>
        <translation>Вы вышли из комнаты %1</translation>
    </message>
    <message>
        <source>You were removed from the room %1</source>
        <translation>Вас удалили из комнаты %1</translation>
    </message>
    <message>
        <source>The room %1 was deleted</source>
        <translation>Комната %1 удалена</translation>
    </message>
    <message>
        <source>Connected now</source>
        <translation>Сейчас в сети</translation>
    </message>
    <message>
        <source>Double-click someone to open your direct conversation</source>
        <translation>Дважды щёлкните человека, чтобы открыть личную беседу с ним</translation>
    </message>
    <message>
        <source>&amp;New room…</source>
        <translation>&amp;Новая комната…</translation>
    </message>
    <message>
        <source>Make a room; you become its owner</source>
        <translation>Создать комнату; вы станете её владельцем</translation>
    </message>
    <message>
        <source>&amp;Join</source>
        <translation>&amp;Войти</translation>
    </message>
    <message>
        <source>Join the room chosen under &quot;Rooms to join&quot;</source>
        <translation>Войти в комнату, выбранную в списке «Комнаты, куда можно войти»</translation>
    </message>
    <message>
        <source>&amp;Leave</source>
        <translation>В&amp;ыйти</translation>
    </message>
    <message>
        <source>Leave the open room</source>
        <translation>Выйти из открытой комнаты</translation>
    </message>
    <message>
        <source>&amp;Invite…</source>
        <translation>&amp;Пригласить…</translation>
    </message>
    <message>
        <source>Add someone to the open room (owners)</source>
        <translation>Добавить человека в открытую комнату (для владельцев)</translation>
    </message>
    <message>
        <source>&amp;Topic…</source>
        <translation>&amp;Тема…</translation>
    </message>
    <message>
        <source>Change the open room&apos;s topic (owners)</source>
        <translation>Изменить тему открытой комнаты (для владельцев)</translation>
    </message>
    <message>
        <source>Direct conversation with… (a name, Enter)</source>
        <translation>Личная беседа с… (имя, Enter)</translation>
    </message>
    <message>
        <source>This server speaks version 1 of the chat protocol: one room, no history or search</source>
        <translation>Этот сервер говорит на версии 1 протокола чата: одна комната, без истории и поиска</translation>
    </message>
    <message>
        <source>Cannot open the conversation with %1: %2</source>
        <translation>Не удалось открыть беседу с %1: %2</translation>
    </message>
    <message>
        <source>Room %1 made</source>
        <translation>Комната %1 создана</translation>
    </message>
    <message>
        <source>You joined the room %1</source>
        <translation>Вы вошли в комнату %1</translation>
    </message>
    <message>
        <source>%1 was invited</source>
        <translation>%1 приглашён(а)</translation>
    </message>
    <message>
        <source>The topic of %1 was changed</source>
        <translation>Тема %1 изменена</translation>
    </message>
    <message>
        <source>The room %1 was not made: %2</source>
        <translation>Комната %1 не создана: %2</translation>
    </message>
    <message>
        <source>You could not join %1: %2</source>
        <translation>Не удалось войти в %1: %2</translation>
    </message>
    <message>
        <source>You could not leave %1: %2</source>
        <translation>Не удалось выйти из %1: %2</translation>
    </message>
    <message>
        <source>%1 was not invited: %2</source>
        <translation>%1 не приглашён(а): %2</translation>
    </message>
    <message>
        <source>The topic of %1 was not changed: %2</source>
        <translation>Тема %1 не изменена: %2</translation>
    </message>
    <message>
        <source>Key %1
Double-click to open your direct conversation</source>
        <translation>Ключ %1
Дважды щёлкните, чтобы открыть личную беседу</translation>
    </message>
    <message>
        <source>Invite to %1</source>
        <translation>Пригласить в %1</translation>
    </message>
    <message>
        <source>The name of the person to add to %1:</source>
        <translation>Имя человека, которого добавить в %1:</translation>
    </message>
    <message>
        <source>Topic of %1</source>
        <translation>Тема %1</translation>
    </message>
    <message>
        <source>What %1 is for (empty clears it):</source>
        <translation>Для чего %1 (пустая строка очищает тему):</translation>
    </message>
    <message>
        <source>That message&apos;s conversation is no longer yours</source>
        <translation>Вы больше не участник беседы этого сообщения</translation>
    </message>
    <message>
        <source>Downloading %1 to %2 (see the Files tab)</source>
        <translation>Скачивается %1 в %2 (см. вкладку «Файлы»)</translation>
    </message>
    <message>
        <source>Unmute</source>
        <translation>Включить уведомления</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>Без уведомлений</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::ConnectDialog</name>
    <message>
        <source>Connect to a server</source>
        <translation>Подключение к серверу</translation>
    </message>
    <message>
        <source>chat.example.org or 192.0.2.10</source>
        <translation>chat.example.org или 192.0.2.10</translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation>&amp;Сервер:</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Порт:</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>&amp;Подключиться</translation>
    </message>
    <message>
        <source>&amp;Recent servers:</source>
        <translation>&amp;Недавние серверы:</translation>
    </message>
    <message>
        <source>Remove from this list</source>
        <translation>Убрать из списка</translation>
    </message>
    <message>
        <source>Sa&amp;ve as profile</source>
        <translation>Со&amp;хранить как профиль</translation>
    </message>
    <message>
        <source>Re&amp;move profile</source>
        <translation>&amp;Удалить профиль</translation>
    </message>
    <message>
        <source>optional: keep this server under a name</source>
        <translation>необязательно: сохранить этот сервер под именем</translation>
    </message>
    <message>
        <source>Keep the server under this name (the same name changes that profile)</source>
        <translation>Сохранить сервер под этим именем (то же имя изменяет этот профиль)</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Имя:</translation>
    </message>
    <message>
        <source>Saved pro&amp;files:</source>
        <translation>Сохранённые про&amp;фили:</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::ConversationFiles</name>
    <message>
        <source>%1 is not a file: only files can be posted into a conversation</source>
        <translation>%1 — не файл: в беседу можно отправлять только файлы</translation>
    </message>
    <message>
        <source>%1 cannot be sent yet: the file session is not connected</source>
        <translation>%1 пока нельзя отправить: сеанс файлов не подключён</translation>
    </message>
    <message>
        <source>%1 cannot be read: it was not posted</source>
        <translation>Не удалось прочитать %1: файл не отправлен</translation>
    </message>
    <message>
        <source>%1 was not posted: %2</source>
        <translation>%1 не отправлен: %2</translation>
    </message>
    <message>
        <source>attachment</source>
        <translation>вложение</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::ConversationListModel</name>
    <message>
        <source>Rooms</source>
        <translation>Комнаты</translation>
    </message>
    <message>
        <source>Rooms to join</source>
        <translation>Комнаты, куда можно войти</translation>
    </message>
    <message>
        <source>Direct conversations</source>
        <translation>Личные беседы</translation>
    </message>
    <message>
        <source>%1, a room to join</source>
        <translation>%1, комната, куда можно войти</translation>
    </message>
    <message>
        <source>Last message %1</source>
        <translation>Последнее сообщение %1</translation>
    </message>
    <message>
        <source>No messages yet</source>
        <translation>Сообщений пока нет</translation>
    </message>
    <message>
        <source>Members: %1; double-click to join</source>
        <translation>Участников: %1; дважды щёлкните, чтобы войти</translation>
    </message>
    <message>
        <source>%1
Members: %2; double-click to join</source>
        <translation>%1
Участников: %2; дважды щёлкните, чтобы войти</translation>
    </message>
    <message>
        <source>%1, unread: %2</source>
        <translation>%1, непрочитанных: %2</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::ConversationView</name>
    <message>
        <source>&amp;Attach…</source>
        <translation>&amp;Прикрепить…</translation>
    </message>
    <message>
        <source>Upload a file into this conversation&apos;s folder and post it (or drop files here)</source>
        <translation>Загрузить файл в папку этой беседы и отправить его (или перетащите файлы сюда)</translation>
    </message>
    <message>
        <source>&amp;Send</source>
        <translation>&amp;Отправить</translation>
    </message>
    <message>
        <source>Send the message (Enter); Shift+Enter starts a new line</source>
        <translation>Отправить сообщение (Enter); Shift+Enter — новая строка</translation>
    </message>
    <message>
        <source>&amp;Download</source>
        <translation>&amp;Скачать</translation>
    </message>
    <message>
        <source>Download the selected message&apos;s file into the Files tab&apos;s local folder</source>
        <translation>Скачать файл выбранного сообщения в локальную папку вкладки «Файлы»</translation>
    </message>
    <message>
        <source>Type a message; Enter sends, Shift+Enter starts a new line</source>
        <translation>Введите сообщение; Enter — отправить, Shift+Enter — новая строка</translation>
    </message>
    <message>
        <source>general (this server has one room)</source>
        <translation>general (на этом сервере одна комната)</translation>
    </message>
    <message>
        <source>Choose a conversation on the left</source>
        <translation>Выберите беседу слева</translation>
    </message>
    <message>
        <source>Direct conversation with %1</source>
        <translation>Личная беседа с %1</translation>
    </message>
    <message>
        <source>Room %1</source>
        <translation>Комната %1</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>The conversation&apos;s history could not be loaded: %1</source>
        <translation>Не удалось загрузить историю беседы: %1</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Прикрепить файлы</translation>
    </message>
    <message>
        <source>%1 was removed from the server</source>
        <translation>%1 удалён с сервера</translation>
    </message>
    <message>
        <source>Only files can be posted into a conversation; skipped: %1</source>
        <translation>В беседу можно отправлять только файлы; пропущено: %1</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::FilesWidget</name>
    <message>
        <source>Up</source>
        <translation>Вверх</translation>
    </message>
    <message>
        <source>Go to the parent folder of the active pane</source>
        <translation>Перейти в родительскую папку активной панели</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Обновить</translation>
    </message>
    <message>
        <source>New folder</source>
        <translation>Новая папка</translation>
    </message>
    <message>
        <source>Create a folder in the active pane</source>
        <translation>Создать папку в активной панели</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Переименовать</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>Отправить</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Скачать</translation>
    </message>
    <message>
        <source>Transfers</source>
        <translation>Передачи</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a valid name: it must not be empty or contain / or \</source>
        <translation>«%1» — недопустимое имя: оно не может быть пустым или содержать / или \</translation>
    </message>
    <message>
        <source>Select one item to rename</source>
        <translation>Выберите один элемент для переименования</translation>
    </message>
    <message>
        <source>New name for %1:</source>
        <translation>Новое имя для %1:</translation>
    </message>
    <message>
        <source>Folders are deleted with everything in them.</source>
        <translation>Папки удаляются вместе со всем содержимым.</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>&amp;Удалить</translation>
    </message>
    <message>
        <source>Replace files?</source>
        <translation>Заменить файлы?</translation>
    </message>
    <message>
        <source>These files exist already and will be replaced: %1</source>
        <translation>Эти файлы уже существуют и будут заменены: %1</translation>
    </message>
    <message>
        <source>&amp;Replace</source>
        <translation>&amp;Заменить</translation>
    </message>
    <message>
        <source>Connect to a server to upload files</source>
        <translation>Подключитесь к серверу, чтобы отправлять файлы</translation>
    </message>
    <message>
        <source>Connect to a server to download files</source>
        <translation>Подключитесь к серверу, чтобы скачивать файлы</translation>
    </message>
    <message>
        <source>Send the selected files and folders of this computer to the server folder on the right (a folder goes whole, with everything in it)</source>
        <translation>Отправить выбранные файлы и папки этого компьютера в папку сервера справа (папка отправляется целиком, со всем содержимым)</translation>
    </message>
    <message>
        <source>Fetch the selected server files and folders into the folder on the left</source>
        <translation>Скачать выбранные файлы и папки сервера в папку слева</translation>
    </message>
    <message>
        <source>Only files and folders are uploaded, not links or devices: %1 skipped</source>
        <translation>Отправляются только файлы и папки, не ссылки и не устройства: пропущено %1</translation>
    </message>
    <message>
        <source>Only files and folders are downloaded: %1 skipped</source>
        <translation>Скачиваются только файлы и папки: пропущено %1</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::KeyManagerDialog</name>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Удалить</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Ключи</translation>
    </message>
    <message>
        <source>Your key</source>
        <translation>Ваш ключ</translation>
    </message>
    <message>
        <source>Servers let you in by this public key line. Give it to each server&apos;s administrator; it is not secret.</source>
        <translation>Серверы пускают вас по этой строке открытого ключа. Передайте её администратору каждого сервера; она не секретна.</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Копировать</translation>
    </message>
    <message>
        <source>&amp;Export .pub…</source>
        <translation>&amp;Экспорт .pub…</translation>
    </message>
    <message>
        <source>Re&amp;generate…</source>
        <translation>&amp;Создать новый…</translation>
    </message>
    <message>
        <source>&amp;Passphrase…</source>
        <translation>&amp;Пароль…</translation>
    </message>
    <message>
        <source>The public key line is on the clipboard.</source>
        <translation>Строка открытого ключа скопирована в буфер обмена.</translation>
    </message>
    <message>
        <source>Trusted servers</source>
        <translation>Доверенные серверы</translation>
    </message>
    <message>
        <source>Keys of the servers you trusted. Remove one only when its administrator confirmed that the server has a new key.</source>
        <translation>Ключи серверов, которым вы доверились. Удаляйте ключ, только если администратор подтвердил, что у сервера новый ключ.</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Сервер</translation>
    </message>
    <message>
        <source>Key fingerprint</source>
        <translation>Отпечаток ключа</translation>
    </message>
    <message>
        <source>Fingerprint: %1</source>
        <translation>Отпечаток: %1</translation>
    </message>
    <message>
        <source>The private key in %1 is protected by a passphrase.</source>
        <translation>Закрытый ключ в %1 защищён паролем.</translation>
    </message>
    <message>
        <source>The private key in %1 is not protected by a passphrase.</source>
        <translation>Закрытый ключ в %1 не защищён паролем.</translation>
    </message>
    <message>
        <source>Export public key</source>
        <translation>Экспорт открытого ключа</translation>
    </message>
    <message>
        <source>Public key (*.pub);;All files (*)</source>
        <translation>Открытый ключ (*.pub);;Все файлы (*)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2. Choose another folder.</source>
        <translation>Не удалось записать %1: %2. Выберите другую папку.</translation>
    </message>
    <message>
        <source>Saved the public key line to %1.</source>
        <translation>Строка открытого ключа сохранена в %1.</translation>
    </message>
    <message>
        <source>Make a new key?</source>
        <translation>Создать новый ключ?</translation>
    </message>
    <message>
        <source>A new key pair replaces your current one.</source>
        <translation>Новая пара ключей заменит текущую.</translation>
    </message>
    <message>
        <source>No server will let you in with the new key until its administrator allows it: send them the new public key line. You will be disconnected. The old key is kept as a backup (identity.key.bak-…) in %1.</source>
        <translation>Ни один сервер не пустит вас с новым ключом, пока его администратор не разрешит его: отправьте им новую строку открытого ключа. Соединение будет разорвано. Старый ключ сохранится как резервная копия (identity.key.bak-…) в %1.</translation>
    </message>
    <message>
        <source>&amp;Make a new key</source>
        <translation>&amp;Создать новый ключ</translation>
    </message>
    <message>
        <source>No new key was made: %1</source>
        <translation>Новый ключ не создан: %1</translation>
    </message>
    <message>
        <source>New key made; the old one is kept in %1. Give the new line above to the administrator of each server.</source>
        <translation>Новый ключ создан; старый сохранён в %1. Передайте новую строку выше администратору каждого сервера.</translation>
    </message>
    <message>
        <source>The passphrase was not changed: the current passphrase is wrong.</source>
        <translation>Пароль не изменён: текущий пароль неверен.</translation>
    </message>
    <message>
        <source>The passphrase was not changed: %1</source>
        <translation>Пароль не изменён: %1</translation>
    </message>
    <message>
        <source>Your private key is now protected by the new passphrase.</source>
        <translation>Теперь ваш закрытый ключ защищён новым паролем.</translation>
    </message>
    <message>
        <source>Your private key is now stored without a passphrase.</source>
        <translation>Теперь ваш закрытый ключ хранится без пароля.</translation>
    </message>
    <message>
        <source>Cannot remove %1: %2</source>
        <translation>Не удалось удалить %1: %2</translation>
    </message>
    <message>
        <source>Removed the key of %1. The next connection asks you to compare its fingerprint.</source>
        <translation>Ключ %1 удалён. При следующем подключении вас попросят сверить его отпечаток.</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::KeyRefusedDialog</name>
    <message>
        <source>Your key is not allowed on %1</source>
        <translation>Ваш ключ не разрешён на %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;The server %1 does not know your key yet.&lt;/b&gt;</source>
        <translation>&lt;b&gt;Сервер %1 пока не знает ваш ключ.&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Копировать</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Скопировано</translation>
    </message>
    <message>
        <source>Your key&apos;s fingerprint: %1</source>
        <translation>Отпечаток вашего ключа: %1</translation>
    </message>
    <message>
        <source>Connect &amp;again</source>
        <translation>Подключиться &amp;снова</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <source>Give this line to the server&apos;s administrator (copy it into an e-mail or a chat). They allow it under your name with &lt;tt&gt;allow &amp;lt;line&amp;gt; &amp;lt;name&amp;gt;&lt;/tt&gt; on the server console; then connect again.</source>
        <translation>Передайте эту строку администратору сервера (вставьте её в письмо или чат). Он разрешит её под вашим именем командой &lt;tt&gt;allow &amp;lt;строка&amp;gt; &amp;lt;имя&amp;gt;&lt;/tt&gt; в консоли сервера; затем подключитесь снова.</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::LocalPane</name>
    <message>
        <source>This computer</source>
        <translation>Этот компьютер</translation>
    </message>
    <message>
        <source>Drop server files here to download them</source>
        <translation>Перетащите сюда файлы сервера, чтобы скачать их</translation>
    </message>
    <message>
        <source>%1 is not a folder on this computer</source>
        <translation>%1 — не папка на этом компьютере</translation>
    </message>
    <message>
        <source>Name of the new folder in %1:</source>
        <translation>Имя новой папки в %1:</translation>
    </message>
    <message>
        <source>Cannot create the folder %1 in %2: it exists already, or the folder is read-only</source>
        <translation>Не удалось создать папку %1 в %2: она уже существует или папка доступна только для чтения</translation>
    </message>
    <message>
        <source>Cannot rename %1 to %2: the name is taken, or the folder is read-only</source>
        <translation>Не удалось переименовать %1 в %2: имя занято или папка доступна только для чтения</translation>
    </message>
    <message>
        <source>Delete %1 from this computer for good?</source>
        <translation>Удалить %1 с этого компьютера безвозвратно?</translation>
    </message>
    <message>
        <source>Cannot delete %1: it is read-only or in use</source>
        <translation>Не удалось удалить %1: объект доступен только для чтения или используется</translation>
    </message>
    <message>
        <source>Home folder</source>
        <translation>Домашняя папка</translation>
    </message>
    <message>
        <source>Your home folder on this computer</source>
        <translation>Ваша домашняя папка на этом компьютере</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::MainWindow</name>
    <message>
        <source>Cannot connect</source>
        <translation>Не удалось подключиться</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Отключено</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Подключиться</translation>
    </message>
    <message>
        <source>Connect to a QuietWire server (Ctrl+N)</source>
        <translation>Подключиться к серверу QuietWire (Ctrl+N)</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Отключиться</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Ключи</translation>
    </message>
    <message>
        <source>Your key, its passphrase, and the servers you trust</source>
        <translation>Ваш ключ, его пароль и серверы, которым вы доверяете</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Чат</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>Файлы</translation>
    </message>
    <message>
        <source>Quit QuietWire?</source>
        <translation>Выйти из QuietWire?</translation>
    </message>
    <message>
        <source>Transfers are still running. Quit anyway? They can be resumed later from where they stopped.</source>
        <translation>Передачи ещё идут. Всё равно выйти? Позже их можно будет продолжить с места остановки.</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Нет подключения</translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation>Нет подключения: %1</translation>
    </message>
    <message>
        <source>QuietWire</source>
        <translation>QuietWire</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Подключение к %1…</translation>
    </message>
    <message>
        <source>Connected to %1 as %2</source>
        <translation>Подключено к %1 как %2</translation>
    </message>
    <message>
        <source>QuietWire — %1</source>
        <translation>QuietWire — %1</translation>
    </message>
    <message>
        <source>Server key %1</source>
        <translation>Ключ сервера %1</translation>
    </message>
    <message>
        <source>Server key: none</source>
        <translation>Ключ сервера: нет</translation>
    </message>
    <message>
        <source>The fingerprint of the server&apos;s key, as pinned in known_servers</source>
        <translation>Отпечаток ключа сервера, закреплённого в known_servers</translation>
    </message>
    <message>
        <source>Session port %1</source>
        <translation>Сеансовый порт %1</translation>
    </message>
    <message>
        <source>Session port: none</source>
        <translation>Сеансовый порт: нет</translation>
    </message>
    <message>
        <source>The Noise protocol that encrypts and authenticates the connection</source>
        <translation>Протокол Noise, который шифрует соединение и проверяет подлинность сторон</translation>
    </message>
    <message>
        <source>a new key is in use; the administrators must allow it before you can connect</source>
        <translation>используется новый ключ; администраторы должны разрешить его, прежде чем вы сможете подключиться</translation>
    </message>
    <message>
        <source>you did not trust the key of %1</source>
        <translation>вы не доверились ключу %1</translation>
    </message>
    <message>
        <source>the key of %1 has changed; the connection was blocked</source>
        <translation>ключ %1 изменился; соединение заблокировано</translation>
    </message>
    <message>
        <source>%1 does not allow your key yet</source>
        <translation>%1 пока не разрешает ваш ключ</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Выход</translation>
    </message>
    <message>
        <source>Reconnecting to %1…</source>
        <translation>Переподключение к %1…</translation>
    </message>
    <message>
        <source>Reconnecting to %1 in %2 s</source>
        <translation>Переподключение к %1 через %2 с</translation>
    </message>
    <message>
        <source>%1
Last error: %2</source>
        <translation>%1
Последняя ошибка: %2</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>Повторить сейчас</translation>
    </message>
    <message>
        <source>Try to reconnect now instead of waiting</source>
        <translation>Переподключиться сейчас, не дожидаясь</translation>
    </message>
    <message>
        <source>Server profile</source>
        <translation>Профиль сервера</translation>
    </message>
    <message>
        <source>Switch to another saved server (profiles are kept in the Connect dialog)</source>
        <translation>Переключиться на другой сохранённый сервер (профили настраиваются в окне подключения)</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1 на %2</translation>
    </message>
    <message>
        <source>(%1) %2</source>
        <translation>(%1) %2</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::Notifier</name>
    <message>
        <source>%1 (direct message)</source>
        <translation>%1 (личное сообщение)</translation>
    </message>
    <message>
        <source>%1 mentioned you</source>
        <translation>%1 упоминает вас</translation>
    </message>
    <message>
        <source>%1 mentioned you in %2</source>
        <translation>%1 упоминает вас в %2</translation>
    </message>
    <message>
        <source>Sent the file %1</source>
        <translation>Отправлен файл %1</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::PassphraseDialog</name>
    <message>
        <source>Unlock your key</source>
        <translation>Разблокировка ключа</translation>
    </message>
    <message>
        <source>Your private key %1 is protected by a passphrase. Type it to start QuietWire.</source>
        <translation>Ваш закрытый ключ %1 защищён паролем. Введите его, чтобы запустить QuietWire.</translation>
    </message>
    <message>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Пароль:</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>&amp;Разблокировать</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Выход</translation>
    </message>
    <message>
        <source>Passphrase of your private key</source>
        <translation>Пароль закрытого ключа</translation>
    </message>
    <message>
        <source>A passphrase encrypts your private key on disk, so a copy of the file alone is useless. QuietWire asks for it at every start. Leave the new passphrase empty to remove the protection. quietwire-cli cannot use a protected key.</source>
        <translation>Пароль шифрует закрытый ключ на диске, поэтому копия файла сама по себе бесполезна. QuietWire спрашивает его при каждом запуске. Оставьте новый пароль пустым, чтобы снять защиту. quietwire-cli не может работать с защищённым ключом.</translation>
    </message>
    <message>
        <source>&amp;Current passphrase:</source>
        <translation>&amp;Текущий пароль:</translation>
    </message>
    <message>
        <source>&amp;New passphrase:</source>
        <translation>&amp;Новый пароль:</translation>
    </message>
    <message>
        <source>&amp;Repeat it:</source>
        <translation>П&amp;овторите его:</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Сохранить</translation>
    </message>
    <message>
        <source>The two new passphrases differ.</source>
        <translation>Два новых пароля не совпадают.</translation>
    </message>
    <message>
        <source>With an empty passphrase the key is stored unprotected.</source>
        <translation>С пустым паролем ключ хранится без защиты.</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::RemoteFileModel</name>
    <message>
        <source>Name</source>
        <translation>Имя</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Размер</translation>
    </message>
    <message>
        <source>Modified</source>
        <translation>Изменён</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::RemotePane</name>
    <message>
        <source>Drop files here to upload them</source>
        <translation>Перетащите сюда файлы, чтобы отправить их</translation>
    </message>
    <message>
        <source>My files</source>
        <translation>Мои файлы</translation>
    </message>
    <message>
        <source>Your own folder on the server (~)</source>
        <translation>Ваша собственная папка на сервере (~)</translation>
    </message>
    <message>
        <source>Room folders</source>
        <translation>Папки комнат</translation>
    </message>
    <message>
        <source>The shared folders of your rooms and direct conversations (/rooms, /direct)</source>
        <translation>Общие папки ваших комнат и личных переписок (/rooms, /direct)</translation>
    </message>
    <message>
        <source>Server %1</source>
        <translation>Сервер %1</translation>
    </message>
    <message>
        <source>Server (not connected)</source>
        <translation>Сервер (нет подключения)</translation>
    </message>
    <message>
        <source>The server said: %1</source>
        <translation>Ответ сервера: %1</translation>
    </message>
    <message>
        <source>Name of the new folder in %1 on the server:</source>
        <translation>Имя новой папки в %1 на сервере:</translation>
    </message>
    <message>
        <source>Delete %1 from the server for good?</source>
        <translation>Удалить %1 с сервера безвозвратно?</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::RoomCreateDialog</name>
    <message>
        <source>New room</source>
        <translation>Новая комната</translation>
    </message>
    <message>
        <source>design, team-2, lab.notes</source>
        <translation>design, team-2, lab.notes</translation>
    </message>
    <message>
        <source>1 to 64 letters, digits, &apos;.&apos;, &apos;_&apos; or &apos;-&apos;</source>
        <translation>От 1 до 64 букв, цифр, &apos;.&apos;, &apos;_&apos; или &apos;-&apos;</translation>
    </message>
    <message>
        <source>What the room is for (optional)</source>
        <translation>Для чего эта комната (необязательно)</translation>
    </message>
    <message>
        <source>&amp;Private: only people you invite see the room</source>
        <translation>&amp;Закрытая: комнату видят только приглашённые вами</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Имя:</translation>
    </message>
    <message>
        <source>&amp;Topic:</source>
        <translation>&amp;Тема:</translation>
    </message>
    <message>
        <source>&amp;Create</source>
        <translation>&amp;Создать</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::SearchHitModel</name>
    <message>
        <source>%1, %2: %3</source>
        <translation>%1, %2: %3</translation>
    </message>
    <message>
        <source>server</source>
        <translation>сервер</translation>
    </message>
    <message>
        <source>%1
%2
Double-click to show it in its conversation</source>
        <translation>%1
%2
Дважды щёлкните, чтобы показать сообщение в его беседе</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::SearchPanel</name>
    <message>
        <source>server</source>
        <translation>сервер</translation>
    </message>
    <message>
        <source>Search messages</source>
        <translation>Поиск сообщений</translation>
    </message>
    <message>
        <source>Every word must occur in a message; a word also finds longer words it starts. Enter searches.</source>
        <translation>Каждое слово должно встречаться в сообщении; слово находит и более длинные слова, которые с него начинаются. Enter — искать.</translation>
    </message>
    <message>
        <source>Everywhere</source>
        <translation>Везде</translation>
    </message>
    <message>
        <source>This conversation</source>
        <translation>В этой беседе</translation>
    </message>
    <message>
        <source>&amp;More results</source>
        <translation>&amp;Ещё результаты</translation>
    </message>
    <message>
        <source>Open a conversation first, or search everywhere</source>
        <translation>Сначала откройте беседу или ищите везде</translation>
    </message>
    <message>
        <source>Cannot search: %1</source>
        <translation>Поиск невозможен: %1</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Идёт поиск…</translation>
    </message>
    <message>
        <source>No messages found for “%1”</source>
        <translation>По запросу «%1» сообщений не найдено</translation>
    </message>
    <message>
        <source>The search was refused: %1</source>
        <translation>Поиск отклонён: %1</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>Файл:</translation>
    </message>
    <message>
        <source>Messages found: %1; double-click one to show it in its conversation</source>
        <translation>Найдено сообщений: %1; дважды щёлкните одно, чтобы показать его в беседе</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::ServerConnection</name>
    <message>
        <source>Cannot save the server key in %1: %2</source>
        <translation>Не удалось сохранить ключ сервера в %1: %2</translation>
    </message>
    <message>
        <source>The server %1 closed the connection</source>
        <translation>Сервер %1 закрыл соединение</translation>
    </message>
    <message>
        <source>not sent: you connected to another server</source>
        <translation>не отправлено: вы подключились к другому серверу</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::ServerKeyChangedDialog</name>
    <message>
        <source>Warning: the server&apos;s key has changed</source>
        <translation>Внимание: ключ сервера изменился</translation>
    </message>
    <message>
        <source>&lt;b&gt;The key of %1 is not the one you trusted before.&lt;/b&gt;</source>
        <translation>&lt;b&gt;Ключ %1 — не тот, которому вы доверились раньше.&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Someone may be intercepting the connection, or the administrator replaced the server&apos;s key. The connection was stopped before your key was sent.</source>
        <translation>Возможно, кто-то перехватывает соединение, или администратор заменил ключ сервера. Соединение остановлено до отправки вашего ключа.</translation>
    </message>
    <message>
        <source>Trusted key:</source>
        <translation>Доверенный ключ:</translation>
    </message>
    <message>
        <source>Key offered now:</source>
        <translation>Ключ, предложенный сейчас:</translation>
    </message>
    <message>
        <source>&lt;b&gt;How to fix it:&lt;/b&gt; ask the administrator for the server&apos;s fingerprint, by phone or in person. Only if it is the key offered now, remove the old key in &lt;i&gt;Keys &amp;gt; Trusted servers&lt;/i&gt; (or run &lt;tt&gt;quietwire-cli forget %1&lt;/tt&gt;) and connect again; you will be asked to compare the new fingerprint. The trusted keys are kept in %2.</source>
        <translation>&lt;b&gt;Как это исправить:&lt;/b&gt; узнайте отпечаток ключа сервера у администратора — по телефону или лично. Только если это ключ, предложенный сейчас, удалите старый ключ в разделе &lt;i&gt;Ключи &amp;gt; Доверенные серверы&lt;/i&gt; (или выполните &lt;tt&gt;quietwire-cli forget %1&lt;/tt&gt;) и подключитесь снова; вас попросят сверить новый отпечаток. Доверенные ключи хранятся в %2.</translation>
    </message>
    <message>
        <source>Open &amp;trusted servers</source>
        <translation>Открыть &amp;доверенные серверы</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Язык:</translation>
    </message>
    <message>
        <source>Your key, the trusted servers and these settings are kept in %1 (shared with quietwire-cli; &lt;tt&gt;--config-dir&lt;/tt&gt; chooses another folder).</source>
        <translation>Ваш ключ, доверенные серверы и эти настройки хранятся в %1 (общие с quietwire-cli; &lt;tt&gt;--config-dir&lt;/tt&gt; выбирает другую папку).</translation>
    </message>
    <message>
        <source>&amp;Closing the window keeps QuietWire running in the system tray</source>
        <translation>&amp;При закрытии окна QuietWire продолжает работать в системном лотке</translation>
    </message>
    <message>
        <source>&amp;Notify me of direct messages and of messages that mention my name</source>
        <translation>&amp;Уведомлять о личных сообщениях и сообщениях, где упомянуто моё имя</translation>
    </message>
    <message>
        <source>Shown by the desktop while the window is not active; muted conversations never notify</source>
        <translation>Показываются рабочим столом, пока окно не активно; беседы без звука не уведомляют никогда</translation>
    </message>
    <message>
        <source>&amp;Closing the window keeps QuietWire running, minimised (this desktop has no system tray)</source>
        <translation>&amp;При закрытии окна QuietWire продолжает работать, свёрнутым (на этом рабочем столе нет системного лотка)</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::TransferList</name>
    <message>
        <source>Cancel the selected transfers (what arrived is kept for a later resume)</source>
        <translation>Отменить выбранные передачи (полученное сохранится, чтобы продолжить позже)</translation>
    </message>
    <message>
        <source>Try the selected transfers again, continuing where they stopped</source>
        <translation>Повторить выбранные передачи, продолжив с места остановки</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::TransferModel</name>
    <message>
        <source>File</source>
        <translation>Файл</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Прогресс</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>Скорость</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>Осталось</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Состояние</translation>
    </message>
    <message>
        <source>Waiting: %1 transfers run at a time</source>
        <translation>Ожидание: одновременно выполняется не более %1 передач</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Подключение…</translation>
    </message>
    <message>
        <source>%1 of %2, resumed at %3</source>
        <translation>%1 из %2, продолжено с %3</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 из %2</translation>
    </message>
    <message>
        <source>Done: %1, SHA-256 verified</source>
        <translation>Готово: %1, SHA-256 проверена</translation>
    </message>
    <message>
        <source>Interrupted: %1 (Retry, or reconnect, resumes it)</source>
        <translation>Прервано: %1 (повтор или новое подключение продолжат передачу)</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Ошибка: %1</translation>
    </message>
    <message>
        <source>Cancelled (Retry resumes it)</source>
        <translation>Отменено (повтор продолжит передачу)</translation>
    </message>
    <message>
        <source>Upload of %1 to %2</source>
        <translation>Отправка %1 в %2</translation>
    </message>
    <message>
        <source>Download of %1 to %2</source>
        <translation>Загрузка %1 в %2</translation>
    </message>
    <message>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <source>Not connected: connect to the server, then retry</source>
        <translation>Нет подключения: подключитесь к серверу и повторите</translation>
    </message>
    <message>
        <source>Interrupted: the connection was replaced (Retry continues it)</source>
        <translation>Прервано: соединение было заменено (повтор продолжит передачу)</translation>
    </message>
    <message>
        <source>, %1 skipped (see the files below)</source>
        <translation>, пропущено: %1 (см. файлы ниже)</translation>
    </message>
    <message>
        <source>Listing the folder…</source>
        <translation>Чтение содержимого папки…</translation>
    </message>
    <message>
        <source>%1 of %2 files, %3 of %4%5</source>
        <translation>%1 из %2 файлов, %3 из %4%5</translation>
    </message>
    <message>
        <source>Done: %1 files (%2 sent, %3 already there), SHA-256 verified%4</source>
        <translation>Готово: файлов %1 (передано %2, уже были на месте %3), SHA-256 проверена%4</translation>
    </message>
    <message>
        <source>%1 of %2 files failed%3 (Retry continues it)</source>
        <translation>Не удалось передать файлов: %1 из %2%3 (повтор продолжит передачу)</translation>
    </message>
    <message>
        <source>Stopped at %1 of %2 files (Retry continues it)</source>
        <translation>Остановлено на %1 из %2 файлов (повтор продолжит передачу)</translation>
    </message>
    <message>
        <source>Upload of the folder %1 to %2</source>
        <translation>Отправка папки %1 в %2</translation>
    </message>
    <message>
        <source>Download of the folder %1 to %2</source>
        <translation>Загрузка папки %1 в %2</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Ожидание</translation>
    </message>
    <message>
        <source>Comparing with the copy there (SHA-256)…</source>
        <translation>Сравнение с имеющейся копией (SHA-256)…</translation>
    </message>
    <message>
        <source>Already there: the same %1 (SHA-256)</source>
        <translation>Уже на месте: те же %1 (SHA-256)</translation>
    </message>
    <message>
        <source>Skipped: %1</source>
        <translation>Пропущено: %1</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::TrayIcon</name>
    <message>
        <source>QuietWire</source>
        <translation>QuietWire</translation>
    </message>
    <message>
        <source>QuietWire — %1</source>
        <translation>QuietWire — %1</translation>
    </message>
    <message>
        <source>%1
Unread messages: %2</source>
        <translation>%1
Непрочитанных сообщений: %2</translation>
    </message>
    <message>
        <source>%1
No unread messages</source>
        <translation>%1
Нет непрочитанных сообщений</translation>
    </message>
    <message>
        <source>&amp;Hide QuietWire</source>
        <translation>&amp;Скрыть QuietWire</translation>
    </message>
    <message>
        <source>&amp;Show QuietWire</source>
        <translation>&amp;Показать QuietWire</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Выход</translation>
    </message>
</context>
<context>
    <name>QuietWire::Gui::UnknownServerDialog</name>
    <message>
        <source>New server: compare the fingerprint</source>
        <translation>Новый сервер: сверьте отпечаток</translation>
    </message>
    <message>
        <source>&lt;b&gt;This is the first connection to %1.&lt;/b&gt;&lt;br&gt;Its key fingerprint is:</source>
        <translation>&lt;b&gt;Это первое подключение к %1.&lt;/b&gt;&lt;br&gt;Отпечаток его ключа:</translation>
    </message>
    <message>
        <source>Compare it with the fingerprint the server&apos;s administrator gave you (the server prints it at start, and &lt;tt&gt;quietwired fingerprint&lt;/tt&gt; shows it). Trust the server only if both are the same; if they differ, someone may be between you and the server: cancel and tell the administrator.</source>
        <translation>Сверьте его с отпечатком, который дал вам администратор сервера (сервер печатает его при запуске, а также его показывает &lt;tt&gt;quietwired fingerprint&lt;/tt&gt;). Доверяйте серверу, только если они совпадают; если они различаются, между вами и сервером может быть посредник: отмените подключение и сообщите администратору.</translation>
    </message>
    <message>
        <source>Trust &amp;once</source>
        <translation>Доверять &amp;один раз</translation>
    </message>
    <message>
        <source>Connect now, and ask again next time</source>
        <translation>Подключиться сейчас и спросить снова в следующий раз</translation>
    </message>
    <message>
        <source>&amp;Always trust</source>
        <translation>&amp;Всегда доверять</translation>
    </message>
    <message>
        <source>Remember this key for %1 (in known_servers) and connect</source>
        <translation>Запомнить этот ключ для %1 (в known_servers) и подключиться</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
</context>
<context>
    <name>QuietWire::NoiseHandshake</name>
    <message>
        <source>Cannot write handshake message: %1</source>
        <translation>Не удалось сформировать сообщение рукопожатия: %1</translation>
    </message>
    <message>
        <source>The peer sent a handshake message out of turn</source>
        <translation>Собеседник прислал сообщение рукопожатия не в свою очередь</translation>
    </message>
    <message>
        <source>Handshake message from the peer is invalid (%1); is it a QuietWire/1 peer?</source>
        <translation>Сообщение рукопожатия от собеседника неверно (%1); это точно узел QuietWire/1?</translation>
    </message>
</context>
<context>
    <name>QuietWire::Outbox</name>
    <message>
        <source>the connection closed before the server confirmed it; this server (chat protocol version 1) cannot recognise a resend, so it was not sent again: check whether it arrived</source>
        <translation>соединение закрылось до того, как сервер подтвердил его; этот сервер (протокол чата версии 1) не распознаёт повторную отправку, поэтому сообщение не отправлено ещё раз: проверьте, дошло ли оно</translation>
    </message>
</context>
<context>
    <name>QuietWire::PrefixHasher</name>
    <message>
        <source>the file is shorter</source>
        <translation>файл короче</translation>
    </message>
</context>
<context>
    <name>QuietWire::ServiceClient</name>
    <message>
        <source>The server %1 is not known yet. Its key fingerprint is %2. Compare it with the fingerprint the administrator gives you (`quietwired fingerprint`) and, if they match, trust it (quietwire-cli: --trust-new).</source>
        <translation>Сервер %1 пока неизвестен. Отпечаток его ключа: %2. Сверьте его с отпечатком, который даст вам администратор (`quietwired fingerprint`), и, если они совпадают, доверьтесь ему (quietwire-cli: --trust-new).</translation>
    </message>
    <message>
        <source>Cannot check the server key: %1</source>
        <translation>Не удалось проверить ключ сервера: %1</translation>
    </message>
    <message>
        <source>WARNING: THE KEY OF SERVER %1 HAS CHANGED.
  Pinned key:  %2
  Offered key: %3
Someone may be intercepting this connection, or the administrator replaced the server key. The connection was stopped before your key was sent. Ask the administrator for the server&apos;s fingerprint; only if it is the offered one, remove the old pin (quietwire-cli forget %1, or Keys &gt; Trusted servers) and connect again.</source>
        <translation>ВНИМАНИЕ: КЛЮЧ СЕРВЕРА %1 ИЗМЕНИЛСЯ.
  Закреплённый ключ:  %2
  Предложенный ключ: %3
Возможно, кто-то перехватывает соединение, или администратор заменил ключ сервера. Соединение остановлено до отправки вашего ключа. Узнайте отпечаток сервера у администратора; только если это предложенный ключ, удалите старую запись (quietwire-cli forget %1 или Ключи &gt; Доверенные серверы) и подключитесь снова.</translation>
    </message>
    <message>
        <source>The server %1 refused your key %2: it is not on the server&apos;s whitelist. Give the administrator this line to allow it:
%3</source>
        <translation>Сервер %1 отклонил ваш ключ %2: его нет в белом списке сервера. Передайте администратору эту строку, чтобы он его разрешил:
%3</translation>
    </message>
    <message>
        <source>The server %1 refused the session: %2</source>
        <translation>Сервер %1 отказал в сеансе: %2</translation>
    </message>
    <message>
        <source>The server sent a message that is not understood (%1); closing</source>
        <translation>Сервер прислал непонятное сообщение (%1); соединение закрывается</translation>
    </message>
    <message>
        <source>The server closed the session: %1</source>
        <translation>Сервер закрыл сеанс: %1</translation>
    </message>
    <message>
        <source>The server %1 shut down (its administrator stopped it); it may be back soon (the desktop client and an interactive chat reconnect by themselves).</source>
        <translation>Сервер %1 завершил работу (его остановил администратор); возможно, он скоро заработает снова (программа для рабочего стола и интерактивный чат подключатся сами).</translation>
    </message>
</context>
<context>
    <name>QuietWire::TreeTransfer</name>
    <message>
        <source>%1 is not a folder</source>
        <translation>%1 — не папка</translation>
    </message>
    <message>
        <source>Cannot read the folder %1</source>
        <translation>Не удалось прочитать папку %1</translation>
    </message>
    <message>
        <source>a symbolic link (to %1): links are not followed or stored</source>
        <translation>символическая ссылка (на %1): по ссылкам не переходят и их не сохраняют</translation>
    </message>
    <message>
        <source>a device, fifo or socket: only files and folders are sent</source>
        <translation>устройство, канал или сокет: передаются только файлы и папки</translation>
    </message>
    <message>
        <source>Cannot list %1 on the server: %2</source>
        <translation>Не удалось получить содержимое %1 на сервере: %2</translation>
    </message>
    <message>
        <source>neither a file nor a folder on the server (a symbolic link?): not fetched</source>
        <translation>на сервере это ни файл, ни папка (символическая ссылка?): не скачано</translation>
    </message>
    <message>
        <source>Cannot create the folder %1 here</source>
        <translation>Не удалось создать здесь папку %1</translation>
    </message>
    <message>
        <source>%1 exists on the server and is not a folder</source>
        <translation>%1 уже есть на сервере, и это не папка</translation>
    </message>
    <message>
        <source>the server refuses this name: %1</source>
        <translation>сервер не принимает это имя: %1</translation>
    </message>
    <message>
        <source>in %1: %2</source>
        <translation>в %1: %2</translation>
    </message>
    <message>
        <source>The connection closed while the server compared the copies; run it again to continue</source>
        <translation>Соединение закрылось, пока сервер сравнивал копии; запустите снова, чтобы продолжить</translation>
    </message>
    <message>
        <source>Cancelled; run the folder again to continue it</source>
        <translation>Отменено; запустите папку снова, чтобы продолжить</translation>
    </message>
</context>
<context>
    <name>Translations</name>
    <message>
        <source>System language</source>
        <translation>Язык системы</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>QuietWire cannot start</source>
        <translation>QuietWire не может запуститься</translation>
    </message>
    <message>
        <source>Cannot connect</source>
        <translation>Не удалось подключиться</translation>
    </message>
    <message>
        <source>--connect %1 is not HOST or HOST:PORT</source>
        <translation>--connect %1 — это не ХОСТ или ХОСТ:ПОРТ</translation>
    </message>
</context>
</TS>
