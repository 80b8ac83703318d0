/// The header form of GRIP (grip.md §4), read in Pushpin's order so that the first
/// error reported for a bad response is the one Pushpin reports. Where a header may
/// only appear once (Hold, Timeout, Keep-Alive, Status) the first field counts.
enum GripHeaderInstructions {
    static let defaultNextLinkTimeoutSeconds = 120

    static func read(_ head: HTTPResponseHead, body: [UInt8]) throws(GripError) -> GripDraft {
        let headers = head.headers
        let at = GripFieldPositions(headers)
        var draft = GripDraft(
            status: head.status, reason: head.reason,
            headers: GripResponseHeaders.clientFields(headers, exposeHeadersAt: at.exposeHeaders), body: body)
        draft.hold = try holdMode(headers, at: at.hold)
        draft.channels = channels(headers, from: at.channel)
        draft.timeoutSeconds = try timeout(headers, at: at.timeout)
        try readKeepAlive(headers, at: at.keepAlive, into: &draft)
        try readMeta(headers, from: at.setMeta, into: &draft)
        try readStatus(headers, at: at.status, into: &draft)
        try readLinks(headers, from: at.link, into: &draft)
        return draft
    }

    /// `Grip-Hold`: exactly `response` or `stream` (case matters).
    private static func holdMode(_ headers: HTTPHeaders, at position: Int?) throws(GripError) -> GripHoldMode? {
        guard let value = position.map(headers.value(at:)) else { return nil }
        switch value {
        case "response": return .response
        case "stream": return .stream
        default: throw GripError("Grip-Hold must be set to either 'response' or 'stream'")
        }
    }

    /// Every element of every `Grip-Channel` field. The name is the raw text before the
    /// first `;`; `prev-id` is looked up ignoring case, `filter` must be spelled so.
    /// Elements with an unterminated quoted parameter are skipped, as Pushpin does.
    /// A field that is just a channel name (the usual case) is taken as it is, without
    /// splitting it into lists and parameters.
    private static func channels(_ headers: HTTPHeaders, from first: Int?) -> [GripChannel] {
        var result: [GripChannel] = []
        var next = first
        while let index = next {
            let value = headers.value(at: index)
            if let name = plainName(value) {
                result.append(GripChannel(name: name, prevID: nil, filters: []))
            } else {
                for element in HeaderParameterParser.splitList(value) {
                    guard let parameters = HeaderParameterParser.parse(element, rawFirst: true),
                          let name = parameters.first?.name else { continue }
                    let filters = parameters.items.dropFirst().filter { $0.name == "filter" }.map { $0.value ?? "" }
                    result.append(GripChannel(name: name, prevID: parameters.value("prev-id"), filters: filters))
                }
            }
            next = headers.firstIndex(of: "Grip-Channel", from: index + 1)
        }
        return result
    }

