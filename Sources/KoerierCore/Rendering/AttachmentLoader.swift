import Foundation

/// Reads an action's PDF attachments from below the configured attachments root.
public enum AttachmentLoader {
    /// Reads the action's attachments from below `root`, refusing anything that resolves outside it.
    public static func load(_ action: Action, root: String) throws(RenderError) -> [MailAttachment] {
        guard !action.attachments.isEmpty else { return [] }
        let realRoot = (root as NSString).resolvingSymlinksInPath
        var result: [MailAttachment] = []
        for (index, attachment) in action.attachments.enumerated() {
            let path = (realRoot as NSString).appendingPathComponent(attachment.path)
            let resolved = (path as NSString).resolvingSymlinksInPath
            guard resolved.hasPrefix(realRoot + "/") else {
                throw RenderError(reason: "attachments[\(index)].path: \"\(attachment.path)\" resolves outside the attachments root")
            }
            guard let data = FileManager.default.contents(atPath: resolved) else {
                throw RenderError(reason: "attachments[\(index)].path: \"\(attachment.path)\" does not exist under the attachments root \(root)")
            }
            if data.count > 10 << 20 {
                throw RenderError(reason: "attachments[\(index)].path: \"\(attachment.path)\" is \(data.count) bytes; at most 10 MiB")
            }
            if !data.starts(with: Array("%PDF-".utf8)) {
                throw RenderError(reason: "attachments[\(index)].path: \"\(attachment.path)\" is not a PDF (it does not start with %PDF-)")
            }
            result.append(MailAttachment(filename: attachment.filename, data: [UInt8](data)))
        }
        return result
    }
}
