import FuzzSupport
import KoerierCore

/// libFuzzer entry: the input is a message mailed to the bounce address (a DSN, a complaint, an out-of-office,
/// junk). `koerier bounce` keeps it and the daemon parses it: parsing may find nothing; it may never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = DeliveryReportParser.parse(bytes[...])
    if let recipient = InboundMessage.recipient(given: nil, message: bytes[...]) {
        _ = BounceAddress(address: recipient, domain: "bounces.voorbeeld.nl")
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see `FuzzDriver`).
@_cdecl("FuzzBounceParser_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    FuzzDriver.run(argc, argv) { data, size in
        guard let data else {
            var none: UInt8 = 0
            return withUnsafePointer(to: &none) { fuzz($0, 0) }
        }
        return fuzz(data, size)
    }
}
