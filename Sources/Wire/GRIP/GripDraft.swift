/// An instruction being assembled: the header form fills it, the JSON form
/// overrides it, then `GripInstructionParser` applies defaults and limits.
struct GripDraft {
    var hold: GripHoldMode?
    var channels: [GripChannel] = []
    var timeoutSeconds: Int?
    var keepAliveContent: [UInt8] = []
    var keepAliveTimeoutSeconds: Int?
    /// Set by a `Grip-Keep-Alive` header; a JSON-only keep-alive runs as `interval`.
    var keepAliveMode: GripKeepAliveMode?
    var meta: [GripMetaEntry] = []
    var status: Int
    var reason: String
    var nextLink: GripLink?
    var goneLink: String?
    var headers: HTTPHeaders
    var body: [UInt8]

    mutating func setMeta(_ key: String, _ value: String) {
        if let index = meta.firstIndex(where: { $0.key == key }) {
            meta[index].value = value
        } else {
            meta.append(GripMetaEntry(key, value))
        }
    }
}
