/// The JSON instruct form (`Content-Type: application/grip-instruct`, grip.md §5),
/// applied on top of whatever the response's `Grip-*` headers already set.
///
/// Pushpin's rules, kept here: the backend status must be 200; `hold` replaces the
/// hold mode (a `hold` without `mode` means `response`, even over `Grip-Hold: stream`);
/// its channels are added after header channels; the client response always drops the
/// backend's headers and body, and takes code/reason/headers/body from `response`.
enum GripJSONInstructions {
    static func apply(body: [UInt8], backendStatus: Int, to draft: inout GripDraft) throws(GripError) {
        guard backendStatus == 200 else {
            throw GripError("response code for application/grip-instruct content must be 200")
        }
        let document: JSONObject
        switch PushpinFields.parseDocument(body) {
        case .object(let object): document = object
        case .array: throw GripError("instruct must be an object")
        default: throw GripError("failed to parse application/grip-instruct content as JSON")
        }
        do throws(PushpinFieldError) {
            if let hold = document["hold"] {
                guard case .object(let holdObject) = hold else {
                    throw PushpinFieldError("instruct contains 'hold' with wrong type")
                }
                try readHold(holdObject, into: &draft)
            }
            draft.headers = HTTPHeaders()
            draft.body = []
            if let response = document["response"] {
                guard case .object(let responseObject) = response else {
                    throw PushpinFieldError("instruct contains 'response' with wrong type")
                }
                try readResponse(responseObject, into: &draft)
            }
        } catch {
            throw GripError(error.message)
        }
    }

    private static func readHold(_ hold: JSONObject, into draft: inout GripDraft) throws(PushpinFieldError) {
        switch try PushpinFields.string(hold, "hold", "mode") {
        case nil, "response": draft.hold = .response
        case "stream": draft.hold = .stream
        default: throw PushpinFieldError("hold 'mode' must be set to either 'response' or 'stream'")
        }
        for entry in try PushpinFields.list(hold, "hold", "channels", required: true) ?? [] {
            draft.channels.append(try channel(entry))
        }
        if let seconds = try PushpinFields.int(hold, "hold", "timeout") {
            guard seconds >= 0 else { throw PushpinFields.invalidValue("hold", "timeout") }
            draft.timeoutSeconds = seconds
        }
        if let keepAlive = try PushpinFields.object(hold, "hold", "keep-alive") {
            try readKeepAlive(keepAlive, into: &draft)
        }
        if let meta = try PushpinFields.object(hold, "hold", "meta") {
            let pairs = try PushpinFields.stringPairs(meta) { "'meta' contains '\($0)' with wrong type" }
            for pair in pairs { draft.setMeta(pair.key, pair.value.stringValue ?? "") }
        }
    }

    private static func channel(_ entry: JSONValue) throws(PushpinFieldError) -> GripChannel {
        guard case .object(let object) = entry else { throw PushpinFieldError("channel is not an object") }
        let name = try PushpinFields.string(object, "channel", "name", required: true) ?? ""
        let prevID = try PushpinFields.string(object, "channel", "prev-id")
        let filters = try PushpinFields.strings(
            try PushpinFields.list(object, "channel", "filters") ?? [],
            elementError: "filters contains value with wrong type")
        return GripChannel(name: name, prevID: prevID, filters: filters)
    }

    /// `content-bin` (base64) wins over `content`; either replaces header keep-alive bytes.
    /// `timeout` defaults to 55 whenever the object is present.
    private static func readKeepAlive(_ keepAlive: JSONObject, into draft: inout GripDraft) throws(PushpinFieldError) {
        if let content = try PushpinFields.base64(keepAlive, "keep-alive", "content-bin") {
            draft.keepAliveContent = content
        } else if let content = keepAlive["content"] {
            guard case .string(let text) = content else { throw PushpinFields.wrongType("keep-alive", "content") }
            draft.keepAliveContent = Array(text.utf8)
        }
        if let seconds = try PushpinFields.int(keepAlive, "keep-alive", "timeout") {
            guard seconds >= 0 else { throw PushpinFields.invalidValue("keep-alive", "timeout") }
            draft.keepAliveTimeoutSeconds = seconds
        } else {
            draft.keepAliveTimeoutSeconds = GripInstructionParser.defaultTimeoutSeconds
        }
    }

    /// `code` (0...999; giving one drops the reason so far), `reason`, `headers`
    /// (object or `[[name, value], ...]`), `body-bin` (base64) over `body`.
    private static func readResponse(_ response: JSONObject, into draft: inout GripDraft) throws(PushpinFieldError) {
        if let code = try PushpinFields.int(response, "response", "code") {
            guard (0...999).contains(code) else { throw PushpinFields.invalidValue("response", "code") }
            draft.status = code
            draft.reason = ""
        }
        if let reason = try PushpinFields.string(response, "response", "reason"), !reason.isEmpty {
            draft.reason = reason
        }
        if let headers = response["headers"] {
            draft.headers = try PushpinHeaderList.read(headers, parent: "response")
            draft.headers.removeAll(named: HopByHop.isFraming)
        }
        if let body = try PushpinFields.base64(response, "response", "body-bin") {
            draft.body = body
        } else if let body = response["body"] {
            guard case .string(let text) = body else { throw PushpinFields.wrongType("response", "body") }
            draft.body = Array(text.utf8)
        }
    }
}
