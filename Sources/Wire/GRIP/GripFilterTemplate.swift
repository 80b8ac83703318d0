/// The `%` directive language of the `build-id` and `var-subst` filters and of meta `id_format`:
/// `%%` is a literal `%`; `%X` (a letter) and `%(argument)X` are directives the caller
/// expands; inside the parentheses `\` escapes the next byte (so `\)` is a `)`). Anything else
/// after a `%`, or a template that ends inside a directive, is an error.
public enum GripFilterTemplate {
    /// One directive: its letter and its parenthesised argument (nil for the bare `%X` form).
    public typealias Expand = (_ directive: UInt8, _ argument: [UInt8]?) -> Result<[UInt8], GripFilterError>

    public static func render(_ template: [UInt8], _ expand: Expand) -> Result<[UInt8], GripFilterError> {
        var out: [UInt8] = []
        out.reserveCapacity(template.count)
        var index = 0
        let percent = UInt8(ascii: "%")
        while index < template.count {
            let byte = template[index]
            index += 1
            guard byte == percent else {
                out.append(byte)
                continue
            }
            guard index < template.count else { return .failure(GripFilterError("template ends after '%'")) }
            var directive = template[index]
            index += 1
            if directive == percent {
                out.append(percent)
                continue
            }
            var argument: [UInt8]? = nil
            if directive == UInt8(ascii: "(") {
                var collected: [UInt8] = []
                var closed = false
                while index < template.count {
                    var next = template[index]
                    index += 1
                    if next == UInt8(ascii: ")") {
                        closed = true
                        break
                    }
                    if next == UInt8(ascii: "\\") {
                        guard index < template.count else { break }
                        next = template[index]
                        index += 1
                    }
                    collected.append(next)
                }
                guard closed else { return .failure(GripFilterError("unterminated '%(' at position \(index)")) }
                guard index < template.count else {
                    return .failure(GripFilterError("template ends after ')' at position \(index)"))
                }
                directive = template[index]
                index += 1
                argument = collected
            } else if !isLetter(directive) {
                return .failure(GripFilterError("unknown directive '\(Character(Unicode.Scalar(directive)))' at position \(index - 1)"))
            }
            switch expand(directive, argument) {
            case .success(let bytes): out += bytes
            case .failure(let error): return .failure(GripFilterError("\(error.message) at position \(index - 1)"))
            }
        }
        return .success(out)
    }

    /// `%(name)s` only, each name looked up in `variables`; used for `id_format` and `var-subst`.
    public static func substitute(_ template: [UInt8], _ variables: (String) -> String?) -> Result<[UInt8], GripFilterError> {
        render(template) { directive, argument in
            guard directive == UInt8(ascii: "s") else {
                return .failure(GripFilterError("unknown directive '\(Character(Unicode.Scalar(directive)))'"))
            }
            guard let argument else { return .failure(GripFilterError("directive 's' needs a name")) }
            let name = String(decoding: argument, as: UTF8.self)
            guard let value = variables(name) else { return .failure(GripFilterError("no variable '\(name)'")) }
            return .success(Array(value.utf8))
        }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
