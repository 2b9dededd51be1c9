#include "AdminCommands.h"

#include "AuthorizedKeys.h"
#include "ChatProtocol.h"
#include "ChatService.h"
#include "ChatStore.h"
#include "DataDirLock.h"
#include "FileArea.h"
#include "Identity.h"
#include "KnownClients.h"
#include "Logging.h"
#include "RemoteConsole.h"
#include "RoomCommands.h"
#include "ServerApp.h"
#include "StoreThread.h"
#include "StoreUrl.h"
#include "TextFile.h"
#include "Whitelist.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSysInfo>
#include <QTextStream>
#include <QThread>
#include <memory>

namespace QuietWire {

using Result = AdminCommand::Result;

QString AdminContext::authorizedKeysPath() const
{
    return server ? server->authorizedKeysPath() : QDir(dataDir).filePath(QStringLiteral("authorized_keys"));
}

namespace {

Result fail(AdminContext& context, const QString& message)
{
    context.fail(message);
    return Result::Failed;
}

QString whitelistLine(const AuthorizedKeys::Entry& entry)
{
    return QStringLiteral("%1  %2  %3")
        .arg(AuthorizedKeys::displayName(entry), -16)
        .arg(Identity::fingerprint(entry.key), Identity::encodePublicKey(entry.key));
}

void printIdentity(AdminContext& context, const Identity& identity)
{
    context.print(identity.publicKeyLine());
    context.print(identity.fingerprint());
}

/// The running server re-reads the whitelist after an edit from its console (offline, its file
/// watcher does within a second).
void reloadWhitelist(AdminContext& context)
{
    if (context.server) {
        context.server->reloadWhitelist();
    }
}

/// Several nodes (--store postgresql://...): the whitelist is kept in the store, not in the file.
bool keptInStore(const AdminContext& context)
{
    return context.store.driver == QLatin1String("QPSQL");
}

/// Runs work on the shared store: on the server's store thread from the console, on a connection
/// of its own offline; false (error set) when the store cannot be opened.
bool withStore(AdminContext& context, const std::function<bool(ChatStore&)>& work, QString* error);

/// The text of the whitelist kept in the shared store.
std::optional<QByteArray> storedWhitelist(AdminContext& context, QString* error)
{
    std::optional<QByteArray> text;
    if (!withStore(
            context,
            [&](ChatStore& store) {
                text = store.whitelistText();
                if (!text) {
                    *error = store.failure().message;
                }
                return text.has_value();
            },
            error)) {
        return std::nullopt;
    }
    return text;
}

/// Changes the whitelist kept in the shared store in one transaction: edit returns the new text,
/// or nullopt with its error to change nothing. The nodes learn of it from the store.
bool editStoredWhitelist(AdminContext& context,
    const std::function<std::optional<QByteArray>(const QByteArray& text, const QString& source, QString* error)>& edit,
    QString* error)
{
    const QString source = QStringLiteral("the whitelist in %1").arg(storeUrlForDisplay(context.store));
    return withStore(
        context,
        [&](ChatStore& store) {
            QString editError;
            if (store.editWhitelist([&](const QByteArray& text) { return edit(text, source, &editError); })) {
                return true;
            }
            *error = store.failure().error == StoreError::Refused ? editError : store.failure().message;
            return false;
        },
        error);
}

Result keygen(AdminContext& context, const QStringList&, const QString&)
{
    if (QFileInfo::exists(QDir(context.dataDir).filePath(QLatin1String(Identity::PrivateKeyFile)))) {
        return fail(context,
            QStringLiteral("%1 already holds a server key; move identity.key away first if you "
                           "really want a new one (every client will then see a changed key)")
                .arg(context.dataDir));
    }
    QString error;
    const auto identity = Identity::loadOrCreate(
        context.dataDir, QStringLiteral("quietwired@%1").arg(QSysInfo::machineHostName()), &error);
    if (!identity) {
        return fail(context, error);
    }
    printIdentity(context, *identity);
    return Result::Done;
}

QString storePath(const AdminContext& context)
{
    return QDir(context.dataDir).filePath(QLatin1String(ChatStore::FileName));
}

/// The store the commands open: --store's, else the SQLite file in the data dir.
ChatStore::Options storeOptions(const AdminContext& context)
{
    ChatStore::Options options = context.store;
    if (options.databaseName.isEmpty()) {
        options.databaseName = storePath(context);
    }
    return options;
}

/// The console's backup: on a thread of its own with a connection of its own, so the server goes
/// on serving, and storing messages, while the copy is written; the console waits for it.
Result backupInBackground(AdminContext& context, const ChatStore::Options& options, const QString& target)
{
    auto error = std::make_shared<QString>(); // empty: written
    QThread* worker = QThread::create([options, target, error] {
        StoreFailure failure;
        const auto store = ChatStore::open(options, &failure);
        if (!store) {
            *error = failure.message;
        } else if (!store->backup(target)) {
            *error = store->failure().message;
        }
    });
    // A server told to stop lets the copy finish first, so no half-written backup is left.
    QObject::connect(qApp, &QCoreApplication::aboutToQuit, worker, [worker] { worker->wait(); });
    QObject::connect(worker, &QThread::finished, context.server, [context, worker, error, options, target] {
        worker->deleteLater();
        if (!error->isEmpty()) {
            context.fail(*error);
            context.finish(false);
            return;
        }
        qCInfo(lcServer).noquote() << "console: chat store backed up to" << Logging::escaped(target, 300);
        context.print(QStringLiteral("Backed up %1 to %2").arg(options.databaseName, target));
        context.finish(true);
    });
    worker->start();
    return Result::Pending;
}

Result backup(AdminContext& context, const QStringList& args, const QString&)
{
    if (args.size() != 1) {
        return fail(context, QStringLiteral("usage: backup FILE (a new file: a backup never writes over one)"));
    }
    // A consistent copy while the server runs too: SQLite reads one snapshot of the store, on a
    // connection of its own.
    const ChatStore::Options options = storeOptions(context);
    if (context.server) {
        // The file is the server's to write: a relative path would be relative to the server's
        // working directory, not the administrator's.
        if (QFileInfo(args.first()).isRelative()) {
            return fail(context,
                QStringLiteral("backup FILE needs an absolute path on the console (%1 would be relative to the "
                               "server's working directory)")
                    .arg(args.first()));
        }
        return backupInBackground(context, options, args.first());
    }
    const QString target = QFileInfo(args.first()).absoluteFilePath();
    StoreFailure failure;
    const auto store = ChatStore::open(options, &failure);
    if (!store) {
        return fail(context, failure.message);
    }
    if (!store->backup(target)) {
        return fail(context, store->failure().message);
    }
    context.print(QStringLiteral("Backed up %1 to %2").arg(options.databaseName, target));
    return Result::Done;
}

Result restore(AdminContext& context, const QStringList& args, const QString&)
{
    if (args.size() != 1) {
        return fail(context, QStringLiteral("usage: restore FILE (a file `quietwired backup` made)"));
    }
    if (context.store.driver != QLatin1String("QSQLITE")) {
        return fail(context,
            QStringLiteral("restore replaces the SQLite store; a PostgreSQL store is restored with the database's own "
                           "tools (pg_restore): see docs/SCALING.md"));
    }
    DataDirLock running(context.dataDir);
    QString error;
    if (!running.acquire(&error)) {
        return fail(context, QStringLiteral("cannot restore while %1").arg(error));
    }
    QString aside;
    StoreFailure failure;
    if (!ChatStore::restore(QFileInfo(args.first()).absoluteFilePath(), storePath(context), &aside, &failure)) {
        return fail(context, failure.message);
    }
    context.print(
        QStringLiteral("Restored %1 from %2").arg(storePath(context), QFileInfo(args.first()).absoluteFilePath()));
    if (!aside.isEmpty()) {
        context.print(QStringLiteral("The store it replaced is kept as %1").arg(aside));
    }
    return Result::Done;
}

bool withStore(AdminContext& context, const std::function<bool(ChatStore&)>& work, QString* error)
{
    if (context.server) {
        return context.server->chat()->store()->call([&work](ChatStore& store) { return work(store); });
    }
    StoreFailure failure;
    const auto store = ChatStore::open(storeOptions(context), &failure);
    if (!store) {
        *error = failure.message;
        return false;
    }
    return work(*store);
}

/// The whitelist offline: the file's, or the shared store's.
std::optional<AuthorizedKeys> loadWhitelist(AdminContext& context, QString* error)
{
    if (!keptInStore(context)) {
        return AuthorizedKeys::load(context.authorizedKeysPath(), error);
    }
    const auto text = storedWhitelist(context, error);
    return text ? AuthorizedKeys::parse(
               *text, QStringLiteral("the whitelist in %1").arg(storeUrlForDisplay(context.store)), error)
                : std::nullopt;
}

/// The names on the whitelist: the running server's, or offline the file's; nullopt (reported) when
/// the file cannot be read.
std::optional<QSet<QString>> whitelistNames(AdminContext& context)
{
    std::optional<AuthorizedKeys> loaded;
    if (!context.server) {
        QString error;
        loaded = loadWhitelist(context, &error);
        if (!loaded) {
            context.fail(error);
            return std::nullopt;
        }
    }
    QSet<QString> names;
    // The names the chat knows its users by (a key without a name: its short fingerprint).
    for (const auto& entry : (context.server ? context.server->whitelist()->keys() : *loaded).entries()) {
        names.insert(AuthorizedKeys::displayName(entry));
    }
    return names;
}

/// Offline, with no server running: the store opened here, under the data dir's lock. With a server
/// running on the data dir, the command goes to its console instead, so its sessions learn of the
/// change.
Result roomsOffline(AdminContext& context, const QString& name, const RoomCommands::Command& command)
{
    if (!QFileInfo(context.dataDir).isDir()) {
        return fail(context,
            QStringLiteral("%1 does not exist: no server has run there (see --data-dir)").arg(context.dataDir));
    }
    DataDirLock lock(context.dataDir);
    QString error;
    if (!lock.acquire(&error)) {
        if (!lock.heldByServer()) {
            return fail(context, error);
        }
        const QString line = (QStringList { name } + command.words()).join(QLatin1Char(' '));
        return RemoteConsole::forward(line, context.dataDir, context.print, context.fail) == 0 ? Result::Done
                                                                                               : Result::Failed;
    }
    const auto names = whitelistNames(context);
    if (!names) {
        return Result::Failed;
    }
    StoreFailure failure;
    const ChatStore::Options options = storeOptions(context);
    const auto store = ChatStore::open(options, &failure);
    if (!store) {
        return fail(context, failure.message);
    }
    const RoomCommands::Result result = RoomCommands::run(*store, command, *names, QDateTime::currentMSecsSinceEpoch());
    if (result.error != RoomCommands::Error::None) {
        return fail(context, result.message);
    }
    for (const QString& line : result.lines) {
        context.print(line);
    }
    // A deleted room's shared folder is kept aside, as the running server does (ADMIN.md).
    if (command.action == RoomCommands::Command::Action::Delete && result.changed != 0) {
        QString moveError;
        const QString kept = FileArea::keepAside(context.roomsRoot, result.changed, &moveError);
        if (!kept.isEmpty()) {
            context.print(QStringLiteral("its shared folder is kept at %1").arg(kept));
        } else if (!moveError.isEmpty()) {
            context.print(QStringLiteral("its shared folder could not be kept aside: %1").arg(moveError));
        }
    }
    return Result::Done;
}

/// On the console of the running server: the command runs on the store's thread (after what was
/// posted before it; the console waits), then the chat re-reads the conversation it changed and
/// tells the sessions concerned.
Result roomsOnServer(AdminContext& context, const RoomCommands::Command& command)
{
    const auto names = whitelistNames(context);
    ChatService* chat = context.server->chat();
    const RoomCommands::Result result = chat->store()->call([&command, &names](ChatStore& store) {
        return RoomCommands::run(store, command, *names, QDateTime::currentMSecsSinceEpoch());
    });
    if (result.error != RoomCommands::Error::None) {
        return fail(context, result.message);
    }
    if (result.changed != 0) {
        chat->reload(result.changed);
    }
    if (!result.logLine.isEmpty()) {
        qCInfo(lcChat).noquote() << "console:" << Logging::escaped(result.logLine, 300);
    }
    for (const QString& line : result.lines) {
        context.print(line);
    }
    return Result::Done;
}

Result roomCommand(AdminContext& context, const QString& name, const QStringList& args)
{
    RoomCommands::Command command;
    QString error;
    if (!RoomCommands::parse(name, args, &command, &error)) {
        return fail(context, error);
    }
    return context.server ? roomsOnServer(context, command) : roomsOffline(context, name, command);
}

Result rooms(AdminContext& context, const QStringList& args, const QString&)
{
    return roomCommand(context, QStringLiteral("rooms"), args);
}

Result room(AdminContext& context, const QStringList& args, const QString&)
{
    return roomCommand(context, QStringLiteral("room"), args);
}

Result help(AdminContext& context, const QStringList&, const QString&)
{
    context.print(AdminCommands::consoleHelp());
    return Result::Done;
}

Result whitelist(AdminContext& context, const QStringList&, const QString&)
{
    if (context.server) {
        const auto& entries = context.server->whitelist()->keys().entries();
        if (entries.isEmpty()) {
            context.print(
                QStringLiteral("The whitelist is empty: no client can connect. Use `allow <key line> <name>`."));
        }
        for (const auto& entry : entries) {
            context.print(whitelistLine(entry));
        }
        return Result::Done;
    }
    QString error;
    const auto keys = loadWhitelist(context, &error);
    if (!keys) {
        return fail(context, error);
    }
    for (const auto& entry : keys->entries()) {
        context.print(whitelistLine(entry));
    }
    return Result::Done;
}

Result allow(AdminContext& context, const QStringList& args, const QString&)
{
    // The whole identity.pub line as `quietwire-cli key` prints it ("KEY COMMENT"), quoted or not,
    // then the name the administrator chooses: nothing is taken from the comment, which the key's
    // owner wrote.
    const bool offline = context.where == AdminContext::Where::Offline;
    AuthorizedKeys::AllowCommand command;
    const auto parseError = AuthorizedKeys::parseAllowWords(
        args.join(QLatin1Char(' ')).split(QLatin1Char(' '), Qt::SkipEmptyParts), &command);
    if (parseError != AuthorizedKeys::AllowError::None) {
        return fail(context,
            AuthorizedKeys::allowErrorMessage(parseError, command,
                offline ? AuthorizedKeys::AllowSyntax::CommandLine : AuthorizedKeys::AllowSyntax::Console));
    }
    if (offline) {
        QDir().mkpath(context.dataDir);
    }
    QString error;
    const auto shared
        = command.samePerson ? AuthorizedKeys::SharedName::SamePerson : AuthorizedKeys::SharedName::Refuse;
    const bool allowed = keptInStore(context)
        ? editStoredWhitelist(
            context,
            [&](const QByteArray& text, const QString& source, QString* editError) {
                return AuthorizedKeys::withKey(text, source, command.key, command.name, editError, shared);
            },
            &error)
        : AuthorizedKeys::appendKey(context.authorizedKeysPath(), command.key, command.name, &error, shared);
    if (!allowed) {
        return fail(context, error);
    }
    reloadWhitelist(context);
    context.print(QStringLiteral("allowed %1 as %2").arg(Identity::fingerprint(command.key), command.name));
    return Result::Done;
}

Result revoke(AdminContext& context, const QStringList& args, const QString&)
{
    if (args.size() != 1) {
        return fail(context,
            context.where == AdminContext::Where::Offline
                ? QStringLiteral("usage: quietwired revoke --data-dir DIR <key|fingerprint|name>")
                : QStringLiteral("usage: revoke <key|fingerprint|name>"));
    }
    QString error;
    std::optional<QList<AuthorizedKeys::Entry>> removed;
    if (keptInStore(context)) {
        editStoredWhitelist(
            context,
            [&](const QByteArray& text, const QString& source, QString* editError) -> std::optional<QByteArray> {
                const auto removal = AuthorizedKeys::withoutKeys(text, source, args.at(0), editError);
                if (!removal) {
                    return std::nullopt;
                }
                removed = removal->removed;
                return removal->text;
            },
            &error);
        if (!error.isEmpty()) {
            removed.reset(); // the commit failed after the edit
        }
    } else {
        removed = AuthorizedKeys::removeKeys(context.authorizedKeysPath(), args.at(0), &error);
    }
    if (!removed) {
        return fail(context, error);
    }
    reloadWhitelist(context);
    for (const auto& entry : *removed) {
        context.print(QStringLiteral("revoked %1 (%2)")
                          .arg(Identity::fingerprint(entry.key), AuthorizedKeys::displayName(entry)));
    }
    return Result::Done;
}

/// Several nodes: the whitelist of an authorized_keys file becomes the shared store's, once.
Result importWhitelist(AdminContext& context, const QStringList& args, const QString&)
{
    if (!keptInStore(context)) {
        return fail(context,
            QStringLiteral("import-whitelist copies an authorized_keys file into a PostgreSQL store: give --store "
                           "postgresql://... (docs/SCALING.md); a single server reads its authorized_keys itself"));
    }
    if (args.size() > 1) {
        return fail(context,
            QStringLiteral("usage: quietwired --store URL import-whitelist [FILE] (default: "
                           "the data directory's authorized_keys)"));
    }
    const QString path = args.isEmpty() ? context.authorizedKeysPath() : QFileInfo(args.first()).absoluteFilePath();
    QString error;
    const auto file = TextFile::readSmall(path, AuthorizedKeys::MaxFileSize, &error);
    if (!file) {
        return fail(context, error);
    }
    const auto keys = AuthorizedKeys::parse(*file, path, &error);
    if (!keys) {
        return fail(context, error + QStringLiteral(" (nothing was imported)"));
    }
    const bool imported = editStoredWhitelist(
        context,
        [&](const QByteArray& text, const QString& source, QString* editError) -> std::optional<QByteArray> {
            const auto current = AuthorizedKeys::parse(text, source, editError);
            if (!current) {
                return std::nullopt;
            }
            if (!current->isEmpty()) {
                *editError = QStringLiteral("%1 holds %2 key(s) already: import-whitelist fills an empty one only "
                                            "(use allow and revoke to change it; nothing was imported)")
                                 .arg(source)
                                 .arg(current->entries().size());
                return std::nullopt;
            }
            return *file;
        },
        &error);
    if (!imported) {
        return fail(context, error);
    }
    reloadWhitelist(context);
    context.print(QStringLiteral("imported %1 key(s) from %2").arg(keys->entries().size()).arg(path));
    return Result::Done;
}

Result sessions(AdminContext& context, const QStringList&, const QString&)
{
    const auto sessions = context.server->sessions();
    if (sessions.isEmpty()) {
        context.print(QStringLiteral("No sessions."));
    }
    for (const Session* session : sessions) {
        context.print(QStringLiteral("%1  %2  %3  %4  %5  port %6  since %7")
                          .arg(session->id, 4)
                          .arg(session->name, -16)
                          .arg(session->fingerprint, session->address.toString(), session->service)
                          .arg(session->sessionPort)
                          .arg(session->since.toString(Qt::ISODate)));
    }
    return Result::Done;
}

Result kick(AdminContext& context, const QStringList& args, const QString&)
{
    bool ok = false;
    const int id = args.value(0).toInt(&ok);
    if (!ok || args.size() != 1) {
        return fail(context, QStringLiteral("usage: kick <session id>  (`sessions` lists the ids)"));
    }
    QString error;
    if (!context.server->kick(id, &error)) {
        return fail(context, error);
    }
    context.print(QStringLiteral("kicked session %1").arg(id));
    return Result::Done;
}

Result clients(AdminContext& context, const QStringList&, const QString&)
{
    const auto& entries = context.server->knownClients()->entries();
    if (entries.isEmpty()) {
        context.print(QStringLiteral("No client has connected yet."));
    }
    for (const auto& entry : entries) {
        const auto* allowed = context.server->whitelist()->find(entry.key);
        context.print(QStringLiteral("%1  %2  %3  first %4  last %5")
                          .arg(entry.address, -15)
                          .arg(Identity::fingerprint(entry.key))
                          .arg(allowed ? AuthorizedKeys::displayName(*allowed) : QStringLiteral("(not allowed)"), -16)
                          .arg(entry.firstSeen.toString(Qt::ISODate), entry.lastSeen.toString(Qt::ISODate)));
    }
    return Result::Done;
}

Result say(AdminContext& context, const QStringList&, const QString& text)
{
    if (text.isEmpty()) {
        return fail(context, QStringLiteral("usage: say <text>"));
    }
    // The same rules as a member's message: no escape sequences in the members' terminals.
    qsizetype position = -1;
    if (const auto error = ChatProtocol::checkText(text, &position); error != ChatProtocol::TextError::None) {
        return fail(context, ChatProtocol::describe(error, text, position));
    }
    context.server->say(text);
    context.print(QStringLiteral("said to %1").arg(QStringLiteral("everyone in the chat")));
    return Result::Done;
}

/// One line of `files`: what folder uses of its quota.
QString usageLine(FileArea* area, const QString& label, const QString& folder)
{
    const FileArea::Usage usage = QFileInfo::exists(folder) ? area->usage(folder) : FileArea::Usage();
    const qint64 quota = area->quotaOf(folder);
    return QStringLiteral("%1: %2 bytes in %3 files and folders, %4% of the %5-byte quota (%6)")
        .arg(label)
        .arg(usage.bytes)
        .arg(usage.entries)
        .arg(quota > 0 ? usage.bytes * 100 / quota : 0)
        .arg(quota)
        .arg(folder);
}

/// `files` alone: every home under the files root, then every shared folder with its room's name
/// (or the two names of a direct conversation) from the store.
Result allFiles(AdminContext& context)
{
    FileArea* area = context.server->fileArea();
    const QDir homes(area->root());
    for (const QString& name : homes.entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name)) {
        context.print(usageLine(area, QStringLiteral("home %1").arg(name), homes.filePath(name)));
    }
    const QDir shared(area->roomsRoot());
    QList<qint64> ids;
    for (const QString& name : shared.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool ok = false;
        const qint64 id = name.toLongLong(&ok);
        if (ok && QString::number(id) == name) {
            ids.append(id);
        }
    }
    std::sort(ids.begin(), ids.end());
    const QList<std::optional<Conversation>> conversations
        = context.server->chat()->store()->call([&ids](ChatStore& store) {
              QList<std::optional<Conversation>> found;
              for (const qint64 id : ids) {
                  found.append(store.conversation(id));
              }
              return found;
          });
    for (qsizetype i = 0; i < ids.size(); ++i) {
        const auto& conversation = conversations.at(i);
        const QString label = !conversation                  ? QStringLiteral("conversation %1 (gone)").arg(ids.at(i))
            : conversation->kind == Conversation::Kind::Room ? QStringLiteral("room %1").arg(conversation->name)
                                                             : QStringLiteral("direct %1").arg(conversation->name);
        context.print(usageLine(area, label, area->sharedFolderPath(ids.at(i))));
    }
    if (homes.isEmpty() && ids.isEmpty()) {
        context.print(QStringLiteral("no file folders yet"));
    }
    return Result::Done;
}

Result files(AdminContext& context, const QStringList& args, const QString&)
{
    if (args.isEmpty()) {
        return allFiles(context);
    }
    QString error;
    const QString home = args.size() == 1 ? context.server->homeFolderOf(args.at(0), &error) : QString();
    if (home.isEmpty()) {
        return fail(context, args.size() == 1 ? error : QStringLiteral("usage: files [<name>]"));
    }
    context.print(usageLine(context.server->fileArea(), args.at(0), home));
    return Result::Done;
}

Result fingerprint(AdminContext& context, const QStringList&, const QString&)
{
    if (context.server) {
        printIdentity(context, context.server->identity());
        return Result::Done;
    }
    QString error;
    const auto identity = Identity::load(context.dataDir, &error);
    if (!identity) {
        return fail(
            context, error + QStringLiteral(" (`quietwired keygen --data-dir %1` creates one)").arg(context.dataDir));
    }
    printIdentity(context, *identity);
    return Result::Done;
}

Result quit(AdminContext& context, const QStringList&, const QString&)
{
    context.print(context.remoteConsole
            ? QStringLiteral("Console closed; the server keeps running (systemctl stop quietwired stops it).")
            : QStringLiteral("Stopping the server."));
    return Result::Quit;
}

Result console(AdminContext& context, const QStringList& args, const QString&)
{
    return RemoteConsole::run(args, context.dataDir, context.fail) == 0 ? Result::Done : Result::Failed;
}

// In the order of the help texts. The console's lines are aligned for `help`, the offline ones
// for quietwired --help.
const QList<AdminCommand> Commands = {
    { "keygen", nullptr, AdminCommand::Offline, "keygen                       create the server key in the data dir\n",
        nullptr, keygen },
    { "help", nullptr, AdminCommand::Console, nullptr, "help                          this list\n", help },
    { "whitelist", nullptr, AdminCommand::Both, "whitelist                    list the allowed client keys\n",
        "whitelist                     the allowed keys (authorized_keys)\n", whitelist },
    { "allow", nullptr, AdminCommand::Both,
        "allow 'KEY LINE' NAME        allow a client key (the line `quietwire-cli key` prints) under the\n"
        "                             NAME you choose (the line's comment never names it); add\n"
        "                             --same-person when NAME already has a key: another device of the\n"
        "                             same person\n",
        "allow <key line> <name>       allow a client key: paste the line from its identity.pub, then\n"
        "                              the name you choose (the line's comment is never used as a name);\n"
        "                              --same-person: another key of someone already on the whitelist\n",
        allow },
    { "revoke", nullptr, AdminCommand::Both,
        "revoke KEY|FINGERPRINT|NAME  remove a client key; its live sessions are closed\n",
        "revoke <key|fingerprint|name> remove a key; its live sessions are closed at once\n", revoke },
    { "import-whitelist", nullptr, AdminCommand::Offline,
        "import-whitelist [FILE]      with --store postgresql://...: copy an authorized_keys file (default\n"
        "                             the data directory's) into the store's empty whitelist, which\n"
        "                             every node then uses (docs/SCALING.md)\n",
        nullptr, importWhitelist },
    { "sessions", nullptr, AdminCommand::Console, nullptr, "sessions                      the live sessions\n",
        sessions },
    { "kick", nullptr, AdminCommand::Console, nullptr, "kick <id>                     close one session\n", kick },
    { "clients", nullptr, AdminCommand::Console, nullptr,
        "clients                       the keys each client IP has presented (known_clients)\n", clients },
    { "say", nullptr, AdminCommand::Console, nullptr,
        "say <text>                    send a notice to everyone in the chat\n", say },
    { "files", nullptr, AdminCommand::Console, nullptr,
        "files [<name>]                disk usage of a user's file folder (alone: every home and room folder)\n",
        files },
    { "fingerprint", nullptr, AdminCommand::Both,
        "fingerprint                  print the server's public key line and fingerprint\n",
        "fingerprint                   this server's public key and fingerprint\n", fingerprint },
    { "quit", "exit", AdminCommand::Console, nullptr,
        "quit                          stop the server (in `quietwired console`: close the console only)\n", quit },
    { "rooms", nullptr, AdminCommand::Both,
        "rooms                        the rooms (name, public or private, members, topic) and the\n"
        "                             number of direct conversations\n",
        "rooms                         the rooms (name, public or private, members, topic) and the\n"
        "                              number of direct conversations\n",
        rooms },
    { "room", nullptr, AdminCommand::Both,
        "room create NAME [--private] [--owner MEMBER] [--topic TEXT]\n"
        "                             a new room (NAME: up to 64 letters, digits, '.', '_', '-'); MEMBER\n"
        "                             (its owner) and every member is a name on the whitelist\n"
        "room delete NAME             delete a room and its messages (not general)\n"
        "room topic NAME [TEXT]       set (or without TEXT clear) a room's topic\n"
        "room members NAME            a room's members and their roles\n"
        "room add NAME MEMBER [--owner]  add a member (or make one an owner)\n"
        "room remove NAME MEMBER      remove a member (nobody is removed from general); while the\n"
        "                             server runs, room commands go through its console\n",
        "room create <name> [--private] [--owner <member>] [--topic <text>]\n"
        "                              a new room; members are names on the whitelist\n"
        "room delete <name>            delete a room and its messages (not general)\n"
        "room topic <name> [<text>]    set (or clear) a room's topic\n"
        "room members <name>           a room's members and their roles\n"
        "room add <name> <member> [--owner]  add a member (or make one an owner)\n"
        "room remove <name> <member>   remove a member (not from general)\n",
        room },
    { "backup", nullptr, AdminCommand::Both,
        "backup FILE                  copy the chat store (messages, rooms, read markers) to FILE, a\n"
        "                             new file; consistent while the server runs\n",
        "backup <file>                 copy the chat store to <file> (a new file; an absolute path)\n", backup },
    { "restore", nullptr, AdminCommand::Offline,
        "restore FILE                 replace the chat store with the backup FILE (the server must be\n"
        "                             stopped; the replaced store is kept beside it)\n",
        nullptr, restore },
    { "console", nullptr, AdminCommand::Offline,
        "console [COMMAND...]         the running server's console (sessions, kick, say, ...) through\n"
        "                             <data-dir>/console.sock: one command, or interactive\n",
        nullptr, console },
};

QString helpLines(bool offline)
{
    QString text;
    for (const AdminCommand& command : Commands) {
        const char* lines = offline ? command.offlineHelp : command.consoleHelp;
        for (const QString& line : QString::fromLatin1(lines).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            text += QLatin1String("  ") + line + QLatin1Char('\n');
        }
    }
    return text;
}

} // namespace

