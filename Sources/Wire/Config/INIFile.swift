/// The INI dialect of `pushpin.conf`: `[section]` headers, `key=value` lines, whole-line `;` and `#`
/// comments, whitespace trimmed around keys and values, a value wrapped in double quotes unwrapped,
/// and a later key overriding an earlier one. Keys before any header land in section "".
public struct INIFile: Sendable, Equatable {
    public struct Key: Sendable, Hashable {
        public var section: String
        public var name: String

        public init(section: String, name: String) {
            self.section = section
            self.name = name
        }
    }

    /// section → key → value (last assignment wins).
    public var sections: [String: [String: String]] = [:]
    /// Every key in order of first appearance.
    public var keyOrder: [Key] = []
    /// 1-based numbers of non-blank, non-comment lines that are neither a section header nor `key=value`.
    public var malformedLines: [Int] = []

    public init() {}

    public static func parse(_ text: String) -> INIFile {
        var file = INIFile()
        var section = ""
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = trimmed(rawLine)
            if line.isEmpty || line.hasPrefix(";") || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    file.malformedLines.append(offset + 1)
                    continue
                }
                section = String(trimmed(line.dropFirst().dropLast()))
                continue
            }
            guard let eq = line.firstIndex(of: "="), eq != line.startIndex else {
                file.malformedLines.append(offset + 1)
                continue
            }
            let name = String(trimmed(line[..<eq]))
            file.set(section, name, unquoted(trimmed(line[line.index(after: eq)...])))
        }
        return file
    }

    public func value(_ section: String, _ key: String) -> String? {
        sections[section]?[key]
    }

    public mutating func set(_ section: String, _ key: String, _ value: String) {
        if sections[section]?[key] == nil { keyOrder.append(Key(section: section, name: key)) }
        sections[section, default: [:]][key] = value
    }

    private static func trimmed(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
              let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return text[first...last]
    }

    private static func unquoted(_ value: Substring) -> String {
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            return String(value.dropFirst().dropLast())
        }
        return String(value)
    }
}
