import Foundation
import Testing

/// `pushpind publish`, like `pushpin-publish`: over HTTP to the control address read from
/// the same pushpin.conf, and into the ZeroMQ PULL input with `--spec tcp://…`.
extension EndToEnd {
    @Suite struct PublishCommandTests {
        /// Runs `pushpind publish arguments…` to completion; its exit status and output.
        static func publish(_ arguments: [String], in sandbox: Sandbox) throws -> (ExitStatus?, String) {
            let output = sandbox.path("publish-\(UUID().uuidString).txt")
            let pid = try ChildProcess.spawn([try PushpindProcess.locateBinary(), "publish"] + arguments, outputPath: output)
            let status = eventually(timeout: .seconds(20), interval: .milliseconds(10)) { () -> ExitStatus? in
                var raw: Int32 = 0
                return waitpid(pid, &raw, WNOHANG) == pid ? ExitStatus(waitStatus: raw) : nil
            }
            if status == nil {
                kill(pid, SIGKILL)
                _ = waitpid(pid, nil, 0)
            }
            return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
        }

        @Test func publishesOverHTTPAndZeroMQ() throws {
            let pull = try freePort()
            var setup = PushpindSetup()
            setup.routes = "* test\n"
            setup.handler = [("push_in_spec", "tcp://127.0.0.1:\(pull)")]
            try withPushpind(setup) { pushpind, sandbox in
                let subscriber = try StreamSubscriber(port: pushpind.clientPort, target: "/stream?channel=cli")
                let opened = "[stream opened]\n"
                #expect(try subscriber.read(expecting: opened) == opened)
                try pushpind.waitForHeld(stream: 1)

                let viaHTTP = try Self.publish(["cli", "over http", "--config-file", sandbox.path("pushpin.conf"), "--id", "1"], in: sandbox)
                #expect(viaHTTP.0 == .exited(0), "\(viaHTTP.1)")
                #expect(viaHTTP.1 == "Published\n")
                #expect(try subscriber.read(expecting: opened + "over http\n") == opened + "over http\n")

                let viaZMQ = try Self.publish(["cli", "over zmq", "--no-eol", "--spec", "tcp://127.0.0.1:\(pull)"], in: sandbox)
                #expect(viaZMQ.0 == .exited(0), "\(viaZMQ.1)")
                let both = opened + "over http\nover zmq"
                #expect(try subscriber.read(expecting: both) == both)

                // A rejected item: the control API's answer, and a failing exit status.
                let rejected = try Self.publish(["cli", "x", "--code", "99999", "--config-file", sandbox.path("pushpin.conf")], in: sandbox)
                #expect(rejected.0 == .exited(1))
                #expect(rejected.1.contains("Invalid format: 'http-response' contains 'code' with invalid value"), "\(rejected.1)")

                let closing = try Self.publish(["cli", "--close", "--config-file", sandbox.path("pushpin.conf")], in: sandbox)
                #expect(closing.0 == .exited(0), "\(closing.1)")
                #expect(try subscriber.readToEnd() == both, "stream not ended by --close")
            }
        }
    }
}
