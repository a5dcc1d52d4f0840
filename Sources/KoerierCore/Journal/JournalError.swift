/// The journal could not make an event durable; nothing that depends on it may happen.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    /// errno, when the failure came from the operating system.
    public let errno: Int32

    public var description: String { "journal \(path): \(reason)" }

    /// A full disk: writing may work again later.
    public var isNoSpace: Bool { errno == 28 || errno == 122 }  // ENOSPC, EDQUOT
}
