/// Short Python scripts run to completion (JWT tooling, the gripcontrol publisher), on
/// top of `PythonProcess`.
extension PythonProcess {
    /// Runs `script` and returns its output (stdout and stderr); throws with that output
    /// when it exits non-zero or outlives `timeout` (then it is killed).
    static func run(_ script: String, arguments: [String] = [], timeout: Duration = .seconds(60)) throws -> String {
        let process = try PythonProcess(script: script, arguments: arguments)
        defer { process.stop() }
        let status = process.waitForExit(timeout: timeout)
        guard status == .exited(0) else {
            let what = status.map(\.description) ?? "still running after \(timeout)"
            throw HarnessError.setup("python3 script \(what): \(process.output.suffix(2000))")
        }
        return process.output
    }
}
