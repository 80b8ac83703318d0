/// One whitespace-separated section of a routes line: a leading value and its `,prop[=value]` list.
struct RouteSection: Equatable {
    struct Prop: Equatable {
        var name: String
        var value: String
    }

    /// Empty when the section began directly with a prop (`id=foo`).
    var value: String
    /// In line order; a name may repeat (`header=`, `sub=`).
    var props: [Prop] = []

    func has(_ name: String) -> Bool {
        props.contains { $0.name == name }
    }

    /// The last value given for `name`, as Pushpin reads single-valued props.
    func last(_ name: String) -> String? {
        props.last { $0.name == name }?.value
    }

    func all(_ name: String) -> [String] {
        props.filter { $0.name == name }.map(\.value)
    }
}

/// Splits one routes-file line into sections.
///
/// Sections are separated by runs of spaces (tabs are accepted too); inside a section, items are
/// separated by `,`. An unquoted `#` ends the line. `"..."` may appear anywhere inside an item and
/// is taken literally except for the escapes `\\` and `\"`. A first item containing `=` is a prop,
/// and the section's value is then empty (`id=foo server:80`).
enum RouteLineTokenizer {
    struct Failure: Error, Equatable {
        var message: String
    }

    static func sections(of line: Substring) -> Result<[RouteSection], Failure> {
        var bytes = Array(line.utf8)[...]
        var sections: [RouteSection] = []
        while true {
            bytes = bytes.drop { isBlank($0) }
            guard let first = bytes.first, first != UInt8(ascii: "#") else { break }
            switch section(from: &bytes) {
            case .success(let section): sections.append(section)
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(sections)
    }

    /// Reads one section; leaves `bytes` at the blank, `#` or end that closed it.
    private static func section(from bytes: inout ArraySlice<UInt8>) -> Result<RouteSection, Failure> {
        var section: RouteSection?
        while true {
            let text: String
            switch item(from: &bytes) {
            case .success(let decoded): text = decoded
            case .failure(let failure): return .failure(failure)
            }
            if section == nil, !text.contains("=") {
                section = RouteSection(value: text)
            } else {
                if section == nil { section = RouteSection(value: "") }
                guard !text.isEmpty else { return .failure(Failure(message: "expecting prop")) }
                let prop: RouteSection.Prop
                if let eq = text.firstIndex(of: "=") {
                    prop = .init(name: String(text[..<eq]), value: String(text[text.index(after: eq)...]))
                } else {
                    prop = .init(name: text, value: "")
                }
                guard !prop.name.isEmpty else { return .failure(Failure(message: "empty prop name")) }
                section?.props.append(prop)
            }
            guard bytes.first == UInt8(ascii: ",") else { break }
            bytes = bytes.dropFirst()
        }
        return .success(section ?? RouteSection(value: ""))
    }

    /// Reads one item up to an unquoted `,`, blank, `#` or the end of the line, decoding quoted parts.
    private static func item(from bytes: inout ArraySlice<UInt8>) -> Result<String, Failure> {
        var out: [UInt8] = []
        while let byte = bytes.first {
            if byte == UInt8(ascii: "\"") {
                bytes = bytes.dropFirst()
                if let failure = quoted(from: &bytes, into: &out) { return .failure(failure) }
                continue
            }
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "#") || isBlank(byte) { break }
            out.append(byte)
            bytes = bytes.dropFirst()
        }
        return .success(String(decoding: out, as: UTF8.self))
    }

    /// Decodes the inside of a quoted part; `bytes` starts after the opening quote and ends after the closing one.
    private static func quoted(from bytes: inout ArraySlice<UInt8>, into out: inout [UInt8]) -> Failure? {
        while let byte = bytes.first {
            bytes = bytes.dropFirst()
            switch byte {
            case UInt8(ascii: "\""):
                return nil
            case UInt8(ascii: "\\"):
                guard let escaped = bytes.first else { return Failure(message: "unterminated quoted string") }
                guard escaped == UInt8(ascii: "\\") || escaped == UInt8(ascii: "\"") else {
                    return Failure(message: "unexpected escape character")
                }
                out.append(escaped)
                bytes = bytes.dropFirst()
            default:
                out.append(byte)
            }
        }
        return Failure(message: "unterminated quoted string")
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
