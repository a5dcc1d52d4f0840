/// A JSON value kept as data (the action's free `data` object), Sendable and comparable.
public enum JSONValue: Sendable, Hashable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value as a Mustache context: strings, numbers as text, booleans, lists and dictionaries.
    public var templateValue: Any {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b
        case .null: return ""
        case .array(let a): return a.map(\.templateValue)
        case .object(let o): return o.mapValues(\.templateValue)
        }
    }
}
