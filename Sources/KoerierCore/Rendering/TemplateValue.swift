/// A value a template sees: text, a flag for sections, a list, or an object of named values.
///
/// `TemplateContext` builds one per action; the compiled templates (`CompiledTemplate`) read it directly, and
/// `anyValue` gives swift-mustache the same data as plain Swift values (`String`, `Bool`, `[Any]`, `[String: Any]`),
/// so both render the same bytes. There is no number case: amounts, counts and the action's JSON numbers reach
/// templates as text, exactly as written.
public enum TemplateValue: Sendable, Equatable {
    case text(String)
    case flag(Bool)
    case list([TemplateValue])
    case object([String: TemplateValue])

    /// An object from optional values; absent ones are left out (Mustache treats `""` as true in a section, absence as false).
    public static func object(compacting values: [String: TemplateValue?]) -> TemplateValue {
        .object(values.compactMapValues { $0 })
    }

    /// The value as swift-mustache reads it: `String`, `Bool`, `[Any]` (a sequence) and `[String: Any]` (a parent).
    public var anyValue: Any {
        switch self {
        case .text(let text): return text
        case .flag(let flag): return flag
        case .list(let items): return items.map(\.anyValue)
        case .object(let fields): return fields.mapValues(\.anyValue)
        }
    }

    /// The named field of an object; nothing for any other value (swift-mustache finds no child in a string or a list).
    @inline(__always)
    func field(_ name: String) -> TemplateValue? {
        guard case .object(let fields) = self else { return nil }
        return fields[name]
    }
}
