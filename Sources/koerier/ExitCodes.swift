import ArgumentParser

/// sysexits.h codes, as CONTRACT section 4 fixes them.
enum Sysexits {
    static let usage = ExitCode(64)
    static let dataError = ExitCode(65)
    static let ioError = ExitCode(74)
    static let configError = ExitCode(78)
}
