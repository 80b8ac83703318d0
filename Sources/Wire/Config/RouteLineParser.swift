/// Turns one routes-file line into a `Route`, following Pushpin's rules for which mistakes reject the
/// line (bad `proto`/`ssl`/`path_beg`/`header`/target) and which are only worth a warning (unknown props).
enum RouteLineParser {
    enum Outcome: Equatable {
        /// Blank or comment-only line.
        case empty
        case accepted(Route, warnings: [String])
        case rejected(String)
    }

    static func parse(_ line: Substring, lineNumber: Int) -> Outcome {
        let sections: [RouteSection]
        switch RouteLineTokenizer.sections(of: line) {
        case .success(let parsed): sections = parsed
        case .failure(let failure): return .rejected(failure.message)
        }
        if sections.isEmpty { return .empty }
        guard sections.count >= 2 else { return .rejected("must specify condition and at least one target") }

        var warnings: [String] = []
        var route = Route(condition: RouteCondition(), targets: [], lineNumber: lineNumber)
        if let failure = applyCondition(sections[0], to: &route, warnings: &warnings) {
            return .rejected(failure.message)
        }
        for section in sections.dropFirst() {
            switch target(from: section, warnings: &warnings) {
            case .success(let target): route.targets.append(target)
            case .failure(let failure): return .rejected(failure.message)
            }
        }
        if route.condition.idOnly && route.id == nil {
            return .rejected("condition has no domain or id")
        }
        return .accepted(route, warnings: warnings)
    }

    private typealias Failure = RouteLineTokenizer.Failure

    // MARK: - Condition

    private static func applyCondition(_ section: RouteSection, to route: inout Route, warnings: inout [String]) -> Failure? {
        switch section.value {
        case "": route.condition.idOnly = true
        case "*": route.condition.host = nil
        default:
            let host = RouteHostName.normalized(section.value)
            if RouteHostName.hasPort(host) {
                warnings.append("condition host '\(section.value)' includes a port; requests are matched by host name only")
            }
            if host.contains("*") {
                warnings.append("condition host '\(section.value)' is matched literally; only a lone * is a wildcard")
            }
            route.condition.host = host
        }
        if let failure = applyMatchProps(section, to: &route.condition) { return failure }

        var seen: Set<String> = []
        for prop in section.props where seen.insert(prop.name).inserted {
            let value = section.last(prop.name) ?? ""
            if let failure = applyConditionProp(prop.name, value, section, &route, &warnings) {
                return failure
            }
        }
        if let failure = applyJSONP(section, to: &route.jsonp) { return failure }
        // replace_beg strips exactly the matched prefix, whatever path_rem said.
        if route.replaceBeg != nil {
            route.pathRemove = route.condition.pathBeg?.utf8.count ?? 0
        }
        return nil
    }

    /// `proto`, `ssl` and `path_beg`: the props that decide matching.
    private static func applyMatchProps(_ section: RouteSection, to condition: inout RouteCondition) -> Failure? {
        if let proto = section.last("proto") {
            switch proto {
            case "http": condition.proto = .http
            case "ws": condition.proto = .ws
            default: return Failure(message: "proto must be set to 'http' or 'ws'")
            }
        }
        if let ssl = section.last("ssl") {
            switch ssl {
            case "yes": condition.ssl = true
            case "no": condition.ssl = false
            default: return Failure(message: "ssl must be set to 'yes' or 'no'")
            }
        }
        if let pathBeg = section.last("path_beg") {
            guard !pathBeg.isEmpty else { return Failure(message: "path_beg cannot be empty") }
            condition.pathBeg = pathBeg
        }
        return nil
    }

    /// One condition prop other than the matching ones; `value` is the last one given for `name`.
    private static func applyConditionProp(
        _ name: String, _ value: String, _ section: RouteSection, _ route: inout Route, _ warnings: inout [String]
    ) -> Failure? {
        switch name {
        case "proto", "ssl", "path_beg":
            break  // read by applyMatchProps
        case "orig_headers": route.origHeaders = true
        case "debug": route.debug = true
        case "aco": route.autoCrossOrigin = true
        case "session": route.session = true
        case "no_grip": route.noGrip = true
        case "sig_iss": route.sigISS = value
        case "prefix": route.prefix = value
        case "as_host":
            if let problem = RequestRewrite.hostProblem(value) { return Failure(message: "as_host: \(problem)") }
            route.asHost = value
        case "sockjs": route.sockJSPath = value
        case "sockjs_as_path": route.sockJSAsPath = value
        case "id":
            route.id = value.isEmpty ? nil : value
        case "sig_key":
            if value.hasPrefix("base64:"), decodeKeyBase64(value.dropFirst(7)) == nil {
                return Failure(message: "sig_key has invalid base64")
            }
            route.sigKey = value
        case "path_rem":
            guard let count = Int(value), count >= 0 else { return Failure(message: "path_rem must be a non-negative integer") }
            route.pathRemove = count
        case "replace_beg":
            if let problem = RequestRewrite.pathProblem(value) { return Failure(message: problem) }
            route.replaceBeg = value
        case "log_level":
            guard let level = Int(value), level >= 0 else { return Failure(message: "log_level must be a non-negative integer") }
            route.logLevel = level
        case "header":
            for raw in section.all("header") {
                guard let header = parseHeader(raw) else { return Failure(message: "header must use format 'name:value'") }
                // Whatever a routes file puts in front of a backend is checked here, once.
                if let problem = RequestRewrite.headerProblem(name: header.name, value: header.value) {
                    return Failure(message: problem)
                }
                route.headers.append(header)
            }
        case "jsonp_mode", "jsonp_cb", "jsonp_body", "jsonp_defcb", "jsonp_defmethod":
            break  // read together by applyJSONP
        default:
            warnings.append("unknown condition property '\(name)' ignored")
        }
        return nil
    }

