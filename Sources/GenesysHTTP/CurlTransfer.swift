import CCurl
import Synchronization

/// One request's libcurl easy handle, its buffers and the continuation waiting for it.
// Buffers and continuation: only the driver thread after submit; the cancel flag: its own lock.
final class CurlTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    let sizeLimit: Int
    fileprivate(set) var body: [UInt8] = []
    fileprivate(set) var headerFields: [(name: String, value: String)] = []
    fileprivate(set) var exceededSizeLimit = false
    var continuation: CheckedContinuation<HTTPResponse, any Error>?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let cancelRequested = Mutex(false)
    private let handles: CurlEasyHandles?

    /// `handles`: where the easy handle comes from and goes back to (a new one, cleaned up after, without).
    init(
        request: HTTPRequest, configuration: HTTPClientConfiguration, handles: CurlEasyHandles? = nil
    ) throws(HTTPClientError) {
        CurlGlobal.initialize()
        guard let easy = handles?.take() ?? curl_easy_init() else { throw .invalidRequest("curl_easy_init failed") }
        self.easy = easy
        self.handles = handles
        self.sizeLimit = configuration.maxResponseBytes
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        try configure(request, configuration)
    }

    deinit {
        // No multi handle holds it any more: the driver keeps a transfer alive while its handle is added.
        if let handles { handles.give(easy) } else { curl_easy_cleanup(easy) }
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    var isCancelRequested: Bool { cancelRequested.withLock { $0 } }
    func requestCancel() { cancelRequested.withLock { $0 = true } }

    private func configure(_ request: HTTPRequest, _ configuration: HTTPClientConfiguration) throws(HTTPClientError) {
        var failed = false
        func check(_ code: CURLcode) { if code != CURLE_OK { failed = true } }

        check(gx_easy_setopt_string(easy, CURLOPT_URL, request.url))
        check(gx_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        check(gx_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        check(gx_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
        check(gx_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        check(gx_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1))
        check(gx_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile = configuration.extraCAFile { check(gx_easy_setopt_string(easy, CURLOPT_CAINFO, caFile)) }
        check(gx_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""))
        check(gx_easy_setopt_string(easy, CURLOPT_USERAGENT, configuration.userAgent))
        check(
            gx_easy_setopt_long(
                easy, CURLOPT_CONNECTTIMEOUT_MS, (request.connectTimeout ?? configuration.connectTimeout).milliseconds))
        check(gx_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, (request.timeout ?? configuration.timeout).milliseconds))
        check(gx_easy_setopt_off_t(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseBytes)))
        check(gx_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))

        let context = Unmanaged.passUnretained(self).toOpaque()
        check(gx_easy_setopt_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteBody))
        check(gx_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        check(gx_easy_setopt_callback(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader))
        check(gx_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context))

        switch request.method {
        case "GET": check(gx_easy_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case "HEAD": check(gx_easy_setopt_long(easy, CURLOPT_NOBODY, 1))
        case "POST": check(gx_easy_setopt_long(easy, CURLOPT_POST, 1))
        default: check(gx_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method))
        }
        if let body = request.body ?? (request.method == "POST" ? [] : nil) {
            check(gx_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS copies, so the Swift array need not outlive this call.
            body.withUnsafeBufferPointer { buffer in
                check(
                    gx_easy_setopt_pointer(
                        easy, CURLOPT_COPYPOSTFIELDS,
                        UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)))
            }
        }
        // Disable "Expect: 100-continue"; it costs a round trip on every POST.
        for header in request.headers + [("Expect", "")] {
            headerList = curl_slist_append(headerList, header.1.isEmpty ? "\(header.0):" : "\(header.0): \(header.1)")
        }
        check(gx_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList))
        if failed { throw .invalidRequest("libcurl rejected an option for \(request.method) request") }
    }

    /// Resumes the waiting caller with the transfer's outcome. Called once, on the driver thread.
    func complete(code: CURLcode) {
        guard let continuation else { return }
        self.continuation = nil
        guard code == CURLE_OK else {
            continuation.resume(
                throwing: HTTPClientError.from(
                    code: code, message: errorMessage(code), sizeLimit: sizeLimit, exceededSizeLimit: exceededSizeLimit)
            )
            return
        }
        var status = 0
        _ = gx_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        var connects = 0
        _ = gx_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        // A reused connection reports connect 0 after a non-zero name lookup: keep the phases cumulative.
        let dns = microseconds(CURLINFO_NAMELOOKUP_TIME_T)
        let connect = max(dns, microseconds(CURLINFO_CONNECT_TIME_T))
        let appConnect = microseconds(CURLINFO_APPCONNECT_TIME_T)
        let tls = appConnect == .zero ? .zero : max(connect, appConnect)
        let firstByte = max(connect, tls, microseconds(CURLINFO_STARTTRANSFER_TIME_T))
        let timing = TransferTiming(
            dns: dns, connect: connect, tls: tls, firstByte: firstByte,
            total: max(firstByte, microseconds(CURLINFO_TOTAL_TIME_T)))
        continuation.resume(
            returning: HTTPResponse(
                status: status, headers: ResponseHeaders(headerFields), body: body, timing: timing,
                newConnections: connects))
    }

    func fail(_ error: HTTPClientError) {
        continuation?.resume(throwing: error)
        continuation = nil
    }

    private func microseconds(_ info: CURLINFO) -> Duration {
        var value: curl_off_t = 0
        _ = gx_easy_getinfo_off_t(easy, info, &value)
        return .microseconds(Int64(value))
    }

    private func errorMessage(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    fileprivate func appendBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard body.count + chunk.count <= sizeLimit else {
            exceededSizeLimit = true
            return false
        }
        body.append(contentsOf: chunk)
        return true
    }

    fileprivate func appendHeaderLine(_ line: HeaderLine) {
        switch line {
        case .statusLine: headerFields.removeAll()  // a new response (after 100 Continue) starts its own header block
        case .field(let name, let value): headerFields.append((name: name, value: value))
        case .other: break
        }
    }
}

