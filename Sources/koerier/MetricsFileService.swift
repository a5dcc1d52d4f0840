import Foundation
import KoerierCore
import ServiceLifecycle

/// Writes the Prometheus metrics file every 15 seconds, and once more at shutdown.
struct MetricsFileService: Service {
    let dispatcher: Dispatcher
    let file: String

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(15)) }
            await write()
        }
    }

    /// Writes the file atomically (a temporary name, then rename), as textfile collectors expect.
    private func write() async {
        let text = await dispatcher.metrics().prometheusText()
        try? DurableFile.write(Array(text.utf8), to: file)
    }
}
