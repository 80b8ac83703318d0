/// Per-request route selection. Runs on every request, so it works on the UTF-8 bytes of the
/// host and path in place: no lower-cased copies, no substrings turned into Strings.
extension RouteTable {
    /// Pushpin's matching (spec §1.3 steps 2–3).
    ///
    /// Candidates are the routes for the request's exact host (port dropped, compared without case);
    /// only if that host has no routes at all are the `*` routes used. Among the candidates that
    /// accept (proto, ssl, path), the most specific wins: a set `proto` beats an unset one, then the
    /// longer `path_beg`, then a set `ssl` beats an unset one. Duplicate conditions are rejected at
    /// load time, so the winner is unique and file order does not matter.
    public func match(host: String?, path: String, isWebSocket: Bool, isTLS: Bool) -> Route? {
        matchIndex(host: host, path: path, isWebSocket: isWebSocket, isTLS: isTLS).map { routes[$0] }
    }

    /// Like `match`, but returns the index into `routes`.
    public func matchIndex(host: String?, path: String, isWebSocket: Bool, isTLS: Bool) -> Int? {
        let candidates = host.flatMap { hostRoutes(for: $0) } ?? wildcardRoutes
        if candidates.isEmpty { return nil }
        var path = path
        return path.withUTF8 { pathBytes in
            bestMatch(in: candidates, path: pathBytes, proto: isWebSocket ? 2 : 1, ssl: isTLS ? 2 : 1)
        }
    }

    /// The route whose effective id (explicit `id=` or the implicit `domain,proto,ssl,path_beg`) is `id`.
    /// nil when no route, or more than one route, has that id.
    public func route(id: String) -> Route? {
        routesByID[id].map { routes[$0] }
    }

    /// `Pushpin-Route` selection (spec §1.3 step 1): the route with that id, only if its `path_beg` (if any) prefixes `path`.
    public func route(id: String, path: String) -> Route? {
        guard let index = routesByID[id] else { return nil }
        let pathBeg = matchKeys[index].pathBeg
        guard pathBeg.isEmpty || path.utf8.starts(with: pathBeg) else { return nil }
        return routes[index]
    }

    /// Route indexes for an exact host, or nil when the file has no routes for it.
    private func hostRoutes(for host: String) -> [Int]? {
        if hostBuckets.isEmpty { return nil }
        var host = host
        return host.withUTF8 { whole -> [Int]? in
            let range = RouteHostName.hostRange(in: whole)
            let name = UnsafeBufferPointer(rebasing: whole[range])
            guard let bucket = hostBuckets[RouteHostName.hash(lowercasing: name)] else { return nil }
            for group in bucket where Self.equalIgnoringASCIICase(group.host, name) {
                return group.routeIndexes
            }
            return nil
        }
    }

    private func bestMatch(in candidates: [Int], path: UnsafeBufferPointer<UInt8>, proto: UInt8, ssl: UInt8) -> Int? {
        var best: Int?
        for index in candidates {
            let key = matchKeys[index]
            guard key.proto == 0 || key.proto == proto,
                  key.ssl == 0 || key.ssl == ssl,
                  Self.hasPrefix(path, key.pathBeg) else { continue }
            if let current = best, !key.isMoreSpecific(than: matchKeys[current]) { continue }
            best = index
        }
        return best
    }

    private static func hasPrefix(_ path: UnsafeBufferPointer<UInt8>, _ prefix: [UInt8]) -> Bool {
        guard prefix.count <= path.count else { return false }
        for offset in 0..<prefix.count where path[offset] != prefix[offset] {
            return false
        }
        return true
    }

    /// `stored` is already lower-case.
    private static func equalIgnoringASCIICase(_ stored: [UInt8], _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard stored.count == name.count else { return false }
        for offset in 0..<stored.count where stored[offset] != RouteHostName.asciiLower(name[offset]) {
            return false
        }
        return true
    }
}

extension RouteTable.MatchKey {
    /// Specificity order: set proto, then longer path_beg, then set ssl.
    func isMoreSpecific(than other: Self) -> Bool {
        if (proto != 0) != (other.proto != 0) { return proto != 0 }
        if pathBeg.count != other.pathBeg.count { return pathBeg.count > other.pathBeg.count }
        return ssl != 0 && other.ssl == 0
    }
}
