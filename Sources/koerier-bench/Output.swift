import Foundation

/// Report text on standard output, written at once (unbuffered) so it keeps its order with the progress lines in a pipe.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// A progress line on standard error, so standard output stays the report (and pastes as it is with --markdown).
func progress(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
