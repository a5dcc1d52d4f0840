import ServiceLifecycle

/// The dispatcher as a service: it runs until graceful shutdown (no new work; sends under way finish) or, with
/// `once`, until what is due now is done, which then shuts the whole group down. When the group's shutdown
/// deadline passes it cancels the service: sends still under way cannot be waited for, so `onForcedStop` runs
/// (the executable finishes the journal's current batch and exits non-zero).
public struct DispatcherService: Service {
    public let dispatcher: Dispatcher
    public let once: Bool
    public let onForcedStop: @Sendable () -> Void
    /// Called once recovery is done and work is taken.
    public let onReady: @Sendable () -> Void

    public init(dispatcher: Dispatcher, once: Bool, onReady: @escaping @Sendable () -> Void = {}, onForcedStop: @escaping @Sendable () -> Void) {
        self.dispatcher = dispatcher
        self.once = once
        self.onReady = onReady
        self.onForcedStop = onForcedStop
    }

    public func run() async throws {
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await dispatcher.run(once: once, onReady: onReady)
            } onGracefulShutdown: {
                SystemdNotify.send("STOPPING=1")
                dispatcher.stop()
            }
        } onCancel: {
            dispatcher.stop()
            onForcedStop()
        }
    }
}
