import ArgumentParser

/// sysexits.h codes, as CONTRACT section 4 fixes them.
enum Sysexits {
    static let usage = ExitCode(64)
    static let dataError = ExitCode(65)
    static let ioError = ExitCode(74)
    /// Temporary: the spool or journal is held by another process, the journal cannot be written, or a forced stop.
    static let temporary = ExitCode(75)
    static let configError = ExitCode(78)
}