/// One line as libcurl's header callback hands it over, line end included. A pure function of the
/// bytes, so the fuzz target for response headers runs exactly this code.
package enum HeaderLine: Equatable {
    /// `HTTP/…`: a response's header block starts (again, after a 100 Continue).
    case statusLine
    case field(name: String, value: String)
    /// The blank line that ends the block, or a line without a colon.
    case other

    package init(bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self)
        let trimmed = line.trimmingSuffix { $0.isNewline }  // "\r\n" is one Character
        if trimmed.hasPrefix("HTTP/") {
            self = .statusLine
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else {
            self = .other
            return
        }
        let value = trimmed[trimmed.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        self = .field(name: String(trimmed[..<colon]), value: String(value))
    }
}

private func curlWriteBody(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    return transfer.appendBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

private func curlWriteHeader(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let context, let data else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    transfer.appendHeaderLine(HeaderLine(bytes: UnsafeRawBufferPointer(start: data, count: length)))
    return length
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[..<end]
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 so libcurl never reads 0 as "no timeout".
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

/// Easy handles of finished transfers, reset and kept for the next ones: `curl_easy_init` and `curl_easy_cleanup`
/// on every request showed as malloc work on the transfer thread (a 5,000-action listing in 50 pages: 33.9 ms of
/// CPU before, 32.3 ms after, `benchmarks/poll.sh`). Connections are the multi handle's, so a reset handle carries
/// no connection state.
final class CurlEasyHandles: Sendable {
    // The handles kept belong to no transfer and no multi handle; the pool's lock guards the list.
    private struct Idle: @unchecked Sendable {
        var handles: [UnsafeMutableRawPointer] = []
    }

    private let pool = Mutex(Idle())
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    deinit {
        for easy in pool.withLock({ $0.handles }) { curl_easy_cleanup(easy) }
    }

    /// A handle with every option at its default, nil when none is kept.
    func take() -> UnsafeMutableRawPointer? { pool.withLock { $0.handles.popLast() } }

    /// Takes back a handle no transfer uses any more; beyond `capacity` it is cleaned up.
    func give(_ easy: UnsafeMutableRawPointer) {
        curl_easy_reset(easy)
        let kept = pool.withLock { pool in
            guard pool.handles.count < capacity else { return false }
            pool.handles.append(easy)
            return true
        }
        if !kept { curl_easy_cleanup(easy) }
    }
}

/// `curl_global_init` must run once, before any other libcurl call.
enum CurlGlobal {
    private static let done: Bool = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK }()
    static func initialize() { _ = done }
}
