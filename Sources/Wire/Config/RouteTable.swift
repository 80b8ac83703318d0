/// The loaded routes file: every accepted route plus the indexes matching needs.
///
/// Built once per (re)load and then only read, so one immutable value can be shared by all shards.
public struct RouteTable: Sendable {
    /// Accepted routes in file order, including id-only ones.
    public let routes: [Route]

    /// Exact-host routes, keyed by the hash of the lower-cased host (collisions share a bucket).
    let hostBuckets: [UInt64: [HostGroup]]
    /// Indexes of the `*` routes; empty when the file has none.
    let wildcardRoutes: [Int]
    /// Compact copy of each route's matching fields, indexed like `routes`.
    let matchKeys: [MatchKey]
    /// Unique effective ids → route index. Ids used by several routes are left out (Pushpin makes them unusable).
    let routesByID: [String: Int]

    struct HostGroup: Sendable {
        let host: [UInt8]
        var routeIndexes: [Int]
    }

    /// What `match` compares per candidate: no Strings, so the per-request loop stays cheap.
    struct MatchKey: Sendable, Hashable {
        /// 0 = any, 1 = http, 2 = ws.
        let proto: UInt8
        /// 0 = any, 1 = plaintext only, 2 = TLS only.
        let ssl: UInt8
        let pathBeg: [UInt8]
    }

    /// The default routes file of a fresh Pushpin install: `* test`.
    public static let testOnly: RouteTable = RouteTable(routes: [
        Route(condition: RouteCondition(), targets: [RouteTarget(kind: .test)], lineNumber: 1),
    ])

    /// Indexes already-validated routes. Duplicate conditions must have been filtered out by the caller.
    init(routes: [Route]) {
        self.routes = routes
        var buckets: [UInt64: [HostGroup]] = [:]
        var wildcard: [Int] = []
        var keys: [MatchKey] = []
        keys.reserveCapacity(routes.count)
        for (index, route) in routes.enumerated() {
            keys.append(MatchKey(route.condition))
            if route.condition.idOnly { continue }
            guard let host = route.condition.host else {
                wildcard.append(index)
                continue
            }
            let bytes = Array(host.utf8)
            let hash = RouteHostName.hash(lowercasing: bytes)
            if let at = buckets[hash]?.firstIndex(where: { $0.host == bytes }) {
                buckets[hash]?[at].routeIndexes.append(index)
            } else {
                buckets[hash, default: []].append(HostGroup(host: bytes, routeIndexes: [index]))
            }
        }
        var byID: [String: Int] = [:]
        var shared: Set<String> = []
        for (index, route) in routes.enumerated() {
            let id = route.effectiveID
            if byID.updateValue(index, forKey: id) != nil { shared.insert(id) }
        }
        for id in shared { byID[id] = nil }
        self.hostBuckets = buckets
        self.wildcardRoutes = wildcard
        self.matchKeys = keys
        self.routesByID = byID
    }

    // MARK: - Loading

    /// Parses the text of a routes file. Bad lines are skipped and reported; the rest still loads, as in Pushpin.
    public static func parse(_ text: String, fileName: String = "routes") -> (table: RouteTable, diagnostics: [RouteDiagnostic]) {
        var accepted: [Route] = []
        var diagnostics: [RouteDiagnostic] = []
        var idLines: [String: Int] = [:]
        var conditions: Set<ConditionKey> = []
        // Character-wise split: "\r\n" is a single Character, so this covers both line-ending styles.
        for (offset, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = offset + 1
            func report(_ message: String, skipped: Bool) {
                diagnostics.append(RouteDiagnostic(file: fileName, line: lineNumber, message: message, lineSkipped: skipped))
            }
            switch RouteLineParser.parse(line, lineNumber: lineNumber) {
            case .empty:
                continue
            case .rejected(let message):
                report(message, skipped: true)
            case .accepted(let route, let warnings):
                if !route.condition.idOnly, !conditions.insert(ConditionKey(route.condition)).inserted {
                    report("skipping duplicate condition", skipped: true)
                    continue
                }
                warnings.forEach { report($0, skipped: false) }
                let id = route.effectiveID
                if let first = idLines[id] {
                    report("id '\(id)' is also used on line \(first); Pushpin-Route cannot select it", skipped: false)
                } else {
                    idLines[id] = lineNumber
                }
                accepted.append(route)
            }
        }
        return (RouteTable(routes: accepted), diagnostics)
    }

    /// Parses route lines given one by one (`--route` on the command line); line numbers count from 1.
    public static func parse(lines: [String], fileName: String = "<route>") -> (table: RouteTable, diagnostics: [RouteDiagnostic]) {
        parse(lines.joined(separator: "\n"), fileName: fileName)
    }

    /// Reads and parses a routes file. A missing or unreadable file is an error; bad lines are diagnostics.
    public static func load(path: String) throws(ConfigError) -> (table: RouteTable, diagnostics: [RouteDiagnostic]) {
        let bytes: [UInt8]
        switch ConfigFileSystem.contents(of: path) {
        case .success(let read): bytes = read
        case .failure(let failure): throw ConfigError(file: path, reason: failure.reason)
        }
        return parse(String(decoding: bytes, as: UTF8.self), fileName: path)
    }
}

/// Same domain and same (proto, ssl, path_beg): Pushpin keeps only the first such line.
private struct ConditionKey: Hashable {
    let host: String?
    let match: RouteTable.MatchKey

    init(_ condition: RouteCondition) {
        host = condition.host
        match = RouteTable.MatchKey(condition)
    }
}

extension RouteTable.MatchKey {
    init(_ condition: RouteCondition) {
        switch condition.proto {
        case nil: proto = 0
        case .http: proto = 1
        case .ws: proto = 2
        }
        switch condition.ssl {
        case nil: ssl = 0
        case false?: ssl = 1
        case true?: ssl = 2
        }
        pathBeg = Array((condition.pathBeg ?? "").utf8)
    }
}
