// swift-tools-version:6.0
import PackageDescription

// Coverage-guided fuzz targets for Koerier (libFuzzer). A separate package, so the main build never needs the
// fuzzer runtime. Build and run them with scripts/fuzz; by hand:
//
//   swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//   Fuzz/.build/release/FuzzActionDecoder -max_total_time=60 "$(mktemp -d)" Fuzz/Corpus/FuzzActionDecoder
//
// Each target is one executable whose only file exports `LLVMFuzzerTestOneInput` and the entry point SwiftPM
// links as `main`, which starts libFuzzer's driver (see FuzzSupport/FuzzDriver.swift).

/// The SMS providers whose response classifiers are fuzzed, one target each.
let providers = ["MessageBird", "CM", "Spryng", "Twilio", "Vonage", "GenericHTTP"]

var package = Package(
    name: "koerier-fuzz",
    dependencies: [
        .package(name: "koerier", path: ".."),
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(
            name: "FuzzSupport",
            dependencies: [
                "CFuzzDriver",
                .product(name: "KoerierCore", package: "koerier"),
                .product(name: "KoerierTransports", package: "koerier"),
            ]
        ),
        .executableTarget(
            name: "FuzzActionDecoder",
            dependencies: ["FuzzSupport", .product(name: "KoerierCore", package: "koerier")]
        ),
        .executableTarget(
            name: "FuzzBounceParser",
            dependencies: ["FuzzSupport", .product(name: "KoerierCore", package: "koerier")]
        ),
        .executableTarget(
            name: "FuzzConfigLoader",
            dependencies: ["FuzzSupport", .product(name: "KoerierCore", package: "koerier")]
        ),
    ] + providers.map { provider in
        .executableTarget(
            name: "Fuzz\(provider)Classifier",
            dependencies: [
                "FuzzSupport",
                .product(name: "KoerierTransports", package: "koerier"),
            ]
        )
    }
)
