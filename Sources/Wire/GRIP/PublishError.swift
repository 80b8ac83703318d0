/// A rejected control-API request, worded exactly as Pushpin 1.36 answers it
/// (measured with curl against the Debian package). The response is `text/plain`
/// with `message` plus a trailing `"\n"` as its body, whatever `Accept` says.
public struct PublishError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    /// Body text without the trailing newline.
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status) \(message)" }

    /// The response body as Pushpin sends it.
    public var body: String { message + "\n" }

    /// The body is not a JSON object or array (including empty, truncated, trailing
    /// garbage, or a bare scalar such as `5` or `null`).
    public static let notJSON = PublishError(status: 400, message: "Body is not valid JSON.")
    /// The body is a JSON array.
    public static let notObject = PublishError(status: 400, message: "Invalid format.")

    /// An invalid envelope or item; `reason` may be empty (an unknown `action` gives
    /// exactly `"Invalid format: "`).
    public static func invalidFormat(_ reason: String) -> PublishError {
        PublishError(status: 400, message: "Invalid format: \(reason)")
    }

    // The control server's other answers, for the caller that serves the API.

    /// POST (or PUT) without Content-Length, including chunked bodies; checked before the path.
    public static let lengthRequired = PublishError(status: 411, message: "Request requires Content-Length.")
    /// Pushpin answers with an `Allow: POST` field too.
    public static func methodNotAllowed(_ method: String) -> PublishError {
        PublishError(status: 405, message: "Method not allowed: \(method).")
    }
    /// Any path other than `/`, `/publish[/]`, `/recover[/]`; a query string counts as part of the path.
    public static let notFound = PublishError(status: 404, message: "Not Found")
    public static let notAcceptable = PublishError(
        status: 406, message: "Not Acceptable. Supported formats are text/plain and application/json.")
}
