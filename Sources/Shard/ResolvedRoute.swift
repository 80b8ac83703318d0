import Hub
import Wire

/// What a request on one route needs from its shard, worked out once when the routes are
/// installed instead of on every request: reading a `Route` out of the table copies it (some
/// 17 retains and releases), and building its candidate list took an array and a String per
/// target.
struct ResolvedRoute {
    /// What the route's first target is; a request goes there (or fails over along `candidates`).
    enum Handler {
        case test
        case http
        case zhttp
    }

    /// nil when the route has no target at all.
    let handler: Handler?
    /// The route's backends in failover order, shared by every request and WebSocket session
    /// on it (and by routes with the same targets).
    let candidates: [BackendCandidate]
    /// Channel names from GRIP instructions on this route get this prefix (`prefix=`).
    let channelPrefix: String
    /// The route does GRIP (no `no_grip`).
    let grip: Bool
    /// What the route changes in its requests (`as_host`, `path_rem`, `replace_beg`,
    /// `header=`, the first target's `host=`); nil for most routes.
    let rewrite: RequestRewrite?
    /// JSON-P settings when the route does auto cross-origin (`aco` or `auto_cross_origin`), else nil.
    let crossOrigin: JSONPConfig?
    /// The `Grip-Sig` issuer and key; nil when requests on the route carry no `Grip-Sig`.
    let signing: GripSigning?
    /// The route's explicit `id=`, which the stats socket names it by (Pushpin names no implicit id there).
    let statsRoute: String?
    /// The last token made for `signing`, and when (shard clock).
    var signature: String? = nil
    var signedAtNanos: Int64 = 0
}

extension ShardLoop {
    /// Resolves every route of `routing` (at start and when routes are installed).
    func resolveRoutes() {
        var shared: [[String]: [BackendCandidate]] = [:]
        var tlsTargets: [String: BackendTLSTarget] = [:]
        backendTLSContexts = [:]  // identity files are read again
        backendTLSSessions = [:]
        resolvedRoutes = routing.table.routes.map { route in
            var keys: [String] = []
            for target in route.targets {
                guard case let .http(host, port) = target.kind else { continue }
                keys.append(ShardRouting.targetKey(host: host, port: port) + (target.ssl ? " " + Self.tlsSignature(target) : ""))
            }
            let candidates = shared[keys] ?? route.targets.flatMap { target -> [BackendCandidate] in
                guard case let .http(host, port) = target.kind else { return [] }
                let key = ShardRouting.targetKey(host: host, port: port)
                let tls = target.ssl ? backendTLSTarget(target, host: host, cache: &tlsTargets) : nil
                return (routing.addresses[key] ?? []).map { BackendCandidate(key: key, address: $0, tls: tls) }
            }
            shared[keys] = candidates
            let handler: ResolvedRoute.Handler?
            switch route.targets.first?.kind {
            case .test?: handler = .test
            case .http?: handler = .http
            case .zhttp?: handler = .zhttp
            case nil: handler = nil
            }
            var signing: GripSigning?
            let key = route.sigKey.flatMap { routing.signingKeys[$0] } ?? configuration.sigKey
            if !route.noGrip, !key.isEmpty { signing = (route.sigISS ?? configuration.sigISS, key) }
            return ResolvedRoute(
                handler: handler, candidates: candidates, channelPrefix: route.prefix ?? "", grip: !route.noGrip,
                rewrite: RequestRewrite(route: route, target: route.targets.first),
                crossOrigin: route.autoCrossOrigin || configuration.autoCrossOrigin ? route.jsonp : nil, signing: signing,
                statsRoute: route.id)
        }
    }

    /// The TLS settings of an `ssl` target, one per distinct settings; a client identity
    /// that cannot be loaded is logged and fails that target's connections.
    private func backendTLSTarget(_ target: RouteTarget, host: String, cache: inout [String: BackendTLSTarget]) -> BackendTLSTarget {
        let signature = Self.tlsSignature(target)
        if let known = cache[signature + " " + host] { return known }
        let identity = target.clientCert.map { routing.path($0) + "\n" + routing.path(target.clientKey ?? "") } ?? ""
        var context = backendTLSContexts[identity]
        if context == nil {
            do {
                context = try TLSContext.backend(
                    certificateFile: target.clientCert.map(routing.path), keyFile: target.clientKey.map(routing.path))
                backendTLSContexts[identity] = context
            } catch {
                logger.error("backend TLS for \(host) unusable, its requests fail: \(error)")
            }
        }
        let tls = BackendTLSTarget(
            context: context, verify: !target.insecure, trustConnectHost: target.trustConnectHost, connectHost: host,
            signature: signature)
        cache[signature + " " + host] = tls
        return tls
    }

    /// The TLS settings that make two connections to the same address interchangeable.
    private static func tlsSignature(_ target: RouteTarget) -> String {
        [target.insecure ? "insecure" : "verify", target.trustConnectHost ? "connect-host" : "host",
         target.clientCert ?? "", target.clientKey ?? ""].joined(separator: ",")
    }

    /// The `Grip-Sig` token for requests on route `index`, nil when they carry none. Signed
    /// again once it is `GripSigner.reuseSeconds` old (it is valid for an hour).
    func gripSignature(route index: Int) -> String? {
        if let token = resolvedRoutes[index].signature,
            now - resolvedRoutes[index].signedAtNanos < Int64(GripSigner.reuseSeconds) * 1_000_000_000
        {
            return token
        }
        guard let signing = resolvedRoutes[index].signing else { return nil }
        let token = gripSigner.token(issuer: signing.issuer, key: signing.key)
        resolvedRoutes[index].signature = token
        resolvedRoutes[index].signedAtNanos = now
        return token
    }
}
