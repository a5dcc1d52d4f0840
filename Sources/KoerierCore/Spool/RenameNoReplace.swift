#if canImport(Glibc)
import Glibc
#endif

/// rename(2) that never replaces: `renameat2(..., RENAME_NOREPLACE)` (Linux 3.15, glibc 2.28), so "is the name free?"
/// and "take it" are one atomic step and one system call. Swift's Glibc module does not declare `renameat2` (it needs
/// `_GNU_SOURCE`), so the symbol is looked up once in the C library that is already loaded. Where the call or the
/// flag is missing (an old kernel, a file system without the flag), a check with access(2) and a plain rename take
/// its place: race-free too, because one process owns the spool (`OwnerLock`).
enum RenameNoReplace {
    /// What the rename gave.
    enum Result: Equatable {
        case renamed
        /// The target name is taken.
        case taken
        /// The source is not there.
        case missing
        case failed(Int32)
    }

    private typealias Renameat2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32

    /// `RENAME_NOREPLACE` from <linux/fs.h>.
    private static let noReplace: UInt32 = 1

    private static let function: Renameat2? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: Renameat2.self)
    }()

    /// Renames `from` to `to` unless `to` exists.
    static func rename(_ from: String, _ to: String) -> Result {
        if let function {
            if function(AT_FDCWD, from, AT_FDCWD, to, noReplace) == 0 { return .renamed }
            let code = errno
            if code != ENOSYS && code != EINVAL { return result(of: code) }
        }
        if access(to, F_OK) == 0 { return .taken }
        return Glibc.rename(from, to) == 0 ? .renamed : result(of: errno)
    }

    private static func result(of code: Int32) -> Result {
        switch code {
        case EEXIST, ENOTEMPTY: .taken
        case ENOENT: .missing
        default: .failed(code)
        }
    }
}
