/// Reads GRIP instructions from a backend response (grip.md §1, §4–§6).
///
/// Pure: no I/O, no clock. The caller decides from `isGrip` whether to buffer the
/// body (up to 100,000 bytes) and then calls `parse` once with the whole body.
public enum GripInstructionParser {
    /// Response-hold timeout and keep-alive interval when none is given.
    public static let defaultTimeoutSeconds = 55
    /// A response hold never times out sooner than this.
    public static let minimumTimeoutSeconds = 5
    /// Pushpin's `connection_subscription_max` default.
    public static let defaultSubscriptionMax = 20

    static let instructMediaType = "application/grip-instruct"

    /// Whether the response carries GRIP: its media type is `application/grip-instruct`,
    /// or it has any field whose name starts with `Grip-` (any case). Such a response is
    /// never relayed as is: at least its Grip-* fields are stripped.
    public static func isGrip(_ head: HTTPResponseHead) -> Bool {
        isInstructBody(head) || head.headers.containsName(withPrefix: "grip-")
    }

    /// Whether the body is the JSON instruct itself and must be read before `parse`.
    /// Otherwise the body is the client's response body (for a stream hold it may be
    /// passed to `parse` empty and relayed afterwards).
    public static func needsBody(_ head: HTTPResponseHead) -> Bool {
        isInstructBody(head)
    }

    /// Parses the header form and, for `application/grip-instruct`, the JSON form on top.
    /// `body` is the complete backend body. Channels beyond `subscriptionMax` are dropped.
    public static func parse(
        head: HTTPResponseHead, body: [UInt8], subscriptionMax: Int = defaultSubscriptionMax
    ) -> Result<GripInstruction, GripError> {
        do throws(GripError) {
            var draft = try GripHeaderInstructions.read(head, body: body)
            if isInstructBody(head) {
                try GripJSONInstructions.apply(body: body, backendStatus: head.status, to: &draft)
            }
            return .success(try finish(draft, subscriptionMax: subscriptionMax))
        } catch {
            return .failure(error)
        }
    }

    /// The media type of the first Content-Type field, compared exactly as Pushpin does
    /// (case-sensitive: `Application/Grip-Instruct` is relayed as an ordinary body).
    /// Runs for every proxied response: compares the media type in the field's own bytes.
    private static func isInstructBody(_ head: HTTPResponseHead) -> Bool {
        guard let contentType = head.headers["Content-Type"] else { return false }
        return contentType.utf8.withContiguousStorageIfAvailable(isInstructMediaType)
            ?? Array(contentType.utf8).withUnsafeBufferPointer(isInstructMediaType)
    }

    /// The media type (what precedes the first `;`, trimmed) is exactly `instructMediaType`.
    private static func isInstructMediaType(_ contentType: UnsafeBufferPointer<UInt8>) -> Bool {
        var high = contentType.firstIndex(of: UInt8(ascii: ";")) ?? contentType.count
        var low = 0
        while low < high, HeaderParameterParser.isSpace(contentType[low]) { low += 1 }
        while high > low, HeaderParameterParser.isSpace(contentType[high - 1]) { high -= 1 }
        return UnsafeBufferPointer(rebasing: contentType[low..<high]).elementsEqual(instructMediaType.utf8)
    }

    /// Defaults and limits: reason phrase, timeout floor, keep-alive floor, channel cap; and
    /// a client response that can be written without the backend choosing its framing.
    private static func finish(_ draft: GripDraft, subscriptionMax: Int) throws(GripError) -> GripInstruction {
        let reason = draft.reason.isEmpty ? PushpinReasonPhrase.phrase(for: draft.status) : draft.reason
        if let problem = HTTPFieldRules.responseProblem(
            status: draft.status, reason: reason, headers: draft.headers, hasBody: draft.hold == .stream || !draft.body.isEmpty)
        {
            throw GripError("response contains '\(problem.field)' with invalid value: \(problem.detail)")
        }
        let timeout = max(draft.timeoutSeconds ?? defaultTimeoutSeconds, minimumTimeoutSeconds)
        var keepAlive: GripKeepAlive?
        if !draft.keepAliveContent.isEmpty {
            keepAlive = GripKeepAlive(
                content: draft.keepAliveContent,
                timeoutSeconds: max(draft.keepAliveTimeoutSeconds ?? defaultTimeoutSeconds, 1),
                mode: draft.keepAliveMode ?? .interval)
        }
        return GripInstruction(
            hold: draft.hold,
            channels: Array(draft.channels.prefix(max(subscriptionMax, 0))),
            timeoutSeconds: timeout,
            keepAlive: keepAlive,
            meta: draft.meta,
            nextLink: draft.nextLink,
            goneLink: draft.goneLink,
            response: GripResponse(status: draft.status, reason: reason, headers: draft.headers, body: draft.body))
    }
}
