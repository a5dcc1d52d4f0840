extension CompiledTemplate {
    /// A copy in which the variables under the root fields `constants` (for the renderer: `company`, fixed per
    /// configuration) are printed in advance, for contexts whose root holds exactly these values.
    ///
    /// Outside sections only the root is in scope, so such a variable becomes literal text there. Inside a section
    /// the section's value may have a field of the same name, so the printed text is used only while no section
    /// value is in scope (a flag section enters none) and the name is looked up otherwise, as before.
    func folding(_ constants: [String: TemplateValue]) -> CompiledTemplate {
        CompiledTemplate(root: Self.fold(root, constants, outsideSections: true), literalBytes: literalBytes)
    }

    private static func fold(_ block: Block, _ constants: [String: TemplateValue], outsideSections: Bool) -> Block {
        var folded = Block(ops: [], indentation: block.indentation)
        folded.ops.reserveCapacity(block.ops.count)
        for op in block.ops {
            switch op {
            case .value(let path, let escaped):
                guard let bytes = printed(path, escaped: escaped, constants) else {
                    folded.ops.append(op)
                    continue
                }
                if outsideSections {
                    folded.append(literal: bytes)
                } else {
                    folded.ops.append(.printed(bytes, path, escaped: escaped))
                }
            case .literal(let bytes):
                folded.append(literal: bytes)
            case .section(let path, let body):
                folded.ops.append(.section(path, fold(body, constants, outsideSections: false)))
            case .invertedSection(let path, let body):
                folded.ops.append(.invertedSection(path, fold(body, constants, outsideSections: false)))
            case .block(let inner):
                folded.ops.append(.block(fold(inner, constants, outsideSections: outsideSections)))
            case .printed:
                folded.ops.append(op)
            }
        }
        return folded
    }

    /// What `path` prints when the root holds `constants`, or nil when it is not under them (or is a list or object).
    private static func printed(_ path: Path, escaped: Bool, _ constants: [String: TemplateValue]) -> [UInt8]? {
        guard !path.anchored, let first = path.names.first, var value = constants[first] else { return nil }
        for name in path.names.dropFirst() {
            guard let next = value.field(name) else { return [] }
            value = next
        }
        var bytes: [UInt8] = []
        switch value {
        case .text(let text):
            if escaped { HTMLEscaping.append(text, to: &bytes) } else { bytes += text.utf8 }
        case .flag(let flag):
            bytes += (flag ? "true" : "false").utf8
        case .list, .object:
            return nil
        }
        return bytes
    }
}
