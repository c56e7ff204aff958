import FoundationEssentials
import Glibc

/// JSON for the simulator's replies and request bodies, as `Any` trees (dictionaries, arrays, strings, numbers,
/// booleans, `JSONNull`). The simulator runs inside the exporter for `--demo`, which links FoundationEssentials
/// only, so this replaces JSONSerialization: FoundationEssentials' JSONDecoder reads, the writer is here.
enum SimulatorJSON {
    /// Compact JSON with sorted keys and unescaped slashes; nil for a value JSON cannot carry (NaN, infinity,
    /// or a type outside the list above).
    static func encode(_ value: Any) -> String? {
        var output = ""
        return write(value, to: &output) ? output : nil
    }

    /// The parsed document, nil for anything that is not JSON.
    static func decode(_ bytes: [UInt8]) -> Any? {
        (try? JSONDecoder().decode(DynamicValue.self, from: Data(bytes)))?.value
    }

    private static func write(_ value: Any, to output: inout String) -> Bool {
        switch value {
        case let flag as Bool: output += flag ? "true" : "false"
        case let number as Int: output += String(number)
        case let number as Int64: output += String(number)
        case let number as UInt64: output += String(number)
        case let number as Double:
            guard number.isFinite else { return false }
            // Whole numbers print without a fraction, as JSONSerialization wrote them.
            if number == number.rounded(), abs(number) < 9_007_199_254_740_992 {
                output += String(Int64(number))
            } else {
                output += String(number)
            }
        case let text as String: writeString(text, to: &output)
        case let list as [Any]:
            output += "["
            for (index, element) in list.enumerated() {
                if index > 0 { output += "," }
                guard write(element, to: &output) else { return false }
            }
            output += "]"
        case let object as [String: Any]:
            output += "{"
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                writeString(key, to: &output)
                output += ":"
                guard write(object[key]!, to: &output) else { return false }
            }
            output += "}"
        case is JSONNull: output += "null"
        default: return false
        }
        return true
    }

    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let digits = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

/// JSON's null in an `Any` tree (an optional boxed in `Any` would match every cast pattern).
struct JSONNull {}

/// Any JSON value, decoded into the `Any` shapes the routes cast to.
private struct DynamicValue: Decodable {
    let value: Any

    init(from decoder: any Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            var values: [Any] = []
            while !list.isAtEnd { values.append(try list.decode(DynamicValue.self).value) }
            value = values
        } else if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var values: [String: Any] = [:]
            for key in object.allKeys {
                values[key.stringValue] = try object.decode(DynamicValue.self, forKey: key).value
            }
            value = values
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                value = JSONNull()
            } else if let flag = try? single.decode(Bool.self) {
                value = flag
            } else if let number = try? single.decode(Int.self) {
                value = number
            } else if let number = try? single.decode(Double.self) {
                value = number
            } else {
                value = try single.decode(String.self)
            }
        }
    }
}

private struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
