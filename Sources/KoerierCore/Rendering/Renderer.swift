import Foundation
import Synchronization

/// What an email action renders to, before MIME.
public struct RenderedEmail: Sendable, Equatable {
    public var subject: String
    public var text: String
    public var html: String
    public var template: String
    public var templateSHA256: String
    public var variant: String?
}

/// What an SMS action renders to, with its encoding plan.
public struct RenderedSMS: Sendable, Equatable {
    public var plan: SMSPlan
    public var template: String
    public var templateSHA256: String
    public var variant: String?
}

/// Why an action cannot be rendered; the action is rejected with this reason.
public struct RenderError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    /// True when trying again later may work (an attachment could not be read for a passing reason such as too
    /// many open files): the dispatcher defers the action and tries again, it does not reject it.
    public var temporary = false
    public var description: String { reason }
}

/// Renders actions with the template store and configuration: resolution, variables, checks.
public struct Renderer: Sendable {
    public let store: TemplateStore
    public let configuration: Configuration
    private let available: Set<String>
    private let variants: [String: [String]]
    private let digests = DigestCache()
    /// The store's compiled templates with `company.*` printed in advance: the company is fixed per configuration.
    private let compiled: [String: CompiledTemplate]

    public init(store: TemplateStore, configuration: Configuration) {
        self.store = store
        self.configuration = configuration
        self.available = Set(store.sources.keys)
        self.variants = TemplateResolver.variantIndex(available)
        let company = TemplateValue.object(TemplateContext.company(configuration.company))
        self.compiled = store.compiled.mapValues { $0.folding(["company": company]) }
    }

    /// Renders the template `name` for `context` (made by `TemplateContext.make` with this configuration): compiled
    /// when it could be compiled and prints only text and flags, else with swift-mustache (its `[String: Any]` form
    /// of the context is made once per action, in `fallback`).
    func render(_ name: String, _ context: TemplateValue, fallback: inout Any?) throws(RenderError) -> String {
        if let output = compiled[name]?.render(context) { return output }
        let any = fallback ?? context.anyValue
        fallback = any
        guard let output = store.renderWithMustache(name, any) else {
            throw RenderError(reason: "template \(name) could not be rendered")
        }
        return output
    }

    /// SHA-256 of a template's files, computed once per template name.
    private func digest(_ names: [String]) -> String {
        digests.value(for: names.joined(separator: "\n")) { store.sha256(of: names) }
    }

    /// The local calendar day of `instant` in the configured time zone.
    public func localDay(_ instant: Date) -> CalendarDate {
        let seconds = Int(instant.timeIntervalSince1970) + configuration.timeZone.secondsFromGMT(for: instant)
        return CalendarDate(dayNumber: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    }

    /// Chooses template and variant for an action.
    public func resolve(_ action: Action) -> Result<TemplateResolver.Resolution, RenderError> {
        TemplateResolver.resolve(
            channel: action.channel, stage: action.stage, segment: action.segment, tone: action.tone.rawValue,
            fallbackTone: configuration.letters.fallbackTone(stage: action.stage).rawValue, debtorID: action.debtor.id, forcedVariant: action.variant, available: available, variantIndex: variants
        ).mapError { RenderError(reason: $0.reason) }
    }

    /// The letter rules (`LetterRules`) for `action` on the local day of `now`; a refusal becomes the reason.
    public func check(_ action: Action, now: Date, notices: any StatutoryNoticeRecords) throws(RenderError) {
        if let refusal = LetterRules.refusal(for: action, today: localDay(now), settings: configuration.letters,
                                             calendar: configuration.calendar, notices: notices) {
            throw RenderError(reason: refusal.description)
        }
    }

    /// Renders an email action; `notices` answers what the journal knows about earlier 14-day letters.
    public func renderEmail(_ action: Action, now: Date, notices: any StatutoryNoticeRecords = NoStatutoryNotices()) throws(RenderError) -> RenderedEmail {
        try check(action, now: now, notices: notices)
        let resolution = try resolve(action).get()
        let context = TemplateContext.make(action: action, configuration: configuration, today: localDay(now), variant: resolution.variant)
        let names = TemplateResolver.parts(.email).map { resolution.name + $0 }
        var fallback: Any?
        var outputs: [String] = []
        for name in names {
            outputs.append(try render(name, context, fallback: &fallback))
        }
        let subject = outputs[0].split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if subject.isEmpty { throw RenderError(reason: "template \(names[0]) rendered an empty subject") }
        return RenderedEmail(
            subject: subject,
            text: Self.tidy(outputs[1]),
            html: outputs[2],
            template: resolution.name,
            templateSHA256: digest(names),
            variant: resolution.variant
        )
    }

    /// Renders an SMS action and plans its encoding; too many parts is an error, never a silent cut.
    public func renderSMS(_ action: Action, now: Date, notices: any StatutoryNoticeRecords = NoStatutoryNotices()) throws(RenderError) -> RenderedSMS {
        try check(action, now: now, notices: notices)
        let resolution = try resolve(action).get()
        let context = TemplateContext.make(action: action, configuration: configuration, today: localDay(now), variant: resolution.variant)
        var fallback: Any?
        let output = try render(resolution.name, context, fallback: &fallback)
        let text = output.split(whereSeparator: \.isNewline).map { String($0).trimmingSpaces }
            .filter { !$0.isEmpty }.joined(separator: "\n")
        if text.isEmpty { throw RenderError(reason: "template \(resolution.name) rendered an empty text") }
        let plan = SMSPlanner.plan(text, transliteration: SMSTransliteration(enabled: configuration.sms.transliterate))
        let limit = configuration.sms.maximumParts
        if plan.parts > limit {
            throw RenderError(reason: "the SMS from \(resolution.name) needs \(plan.parts) parts (\(plan.units) \(plan.encoding.rawValue) units); at most \(limit) are allowed (sms.max_parts)")
        }
        if let domain = configuration.sms.paymentDomain, let url = action.payment?.url, plan.text.contains(url) {
            let host = URLComponents(string: url)?.host?.lowercased() ?? ""
            if host != domain.lowercased() && !host.hasSuffix("." + domain.lowercased()) {
                throw RenderError(reason: "payment.url points at \(host), but SMS links may only point at \(domain) (sms.payment_domain)")
            }
        }
        return RenderedSMS(plan: plan, template: resolution.name, templateSHA256: digest([resolution.name]), variant: resolution.variant)
    }

    /// Trims trailing spaces per line, blank lines at start and end, and collapses runs of blank lines into one.
    static func tidy(_ text: String) -> String {
        var lines: [ArraySlice<UInt8>] = []
        let bytes = Array(text.utf8)
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == 10 {
            var end = index
            while end > start, bytes[end - 1] == 32 || bytes[end - 1] == 9 || bytes[end - 1] == 13 { end -= 1 }
            // "-- " is the signature separator mail clients recognise: its trailing space stays.
            if end - start == 2, bytes[start] == 45, bytes[start + 1] == 45, index > end, bytes[end] == 32 { end += 1 }
            let line = bytes[start..<end]
            if !(line.isEmpty && lines.last?.isEmpty == true) {
                lines.append(line)
            }
            start = index + 1
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for line in lines {
            out += line
            out.append(10)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A small thread-safe memo of template digests (templates never change within one `Renderer`).
final class DigestCache: Sendable {
    private let values = Mutex<[String: String]>([:])

    func value(for key: String, compute: () -> String) -> String {
        if let known = values.withLock({ $0[key] }) { return known }
        let computed = compute()
        values.withLock { $0[key] = computed }
        return computed
    }
}