    private static func applyJSONP(_ section: RouteSection, to jsonp: inout JSONPConfig) -> Failure? {
        switch section.last("jsonp_mode") {
        case nil, "extended"?: jsonp.mode = .extended
        case "basic"?: jsonp.mode = .basic
        default: return Failure(message: "jsonp_mode must be set to 'basic' or 'extended'")
        }
        jsonp.defaultMethod = section.last("jsonp_defmethod") ?? (jsonp.mode == .basic ? "POST" : "GET")
        if let callback = section.last("jsonp_cb") { jsonp.callbackParam = callback }
        jsonp.bodyParam = section.last("jsonp_body")
        jsonp.defaultCallback = section.last("jsonp_defcb")
        return nil
    }

    /// `Name:Value`; the name must be non-empty and leading spaces of the value are dropped.
    private static func parseHeader(_ raw: String) -> RouteHeader? {
        guard let colon = raw.firstIndex(of: ":"), colon > raw.startIndex else { return nil }
        let value = raw[raw.index(after: colon)...].drop { $0 == " " }
        return RouteHeader(name: String(raw[..<colon]), value: String(value))
    }

    // MARK: - Targets

    private static func target(from section: RouteSection, warnings: inout [String]) -> Result<RouteTarget, Failure> {
        let kind: RouteTarget.Kind
        switch targetKind(section.value) {
        case .success(let parsed): kind = parsed
        case .failure(let failure): return .failure(failure)
        }
        var target = RouteTarget(kind: kind)
        var seen: Set<String> = []
        for prop in section.props where seen.insert(prop.name).inserted {
            let value = section.last(prop.name) ?? ""
            switch prop.name {
            case "ssl": target.ssl = true
            case "insecure": target.insecure = true
            case "over_http": target.overHTTP = true
            case "one_event": target.oneEvent = true
            case "untrusted": target.untrusted = true
            case "trust_connect_host": target.trustConnectHost = true
            case "host":
                if let problem = RequestRewrite.hostProblem(value) { return .failure(Failure(message: "target host: \(problem)")) }
                target.hostHeader = value
            case "sub": target.subscriptions = section.all("sub").filter { !$0.isEmpty }
            case "client_cert": target.clientCert = value
            case "client_key": target.clientKey = value
            case "ipc_file_mode":
                if let mode = Int(value, radix: 8), mode >= 0 {
                    target.ipcFileMode = mode
                } else {
                    warnings.append("ipc_file_mode '\(value)' is not an octal number; ignored")
                }
            default:
                warnings.append("unknown target property '\(prop.name)' ignored")
            }
        }
        if let failure = checkTLS(target, warnings: &warnings) { return .failure(failure) }
        return .success(target)
    }

    /// A client identity is a certificate and its key, both or neither; TLS options on a target
    /// that does not connect with TLS do nothing, which is worth a warning.
    private static func checkTLS(_ target: RouteTarget, warnings: inout [String]) -> Failure? {
        if (target.clientCert == nil) != (target.clientKey == nil) {
            return Failure(message: "client_cert and client_key must be set together")
        }
        if target.clientCert?.isEmpty == true || target.clientKey?.isEmpty == true {
            return Failure(message: "client_cert and client_key cannot be empty")
        }
        guard case .http = target.kind, !target.ssl else { return nil }
        let unused = [
            target.insecure ? "insecure" : nil, target.trustConnectHost ? "trust_connect_host" : nil,
            target.clientCert != nil ? "client_cert" : nil,
        ].compactMap { $0 }
        if !unused.isEmpty {
            warnings.append("target \(unused.joined(separator: ", ")) without ssl has no effect")
        }
        return nil
    }

    private static func targetKind(_ value: String) -> Result<RouteTarget.Kind, Failure> {
        if value == "test" { return .success(.test) }
        for (prefix, req) in [("zhttp/", false), ("zhttpreq/", true)] where value.hasPrefix(prefix) {
            let spec = String(value.dropFirst(prefix.count))
            guard !spec.isEmpty else { return .failure(Failure(message: "target bad format")) }
            return .success(.zhttp(spec: spec, req: req))
        }
        switch RouteHostName.splitHostPort(value) {
        case .success(let (host, port)): return .success(.http(host: host, port: port))
        case .failure(let failure): return .failure(failure)
        }
    }
}