namespace AdminCommands {

const QList<AdminCommand>& all()
{
    return Commands;
}

const AdminCommand* find(const QString& name, AdminContext::Where where)
{
    const unsigned wanted = where == AdminContext::Where::Offline ? AdminCommand::Offline : AdminCommand::Console;
    for (const AdminCommand& command : Commands) {
        if ((command.availability & wanted)
            && (name == QLatin1String(command.name) || (command.alias && name == QLatin1String(command.alias)))) {
            return &command;
        }
    }
    return nullptr;
}

QString offlineHelp()
{
    return helpLines(true);
}

QString consoleHelp()
{
    return QStringLiteral("Commands:\n") + helpLines(false);
}

int runOffline(const ServerOptions& options)
{
    const QString& name = options.command;
    const QStringList& args = options.arguments;
    QTextStream out(stdout);
    QTextStream err(stderr);
    AdminContext context;
    context.where = AdminContext::Where::Offline;
    context.dataDir = options.dataDir;
    context.store = options.store;
    context.roomsRoot = options.roomsRoot.isEmpty() ? ServerApp::roomsRoot(options.dataDir) : options.roomsRoot;
    context.print = [&out](const QString& line) { out << line << '\n' << Qt::flush; };
    context.fail = [&err](const QString& message) { err << "quietwired: " << message << Qt::endl; };
    const AdminCommand* command = find(name, AdminContext::Where::Offline);
    if (!command) {
        context.fail(QStringLiteral("unknown command \"%1\"; see --help").arg(name));
        return 1;
    }
    return command->execute(context, args, args.join(QLatin1Char(' '))) == Result::Done ? 0 : 1;
}

} // namespace AdminCommands

} // namespace QuietWire
