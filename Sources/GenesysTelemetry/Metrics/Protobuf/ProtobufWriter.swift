/// The few protobuf wire-format encodings `metrics.proto` needs, written by hand rather than generated with
/// swift-protobuf: five messages of scalar fields, encoded from a page that is already rendered, and the package's
/// build plugin would add minutes to every clean build for them.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
    }

    mutating func tag(_ field: UInt64, _ type: WireType) { varint(field << 3 | type.rawValue) }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func uint64(_ field: UInt64, _ value: UInt64) {
        tag(field, .varint)
        varint(value)
    }

    /// `sint32`/`sint64`: zigzag, so small negative numbers stay short.
    mutating func sint64(_ field: UInt64, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func double(_ field: UInt64, _ value: Double) {
        tag(field, .fixed64)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ field: UInt64, _ value: some Collection<UInt8>) {
        tag(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A nested message, written by `body` into a writer of its own.
    mutating func message(_ field: UInt64, _ body: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        body(&nested)
        string(field, nested.bytes)
    }

    /// Raw bytes already encoded (a family's metrics made earlier).
    mutating func append(_ encoded: [UInt8]) { bytes.append(contentsOf: encoded) }

    /// Bytes of a length-delimited field with a one-byte tag holding `count` bytes: tag, length, contents.
    static func fieldSize(_ count: Int) -> Int { 1 + varintSize(UInt64(count)) + count }

    static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest > 0 {
            size += 1
            rest >>= 7
        }
        return size
    }

    /// The varint length prefix of the delimited format (what Go's `protodelim` writes before each message).
    static func lengthPrefix(_ count: Int) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.varint(UInt64(count))
        return writer.bytes
    }
}
