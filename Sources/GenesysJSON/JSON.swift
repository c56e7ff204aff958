/// A parsed JSON document as a Swift value. Built from jansson's tree, which is released
/// before `parse` returns, so no C reference outlives the call.
package enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    /// The JSON type's name as it appears in error messages.
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .double: "real"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
