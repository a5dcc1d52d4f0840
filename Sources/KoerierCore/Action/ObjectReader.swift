/// Reads the fields of one JSON object strictly, naming the full path of a field in every error.
struct ObjectReader {
    let path: String
    let object: [String: JSONValue]

    init(_ value: JSONValue, path: String, allowed: Set<String>) throws(ActionError) {
        guard case .object(let object) = value else {
            throw ActionError(field: path, reason: "must be an object, found \(value.kindName)")
        }
        if let unknown = object.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw ActionError(field: Self.join(path, unknown), reason: "is not a known field (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        self.path = path
        self.object = object
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func field(_ key: String) -> String { Self.join(path, key) }

    func has(_ key: String) -> Bool {
        if let value = object[key], value != .null { return true }
        return false
    }

    func value(_ key: String) throws(ActionError) -> JSONValue {
        guard let value = object[key], value != .null else { throw ActionError(field: field(key), reason: "is required") }
        return value
    }

    /// The string at `key`, trimmed of surrounding spaces and tabs unless `trimming` is false, refused when it is
    /// empty, longer than `maxLength` characters, or holds a character `TextCheck` refuses.
    func string(_ key: String, maxLength: Int = 1000, trimming: Bool = true) throws(ActionError) -> String {
        let value = try value(key)
        guard case .string(let text) = value else {
            throw ActionError(field: field(key), reason: "must be a string, found \(value.kindName)")
        }
        let trimmed = trimming ? text.trimmingSpaces : text
        if trimmed.isEmpty { throw ActionError(field: field(key), reason: "is empty") }
        // utf8.count bounds count (characters) from above: the character count is only needed for long text.
        if trimmed.utf8.count > maxLength && trimmed.count > maxLength { throw ActionError(field: field(key), reason: "is longer than \(maxLength) characters") }
        if let problem = TextCheck.problem(trimmed) { throw ActionError(field: field(key), reason: problem) }
        return trimmed
    }

    func optionalString(_ key: String, maxLength: Int = 1000) throws(ActionError) -> String? {
        has(key) ? try string(key, maxLength: maxLength) : nil
    }

    func money(_ key: String) throws(ActionError) -> Money {
        let value = try value(key)
        switch value {
        case .string(let text):
            guard let money = Money(text) else {
                throw ActionError(field: field(key), reason: "\"\(text)\" is not an amount: write digits with a dot and at most two decimals, like \"1234.56\"")
            }
            return money
        case .number(let literal):
            throw ActionError(field: field(key), reason: "is the number \(literal); money must be a string like \"\(literal)\" so no rounding can creep in")
        default:
            throw ActionError(field: field(key), reason: "must be an amount string like \"1234.56\", found \(value.kindName)")
        }
    }

    func date(_ key: String) throws(ActionError) -> CalendarDate {
        let text = try string(key, maxLength: 40)
        guard let date = CalendarDate(iso: text) ?? RFC3339.parse(text).map({ RFC3339.utcDay($0) }) else {
            throw ActionError(field: field(key), reason: "\"\(text)\" is not a date like \"2026-11-22\"")
        }
        return date
    }
}

extension JSONValue {
    /// A word for the kind of value, for error messages.
    var kindName: String {
        switch self {
        case .string: return "a string"
        case .number(let n): return "the number \(n)"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (but never touching other control characters).
    var trimmingSpaces: String {
        let edges = (utf8.first, utf8.last)
        if edges.0 != 32 && edges.0 != 9 && edges.1 != 32 && edges.1 != 9 { return self }
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
