/// Key values as Pushpin writes them in `sig_key`, `upstream_key` and route `sig_key`:
/// `base64:<data>`, `file:<path>` (raw bytes of the file, relative paths against the config directory),
/// or anything else taken literally as UTF-8.
public enum KeyMaterial {
    /// Resolves a key value to its bytes. `key` names the setting in the error (e.g. `proxy.sig_key`).
    public static func resolve(_ value: String, relativeTo directory: String, key: String) throws(ConfigError) -> [UInt8] {
        try resolve(value, relativeTo: directory, key: key, read: ConfigFileSystem.contents)
    }

    static func resolve(
        _ value: String, relativeTo directory: String, key: String, read: ConfigFileSystem.Reader
    ) throws(ConfigError) -> [UInt8] {
        if value.hasPrefix("base64:") {
            guard let bytes = decodeKeyBase64(value.dropFirst(7)) else {
                throw ConfigError(key: key, value: value, reason: "invalid base64")
            }
            return bytes
        }
        if value.hasPrefix("file:") {
            let path = String(value.dropFirst(5))
            guard !path.isEmpty else { throw ConfigError(key: key, value: value, reason: "empty file path") }
            let absolute = ConfigFileSystem.absolute(path, relativeTo: directory)
            switch read(absolute) {
            case .success(let bytes): return bytes
            case .failure(let failure):
                throw ConfigError(key: key, value: value, reason: "cannot read key file \(absolute): \(failure.reason)")
            }
        }
        return Array(value.utf8)
    }
}

/// Keys in config files may use either base64 alphabet.
func decodeKeyBase64(_ text: Substring) -> [UInt8]? {
    Base64.decode(String(text)) ?? Base64.decodeURL(String(text))
}
