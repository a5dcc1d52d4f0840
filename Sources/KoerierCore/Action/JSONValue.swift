/// A JSON value kept as data (the action's free `data` object), Sendable and comparable.
public enum JSONValue: Sendable, Hashable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value as templates see it: strings, numbers as the text they were written as, booleans, lists and
    /// objects; `null` is empty text (true in a section, as it always was).
    public var templateValue: TemplateValue {
        switch self {
        case .string(let s): return .text(s)
        case .number(let n): return .text(n)
        case .bool(let b): return .flag(b)
        case .null: return .text("")
        case .array(let a): return .list(a.map(\.templateValue))
        case .object(let o): return .object(o.mapValues(\.templateValue))
        }
    }
}
