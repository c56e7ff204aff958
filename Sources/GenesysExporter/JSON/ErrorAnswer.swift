/// What an error answer from Genesys Cloud says, from either service: the API's `{"code", "message"}` and the login
/// service's OAuth `{"error", "error_description"}` (or `description`). Read once and leniently: a body that is not
/// JSON, or lacks the fields, gives nils. The text is untrusted; callers shorten it with `SafeExcerpt`.
struct ErrorAnswer: Sendable {
    /// The API's `code` or OAuth's `error`, e.g. `missing.permissions`, `invalid_client`.
    let code: String?
    /// The API's `message` or OAuth's `error_description` / `description`.
    let message: String?

    init(body: [UInt8]) {
        let document = try? JSONParser.document(body)
        func text(_ key: String) -> String? { (try? document?.optionalString(key)) ?? nil }
        code = text("code") ?? text("error")
        message = text("message") ?? text("error_description") ?? text("description")
    }
}
