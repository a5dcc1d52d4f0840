import Foundation
import Testing
@testable import KoerierCore

/// The action state machine, transition by transition, without disk, clock or network.
@Suite("Action lifecycle")
struct ActionLifecycleTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let policy = ActionLifecycle.Policy(
        retry: RetryPolicy(minimumDelay: 300, maximumDelay: 3600, maximumAge: 48 * 3600, maximumAttempts: 3, jitter: 0),
        smsAmbiguousResend: false
    )

    /// Feeds `inputs` in order and returns every step.
    func run(_ inputs: [ActionLifecycle.Input], from start: ActionLifecycle = ActionLifecycle(), policy: ActionLifecycle.Policy? = nil)
        -> (life: ActionLifecycle, steps: [ActionLifecycle.Step]) {
        var life = start
        let steps = inputs.map { life.handle($0, policy: policy ?? self.policy, now: now, jitterSeed: 7) }
        return (life, steps)
    }

    func kinds(_ steps: [ActionLifecycle.Step]) -> [JournalEvent.Kind] { steps.flatMap { $0.records.map(\.kind) } }

    @Test("an invalid file is rejected with its reason, without a received event")
    func invalid() {
        let (_, steps) = run([.invalid(reason: "x.json: amount: must be a string")])
        #expect(kinds(steps) == [.rejected])
        #expect(steps[0].move == .finish(.rejected, reason: "x.json: amount: must be a string"))
    }

    @Test("planned decisions: received once, then cancelled, expired or deferred with its reason and time", arguments: [
        (DeliveryPlanner.Decision.cancel, JournalEvent.Kind.cancelled, SpoolLayout.Folder.cancelled),
        (.expire, .expired, .cancelled),
    ])
    func plannedEnds(decision: DeliveryPlanner.Decision, kind: JournalEvent.Kind, folder: SpoolLayout.Folder) {
        let (_, steps) = run([.planned(decision, id: "a1", expiresAt: now)])
        #expect(kinds(steps) == [.received, kind])
        guard case .finish(let target, let reason) = steps[0].move else { Issue.record("not finished"); return }
        #expect(target == folder)
        #expect(reason?.isEmpty == false)
        #expect(steps[0].removesCancelMarker == (decision == .cancel))
    }

    @Test("a wait defers the file with the planner's reason; received is not journalled twice after it")
    func waitThenSend() {
        let until = now + 3600
        let (life, steps) = run([.planned(.wait(until: until, reason: "quiet_hours"), id: "a1", expiresAt: nil),
                                 .planned(.send, id: "a1", expiresAt: nil)])
        #expect(kinds(steps) == [.received, .deferred])
        #expect(steps[0].move == .wait(until: until))
        #expect(steps[0].records.last?.reason == "quiet_hours")
        #expect(steps[1].next == .render)
        #expect(steps[1].move == .stay)
        #expect(life.received)
    }

    @Test("an accepted send: sending is journalled only when the bytes go on the wire, then sent")
    func acceptedSend() {
        let (life, steps) = run([
            .planned(.send, id: "a1", expiresAt: nil),
            .rendered(channel: .email, providersPausedUntil: nil),
            .onWire,
            .answered(.accepted(code: 250, detail: "250 2.0.0 Ok", messageID: nil), provider: "smtp", possiblyTaken: false),
        ])
        #expect(steps.map(\.next) == [.render, .send, .done, .done])
        #expect(kinds(steps) == [.received, .sending, .sent])
        #expect(steps[3].move == .finish(.sent, reason: nil))
        #expect(life.attempts == 1)
    }

    @Test("a permanent refusal fails with the reply in the reason")
    func permanent() {
        let (_, steps) = run([.rendered(channel: .email, providersPausedUntil: nil), .onWire,
                              .answered(.permanent(code: 550, detail: "5.1.1 unknown user"), provider: "smtp", possiblyTaken: false)])
        #expect(kinds(steps) == [.sending, .failed])
        #expect(steps[2].move == .finish(.failed, reason: "refused by smtp: 550 5.1.1 unknown user"))
    }

    @Test("temporary answers are retried with the policy's delay until the attempts run out")
    func retriesThenGivesUp() {
        var inputs: [ActionLifecycle.Input] = []
        for _ in 0..<3 {
            inputs += [.rendered(channel: .email, providersPausedUntil: nil), .onWire,
                       .answered(.temporary(code: 451, detail: "try later", retryAfter: nil), provider: "smtp", possiblyTaken: false)]
        }
        let (life, steps) = run(inputs)
        #expect(kinds(steps) == [.sending, .deferred, .sending, .deferred, .sending, .failed])
        #expect(steps[2].move == .wait(until: now + 300))
        #expect(steps[5].move == .wait(until: now + 600))
        guard case .finish(.failed, let reason) = steps[8].move else { Issue.record("did not give up"); return }
        #expect(reason?.contains("gave up after 3 attempts") == true)
        #expect(life.attempts == 3)
    }

    @Test("an answer that came back although nothing went on the wire is a retry without a possible repeat")
    func noWire() {
        let (life, steps) = run([.rendered(channel: .sms, providersPausedUntil: nil),
                                 .answered(.unknown(detail: "transport stopping"), provider: "mb", possiblyTaken: false)])
        #expect(kinds(steps) == [.deferred])
        #expect(!life.ambiguous)
        #expect(life.attempts == 0)
    }

    @Test("an unanswered email is retried and marked; an unanswered SMS fails as outcome unknown (sms.ambiguous: fail)")
    func unknownOutcome() {
        let email = run([.rendered(channel: .email, providersPausedUntil: nil), .onWire, .answered(.unknown(detail: "timeout"), provider: "smtp", possiblyTaken: false)])
        #expect(kinds(email.steps) == [.sending, .deferred])
        #expect(email.life.ambiguous)
        let sms = run([.rendered(channel: .sms, providersPausedUntil: nil), .onWire, .answered(.unknown(detail: "timeout"), provider: "mb", possiblyTaken: false)])
        #expect(kinds(sms.steps) == [.sending, .failed])
        guard case .finish(.failed, let reason) = sms.steps[2].move else { Issue.record("not failed"); return }
        #expect(reason?.hasPrefix("outcome unknown") == true)
        var resend = policy
        resend.smsAmbiguousResend = true
        let again = run([.rendered(channel: .sms, providersPausedUntil: nil), .onWire, .answered(.unknown(detail: "timeout"), provider: "mb", possiblyTaken: false)], policy: resend)
        #expect(kinds(again.steps) == [.sending, .deferred])
    }

    @Test("with every SMS provider paused the action waits (rate_limit) and spends no attempt")
    func providersPaused() {
        let until = now + 60
        let (life, steps) = run([.rendered(channel: .sms, providersPausedUntil: until)])
        #expect(kinds(steps) == [.deferred])
        #expect(steps[0].records[0].reason == "rate_limit")
        #expect(steps[0].move == .wait(until: until))
        #expect(life.attempts == 0)
    }

    @Test("an ambiguous SMS waits out the lookup window, then asks the providers before anything is resent")
    func ambiguousSMSLooksUp() {
        var start = ActionLifecycle()
        start.ambiguous = true
        start.attempts = 1
        start.lastAttempt = now - 5
        let early = run([.rendered(channel: .sms, providersPausedUntil: nil)], from: start)
        #expect(early.steps[0].move == .requeue(after: 10.1))
        start.lastAttempt = now - 60
        let asked = run([.rendered(channel: .sms, providersPausedUntil: nil)], from: start)
        #expect(asked.steps[0].next == .lookup)
    }

    @Test("lookup answers: found is sent, not found sends (marked), unclear waits, no lookup fails")
    func lookupAnswers() {
        var start = ActionLifecycle()
        start.ambiguous = true
        start.attempts = 1
        let found = run([.lookedUp(.accepted(code: nil, detail: "found", messageID: "mb-9"), provider: "mb")], from: start)
        #expect(kinds(found.steps) == [.sent])
        #expect(found.steps[0].records[0].messageID == "mb-9")
        let absent = run([.lookedUp(.temporary(code: nil, detail: "not found at providers", retryAfter: nil), provider: "mb")], from: start)
        #expect(absent.steps[0].next == .send)
        #expect(absent.life.ambiguous)
        let unclear = run([.lookedUp(.unknown(detail: "timeout"), provider: "mb")], from: start)
        #expect(kinds(unclear.steps) == [.deferred])
        let none = run([.lookedUp(nil, provider: "none")], from: start)
        #expect(kinds(none.steps) == [.failed])
    }

    @Test("a possibly taken SMS marks the next attempt as a possible repeat")
    func possiblyTaken() {
        let (life, steps) = run([.rendered(channel: .sms, providersPausedUntil: nil), .onWire,
                                 .answered(.temporary(code: nil, detail: "not found", retryAfter: nil), provider: "mb", possiblyTaken: true)])
        #expect(kinds(steps) == [.sending, .deferred])
        #expect(life.ambiguous)
    }

    @Test("a Retry-After beyond the retry window fails at once instead of waiting past it")
    func retryAfterTooLong() {
        let (_, steps) = run([.rendered(channel: .sms, providersPausedUntil: nil), .onWire,
                              .answered(.temporary(code: 429, detail: "slow down", retryAfter: 1e300), provider: "mb", possiblyTaken: false)])
        #expect(kinds(steps) == [.sending, .failed])
    }

    @Test("a letter that cannot be made just now (an attachment unreadable for a passing reason) waits without an attempt")
    func notReady() {
        let (life, steps) = run([.planned(.send, id: "a1", expiresAt: nil), .notReady(detail: "attachments[0]: Too many open files")])
        #expect(kinds(steps) == [.received, .deferred])
        #expect(steps[1].move == .wait(until: now + 300))
        #expect(steps[1].records.last?.reason == "retry")
        #expect(life.attempts == 0)
    }
}
