/// Key values as Pushpin writes them in `sig_key`, `upstream_key` and route `sig_key`:
/// `base64:<data>`, `file:<path>` (raw bytes of the file, relative paths against the config directory),
/// or anything else taken literally as UTF-8.
public enum KeyMaterial {
    /// Resolves a key value to its bytes. `key` names the setting in the error (e.g. `proxy.sig_key`).
    public static func resolve(_ value: String, relativeTo directory: String, key: String) throws(ConfigError) -> [UInt8] {
        if value.hasPrefix("base64:") {
            guard let bytes = ConfigBase64.decode(value.dropFirst(7)) else {
                throw ConfigError(key: key, value: value, reason: "invalid base64")
            }
            return bytes
        }
        if value.hasPrefix("file:") {
            let path = String(value.dropFirst(5))
            guard !path.isEmpty else { throw ConfigError(key: key, value: value, reason: "empty file path") }
            let absolute = ConfigFileSystem.absolute(path, relativeTo: directory)
            switch ConfigFileSystem.contents(of: absolute) {
            case .success(let bytes): return bytes
            case .failure(let failure):
                throw ConfigError(key: key, value: value, reason: "cannot read key file \(absolute): \(failure.reason)")
            }
        }
        return Array(value.utf8)
    }
}

/// Base64 decoding for key values: standard or URL-safe alphabet, padding optional, no whitespace.
enum ConfigBase64 {
    static func decode(_ text: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var padding = 0
        var count = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0, let sextet = value(of: byte) else { return nil }
            accumulator = (accumulator << 6) | UInt32(sextet)
            bits += 6
            count += 1
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // A lone trailing sextet cannot encode a byte; padding, when present, must complete a quantum.
        guard count % 4 != 1, padding <= 2, padding == 0 || (count + padding) % 4 == 0 else { return nil }
        return out
    }

    private static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): return 63
        default: return nil
        }
    }
}
