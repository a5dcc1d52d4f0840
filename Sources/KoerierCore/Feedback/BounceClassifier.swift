import Foundation

/// Turns a message read from the bounce address into a `FeedbackReport`, or says why it means nothing. Pure.
///
/// The action comes only from a VERP token that verifies with the secret (the address it was sent to; for a
/// complaint also the original envelope sender the report names). A DSN is classified by its `Action` and the class
/// of its `Status`, never by the diagnostic text: `failed` (or, without an `Action`, a 5.x.x status) is
/// `undelivered`; `delayed` changes nothing but a counter; a complaint (RFC 5965) is `complained`.
public enum BounceClassifier {
    /// What a message means.
    public enum Outcome: Sendable, Equatable {
        /// Hand this report to the desk.
        case report(FeedbackReport)
        /// A delay notice for this action: counted, nothing journalled.
        case delayed(actionID: String)
        /// Nothing: `why` for the log, `kind` for the counter (`forged`, `not_report`, `no_action`, `success`).
        case drop(kind: String, why: String)
    }

    /// Classifies `message` sent to `recipient`. `idForHash` finds a long action id from its hash (the desk's window).
    public static func classify(_ message: InboundMessage, bounce: Configuration.BounceSettings,
                                idForHash: (UInt64) -> String?) -> Outcome {
        let parsed = DeliveryReportParser.parse(message.message)
        var addresses = [message.recipient].compactMap { $0 }
        if case .feedback(_, let from?) = parsed { addresses.append(from) }
        var actionID: String?
        var sawToken = false
        for address in addresses {
            guard let token = BounceAddress(address: address, domain: bounce.domain) else { continue }
            sawToken = true
            let candidate: String?
            switch token.name {
            case .id(let id): candidate = id
            case .hash(let hash): candidate = idForHash(hash)
            }
            if let candidate, token.verify(actionID: candidate, secret: bounce.secret) {
                actionID = candidate
                break
            }
        }
        guard let actionID else {
            return sawToken
                ? .drop(kind: "forged", why: "the bounce address carries a token that does not verify (forged, altered, or an action outside the window)")
                : .drop(kind: "no_action", why: "the message was not sent to a bounce address of ours")
        }
        switch parsed {
        case .other(let why):
            return .drop(kind: "not_report", why: why)
        case .feedback(let type, _):
            return .report(FeedbackReport(source: "email", match: .init(actionID: actionID), report: .complained(detail: type),
                                          code: nil, detail: "feedback report: \(type)"))
        case .deliveryStatus(let recipients):
            if let failed = recipients.first(where: isFailure) {
                let status = failed.status ?? "5.0.0"
                let detail = failed.diagnostic ?? failed.action.map { "Action: \($0)" } ?? ""
                return .report(FeedbackReport(source: "email", match: .init(actionID: actionID),
                                              report: .undelivered(code: status, detail: detail), code: status, detail: detail))
            }
            if recipients.contains(where: { $0.action == "delayed" || $0.status?.hasPrefix("4.") == true }) {
                return .delayed(actionID: actionID)
            }
            if recipients.isEmpty {
                return .drop(kind: "not_report", why: "a delivery status notification without a recipient block")
            }
            return .drop(kind: "success", why: "a delivery status notification that reports no failure")
        }
    }

    /// `Action: failed`, or no usable `Action` and a permanent (5.x.x) status.
    static func isFailure(_ recipient: DeliveryReportParser.Recipient) -> Bool {
        if recipient.action == "failed" { return true }
        if recipient.action == nil, let status = recipient.status, status.hasPrefix("5.") { return true }
        return false
    }
}
