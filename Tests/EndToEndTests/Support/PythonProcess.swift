import Foundation

/// A `python3` child running a script the tests carry as a string (the test target has
/// no resources): a WebSocket server that prints `READY <port>` once listening, or a
/// client run to completion whose stdout is the result. Output goes to a file in its own
/// temp dir; every wait is bounded and the process is killed when the test is done.
final class PythonProcess {
    let pid: pid_t
    private let sandbox: Sandbox
    private let outputPath: String
    private var exitStatus: ExitStatus?

    /// Starts `python3 -c script arguments…`, with `environment` added to ours.
    init(script: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        sandbox = try Sandbox()
        outputPath = sandbox.path("output.txt")
        do {
            pid = try Self.spawn(["python3", "-c", script] + arguments, environment: environment, outputPath: outputPath)
        } catch {
            sandbox.remove()
            throw error
        }
    }

    deinit {
        stop()
        sandbox.remove()
    }

    /// Everything the process has printed so far (stdout and stderr).
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Whether `import module` works, for a clear error instead of a Python traceback.
    static func hasModule(_ module: String) -> Bool {
        guard let probe = try? PythonProcess(script: "import \(module)") else { return false }
        return probe.waitForExit(timeout: .seconds(20)) == .exited(0)
    }

    // MARK: - Servers

    /// Waits for the `READY <port>` line of a server script and returns the port.
    func waitForReadyPort(timeout: Duration = .seconds(20)) throws -> UInt16 {
        let port = eventually(timeout: timeout, interval: .milliseconds(20)) { () -> UInt16? in
            for line in output.split(separator: "\n") where line.hasPrefix("READY ") {
                return UInt16(line.dropFirst(6).trimmingSpaces())
            }
            return nil
        }
        guard let port else {
            let state = pollExit().map(\.description) ?? "still running"
            throw HarnessError.setup("python server not ready after \(timeout) (\(state)):\n\(output.suffix(4000))")
        }
        return port
    }

    // MARK: - Ending

    @discardableResult
    func pollExit() -> ExitStatus? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { exitStatus = ExitStatus(waitStatus: status) }
        return exitStatus
    }

    func waitForExit(timeout: Duration) -> ExitStatus? {
        eventually(timeout: timeout, interval: .milliseconds(10)) { pollExit() }
    }

    /// SIGTERM, then SIGKILL after a second.
    func stop() {
        guard pollExit() == nil else { return }
        kill(pid, SIGTERM)
        if waitForExit(timeout: .seconds(1)) == nil {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: .seconds(5))
        }
    }

    /// posix_spawnp with default signal handling (test threads block signals, and a child
    /// would inherit that mask and ignore SIGTERM) and stdin from /dev/null.
    private static func spawn(_ argv: [String], environment: [String: String], outputPath: String) throws -> pid_t {
        let outputFD = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard outputFD >= 0 else { throw HarnessError.system("open \(outputPath)") }
        defer { close(outputFD) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var variables = ProcessInfo.processInfo.environment
        variables["PYTHONUNBUFFERED"] = "1"
        variables.merge(environment) { $1 }
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, argv[0], &actions, &attributes, cArguments, envp)
        guard result == 0 else { throw HarnessError.system("posix_spawnp \(argv[0])", result) }
        return pid
    }
}
