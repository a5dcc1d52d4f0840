import Foundation
import FuzzSupport
import KoerierCore

/// One scratch folder per fuzzing process; the input is written to `koerier.yaml` in it for every run.
private let folder: String = {
    let path = NSTemporaryDirectory() + "/koerier-fuzz-config-\(ProcessInfo.processInfo.processIdentifier)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

/// Secrets the configuration may name through `_env` keys, so the loader gets past them.
private let environment = [
    "KOERIER_SMTP_PASSWORD": "fuzz-password",
    "KOERIER_MESSAGEBIRD_TOKEN": "fuzz-token",
    "KOERIER_SMS_TOKEN": "fuzz-token",
]

/// libFuzzer entry: the input is a configuration file. Loading may refuse it; it may never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // An empty file is skipped: FoundationEssentials' FileManager.contents(atPath:) leaks its 4 KiB read buffer
    // for a file of 0 bytes (swift 6.3.1, found by this target), which LeakSanitizer would report on every run.
    // `ConfigurationTests` covers the empty file.
    guard size > 0 else { return 0 }
    let file = folder + "/koerier.yaml"
    guard FileManager.default.createFile(atPath: file, contents: Data(bytes: data, count: size)) else { return 0 }
    _ = try? Configuration.load(file: file, environment: environment)
    return 0
}

/// The entry point SwiftPM links as `main` (see `FuzzDriver`).
@_cdecl("FuzzConfigLoader_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in
        guard let data else {
            var none: UInt8 = 0
            return withUnsafePointer(to: &none) { fuzz($0, 0) }
        }
        return fuzz(data, size)
    }
}
