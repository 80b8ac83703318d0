@testable import Wire

/// A routes file through `RouteTable.parse` (`RouteLineTokenizer`, `RouteLineParser`),
/// then requests aimed at each accepted route through `RouteTable.match`.
///
/// Checks: diagnostics and routes point at lines that exist, in order; every route has a
/// target and no two share a condition; a request made to fit a route's condition is
/// matched, by a route whose condition accepts it and that is at least as specific;
/// lookups by id give a route with that id.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRoutes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // As `RouteTable.load` reads a file: lossily decoded UTF-8.
    let text = String(decoding: Fuzz.bytes(data, size), as: UTF8.self)
    let lineCount = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).count
    let (table, diagnostics) = RouteTable.parse(text)
    for diagnostic in diagnostics {
        Fuzz.check((1...lineCount).contains(diagnostic.line) && !diagnostic.message.isEmpty, "\(diagnostic)")
    }
    var previousLine = 0
    var conditions: [RouteCondition] = []
    for route in table.routes {
        Fuzz.check(route.lineNumber > previousLine && route.lineNumber <= lineCount, "route on line \(route.lineNumber)")
        previousLine = route.lineNumber
        Fuzz.check(!route.targets.isEmpty, "route without targets on line \(route.lineNumber)")
        if !route.condition.idOnly {
            Fuzz.check(!conditions.contains(route.condition), "duplicate condition on line \(route.lineNumber)")
            conditions.append(route.condition)
            checkMatch(table, route)
        }
        if let found = table.route(id: route.effectiveID) {
            Fuzz.check(found.effectiveID == route.effectiveID, "id \(route.effectiveID) gives \(found.effectiveID)")
        }
    }
    return 0
}

/// A request for the route's own host (or none, for `*`), under its path prefix, with its
/// protocol and TLS setting.
private func checkMatch(_ table: RouteTable, _ route: Route) {
    let condition = route.condition
    if let host = condition.host {
        // Only hosts a Host field can spell as they are stored (no port part, no brackets).
        var copy = host
        let whole = copy.withUTF8 { RouteHostName.hostRange(in: $0) == 0..<$0.count }
        guard whole else { return }
    }
    let path = (condition.pathBeg ?? "") + "/x"
    let webSocket = condition.proto == .ws
    let tls = condition.ssl == true
    guard let index = table.matchIndex(host: condition.host, path: path, isWebSocket: webSocket, isTLS: tls) else {
        Fuzz.check(false, "no match for the route on line \(route.lineNumber)")
        return
    }
    let winner = table.routes[index].condition
    Fuzz.check(winner.host == condition.host, "matched host \(String(describing: winner.host))")
    Fuzz.check(winner.proto == nil || winner.proto == (webSocket ? .ws : .http), "matched proto")
    Fuzz.check(winner.ssl == nil || winner.ssl == tls, "matched ssl")
    Fuzz.check(path.utf8.starts(with: (winner.pathBeg ?? "").utf8), "matched path_beg")
    Fuzz.check(!RouteTable.MatchKey(condition).isMoreSpecific(than: table.matchKeys[index]), "a less specific route won")
}
