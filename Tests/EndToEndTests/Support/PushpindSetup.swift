import Foundation
import Testing

/// How to start pushpind for one test: which config keys, routes and flags. `launch()`
/// writes `pushpin.conf` and `routes` into a fresh temp dir, picks free ports and starts
/// the process.
struct PushpindSetup {
    /// `--shards N`; nil leaves the flag out.
    var shards: Int? = 2
    /// The routes file's content; nil writes no routes file.
    var routes: String?
    /// Extra `key=value` lines per pushpin.conf section.
    var runner: [(String, String)] = []
    var proxy: [(String, String)] = []
    var handler: [(String, String)] = []
    /// false: no config file at all; ports go through `--port` / `--control-port`.
    var usesConfigFile = true
    /// Pass the routes file with `--routes` instead of `[proxy] routesfile`.
    var routesViaFlag = false
    /// When set (with `routesViaFlag`), a second routes file `config-routes` with this
    /// content is named by `[proxy] routesfile`, for checking that `--routes` wins.
    var configRoutes: String?
    /// When set, the config file names these ports while the real ones go by `--port` and
    /// `--control-port`, for checking that the flags win.
    var configPorts: (client: UInt16, control: UInt16)?
    var logLevel: Int? = 2
    var extraArguments: [String] = []
    /// Added to pushpind's environment (e.g. `SSL_CERT_FILE`, the trust store OpenSSL reads).
    var environment: [String: String] = [:]
    /// More files for the sandbox (relative path, content), e.g. `runner/certs/<name>.crt`.
    var files: [(path: String, text: String)] = []

    /// Routes everything to `backend` (`* 127.0.0.1:PORT`).
    static func proxying(to backend: BackendStub) -> PushpindSetup {
        proxying(toPort: backend.port)
    }

    static func proxying(toPort port: UInt16) -> PushpindSetup {
        var setup = PushpindSetup()
        setup.routes = "* 127.0.0.1:\(port)\n"
        return setup
    }

    /// No config, no routes: the built-in test handler on `--port`, control on `--control-port`.
    static var testHandlerOnly: PushpindSetup {
        var setup = PushpindSetup()
        setup.usesConfigFile = false
        return setup
    }

    func configText(clientPort: UInt16, controlPort: UInt16, routesPath: String?) -> String {
        var text = "[runner]\nhttp_port=\(clientPort)\n"
        text += runner.map { "\($0.0)=\($0.1)\n" }.joined()
        text += "\n[proxy]\n"
        if let routesPath { text += "routesfile=\(routesPath)\n" }
        text += proxy.map { "\($0.0)=\($0.1)\n" }.joined()
        text += "\n[handler]\npush_in_http_port=\(controlPort)\n"
        text += handler.map { "\($0.0)=\($0.1)\n" }.joined()
        return text
    }

    /// Writes the files into `sandbox` and returns pushpind's arguments.
    func prepare(in sandbox: Sandbox, clientPort: UInt16, controlPort: UInt16) throws -> [String] {
        var arguments: [String] = []
        var configRoutesPath: String?
        for file in files { try sandbox.write(file.text, to: file.path) }
        if let routes {
            try sandbox.write(routes, to: "routes")
            if routesViaFlag || !usesConfigFile {
                arguments += ["--routes", sandbox.path("routes")]
            } else {
                configRoutesPath = sandbox.path("routes")
            }
        }
        if let configRoutes {
            try sandbox.write(configRoutes, to: "config-routes")
            configRoutesPath = sandbox.path("config-routes")
        }
        if usesConfigFile {
            let ports = configPorts ?? (clientPort, controlPort)
            let text = configText(clientPort: ports.client, controlPort: ports.control, routesPath: configRoutesPath)
            try sandbox.write(text, to: "pushpin.conf")
            arguments += ["--config", sandbox.path("pushpin.conf")]
        }
        if !usesConfigFile || configPorts != nil {
            arguments += ["--port", String(clientPort), "--control-port", String(controlPort)]
        }
        if let shards { arguments += ["--shards", String(shards)] }
        if let logLevel { arguments += ["--log-level", String(logLevel)] }
        return arguments + extraArguments
    }
}

