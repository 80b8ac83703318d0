/// Trimming and list splitting shared by the config parsers (spaces and tabs only).
enum ConfigText {
    static func trim(_ text: Substring) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(text[first...last])
    }

    /// Comma list with items trimmed and empty items dropped (`a, b,,c` → `[a, b, c]`).
    static func list(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map { trim($0) }.filter { !$0.isEmpty }
    }
}

/// The merged view of `pushpin.conf` and its include: main-file values win, `{libdir}`, `{rundir}`
/// and `{ipc_prefix}` are substituted, and typed getters turn bad text into a `ConfigError` naming the key.
/// An empty value counts as unset, so the default applies.
struct ConfigSource {
    let main: INIFile
    let include: INIFile?
    /// Absolute directory of the main file: the base for relative paths.
    let directory: String
    let libDir: String
    let runDir: String
    let ipcPrefix: String
    /// Reads `file:` key files.
    let read: ConfigFileSystem.Reader

    func raw(_ section: String, _ key: String) -> String? {
        main.value(section, key) ?? include?.value(section, key)
    }

    /// The value with variables substituted; nil when absent.
    func string(_ section: String, _ key: String) -> String? {
        raw(section, key).map(substitute)
    }

    /// Like `string`, but an empty value is nil.
    func nonEmpty(_ section: String, _ key: String) -> String? {
        string(section, key).flatMap { $0.isEmpty ? nil : $0 }
    }

    func substitute(_ text: String) -> String {
        guard text.contains("{") else { return text }
        return text.replacing("{libdir}", with: libDir)
            .replacing("{rundir}", with: runDir)
            .replacing("{ipc_prefix}", with: ipcPrefix)
    }

    func int(_ section: String, _ key: String, default fallback: Int, minimum: Int) throws(ConfigError) -> Int {
        guard let text = nonEmpty(section, key) else { return fallback }
        guard let value = Int(text), value >= minimum else {
            let reason = minimum == 1 ? "expected a positive integer" : minimum == 0 ? "expected a non-negative integer" : "expected an integer of at least \(minimum)"
            throw ConfigError(key: "\(section).\(key)", value: text, reason: reason)
        }
        return value
    }

    func bool(_ section: String, _ key: String, default fallback: Bool) throws(ConfigError) -> Bool {
        guard let text = nonEmpty(section, key) else { return fallback }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigError(key: "\(section).\(key)", value: text, reason: "expected true or false")
        }
    }

    func port(_ section: String, _ key: String, default fallback: Int) throws(ConfigError) -> Int {
        guard let text = nonEmpty(section, key) else { return fallback }
        guard let port = RouteHostName.parsePort(text[...]) else {
            throw ConfigError(key: "\(section).\(key)", value: text, reason: "expected a port number 1-65535")
        }
        return port
    }

    /// A key value (`base64:`, `file:` or literal) resolved to bytes; nil when unset or empty.
    func key(_ section: String, _ key: String) throws(ConfigError) -> (text: String, bytes: [UInt8])? {
        guard let text = nonEmpty(section, key) else { return nil }
        return (text, try KeyMaterial.resolve(text, relativeTo: directory, key: "\(section).\(key)", read: read))
    }
}
