import Foundation

/// The spool folders of CONTRACT section 1, plus Koerier's own working folders `active/` and `deferred/`.
public struct SpoolLayout: Sendable {
    /// Where an action file can be.
    public enum Folder: String, Sendable, CaseIterable {
        case tmp, new, cancel, active, deferred, sent, failed, rejected, cancelled
    }

    public let root: String

    public init(root: String) { self.root = root }

    public func path(_ folder: Folder) -> String { "\(root)/\(folder.rawValue)" }

    public func path(_ folder: Folder, _ name: String) -> String { "\(root)/\(folder.rawValue)/\(name)" }

    /// Creates any missing folder.
    public func create() throws {
        for folder in Folder.allCases {
            try FileManager.default.createDirectory(atPath: path(folder), withIntermediateDirectories: true)
        }
    }

    /// True for names Koerier picks up from new/: not hidden, ending in `.json`, no path tricks.
    public static func isActionFileName(_ name: String) -> Bool {
        !name.hasPrefix(".") && name.hasSuffix(".json") && name.count > 5 && !name.contains("/")
    }
}
