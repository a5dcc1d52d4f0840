import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real Postfix on 127.0.0.1 with its own config_directory, queue_directory and data_directory under a temporary
/// folder: it takes mail on `port`, relays everything to `[127.0.0.1]:relayPort`, and delivers mail for
/// `bounceDomain` through a `pipe` transport to `koerier bounce` (the real binary), as the README tells ops to.
/// Needs root (Postfix's master runs as root and drops to `mail_owner`); `stop()` ends it.
final class PostfixInstance: @unchecked Sendable {
    static let postfix = "/usr/sbin/postfix"
    static var available: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: postfix) && getpwnam("postfix") != nil }

    let directory: String
    let port: Int
    var configDirectory: String { directory + "/etc" }
    var logFile: String { directory + "/postfix.log" }

    init(directory: String, relayPort: Int, bounceDomain: String, koerier: String, koerierConfig: String) async throws {
        self.directory = directory
        let fm = FileManager.default
        for folder in ["etc", "queue", "data"] {
            try fm.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true)
        }
        // Postfix keeps its locks in data_directory, as mail_owner.
        guard let owner = getpwnam("postfix") else { throw HarnessError("no postfix user") }
        chown(directory + "/data", owner.pointee.pw_uid, owner.pointee.pw_gid)
        // The pipe runs `koerier bounce` as nobody: it must reach the config file and the binary.
        var folder = directory
        while folder != "/" && folder.count > 1 {
            chmod(folder, 0o755)
            folder = (folder as NSString).deletingLastPathComponent
            if folder == "/tmp" { break }
        }
        port = try E2E.freePort()
        let main = """
            compatibility_level = 3.6
            queue_directory = \(directory)/queue
            data_directory = \(directory)/data
            mail_owner = postfix
            inet_interfaces = loopback-only
            inet_protocols = ipv4
            myhostname = mail.voorbeeld.test
            mydomain = voorbeeld.test
            myorigin = voorbeeld.test
            mydestination =
            mynetworks = 127.0.0.0/8
            relayhost = [127.0.0.1]:\(relayPort)
            smtp_dns_support_level = disabled
            smtpd_relay_restrictions = permit_mynetworks, reject
            alias_maps =
            alias_database =
            local_recipient_maps =
            # The bounce domain goes to koerier bounce, one recipient per delivery (${recipient} is that one).
            transport_maps = inline:{ \(bounceDomain)=koerier: }
            koerier_destination_recipient_limit = 1
            recipient_delimiter = +
            bounce_queue_lifetime = 1h
            maximal_queue_lifetime = 1h
            maillog_file_prefixes = /var, /dev/stdout, \(directory)
            maillog_file = \(logFile)

            """
        // chroot off (column 5): the temporary queue has no copy of /etc for a chroot.
        let master = """
            127.0.0.1:\(port) inet n - n - - smtpd
            pickup    unix  n       -       n       60      1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            verify    unix  -       -       n       -       1       verify
            flush     unix  n       -       n       1000?   0       flush
            proxymap  unix  -       -       n       -       -       proxymap
            proxywrite unix -       -       n       -       1       proxymap
            smtp      unix  -       -       n       -       -       smtp
            relay     unix  -       -       n       -       -       smtp
            showq     unix  n       -       n       -       -       showq
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            anvil     unix  -       -       n       -       1       anvil
            scache    unix  -       -       n       -       1       scache
            postlog   unix-dgram n  -       n       -       1       postlogd
            koerier   unix  -       n       n       -       -       pipe
              flags=Rq user=nobody argv=\(koerier) bounce --config \(koerierConfig) --recipient ${recipient}

            """
        try main.write(toFile: configDirectory + "/main.cf", atomically: true, encoding: .utf8)
        try master.write(toFile: configDirectory + "/master.cf", atomically: true, encoding: .utf8)
        let (status, output) = try await Self.postfixCommand(["-c", configDirectory, "start"], log: directory + "/start.log")
        guard status == 0, await E2E.waitUntil(timeout: 15, { E2E.isListening(self.port) }) else {
            _ = try? await Self.postfixCommand(["-c", configDirectory, "stop"], log: directory + "/stop.log")
            throw HarnessError("postfix did not start (exit \(status)): \(output) \(log.suffix(2000))")
        }
    }

    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

    /// Runs the postfix command, bounded to 30 s.
    static func postfixCommand(_ arguments: [String], log: String) async throws -> (Int32, String) {
        let child = try Child(name: "postfix", executable: postfix, arguments: arguments, logPath: log)
        guard let result = await child.waitForExit(timeout: 30) else {
            child.stop()
            throw HarnessError("postfix \(arguments.joined(separator: " ")) did not finish in 30 s")
        }
        return (result.status, child.log)
    }

    /// Stops the mail system (bounded), and its master by pid if the command could not.
    func stop() async {
        _ = try? await Self.postfixCommand(["-c", configDirectory, "stop"], log: directory + "/stop.log")
        if let text = try? String(contentsOfFile: directory + "/queue/pid/master.pid", encoding: .utf8),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1, kill(pid, 0) == 0 {
            kill(pid, SIGKILL)
        }
    }
}
