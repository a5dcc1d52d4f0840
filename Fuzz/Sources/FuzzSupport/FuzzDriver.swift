import CFuzzDriver

/// Starts libFuzzer from a target's entry point.
///
/// SwiftPM (tools version 5.5 and later, on Linux) links every executable with `--defsym main=<Module>_main`, so
/// libFuzzer's own `main` is never used and a target built with `-parse-as-library` has no `main` at all. Each
/// target therefore exports `<Module>_main` and hands over to libFuzzer's driver here.
public enum FuzzDriver {
    /// Runs libFuzzer with the process's arguments and `test` as `LLVMFuzzerTestOneInput`.
    public static func run(
        _ argc: CInt,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
        _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt {
        // `LLVMFuzzerRunDriver` may rewrite argc and argv (it keeps its own copies of the flags).
        var count = argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return LLVMFuzzerRunDriver(&count, &arguments, test)
    }
}
