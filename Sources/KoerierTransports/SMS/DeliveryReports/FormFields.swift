import Foundation

/// Decoding of `application/x-www-form-urlencoded` text and flat JSON objects, bounded (at most 100 fields,
/// 2,000 bytes a value: a delivery report has a dozen short fields).
public enum FormFields {
    static let maximumFields = 100
    static let maximumValue = 2_000

    /// `a=1&b=x+y` -> [(a, 1), (b, x y)]; fields past the limit or undecodable ones are left out.
    public static func decode(_ text: String) -> [(String, String)] {
        var result: [(String, String)] = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true).prefix(maximumFields) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(parts[0]), !name.isEmpty else { continue }
            let value = parts.count > 1 ? unescape(parts[1]) : ""
            guard let value, value.utf8.count <= maximumValue else { continue }
            result.append((name, value))
        }
        return result
    }

    /// One form-encoded component: `+` is a space, `%XX` a byte; nil when it is not valid UTF-8 after decoding.
    static func unescape(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// The scalar members of a flat JSON object (strings, numbers, booleans) as text; nested values are skipped.
    public static func flatJSON(_ body: [UInt8]) -> [(String, String)] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return [] }
        var result: [(String, String)] = []
        for (name, value) in object.prefix(maximumFields) {
            switch value {
            case let text as String where text.utf8.count <= maximumValue: result.append((name, text))
            case let number as NSNumber: result.append((name, number.stringValue))
            default: continue
            }
        }
        return result
    }
}
