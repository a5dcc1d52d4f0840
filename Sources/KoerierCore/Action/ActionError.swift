/// Why an action file was refused: the field (a JSON path such as `invoices[1].amount`) and the reason.
public struct ActionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON path of the offending field; empty for the document as a whole.
    public let field: String
    public let reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { field.isEmpty ? reason : "\(field): \(reason)" }
}
