/// Where the GRIP header fields of a backend response are, found in one walk over its
/// fields: a lookup per `Grip-*` name walked all of them some nine times per instruction.
/// Each is the index of the first field with that name, nil when there is none.
struct GripFieldPositions {
    var hold: Int?
    var channel: Int?
    var timeout: Int?
    var keepAlive: Int?
    var setMeta: Int?
    var status: Int?
    var link: Int?
    var exposeHeaders: Int?

    init(_ headers: HTTPHeaders) {
        for index in 0..<headers.count {
            let name = headers.name(at: index)
            guard HTTPASCII.hasPrefixIgnoringCase(name, "grip-") else { continue }
            switch name.utf8.count {
            case 9:
                if hold == nil, HTTPHeaders.namesEqual(name, "Grip-Hold") { hold = index }
                if link == nil, HTTPHeaders.namesEqual(name, "Grip-Link") { link = index }
            case 11:
                if status == nil, HTTPHeaders.namesEqual(name, "Grip-Status") { status = index }
            case 12:
                if channel == nil, HTTPHeaders.namesEqual(name, "Grip-Channel") { channel = index }
                if timeout == nil, HTTPHeaders.namesEqual(name, "Grip-Timeout") { timeout = index }
            case 13:
                if setMeta == nil, HTTPHeaders.namesEqual(name, "Grip-Set-Meta") { setMeta = index }
            case 15:
                if keepAlive == nil, HTTPHeaders.namesEqual(name, "Grip-Keep-Alive") { keepAlive = index }
            case 19:
                if exposeHeaders == nil, HTTPHeaders.namesEqual(name, "Grip-Expose-Headers") { exposeHeaders = index }
            default:
                break
            }
        }
    }
}
