import Foundation

/// Everything the harness can fail with. The message names the operation so a failing
/// test says what it was doing ("recv: timed out"), not just that it failed.
struct HarnessError: Error, CustomStringConvertible, Equatable {
    enum Kind: Equatable {
        /// A system call failed with this errno.
        case system(Int32)
        /// The deadline or the socket timeout passed.
        case timedOut
        /// The peer closed (EOF) before the expected bytes arrived.
        case closed
        /// The peer sent bytes that are not the HTTP we expected.
        case malformed
        /// Anything else (process launch, files, setup).
        case setup
    }

    let kind: Kind
    let message: String

    var description: String { message }

    static func system(_ operation: String, _ code: Int32 = errno) -> HarnessError {
        let text = String(cString: strerror(code))
        return HarnessError(kind: .system(code), message: "\(operation): \(text) (errno \(code))")
    }

    static func timedOut(_ operation: String) -> HarnessError {
        HarnessError(kind: .timedOut, message: "\(operation): timed out")
    }

    static func closed(_ operation: String) -> HarnessError {
        HarnessError(kind: .closed, message: "\(operation): connection closed by peer")
    }

    static func malformed(_ what: String) -> HarnessError {
        HarnessError(kind: .malformed, message: "malformed HTTP: \(what)")
    }

    static func setup(_ what: String) -> HarnessError {
        HarnessError(kind: .setup, message: what)
    }

    /// True when the peer went away: EOF, reset, or a broken pipe on send.
    var isPeerGone: Bool {
        switch kind {
        case .closed: return true
        case .system(let code): return code == ECONNRESET || code == EPIPE || code == ECONNABORTED
        default: return false
        }
    }
}
