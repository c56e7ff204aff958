import CCrypt

/// bcrypt checks through libxcrypt's `crypt_r` (Debian's libcrypt), which implements `$2a$`, `$2b$` and `$2y$`.
package enum BcryptHash {
    /// `$2b$10$` + 53 characters of salt and hash, cost 04 to 31 (what Go's `bcrypt.Cost` accepts).
    static func isWellFormed(_ hash: String) -> Bool {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
            bytes[3] == UInt8(ascii: "$"),
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]), bytes[6] == UInt8(ascii: "$"),
            let cost = Int(String(decoding: bytes[4..<6], as: UTF8.self)), (4...31).contains(cost)
        else { return false }
        let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return bytes[7...].allSatisfy(alphabet.contains)
    }

    /// Whether `password` matches `hash`. Slow on purpose (bcrypt's cost): never call it on an event loop.
    package static func matches(password: String, hash: String) -> Bool {
        // A NUL would end the C string early and let "secret\0anything" pass as "secret".
        guard !password.utf8.contains(0) else { return false }
        return gx_crypt_matches(password, hash) == 1
    }
}
