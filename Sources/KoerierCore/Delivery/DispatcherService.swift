import ServiceLifecycle

/// The dispatcher as a service: it runs until graceful shutdown (no new work; sends under way finish) or, with
/// `once`, until what is due now is done, which then shuts the whole group down. When the group's shutdown
/// deadline passes it cancels the service: sends still under way cannot be waited for, so `onForcedStop` runs
/// (the executable finishes the journal's current batch and exits non-zero).
public struct DispatcherService: Service {
    public let dispatcher: Dispatcher
    public let once: Bool
    public let onForcedStop: @Sendable () -> Void

    public init(dispatcher: Dispatcher, once: Bool, onForcedStop: @escaping @Sendable () -> Void) {
        self.dispatcher = dispatcher
        self.once = once
        self.onForcedStop = onForcedStop
    }

    public func run() async throws {
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await dispatcher.run(once: once)
            } onGracefulShutdown: {
                dispatcher.stop()
            }
        } onCancel: {
            dispatcher.stop()
            onForcedStop()
        }
    }
}
