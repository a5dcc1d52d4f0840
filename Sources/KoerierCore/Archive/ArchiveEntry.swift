import Crypto

/// The exact bytes of one message as handed to the relay or provider (an email as sent, an SMS request body),
/// kept as evidence beside the `sent` event that names its SHA-256.
public struct ArchiveEntry: Sendable, Equatable {
    public let action: String
    public let channel: String
    public let bytes: [UInt8]
    /// Hex SHA-256 of `bytes`: the journal's `archive_sha256`.
    public let sha256: String

    public init(action: String, channel: String, bytes: [UInt8]) {
        self.action = action
        self.channel = channel
        self.bytes = bytes
        self.sha256 = Hex.encode(SHA256.hash(data: bytes))
    }

    /// The record as it is appended to a day file: a JSON header line, then exactly `length` bytes, then a newline.
    func record(ts: String) -> [UInt8] {
        var header = "{\"ts\":\"\(ts)\",\"action\":"
        JSONText.appendQuoted(action, to: &header)
        header += ",\"channel\":"
        JSONText.appendQuoted(channel, to: &header)
        header += ",\"sha256\":\"\(sha256)\",\"length\":\(bytes.count)}\n"
        return Array(header.utf8) + bytes + [0x0A]
    }
}
