/// Which kind of client request a route condition accepts (`proto=http` / `proto=ws`).
public enum RouteProtocol: Sendable, Equatable {
    case http, ws
}

/// The first section of a routes-file line: which requests the route applies to.
public struct RouteCondition: Sendable, Equatable {
    /// Exact host to match, lower-cased, without brackets for IPv6 literals. nil means `*` (any host).
    public var host: String?
    /// nil: both HTTP and WebSocket requests.
    public var proto: RouteProtocol?
    /// nil: both TLS and plaintext client connections.
    public var ssl: Bool?
    /// Prefix of the (still percent-encoded) request path; never empty when set.
    public var pathBeg: String?
    /// The line named no domain (`id=foo target`): the route is reachable only through `Pushpin-Route`.
    public var idOnly: Bool

    public init(host: String? = nil, proto: RouteProtocol? = nil, ssl: Bool? = nil, pathBeg: String? = nil, idOnly: Bool = false) {
        self.host = host
        self.proto = proto
        self.ssl = ssl
        self.pathBeg = pathBeg
        self.idOnly = idOnly
    }

    /// Two conditions on the same domain with the same (proto, ssl, path_beg) are duplicates; Pushpin skips the later one.
    func sameMatchKey(as other: RouteCondition) -> Bool {
        proto == other.proto && ssl == other.ssl && pathBeg == other.pathBeg
    }
}

/// One `header=Name:Value` condition property: set (or, with an empty value, remove) a request header toward the backend.
public struct RouteHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// JSON-P settings of a route (`jsonp_mode`, `jsonp_cb`, `jsonp_body`, `jsonp_defcb`, `jsonp_defmethod`).
public struct JSONPConfig: Sendable, Equatable {
    public enum Mode: Sendable, Equatable { case basic, extended }

    public var mode: Mode = .extended
    public var callbackParam: String = "callback"
    public var bodyParam: String?
    public var defaultCallback: String?
    /// Pushpin's default depends on the mode: `POST` for basic, `GET` for extended.
    public var defaultMethod: String = "GET"

    public init() {}
}

/// One accepted line of a routes file.
public struct Route: Sendable, Equatable {
    public var condition: RouteCondition
    /// Ordered failover: a request moves to the next target only when connecting to the previous one fails.
    public var targets: [RouteTarget]
    /// The explicit `id=` value; nil when the line gave none (see `effectiveID`).
    public var id: String?
    public var sigISS: String?
    /// Raw `sig_key=` text (`base64:` / `file:` forms kept as written; resolve with `KeyMaterial.resolve`).
    public var sigKey: String?
    public var prefix: String?
    public var origHeaders: Bool = false
    public var asHost: String?
    /// Number of leading path bytes to strip before proxying: `path_rem=N`, or the length of `path_beg` when `replace_beg` is set.
    public var pathRemove: Int?
    /// Text put in front of the path after `pathRemove` bytes were stripped (`replace_beg=`).
    public var replaceBeg: String?
    public var debug: Bool = false
    public var autoCrossOrigin: Bool = false
    public var session: Bool = false
    public var noGrip: Bool = false
    public var headers: [RouteHeader] = []
    public var jsonp = JSONPConfig()
    public var sockJSPath: String?
    public var sockJSAsPath: String?
    /// Per-route log level override (`log_level=`).
    public var logLevel: Int?
    /// 1-based line in the routes file.
    public var lineNumber: Int

    public init(condition: RouteCondition, targets: [RouteTarget], lineNumber: Int) {
        self.condition = condition
        self.targets = targets
        self.lineNumber = lineNumber
    }

    /// The id Pushpin uses for `Pushpin-Route` lookup and the stats `route` field:
    /// the explicit id, else `domain,proto,ssl,path_beg` with `*` for unset parts.
    /// Pushpin writes the ssl part inverted (`ssl=no` → `ssl`, `ssl=yes` → `no-ssl`); kept for compatibility.
    public var effectiveID: String {
        if let id { return id }
        let domain = condition.host ?? "*"
        let proto: String
        switch condition.proto {
        case .http: proto = "http"
        case .ws: proto = "ws"
        case nil: proto = "*"
        }
        let ssl: String
        switch condition.ssl {
        case false?: ssl = "ssl"
        case true?: ssl = "no-ssl"
        case nil: ssl = "*"
        }
        return "\(domain),\(proto),\(ssl),\(condition.pathBeg ?? "*")"
    }
}
