/// What the control thread needs: where to listen, its limits, and how to rebuild routing.
public struct ControlConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var maxHeadersSize: Int
    public var maxBodySize: Int
    public var version: String
    /// How long shards may take to finish in-flight requests on shutdown.
    public var drainNanos: Int64
    /// `push_in_http_key`: when set, publishing needs a Bearer JWT signed with it.
    public var publishKey: [UInt8]? = nil

    public init(host: String, port: Int, maxHeadersSize: Int, maxBodySize: Int, version: String, drainNanos: Int64) {
        self.host = host
        self.port = port
        self.maxHeadersSize = maxHeadersSize
        self.maxBodySize = maxBodySize
        self.version = version
        self.drainNanos = drainNanos
    }
}
