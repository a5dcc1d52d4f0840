import Foundation
import Testing
@testable import KoerierCore

#if canImport(Glibc)
import Glibc
#endif

// Attachments are files from outside: fstat before reading (only regular files, the size first), a bounded
// read, and a failure that says whether trying again may help.

/// A fresh attachments root in the temporary folder, removed by `remove()`.
private struct AttachmentRoot {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "koerier-attachments-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + name))
    }

    /// An email action attaching `names` (relative to the root).
    func action(_ names: [String]) throws -> Action {
        let list = names.map { JSONValue.object(["path": .string($0)]) }
        return try ActionDecoder.decode(SampleActions.minimalEmail.setting("attachments", .array(list)).jsonBytes)
    }

    /// The error `AttachmentLoader.load` throws for `names`, or nil when it loads.
    func failure(_ names: [String]) throws -> RenderError? {
        let action = try action(names)
        do {
            _ = try AttachmentLoader.load(action, root: path)
            return nil
        } catch {
            return error
        }
    }
}

/// The peak resident memory of this process so far, in bytes.
private func peakMemory() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}

private let pdf = Array("%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".utf8)

@Suite("Attachment loading")
struct AttachmentLoaderTests {
    @Test("a PDF is read exactly, and one of exactly 10 MiB is still accepted")
    func readsPDFs() throws {
        let root = try AttachmentRoot()
        defer { root.remove() }
        try root.write("brief.pdf", pdf)
        try root.write("groot.pdf", pdf + [UInt8](repeating: 0x20, count: AttachmentLoader.maximumSize - pdf.count))
        let loaded = try AttachmentLoader.load(try root.action(["brief.pdf", "groot.pdf"]), root: root.path)
        #expect(loaded.map(\.filename) == ["brief.pdf", "groot.pdf"])
        #expect(loaded[0].data == pdf)
        #expect(loaded[1].data.count == 10 << 20)
    }

    @Test("a 2 GiB file is refused by its size before a byte is read")
    func hugeFileIsNotRead() throws {
        let root = try AttachmentRoot()
        defer { root.remove() }
        let path = root.path + "/groot.pdf"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(descriptor >= 0)
        _ = pdf.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        #expect(ftruncate(descriptor, 2 << 30) == 0)  // sparse: costs no disk
        close(descriptor)

        let before = peakMemory()
        let error = try #require(try root.failure(["groot.pdf"]))
        #expect(error.reason.contains("is 2147483648 bytes; at most 10 MiB"), "\(error.reason)")
        #expect(!error.temporary)
        // Reading the file whole would have raised the peak by 2 GiB.
        #expect(peakMemory() - before < 256 << 20)
    }

    @Test("a file one byte over 10 MiB is refused")
    func justTooLarge() throws {
        let root = try AttachmentRoot()
        defer { root.remove() }
        try root.write("groot.pdf", pdf + [UInt8](repeating: 0x20, count: AttachmentLoader.maximumSize + 1 - pdf.count))
        let error = try #require(try root.failure(["groot.pdf"]))
        #expect(error.reason.contains("is 10485761 bytes; at most 10 MiB"))
    }

    @Test("a named pipe is refused at once, never waited on")
    func namedPipe() throws {
        let root = try AttachmentRoot()
        defer { root.remove() }
        let path = root.path + "/pijp.pdf"
        #expect(mkfifo(path, 0o644) == 0)
        // A safety net, so a loader that blocks in open(2) fails this test instead of hanging the suite: after a
        // while, open the writing end and close it again, which lets a blocked reader go on (and read nothing).
        let released = Thread {
            Thread.sleep(forTimeInterval: 10)
            let writer = open(path, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
        }
        released.start()
        let error = try #require(try root.failure(["pijp.pdf"]))
        #expect(error.reason.contains("is not a regular file"), "\(error.reason)")
        #expect(!error.temporary)
    }

    @Test("a folder named like a PDF is refused as not a regular file")
    func folder() throws {
        let root = try AttachmentRoot()
        defer { root.remove() }
        try FileManager.default.createDirectory(atPath: root.path + "/map.pdf", withIntermediateDirectories: false)
        let error = try #require(try root.failure(["map.pdf"]))
        #expect(error.reason.contains("is not a regular file"), "\(error.reason)")
    }

    @Test("a missing file says it does not exist, and is not temporary")
    func missing() throws {
        let root = try AttachmentRoot()
        defer { root.remove() }
        let error = try #require(try root.failure(["weg.pdf"]))
        #expect(error.reason.contains("does not exist under the attachments root"), "\(error.reason)")
        #expect(!error.temporary)
    }

    @Test("a symbolic link that leads outside the root is refused")
    func symlinkOutside() throws {
        let root = try AttachmentRoot()
        let outside = try AttachmentRoot()
        defer { root.remove(); outside.remove() }
        try outside.write("geheim.pdf", pdf)
        try FileManager.default.createSymbolicLink(atPath: root.path + "/link.pdf", withDestinationPath: outside.path + "/geheim.pdf")
        let error = try #require(try root.failure(["link.pdf"]))
        #expect(error.reason.contains("resolves outside the attachments root"))
    }

    @Test("errno decides once: passing conditions are temporary, the rest say why the file cannot be read",
          arguments: [
            (EMFILE, "temporary"), (ENFILE, "temporary"), (ENOMEM, "temporary"), (EIO, "temporary"), (EINTR, "temporary"),
            (ENOENT, "missing"), (ENOTDIR, "missing"), (ELOOP, "symlink"), (EACCES, "unreadable"), (EPERM, "unreadable"),
          ] as [(Int32, String)])
    func errnoClassification(_ code: Int32, _ expected: String) {
        let problem = AttachmentLoader.problem(errno: code)
        let error = problem.error(field: "attachments[0].path: \"a.pdf\"", root: "/srv/bijlagen")
        switch expected {
        case "temporary":
            #expect(problem == .temporary(String(cString: strerror(code))))
            #expect(error.temporary)
            #expect(error.reason.contains("cannot be read now: \(String(cString: strerror(code)))"))
        case "missing":
            #expect(problem == .missing)
            #expect(!error.temporary)
        case "symlink":
            #expect(problem == .symbolicLink)
            #expect(!error.temporary)
        default:
            #expect(problem == .unreadable(String(cString: strerror(code))))
            #expect(!error.temporary)
            #expect(error.reason.contains("cannot be read: \(String(cString: strerror(code)))"))
        }
    }

    @Test("a file that is not a PDF is refused")
    func notAPDF() throws {
        let root = try AttachmentRoot()
        defer { root.remove() }
        try root.write("brief.pdf", Array("MZ\u{90}\0".utf8))
        let error = try #require(try root.failure(["brief.pdf"]))
        #expect(error.reason.contains("is not a PDF"))
    }
}
