@testable import Wire

/// `pushpin.conf` text through `INIFile.parse` and `ProxyConfig.load`, reading files from
/// memory: the input up to its first NUL byte is the main file; what follows, if there is
/// a NUL, is every other file it names (include, `file:` keys); without one they are missing.
///
/// Checks: the INI structure is consistent (each key once in `keyOrder`, malformed lines
/// exist and are in order); a loaded config keeps the bounds its getters enforce; a
/// rejected one names the `section.key` at fault.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPushpinConf(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.bytes(data, size)
    let split = input.firstIndex(of: 0)
    let main = Array(input[..<(split ?? input.count)])
    let other = split.map { Array(input[($0 + 1)...]) }

    let text = String(decoding: main, as: UTF8.self)
    checkINI(INIFile.parse(text), lineCount: text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).count)

    let mainPath = "/fuzz/pushpin.conf"
    let read: ConfigFileSystem.Reader = { path in
        if path == mainPath { return .success(main) }
        guard let other else { return .failure(.init(reason: "No such file or directory", isMissing: true)) }
        return .success(other)
    }
    do throws(ConfigError) {
        let (config, _) = try ProxyConfig.load(path: mainPath, libDir: "/fuzz/lib", read: read)
        checkBounds(config)
    } catch {
        Fuzz.check(error.kind == .invalidValue && error.key.contains("."), "unexpected error \(error)")
    }
    return 0
}

private func checkINI(_ file: INIFile, lineCount: Int) {
    Fuzz.check(Set(file.keyOrder).count == file.keyOrder.count, "a key listed twice in keyOrder")
    Fuzz.check(file.keyOrder.count == file.sections.values.reduce(0) { $0 + $1.count }, "keyOrder misses keys")
    for key in file.keyOrder { Fuzz.check(file.value(key.section, key.name) != nil, "keyOrder has unset \(key)") }
    var previous = 0
    for line in file.malformedLines {
        Fuzz.check(line > previous && line <= lineCount, "malformed line \(line) of \(lineCount)")
        previous = line
    }
}

private func checkBounds(_ config: ProxyConfig) {
    let ports = config.httpPorts.map(\.port) + [config.controlAddress.port]
    Fuzz.check(ports.allSatisfy { (1...65535).contains($0) }, "ports \(ports)")
    let positive = [config.clientBufferSize, config.clientMaxConnections, config.backendTimeoutSeconds,
                    config.controlMaxHeadersSize, config.controlMaxBodySize, config.connectionSubscriptionMax]
    Fuzz.check(positive.allSatisfy { $0 >= 1 }, "sizes \(positive)")
    let nonNegative = [config.portOffset, config.webSocketPingSeconds, config.logLevel, config.statsReportInterval]
    Fuzz.check(nonNegative.allSatisfy { $0 >= 0 }, "counts \(nonNegative)")
    for rule in config.xForwardedFor + config.xForwardedForTrusted {
        if case .truncate(let count) = rule { Fuzz.check(count >= 0, "truncate:\(count)") }
    }
    Fuzz.check(config.routesFile.isEmpty || config.routesFile.hasPrefix("/"), "routes file \(config.routesFile)")
    Fuzz.check((config.upstreamKey == nil) == (config.upstreamKeyBytes == nil), "upstream key without bytes")
    Fuzz.check((config.pushInHTTPKey == nil) == (config.pushInHTTPKeyBytes == nil), "push-in key without bytes")
}