    /// `value` itself when it is one list element with one parameter: no `,`, `;` or `"`, and
    /// no space to trim at either end (what `splitList` and `parse` would make of it).
    private static func plainName(_ value: String) -> String? {
        let bytes = value.utf8
        guard let first = bytes.first, let last = bytes.last,
            !HeaderParameterParser.isSpace(first), !HeaderParameterParser.isSpace(last),
            !bytes.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "\"") })
        else { return nil }
        return value
    }

    private static func timeout(_ headers: HTTPHeaders, at position: Int?) throws(GripError) -> Int? {
        guard let value = position.map(headers.value(at:)) else { return nil }
        guard let seconds = PushpinInteger.parseHeaderInt(value) else {
            throw GripError("failed to parse Grip-Timeout")
        }
        guard seconds >= 0 else { throw GripError("Grip-Timeout has invalid value") }
        return seconds
    }

    /// `Grip-Keep-Alive: <data>; format=raw|cstring|base64; timeout=N; mode=idle|interval`.
    /// The data is the raw text before the first `;` (it may contain commas).
    private static func readKeepAlive(_ headers: HTTPHeaders, at position: Int?, into draft: inout GripDraft) throws(GripError) {
        guard let value = position.map(headers.value(at:)), !value.isEmpty,
              let parameters = HeaderParameterParser.parse(value, rawFirst: true),
              let data = parameters.first?.name else { return }
        guard !data.isEmpty else { throw GripError("Grip-Keep-Alive cannot be empty") }
        switch parameters.value("mode") ?? "" {
        case "", "idle": draft.keepAliveMode = .idle
        case "interval": draft.keepAliveMode = .interval
        case let other: throw GripError("no such Grip-Keep-Alive mode '\(other)'")
        }
        if parameters.contains("timeout") {
            guard let seconds = PushpinInteger.parseHeaderInt(parameters.value("timeout") ?? "") else {
                throw GripError("failed to parse Grip-Keep-Alive timeout value")
            }
            guard seconds >= 0 else { throw GripError("Grip-Keep-Alive timeout has invalid value") }
            draft.keepAliveTimeoutSeconds = seconds
        } else {
            draft.keepAliveTimeoutSeconds = GripInstructionParser.defaultTimeoutSeconds
        }
        switch parameters.value("format") ?? "" {
        case "", "raw":
            draft.keepAliveContent = Array(data.utf8)
        case "cstring":
            guard let bytes = GripKeepAliveCString.unescape(data) else {
                throw GripError("failed to parse Grip-Keep-Alive cstring format")
            }
            draft.keepAliveContent = bytes
        case "base64":
            guard let bytes = Base64.decodeCanonical(data) else {
                throw GripError("failed to parse Grip-Keep-Alive base64 format")
            }
            draft.keepAliveContent = bytes
        case let other:
            throw GripError("no such Grip-Keep-Alive format '\(other)'")
        }
    }

    /// `Grip-Set-Meta: key=value` (comma lists and repeats allowed; quoted values
    /// unquoted). An empty list element (`,a=1`) is an error; `=v` sets key "".
    private static func readMeta(_ headers: HTTPHeaders, from first: Int?, into draft: inout GripDraft) throws(GripError) {
        guard let first else { return }
        for element in HeaderParameterParser.listElements(headers, "Grip-Set-Meta", from: first) {
            guard let parameters = HeaderParameterParser.parse(element, rawFirst: false) else { continue }
            guard let entry = parameters.first else { throw GripError("Grip-Set-Meta cannot be empty") }
            draft.setMeta(entry.name, entry.value ?? "")
        }
    }

    /// `Grip-Status: <code>[ <reason>]`: code 0...999; the reason is everything after
    /// the first space, verbatim; an empty reason becomes the standard phrase later.
    private static func readStatus(_ headers: HTTPHeaders, at position: Int?, into draft: inout GripDraft) throws(GripError) {
        guard let value = position.map(headers.value(at:)), !value.isEmpty else { return }
        let codeText: Substring
        let reason: Substring
        if let space = value.firstIndex(of: " ") {
            codeText = value[..<space]
            reason = value[value.index(after: space)...]
        } else {
            codeText = value[...]
            reason = ""
        }
        guard let code = PushpinInteger.parseHeaderInt(String(codeText)), (0...999).contains(code) else {
            throw GripError("Grip-Status contains invalid status code")
        }
        draft.status = code
        draft.reason = String(reason)
    }

    /// `Grip-Link: <uri>; rel=next[; timeout=N]` or `<uri>; rel=gone`. Elements with
    /// fewer than two parameters are ignored; the last link of each kind wins.
    private static func readLinks(_ headers: HTTPHeaders, from first: Int?, into draft: inout GripDraft) throws(GripError) {
        guard let first else { return }
        for element in HeaderParameterParser.listElements(headers, "Grip-Link", from: first) {
            guard let parameters = HeaderParameterParser.parse(element, rawFirst: true),
                  parameters.count >= 2, let target = parameters.first?.name else { continue }
            let uri = try linkURI(target)
            switch parameters.value("rel") {
            case "next":
                var seconds = defaultNextLinkTimeoutSeconds
                if parameters.contains("timeout") {
                    guard let parsed = PushpinInteger.parseHeaderInt(parameters.value("timeout") ?? "") else {
                        throw GripError("failed to parse Grip-Link timeout value")
                    }
                    guard parsed >= 0 else { throw GripError("Grip-Link timeout has invalid value") }
                    seconds = parsed
                }
                draft.nextLink = GripLink(uri: uri, timeoutSeconds: seconds)
            case "gone":
                draft.goneLink = uri
            default:
                continue
            }
        }
    }

    /// The URI inside `<...>`: non-empty, without control characters or spaces, and
    /// with a well-formed `[...]` host when it has an authority.
    private static func linkURI(_ target: String) throws(GripError) -> String {
        let bytes = Array(target.utf8)
        guard bytes.count > 2, bytes.first == UInt8(ascii: "<"), bytes.last == UInt8(ascii: ">") else {
            throw GripError("failed to parse Grip-Link value")
        }
        let uri = String(decoding: bytes[1..<(bytes.count - 1)], as: UTF8.self)
        guard GripLinkURI.isValid(uri) else { throw GripError("Grip-Link contains invalid link") }
        return uri
    }
}
