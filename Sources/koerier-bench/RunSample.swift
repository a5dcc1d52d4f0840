/// One timed run of one side (koerier or the baseline), per message where that makes sense.
struct RunSample {
    let messagesPerSecond: Double
    let userMsPerMessage: Double
    let systemMsPerMessage: Double
    let contextSwitchesPerMessage: Double
    let peakMiB: Double
    let wallSeconds: Double

    init(_ usage: ChildUsage, messages: Int) {
        let n = Double(messages)
        messagesPerSecond = n / usage.wallSeconds
        userMsPerMessage = usage.userSeconds * 1000 / n
        systemMsPerMessage = usage.systemSeconds * 1000 / n
        contextSwitchesPerMessage = Double(usage.contextSwitches) / n
        peakMiB = Double(usage.maxRSSKiB) / 1024
        wallSeconds = usage.wallSeconds
    }
}
