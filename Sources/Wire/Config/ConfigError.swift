/// Why a configuration could not be loaded: an invalid value (named by `section.key`) or a file that could not be read.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// `key` is `section.name`, e.g. `runner.client_buffer_size`.
        case invalidValue
        /// `key` is the file path.
        case unreadableFile
    }

    public var key: String
    public var value: String
    public var reason: String
    public var kind: Kind

    public init(key: String, value: String, reason: String, kind: Kind = .invalidValue) {
        self.key = key
        self.value = value
        self.reason = reason
        self.kind = kind
    }

    /// A file (config, include, routes, key file) that exists but cannot be read, or is missing where required.
    public init(file path: String, reason: String) {
        self.init(key: path, value: "", reason: reason, kind: .unreadableFile)
    }

    public var description: String {
        switch kind {
        case .unreadableFile:
            return "cannot read \(key): \(reason)"
        case .invalidValue:
            guard let dot = key.firstIndex(of: ".") else {
                return "invalid value for \(key): \"\(value)\" (\(reason))"
            }
            let section = key[..<dot]
            let name = key[key.index(after: dot)...]
            return "invalid value for [\(section)] \(name): \"\(value)\" (\(reason))"
        }
    }
}
