import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File operations on the spool: listing without loading a whole folder, atomic claims and moves.
public struct Spool: Sendable {
    public let layout: SpoolLayout

    public init(layout: SpoolLayout) { self.layout = layout }

    /// Up to `limit` action file names from `folder`, read with readdir so a folder of 100,000 files costs little memory.
    public func list(_ folder: SpoolLayout.Folder, limit: Int = .max, actionFilesOnly: Bool = true) -> [String] {
        guard let dir = opendir(layout.path(folder)) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while names.count < limit, let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            if actionFilesOnly && !SpoolLayout.isActionFileName(name) { continue }
            names.append(name)
        }
        return names
    }

    /// Moves `name` from one folder to another with rename(2). False when the file is no longer there.
    @discardableResult
    /// Never replaces a file of the target name (`RenameNoReplace`): that is an error, and both files stay.
    public func move(_ name: String, from: SpoolLayout.Folder, to: SpoolLayout.Folder, as target: String? = nil) throws -> Bool {
        switch RenameNoReplace.rename(layout.path(from, name), layout.path(to, target ?? name)) {
        case .renamed: return true
        case .missing: return false
        case .taken:
            throw SpoolError(path: layout.path(from, name), reason: "cannot move to \(to.rawValue)/: a file of that name is already there")
        case .failed(let code):
            throw SpoolError(path: layout.path(from, name), reason: "cannot move to \(to.rawValue)/: \(String(cString: strerror(code)))")
        }
    }

    /// What claiming a file from new/ gave.
    public enum Claim: Sendable, Equatable {
        /// The file is now in active/ and ours.
        case claimed
        /// The file is no longer in new/.
        case gone
        /// A file of the same name is still being handled in active/: try again later.
        case busy
    }

    /// Claims `name` from new/ into active/ in one system call that never replaces a file of that name still in
    /// active/ (`RenameNoReplace`). A file of that name waiting in deferred/ is the dispatcher's to know: it keeps the
    /// names it holds in memory (one process owns the spool) and does not ask for them.
    /// rename needs only write access to the folders, so an engine running as another user is fine
    /// (link(2) would fail there with EPERM under fs.protected_hardlinks).
    public func claim(_ name: String) throws -> Claim {
        switch RenameNoReplace.rename(layout.path(.new, name), layout.path(.active, name)) {
        case .renamed: return .claimed
        case .taken: return .busy
        case .missing: return .gone
        case .failed(let code):
            throw SpoolError(path: layout.path(.new, name), reason: "cannot claim into active/: \(String(cString: strerror(code)))")
        }
    }

    /// Reads an action file, refusing anything over `maximum` bytes before reading it.
    public func read(_ name: String, in folder: SpoolLayout.Folder, maximum: Int) -> ReadResult {
        let path = layout.path(folder, name)
        // O_NONBLOCK: a named pipe or device must not stall the reader in open(2); fstat then refuses it.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return .missing }
            if Self.isTemporary(errno) { return .temporary(String(cString: strerror(errno))) }
            return .unreadable(String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .unreadable(String(cString: strerror(errno))) }
        if (info.st_mode & S_IFMT) != S_IFREG { return .unreadable("is not a regular file") }
        if Int(info.st_size) > maximum { return .tooLarge(Int(info.st_size)) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in Glibc.read(fd, buffer.baseAddress! + offset, buffer.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return Self.isTemporary(errno) ? .temporary(String(cString: strerror(errno))) : .unreadable(String(cString: strerror(errno)))
            }
            if n == 0 { break }
            offset += n
        }
        return .bytes(Array(bytes[0..<offset]))
    }

    /// What reading an action file gave.
    public enum ReadResult: Sendable {
        case bytes([UInt8])
        case missing
        case tooLarge(Int)
        case unreadable(String)
        /// The system could not read it just now (out of descriptors or memory, I/O error): try again later.
        case temporary(String)
    }

    /// Errors that say nothing about the file itself.
    static func isTemporary(_ code: Int32) -> Bool {
        [EMFILE, ENFILE, ENOMEM, EIO, EAGAIN, EINTR, ENOBUFS].contains(code)
    }

    /// Ends an action: writes `<name>.reason.txt` beside its terminal place (when a reason is given), then moves it there.
    /// A file of the same name already in the terminal folder is never overwritten: the new one gets a suffix. A name
    /// too long to carry `.reason.txt` (or the suffix) within the 255-byte limit is shortened, keeping its start and
    /// adding a hash of the whole name; the journal keeps the original name in `file`.
    public func finish(_ name: String, from: SpoolLayout.Folder, to: SpoolLayout.Folder, reason: String?) throws {
        var counter = 1
        while true {
            let target = Self.terminalName(name, counter: counter)
            if let reason {
                // The reason goes in first, so a terminal file never lacks one: here the free name is looked for.
                if access(layout.path(to, target), F_OK) == 0 {
                    counter += 1
                    continue
                }
                let line = String(String.UnicodeScalarView(reason.unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 })) + "\n"
                do {
                    try DurableFile.write(Array(line.utf8), to: layout.path(to, target + ".reason.txt"))
                } catch {
                    throw SpoolError(path: error.path, reason: String(cString: strerror(error.errno)))
                }
            }
            // Without a reason (sent/), the rename itself finds out whether the name is free: one system call.
            switch RenameNoReplace.rename(layout.path(from, name), layout.path(to, target)) {
            case .renamed:
                return
            case .taken:
                counter += 1
            case .missing:
                throw SpoolError(path: layout.path(from, name), reason: "vanished before it could be moved to \(to.rawValue)/")
            case .failed(let code):
                throw SpoolError(path: layout.path(from, name), reason: "cannot move to \(to.rawValue)/: \(String(cString: strerror(code)))")
            }
        }
    }

    /// The longest name (in bytes) a terminal file may have, so `<name>.reason.txt` fits in NAME_MAX (255).
    static let longestTerminalName = 255 - ".reason.txt".utf8.count

    /// The name a file gets in its terminal folder: its own, or with `.N` before `.json` when N > 1, shortened when needed.
    static func terminalName(_ name: String, counter: Int) -> String {
        let stem = String(name.dropLast(5))
        let suffix = counter > 1 ? ".\(counter).json" : ".json"
        if stem.utf8.count + suffix.utf8.count <= longestTerminalName { return stem + suffix }
        let tag = "~" + String(StableHash.fnv1a64(name), radix: 16)
        let budget = longestTerminalName - suffix.utf8.count - tag.utf8.count
        var kept = ""
        var used = 0
        for scalar in stem.unicodeScalars {
            let size = String(scalar).utf8.count
            if used + size > budget { break }
            kept.unicodeScalars.append(scalar)
            used += size
        }
        return kept + tag + suffix
    }

    /// True when `name` is in `folder`.
    public func exists(_ name: String, in folder: SpoolLayout.Folder) -> Bool {
        access(layout.path(folder, name), F_OK) == 0
    }

    /// Makes the renames in these folders durable (one fsync each), so a power loss cannot undo them.
    public func syncFolders(_ folders: [SpoolLayout.Folder]) {
        for folder in folders { DurableFile.syncFolder(layout.path(folder)) }
    }

    /// True when the engine has asked to withdraw action `id`.
    public func hasCancelMarker(_ id: String) -> Bool {
        access(layout.path(.cancel, id), F_OK) == 0
    }

    /// Removes a cancel marker once its action has been cancelled.
    public func removeCancelMarker(_ id: String) {
        unlink(layout.path(.cancel, id))
    }
}

/// A spool file operation failed.
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
