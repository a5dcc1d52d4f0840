import FuzzSupport
import KoerierTransports

/// libFuzzer entry: the input is an answer to the generic `http` provider (see `FuzzResponse`), classified with
/// the default settings and with a narrow success status and a deep id path.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzResponse.exercise(GenericHTTPProvider(), data, size)
    FuzzResponse.exercise(GenericHTTPProvider(successStatus: 202...202, idJSONPath: "data.messages.0.id"), data, size)
    return 0
}

/// The entry point SwiftPM links as `main` (see `FuzzDriver`).
@_cdecl("FuzzGenericHTTPClassifier_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in
        guard let data else {
            var none: UInt8 = 0
            return withUnsafePointer(to: &none) { fuzz($0, 0) }
        }
        return fuzz(data, size)
    }
}
