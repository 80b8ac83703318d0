import Foundation
import Testing

/// How a child process ended.
enum ExitStatus: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// Decodes a `waitpid` status (the W* macros do not import into Swift).
    init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        self = signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signaled(signal)
    }

    var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
        }
    }
}

/// A running `pushpind` child: spawned with its stdout and stderr going to a log file in
/// the test's sandbox, waited for until both ports accept connections, and stopped with
/// SIGTERM (then SIGKILL after a bound). Not thread-safe: one test drives it.
final class PushpindProcess {
    let pid: pid_t
    let clientPort: UInt16
    let controlPort: UInt16
    let logPath: String
    let arguments: [String]
    private(set) var exitStatus: ExitStatus?
    private let logID: Int

    /// How long `launch` waits for both ports to accept connections.
    static let readyTimeout: Duration = .seconds(10)

    /// Spawns `binary` with `arguments`, then waits until `clientPort` and `controlPort`
    /// accept connections. Throws with the log when it exits or times out first.
    init(
        binary: String, arguments: [String], clientPort: UInt16, controlPort: UInt16, logPath: String,
        environment: [String: String] = [:]
    ) throws {
        self.arguments = arguments
        self.clientPort = clientPort
        self.controlPort = controlPort
        self.logPath = logPath
        pid = try ChildProcess.spawn([binary] + arguments, environment: environment, outputPath: logPath)
        logID = PushpindLogs.shared.register(label: "pushpind pid \(pid) \(arguments.joined(separator: " "))", logPath: logPath)
        do {
            try waitUntilReady()
        } catch {
            _ = stop(timeout: .seconds(2))
            throw error
        }
    }

    deinit {
        if exitStatus == nil { _ = stop(timeout: .seconds(2)) }
    }

    // MARK: - Starting

    /// The pushpind binary: `$PUSHPIND_BIN`, else `pushpind` beside the running test
    /// bundle (SwiftPM puts both in .build/debug).
    static func locateBinary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["PUSHPIND_BIN"], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw HarnessError.setup("PUSHPIND_BIN=\(path) is not an executable file")
            }
            return path
        }
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        let candidate = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("pushpind").path
        guard !bundle.isEmpty, FileManager.default.isExecutableFile(atPath: candidate) else {
            throw HarnessError.setup("""
                pushpind binary not found at \(candidate.debugDescription) (beside the test bundle \(bundle.debugDescription)). \
                Build it first (`swift build --product pushpind`) or set PUSHPIND_BIN to its path.
                """)
        }
        return candidate
    }

    private func waitUntilReady() throws {
        let deadline = Deadline(in: Self.readyTimeout)
        var pending = [clientPort, controlPort]
        while !pending.isEmpty {
            if let status = pollExit() {
                throw HarnessError.setup("pushpind \(status) before it was ready (ports \(clientPort), \(controlPort)).\n\(logTail())")
            }
            if deadline.hasPassed {
                throw HarnessError.setup("pushpind not accepting on ports \(pending) after \(Self.readyTimeout).\n\(logTail())")
            }
            pending.removeAll { port in
                guard let probe = try? TCPSocket.connect(port: port, timeout: .milliseconds(200)) else { return false }
                probe.close()
                return true
            }
            if !pending.isEmpty { pause(.milliseconds(20)) }
        }
    }

    // MARK: - Running

    var isRunning: Bool { pollExit() == nil }

    /// Sends `signal` (SIGHUP, SIGTERM …) to the process.
    func sendSignal(_ signal: Int32) throws {
        guard exitStatus == nil else { throw HarnessError.setup("pushpind already \(exitStatus.map(\.description) ?? "")") }
        guard kill(pid, signal) == 0 else { throw HarnessError.system("kill(\(pid), \(signal))") }
    }

    /// Reaps the child if it has exited; nil while it runs.
    @discardableResult
    func pollExit() -> ExitStatus? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            exitStatus = ExitStatus(waitStatus: status)
        } else if result < 0 && errno == ECHILD {
            exitStatus = .signaled(0)  // someone else reaped it; should not happen
        }
        return exitStatus
    }

    /// Waits up to `timeout` for the process to exit on its own.
    func waitForExit(timeout: Duration) -> ExitStatus? {
        let deadline = Deadline(in: timeout)
        while true {
            if let status = pollExit() { return status }
            if deadline.hasPassed { return nil }
            pause(.milliseconds(10))
        }
    }

    /// SIGTERM, wait up to `timeout`, then SIGKILL. Returns how it ended (a SIGKILL shows
    /// as `.signaled(9)`, which the fixture reports as an unclean exit).
    @discardableResult
    func stop(timeout: Duration = .seconds(10)) -> ExitStatus {
        defer { PushpindLogs.shared.stopped(logID, exit: exitStatus) }
        if let status = pollExit() { return status }
        kill(pid, SIGTERM)
        if let status = waitForExit(timeout: timeout) { return status }
        kill(pid, SIGKILL)
        return waitForExit(timeout: .seconds(5)) ?? .signaled(SIGKILL)
    }

    // MARK: - Inspecting

    /// Everything pushpind has written to stdout and stderr so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func logTail(maxBytes: Int = 16 * 1024) -> String {
        PushpindLogs.tail(of: logPath, maxBytes: maxBytes)
    }

    /// Open file descriptors of the process (entries of /proc/PID/fd).
    func openFDCount() throws -> Int {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        } catch {
            throw HarnessError.setup("cannot list /proc/\(pid)/fd: \(error)")
        }
    }
}
