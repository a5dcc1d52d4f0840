import Testing
@testable import KoerierCore

/// Delivery reports move forward only, repeat nothing, wait for `sent`, and count the parts of an SMS.
@Suite("Delivery status")
struct DeliveryStatusTests {
    @Test("a report before sent is held; after sent it is recorded once; a repeat adds nothing")
    func holdRecordRepeat() {
        var status = DeliveryStatus()
        #expect(status.handle(.delivered(part: nil)) == .hold)
        status.sent()
        #expect(status.handle(.delivered(part: nil)) == .record(.delivered))
        #expect(status.handle(.delivered(part: nil)) == .ignore(why: "the delivery status is already delivered; it only moves forward"))
        #expect(status.state == .delivered)
    }

    @Test("forward only: nothing after delivered or undelivered", arguments: [
        DeliveryStatus.Report.delivered(part: nil), .undelivered(code: "5.1.1", detail: "user unknown"), .complained(detail: "abuse"),
    ])
    func forwardOnly(later: DeliveryStatus.Report) {
        for first in [DeliveryStatus.Report.delivered(part: nil), .undelivered(code: "EXPIRED", detail: "")] {
            var status = DeliveryStatus(state: .sent)
            guard case .record = status.handle(first) else { Issue.record("first report not recorded"); continue }
            guard case .ignore = status.handle(later) else { Issue.record("\(later) after \(first) was recorded"); continue }
        }
    }

    @Test("a delay report changes nothing, before or after sent")
    func delayed() {
        var status = DeliveryStatus()
        guard case .ignore = status.handle(.delayed) else { Issue.record("delay held or recorded"); return }
        status.sent()
        guard case .ignore = status.handle(.delayed) else { Issue.record("delay recorded"); return }
        #expect(status.state == .sent)
    }

    @Test("a three-part SMS is delivered when its third part is; a failed part makes it undelivered")
    func parts() {
        var status = DeliveryStatus(state: .sent, parts: 3)
        #expect(status.handle(.delivered(part: "p1")) == .partCounted)
        #expect(status.handle(.delivered(part: "p1")) == .partCounted)
        #expect(status.handle(.delivered(part: "p2")) == .partCounted)
        #expect(status.handle(.delivered(part: "p3")) == .record(.delivered))
        var failing = DeliveryStatus(state: .sent, parts: 2)
        #expect(failing.handle(.delivered(part: "p1")) == .partCounted)
        #expect(failing.handle(.undelivered(code: "1", detail: "absent subscriber")) == .record(.undelivered))
    }

    @Test("a complaint is recorded once, and ends further reports")
    func complaint() {
        var status = DeliveryStatus(state: .sent)
        #expect(status.handle(.complained(detail: "abuse")) == .record(.complained))
        guard case .ignore = status.handle(.complained(detail: "abuse")) else { Issue.record("complaint repeated"); return }
        guard case .ignore = status.handle(.undelivered(code: "5.0.0", detail: "")) else { Issue.record("bounce after complaint"); return }
    }
}
