/// Incremental UTF-8 validation (RFC 3629) for text that arrives in pieces.
///
/// Fails at the first byte that cannot continue a valid sequence, even when
/// the sequence started in an earlier piece, so a bad text message is rejected
/// without waiting for the rest. Rejects overlongs, surrogates (U+D800–DFFF) and
/// anything above U+10FFFF by narrowing the range of the byte after a lead byte.
struct UTF8StreamValidator: Sendable {
    /// Continuation bytes still owed by the current sequence.
    private var pending: UInt8 = 0
    /// Range allowed for the next continuation byte (narrower right after E0, ED, F0, F4).
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    init() {}

    /// True when the text so far ends on a character boundary.
    var isComplete: Bool { pending == 0 }

    /// Checks the next piece; false as soon as a byte is invalid.
    mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        while i < count {
            if pending == 0 {
                // ASCII runs dominate text; skip them a word at a time.
                while i &+ 8 <= count, base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & highBits == 0 {
                    i &+= 8
                }
                guard i < count else { break }
                let byte = base.load(fromByteOffset: i, as: UInt8.self)
                i &+= 1
                if byte < 0x80 { continue }
                guard startSequence(byte) else { return false }
            } else {
                let byte = base.load(fromByteOffset: i, as: UInt8.self)
                i &+= 1
                guard byte >= lower && byte <= upper else { return false }
                pending &-= 1
                lower = 0x80
                upper = 0xBF
            }
        }
        return true
    }

    /// Checks a whole text: valid and ending on a character boundary.
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var validator = UTF8StreamValidator()
        return validator.validate(bytes) && validator.isComplete
    }

    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { isValid($0) }
    }

    /// Sets up the state for a lead byte; false for bytes that cannot lead
    /// (continuations, C0/C1 overlong leads, F5 and above).
    private mutating func startSequence(_ byte: UInt8) -> Bool {
        switch byte {
        case 0xC2...0xDF:
            pending = 1
        case 0xE0:
            pending = 2
            lower = 0xA0  // below is an overlong 3-byte form
        case 0xE1...0xEC, 0xEE...0xEF:
            pending = 2
        case 0xED:
            pending = 2
            upper = 0x9F  // above are the surrogates
        case 0xF0:
            pending = 3
            lower = 0x90  // below is an overlong 4-byte form
        case 0xF1...0xF3:
            pending = 3
        case 0xF4:
            pending = 3
            upper = 0x8F  // above is beyond U+10FFFF
        default:
            return false
        }
        return true
    }
}
