#if canImport(Glibc)
import Glibc
#endif

/// Walks new/ with one open directory stream across calls, so each file is seen once per pass
/// instead of re-reading the whole folder for every batch.
final class SpoolScanner {
    private let path: String
    private var dir: OpaquePointer?

    init(path: String) { self.path = path }

    deinit { if let dir { closedir(dir) } }

    /// Up to `limit` action file names; `atEnd` is true when this pass reached the end of the folder.
    func next(limit: Int) -> (names: [String], atEnd: Bool) {
        if dir == nil { dir = opendir(path) }
        guard let dir else { return ([], true) }
        var names: [String] = []
        while names.count < limit {
            guard let entry = readdir(dir) else {
                closedir(dir)
                self.dir = nil
                return (names, true)
            }
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if SpoolLayout.isActionFileName(name) { names.append(name) }
        }
        return (names, false)
    }
}
