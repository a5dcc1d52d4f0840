/// The bounds on an action's `tags`, which are copied into every journal event of the action.
public enum TagLimits {
    /// Most tags on one action.
    public static let count = 32
    /// Longest key, in characters of `[A-Za-z0-9._-]`.
    public static let keyLength = 64
    /// Longest value, in UTF-8 bytes.
    public static let valueBytes = 256

    /// `[A-Za-z0-9._-]{1,64}`.
    public static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= keyLength
            && key.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 46 || $0 == 95 || $0 == 45 }
    }
}
