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
            pid = try ChildProcess.spawn(
                ["python3", "-c", script] + arguments, environment: environment.merging(["PYTHONUNBUFFERED": "1"]) { old, _ in old },
                outputPath: outputPath)
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

    /// Whether the top-level `module` is installed, for a clear error instead of a Python
    /// traceback. Found, not imported: django_eventstream cannot be imported without settings.
    static func hasModule(_ module: String) -> Bool {
        let script = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('\(module)') else 1)"
        guard let probe = try? PythonProcess(script: script) else { return false }
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
}
