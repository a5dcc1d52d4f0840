import Foundation
import KoerierCore
import KoerierTransports
import Logging
import Synchronization
import Testing

/// A sink that records what it is handed and answers a fixed acceptance.
final class DLRRecordingSink: FeedbackSink {
    let answer: FeedbackAcceptance
    let received = Mutex<[FeedbackReport]>([])
    init(_ answer: FeedbackAcceptance) { self.answer = answer }
    func accept(_ report: FeedbackReport) async -> FeedbackAcceptance {
        received.withLock { $0.append(report) }
        return answer
    }
}

@Suite("Delivery-report receiver")
struct DeliveryReportReceiverTests {
    static let token = "s3cret-url-token-0123456789"

    static func receiver(_ sink: DLRRecordingSink, secret: String? = token) -> DeliveryReportReceiver {
        DeliveryReportReceiver(providers: ["cm": .init(codec: CMDeliveryReport(), secret: secret)], sink: sink, logger: Logger(label: "test"))
    }

    static func request(token: String?) -> DeliveryReportRequest {
        DeliveryReportRequest(method: "GET", url: "http://127.0.0.1/dlr/cm", pathToken: token, query: [("reference", "act-1"), ("statuscode", "2")])
    }

    @Test("what the sink made of a report decides the answer", arguments: [
        (FeedbackAcceptance.recorded(.delivered), 200, "delivered"),
        (.ignored(why: "repeat"), 200, "ignored"),
        (.held, 200, "held"),
        (.unknown(why: "no such action"), 200, "unknown"),
        (.failed(why: "journal"), 503, "failed"),
    ])
    func answers(_ acceptance: FeedbackAcceptance, _ status: Int, _ result: String) async {
        let sink = DLRRecordingSink(acceptance)
        let answer = await Self.receiver(sink).receive(name: "cm", request: Self.request(token: Self.token))
        #expect(answer.status == status)
        #expect(answer.result == result)
        #expect(sink.received.withLock { $0.count } == 1)
    }

    @Test("a forged report is answered 403 and never reaches the sink; the refusal is counted")
    func forged() async {
        let sink = DLRRecordingSink(.recorded(.delivered))
        let receiver = Self.receiver(sink)
        let answer = await receiver.receive(name: "cm", request: Self.request(token: "guess"))
        #expect(answer.status == 403)
        #expect(sink.received.withLock { $0.isEmpty })
        #expect(receiver.counted["cm"]?["unauthenticated"] == 1)
        #expect(!answer.body.contains("guess"))
    }

    @Test("an unknown provider is 404, and a provider without a report secret refuses every report")
    func unconfigured() async {
        let sink = DLRRecordingSink(.recorded(.delivered))
        #expect(await Self.receiver(sink).receive(name: "nope", request: Self.request(token: Self.token)).status == 404)
        #expect(await Self.receiver(sink, secret: nil).receive(name: "cm", request: Self.request(token: Self.token)).status == 403)
        #expect(sink.received.withLock { $0.isEmpty })
    }
}