/// A temp dir for one pushpind run: config, routes and the log. Removed by `remove()`.
final class Sandbox {
    let root: String

    init() throws {
        var template = Array("/tmp/pushpind-e2e.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw HarnessError.system("mkdtemp")
        }
        root = String(cString: made)
    }

    func path(_ name: String) -> String { root + "/" + name }

    /// Writes `text` to `name` atomically (temp file + rename), so a reloading pushpind
    /// never reads half a routes file.
    func write(_ text: String, to name: String) throws {
        do {
            if let slash = name.lastIndex(of: "/") {
                try FileManager.default.createDirectory(atPath: path(String(name[..<slash])), withIntermediateDirectories: true)
            }
            try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        } catch {
            throw HarnessError.setup("cannot write \(path(name)): \(error)")
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

extension PushpindSetup {
    /// Starts pushpind, retrying once with fresh ports if a port was taken between
    /// picking it and pushpind binding it.
    func launch(in sandbox: Sandbox) throws -> PushpindProcess {
        let binary = try PushpindProcess.locateBinary()
        var attempt = 0
        while true {
            attempt += 1
            let clientPort = try freePort()
            var controlPort = try freePort()
            for _ in 0..<10 where controlPort == clientPort { controlPort = try freePort() }
            let arguments = try prepare(in: sandbox, clientPort: clientPort, controlPort: controlPort)
            do {
                return try PushpindProcess(
                    binary: binary, arguments: arguments, clientPort: clientPort,
                    controlPort: controlPort, logPath: sandbox.path("pushpind-\(attempt).log"), environment: environment)
            } catch {
                let portTaken = String(describing: error).localizedCaseInsensitiveContains("in use")
                if attempt >= 2 || !portTaken { throw error }
            }
        }
    }
}

/// Runs `body` against a freshly started pushpind, then stops it with SIGTERM and expects
/// a clean exit (status 0): a crash anywhere in the test shows up here at the latest.
func withPushpind<T>(
    _ setup: PushpindSetup, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (PushpindProcess, Sandbox) throws -> T
) throws -> T {
    let sandbox = try Sandbox()
    defer { sandbox.remove() }
    let pushpind = try setup.launch(in: sandbox)
    let result: T
    do {
        result = try body(pushpind, sandbox)
    } catch {
        pushpind.stop()
        throw error
    }
    let status = pushpind.stop()
    #expect(status == .exited(0), "pushpind \(status) when stopped with SIGTERM", sourceLocation: sourceLocation)
    return result
}

/// `withPushpind` for tests that do not need the sandbox.
func withPushpind<T>(
    _ setup: PushpindSetup, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (PushpindProcess) throws -> T
) throws -> T {
    try withPushpind(setup, sourceLocation: sourceLocation) { pushpind, _ in try body(pushpind) }
}

/// Runs `body` with a backend stub that is stopped afterwards.
func withBackend<T>(name: String = "backend", _ body: (BackendStub) throws -> T) throws -> T {
    let backend = try BackendStub(name: name)
    defer { backend.stop() }
    return try body(backend)
}

/// The common shape of a proxy test: a backend stub, and pushpind (2 shards) routing
/// everything to it. `configure` adjusts the setup (config keys) before launch.
func withProxiedBackend<T>(
    _ configure: (inout PushpindSetup) -> Void = { _ in },
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (BackendStub, PushpindProcess) throws -> T
) throws -> T {
    try withBackend { backend in
        var setup = PushpindSetup.proxying(to: backend)
        configure(&setup)
        return try withPushpind(setup, sourceLocation: sourceLocation) { pushpind in try body(backend, pushpind) }
    }
}
