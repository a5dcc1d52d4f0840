/// The instalment data a `betalingsregeling` or `termijnherinnering` prints, read from the action's `data`
/// and checked: amounts as money strings, dates as `YYYY-MM-DD`.
///
/// `betalingsregeling`: `aantal_termijnen` (2-120), `termijnbedrag`, `eerste_termijn`, optional
/// `laatste_termijnbedrag` (a smaller last instalment). `termijnherinnering`: `termijnbedrag`, `termijn_datum`,
/// optional `termijn_nummer` and `aantal_termijnen`.
public struct InstalmentPlan: Sendable, Equatable {
    /// The number of instalments.
    public var count: Int?
    /// The amount of each instalment.
    public var amount: Money
    /// A last instalment that differs from the others.
    public var lastAmount: Money?
    /// The due date of the first instalment (`betalingsregeling`).
    public var firstDue: CalendarDate?
    /// The due date of the instalment reminded of (`termijnherinnering`).
    public var due: CalendarDate?
    /// Which instalment this is (`termijnherinnering`).
    public var number: Int?

    /// The stages that print instalment data.
    public static let stages: Set<String> = ["betalingsregeling", "termijnherinnering"]

    /// What all instalments add up to.
    public var total: Money? {
        guard let count else { return nil }
        return Money(cents: amount.cents * Int64(count - 1) + (lastAmount ?? amount).cents)
    }

    /// Reads the plan of `stage` from `data`; the failure names the field and what is wrong.
    public static func read(_ data: [String: JSONValue], stage: String) -> Result<InstalmentPlan, LetterRules.Refusal> {
        func refuse(_ field: String, _ why: String) -> Result<InstalmentPlan, LetterRules.Refusal> {
            .failure(LetterRules.Refusal(rule: "instalment-data", invoice: nil, reason: "data.\(field) \(why)"))
        }
        func text(_ key: String) -> String? {
            switch data[key] {
            case .string(let s)?: return s
            case .number(let n)?: return n
            default: return nil
            }
        }
        let required = stage == "betalingsregeling" ? ["aantal_termijnen", "termijnbedrag", "eerste_termijn"] : ["termijnbedrag", "termijn_datum"]
        for key in required where text(key) == nil {
            return refuse(key, "is missing: a \(stage) prints it (\(required.map { "data." + $0 }.joined(separator: ", ")))")
        }
        guard let amountText = text("termijnbedrag"), let amount = Money(amountText), amount > .zero else {
            return refuse("termijnbedrag", "\"\(text("termijnbedrag") ?? "")\" must be an amount above zero such as \"125.00\"")
        }
        var plan = InstalmentPlan(count: nil, amount: amount)
        if let raw = text("aantal_termijnen") {
            guard let count = Int(raw), (2...120).contains(count) else { return refuse("aantal_termijnen", "\"\(raw)\" must be a whole number from 2 to 120") }
            plan.count = count
        }
        if let raw = text("laatste_termijnbedrag") {
            guard let last = Money(raw), last > .zero, last <= amount else {
                return refuse("laatste_termijnbedrag", "\"\(raw)\" must be an amount above zero and at most the termijnbedrag")
            }
            plan.lastAmount = last
        }
        for (key, path) in [("eerste_termijn", \InstalmentPlan.firstDue), ("termijn_datum", \InstalmentPlan.due)] {
            guard let raw = text(key) else { continue }
            guard let date = CalendarDate(iso: raw) else { return refuse(key, "\"\(raw)\" must be a date like 2026-12-01") }
            plan[keyPath: path] = date
        }
        if let raw = text("termijn_nummer") {
            guard let number = Int(raw), number >= 1, number <= (plan.count ?? 120) else {
                return refuse("termijn_nummer", "\"\(raw)\" must be a whole number from 1 to aantal_termijnen")
            }
            plan.number = number
        }
        return .success(plan)
    }
}
