import Foundation
import Testing
@testable import KoerierCore
#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    @Suite("Bad input, cancel, not_before, expiry")
    struct Faults {
        @Test("invalid files go to rejected/ with a reason naming field and problem; others are untouched or sent")
        func badInputIsRejected() async throws {
            let work = try Workspace("badinput")
            let relay = try await PythonRelay(in: work.root)
            defer { relay.stop() }
            try work.writeConfig(port: relay.port)

            try work.drop("{\"version\": 1, \"id\": \"broken\",\n", as: "bad-json.json")
            // A float amount: JSONSerialization would write a number, which is the point.
            var float = Actions.email(id: "bad-float", to: "float@example.nl")
            float["invoices"] = [["number": "F1", "date": "2026-10-01", "due_date": "2026-10-31", "amount": 1234.56, "open": 1234.56]]
            try work.drop(float)
            try work.drop(Actions.email(id: "bad-crlf", to: "victim@example.nl\r\nBcc: evil@example.org"))
            try work.drop(Actions.email(id: "bad-attachment", to: "att@example.nl",
                                        overrides: ["attachments": [["path": "../../etc/passwd"]]]))
            try work.drop(Actions.email(id: "bad-field", to: "typo@example.nl", overrides: ["recipent": ["name": "x"]]))
            // Not action files: never moved, never deleted.
            try work.drop(Array(try JSONSerialization.data(withJSONObject: Actions.email(id: "hidden", to: "h@example.nl"))), as: ".hidden.json")
            try work.drop("engine notes, not an action\n", as: "notes.txt")
            // Valid ones around them.
            try work.drop(Actions.email(id: "good-1", to: "good1@example.nl"))
            try work.drop(Actions.email(id: "good-2", to: "good2@example.nl", stage: "aanmaning", segment: "zakelijk", debtorType: "business"))

            let run = try await work.runOnce()
            #expect(run.status == 0, "koerier exited \(run.status): \(run.output.suffix(2000))")

            #expect(work.files("new", includeAll: true) == [".hidden.json", "notes.txt"])
            #expect(work.files("sent") == ["good-1.json", "good-2.json"])
            #expect(work.files("rejected") == ["bad-attachment.json", "bad-crlf.json", "bad-field.json", "bad-float.json", "bad-json.json"])

            let expectations: [(file: String, mentions: [String])] = [
                ("bad-json.json", ["JSON"]),
                ("bad-float.json", ["invoices[0].amount", "string"]),
                ("bad-crlf.json", ["recipient.email", "line break"]),
                ("bad-attachment.json", ["attachments[0].path", ".."]),
                ("bad-field.json", ["recipent"]),
            ]
            for (file, mentions) in expectations {
                let reason = work.reason("rejected", file)
                #expect(reason != nil, "no \(file).reason.txt")
                guard let reason else { continue }
                #expect(reason.hasSuffix("\n") && !reason.dropLast().contains("\n"), "\(file): reason is not one line")
                for word in mentions {
                    #expect(reason.contains(word), "\(file): reason \"\(reason)\" does not mention \(word)")
                }
            }

            let events = work.events()
            let terminals = JournalChecks.terminals(events)
            for (id, file) in [("broken", "bad-json.json"), ("bad-float", "bad-float.json"), ("bad-crlf", "bad-crlf.json"),
                               ("bad-attachment", "bad-attachment.json"), ("bad-field", "bad-field.json")] {
                // The id of a file that cannot be parsed is its file name (or the id, if it could be read).
                let mine = events.filter { $0.file == file && $0.event.isTerminal }
                #expect(mine.count == 1, "\(file): \(mine.count) terminal events")
                #expect(mine.first?.event == .rejected)
                #expect(mine.first?.reason?.isEmpty == false)
                #expect(mine.first.map { $0.action == id || $0.action == file } == true, "\(file): action \(mine.first?.action ?? "nil")")
            }
            #expect(terminals["good-1"]?.map(\.event) == [.sent])
            #expect(terminals["good-2"]?.map(\.event) == [.sent])
            #expect(!events.contains { $0.action == "hidden" || $0.file == ".hidden.json" || $0.file == "notes.txt" })

            // Nothing with a bad address went out; the injected Bcc never reached the relay.
            let arrived = relay.messages()
            #expect(Set(arrived.compactMap { $0.header("X-Koerier-Action") }) == ["good-1", "good-2"])
            #expect(!arrived.contains { $0.recipients.contains { $0.contains("evil") } || $0.text.contains("evil@example.org") })
            work.remove()
        }

        @Test("an action id is used once: a second file with the same id is rejected, also in a later run")
        func duplicateIDsAreRejected() async throws {
            let work = try Workspace("duplicate")
            let relay = try await PythonRelay(in: work.root)
            defer { relay.stop() }
            try work.writeConfig(port: relay.port)
            try work.drop(Actions.email(id: "dup-1", to: "dup@example.nl"), as: "dup-a.json")
            try await work.runOnce()
            #expect(work.files("sent") == ["dup-a.json"])
            // The engine drops the same id again (a bug on its side): it must not be sent twice.
            try work.drop(Actions.email(id: "dup-1", to: "dup@example.nl"), as: "dup-b.json")
            try await work.runOnce()
            #expect(work.files("sent") == ["dup-a.json"])
            #expect(work.files("rejected") == ["dup-b.json"])
            #expect(work.reason("rejected", "dup-b.json")?.contains("duplicate") == true, "reason: \(work.reason("rejected", "dup-b.json") ?? "nil")")
            #expect(relay.accepted().count == 1)
            let terminals = work.events().filter { $0.action == "dup-1" && $0.event.isTerminal }
            #expect(terminals.map(\.event) == [.sent, .rejected])
            #expect(terminals.map(\.file) == ["dup-a.json", "dup-b.json"])
            work.remove()
        }

        @Test("a cancel marker that arrives before its action cancels it; not_before defers; a past expires_at expires")
        func cancelNotBeforeAndExpiry() async throws {
            let work = try Workspace("cancel")
            let relay = try await PythonRelay(in: work.root)
            defer { relay.stop() }
            try work.writeConfig(port: relay.port)

            try work.cancel("cancel-1")
            try work.drop(Actions.email(id: "cancel-1", to: "cancel@example.nl"))
            let future = Date().addingTimeInterval(3 * 3600)
            try work.drop(Actions.email(id: "later-1", to: "later@example.nl", overrides: ["not_before": RFC3339.format(future)]))
            try work.drop(Actions.email(id: "expired-1", to: "expired@example.nl",
                                        overrides: ["expires_at": RFC3339.format(Date().addingTimeInterval(-3600))]))
            try work.drop(Actions.email(id: "plain-1", to: "plain@example.nl"))

            let run = try await work.runOnce()
            #expect(run.status == 0, "koerier exited \(run.status): \(run.output.suffix(2000))")

            #expect(work.files("cancelled") == ["cancel-1.json", "expired-1.json"])
            #expect(work.files("deferred") == ["later-1.json"])
            #expect(work.files("sent") == ["plain-1.json"])
            #expect(work.reason("cancelled", "cancel-1.json")?.contains("cancel") == true)
            #expect(work.reason("cancelled", "expired-1.json")?.contains("expired") == true)

            let events = work.events()
            let terminals = JournalChecks.terminals(events)
            #expect(terminals["cancel-1"]?.map(\.event) == [.cancelled])
            #expect(terminals["expired-1"]?.map(\.event) == [.expired])
            #expect(terminals["later-1"] == nil)
            #expect(!events.contains { ($0.action == "cancel-1" || $0.action == "expired-1") && $0.event == .sending })
            let waiting = events.filter { $0.action == "later-1" && $0.event == .deferred }
            #expect(waiting.count == 1)
            #expect(waiting.first?.reason == "not_before")
            if let next = waiting.first?.nextAttempt {
                #expect(abs(next.timeIntervalSince(future)) < 1, "next_attempt \(next) is not the not_before \(future)")
            } else {
                Issue.record("deferred without next_attempt")
            }
            #expect(Set(relay.messages().compactMap { $0.header("X-Koerier-Action") }) == ["plain-1"])

            // A cancel for the waiting action takes effect at the next run, and it is never sent.
            try work.cancel("later-1")
            try await work.runOnce()
            #expect(work.files("cancelled") == ["cancel-1.json", "expired-1.json", "later-1.json"])
            #expect(work.files("deferred").isEmpty)
            #expect(JournalChecks.terminals(work.events())["later-1"]?.map(\.event) == [.cancelled])
            #expect(Set(relay.messages().compactMap { $0.header("X-Koerier-Action") }) == ["plain-1"])
            work.remove()
        }

        @Test("a cancel marker for a waiting action takes effect while the daemon runs")
        func cancelWhileDaemonWaits() async throws {
            let work = try Workspace("cancel-live")
            let relay = try await PythonRelay(in: work.root)
            defer { relay.stop() }
            try work.writeConfig(port: relay.port)
            let daemon = try work.startDaemon()
            defer { daemon.stop() }
            try work.drop(Actions.email(id: "wait-1", to: "wait@example.nl",
                                        overrides: ["not_before": RFC3339.format(Date().addingTimeInterval(3600))]))
            #expect(await E2E.waitUntil(timeout: 15) { work.files("deferred") == ["wait-1.json"] }, "never deferred")
            try work.cancel("wait-1")
            #expect(await E2E.waitUntil(timeout: 15) { work.files("cancelled") == ["wait-1.json"] }, "the cancel did not take effect")
            daemon.signal(SIGTERM)
            let exit = await daemon.waitForExit(timeout: 30)
            #expect(exit?.reason == .exit && exit?.status == 0)
            #expect(JournalChecks.terminals(work.events())["wait-1"]?.map(\.event) == [.cancelled])
            #expect(relay.messages().isEmpty)
            work.remove()
        }
    }
}
