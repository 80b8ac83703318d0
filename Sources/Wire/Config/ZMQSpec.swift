/// ZeroMQ endpoint specs from `pushpin.conf` (`tcp://host:port`, `ipc://path`, …).
enum ZMQSpec {
    /// `port_offset` applies to tcp endpoints, as in Pushpin; other transports pass through.
    static func offsetting(_ spec: String, by offset: Int, key: String) throws(ConfigError) -> String {
        guard spec.hasPrefix("tcp://") else {
            guard spec.contains("://") else { throw ConfigError(key: key, value: spec, reason: "expected transport://address") }
            return spec
        }
        guard let colon = spec.lastIndex(of: ":"), colon > spec.index(spec.startIndex, offsetBy: 5),
              let port = Int(spec[spec.index(after: colon)...]), (1...65535).contains(port)
        else {
            throw ConfigError(key: key, value: spec, reason: "expected tcp://host:port")
        }
        guard offset > 0 else { return spec }
        guard port + offset <= 65535 else {
            throw ConfigError(key: key, value: spec, reason: "port plus port_offset \(offset) is outside 1-65535")
        }
        return spec[..<colon] + ":" + String(port + offset)
    }
}
