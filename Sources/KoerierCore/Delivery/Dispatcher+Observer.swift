extension Dispatcher {
    /// Calls `observer` with every batch of events the dispatcher journals, after it is durable (from the
    /// dispatcher's task: keep it short). The feedback desk learns of `sent` this way.
    public func observe(_ observer: @escaping @Sendable ([JournalEvent]) -> Void) {
        state.withLock { $0.observer = observer }
    }
}
