/// What a JSON error answer says, in either common shape: an API's `{"code", "message"}` and OAuth's
/// `{"error", "error_description"}` (RFC 6749; some servers say `description`). Read once and leniently: a body that is not
/// JSON, or lacks the fields, gives nils. The text is untrusted; callers shorten it with `SafeExcerpt`.
package struct ErrorAnswer: Sendable {
    /// The API's `code` or OAuth's `error`, e.g. `missing.permissions`, `invalid_client`.
    package let code: String?
    /// The API's `message` or OAuth's `error_description` / `description`.
    package let message: String?

    package init(body: [UInt8]) {
        let document = try? JSONParser.document(body)
        func text(_ key: String) -> String? { (try? document?.optionalString(key)) ?? nil }
        code = text("code") ?? text("error")
        message = text("message") ?? text("error_description") ?? text("description")
    }
}
