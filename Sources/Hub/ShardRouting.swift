import IOUring
import Wire

/// A routes table with every backend target already resolved to socket addresses, built on
/// the control plane (DNS lookups block) and installed into shards as one immutable value
/// (`ShardCommand.installRoutes`).
public final class ShardRouting: Sendable {
    public let table: RouteTable
    /// "host:port" → its addresses, in the order to try.
    public let addresses: [String: [SocketAddress]]
    /// Route `sig_key=` values resolved to key bytes (`base64:`, `file:` forms).
    public let signingKeys: [String: [UInt8]]
    /// Where relative `client_cert=`/`client_key=` paths start (the routes file's directory).
    public let directory: String

    public init(table: RouteTable, addresses: [String: [SocketAddress]], signingKeys: [String: [UInt8]] = [:], directory: String = ".") {
        self.table = table
        self.addresses = addresses
        self.signingKeys = signingKeys
        self.directory = directory
    }

    /// `path` as given in the routes file, made absolute against `directory`.
    public func path(_ path: String) -> String {
        path.hasPrefix("/") ? path : directory + "/" + path
    }

    /// Resolves every http target of `table`. Unresolvable targets map to no addresses, which
    /// a request then experiences as a connect failure (502), as with an unreachable host.
    public static func resolving(_ table: RouteTable, directory: String = ".") -> ShardRouting {
        var addresses: [String: [SocketAddress]] = [:]
        var signingKeys: [String: [UInt8]] = [:]
        for route in table.routes {
            if let text = route.sigKey, signingKeys[text] == nil {
                signingKeys[text] = (try? KeyMaterial.resolve(text, relativeTo: directory, key: "routes sig_key")) ?? Array(text.utf8)
            }
            for target in route.targets {
                guard case let .http(host, port) = target.kind else { continue }
                let key = targetKey(host: host, port: port)
                if addresses[key] == nil {
                    addresses[key] = SocketAddress.resolve(host: host, port: port)
                }
            }
        }
        return ShardRouting(table: table, addresses: addresses, signingKeys: signingKeys, directory: directory)
    }

    /// The key a target's addresses (and its idle backend connections) go by.
    public static func targetKey(host: String, port: Int) -> String { "\(host):\(port)" }
}
