import CCurl
import Foundation

/// Owns one curl easy handle and the memory its options point at, for one transfer at a time.
///
/// Between `configure` and the end of `CurlMultiDriver.perform` the driver thread uses the handle;
/// the hand-over goes through the driver's lock, hence `@unchecked Sendable`.
public final class CurlEasy: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var lists: [CurlStringList] = []
    private var upload: [UInt8] = []
    private var uploadOffset = 0
    private var received: [UInt8] = []
    private var headerLines: [String] = []
    /// Bodies larger than this are cut; a provider's answer is small.
    private let maximumBody = 1 << 20

    public init?() {
        guard CurlGlobal.initialized, let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Clears earlier options and state and applies `request`.
    public func configure(_ request: CurlRequest) {
        curl_easy_reset(handle)
        lists.removeAll(keepingCapacity: true)
        upload = request.body
        uploadOffset = 0
        received.removeAll(keepingCapacity: true)
        headerLines.removeAll(keepingCapacity: true)
        errorBuffer[0] = 0

        let me = Unmanaged.passUnretained(self).toOpaque()
        setLong(CURLOPT_NOSIGNAL, 1)
        setPointer(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        setString(CURLOPT_URL, request.url)
        setLong(CURLOPT_CONNECTTIMEOUT, request.connectTimeout)
        setLong(CURLOPT_TIMEOUT, request.timeout)
        setLong(CURLOPT_SSL_VERIFYPEER, request.verifyPeer ? 1 : 0)
        setLong(CURLOPT_SSL_VERIFYHOST, request.verifyPeer ? 2 : 0)
        setLong(CURLOPT_TCP_KEEPALIVE, 1)
        setLong(CURLOPT_MAXAGE_CONN, request.maximumConnectionAge)
        setPointer(CURLOPT_HEADERDATA, me)
        _ = koerier_easy_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            let easy = Unmanaged<CurlEasy>.fromOpaque(userdata).takeUnretainedValue()
            let length = size * count
            var end = length
            // Trim CR and LF as bytes: in Swift "\r\n" is one Character, so hasSuffix("\n") would miss it.
            while end > 0, buffer[end - 1] == 0x0A || buffer[end - 1] == 0x0D { end -= 1 }
            if end > 0 && easy.headerLines.count < 200 {
                let bytes = UnsafeRawBufferPointer(start: buffer, count: end)
                easy.headerLines.append(String(decoding: bytes, as: UTF8.self))
            }
            return length
        }
        setPointer(CURLOPT_WRITEDATA, me)
        _ = koerier_easy_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            let easy = Unmanaged<CurlEasy>.fromOpaque(userdata).takeUnretainedValue()
            let length = size * count
            let room = max(0, easy.maximumBody - easy.received.count)
            if room > 0 {
                let bytes = UnsafeRawBufferPointer(start: buffer, count: min(length, room))
                easy.received.append(contentsOf: bytes)
            }
            return length
        }
        if let username = request.username { setString(CURLOPT_USERNAME, username) }
        if let password = request.password { setString(CURLOPT_PASSWORD, password) }

        if let mailFrom = request.mailFrom {
            setString(CURLOPT_MAIL_FROM, "<\(mailFrom)>")
            let recipients = CurlStringList(request.mailRecipients.map { "<\($0)>" })
            lists.append(recipients)
            _ = koerier_easy_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients.pointer)
            setLong(CURLOPT_USE_SSL, request.tls == .required ? Int(CURLUSESSL_ALL.rawValue) : Int(CURLUSESSL_NONE.rawValue))
            setLong(CURLOPT_UPLOAD, 1)
            _ = koerier_easy_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(upload.count))
            setPointer(CURLOPT_READDATA, me)
            _ = koerier_easy_setopt_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, userdata in
                guard let buffer, let userdata else { return 0 }
                let easy = Unmanaged<CurlEasy>.fromOpaque(userdata).takeUnretainedValue()
                let length = min(size * count, easy.upload.count - easy.uploadOffset)
                if length > 0 {
                    easy.upload.withUnsafeBytes { source in
                        guard let base = source.baseAddress else { return }
                        UnsafeMutableRawPointer(buffer).copyMemory(from: base + easy.uploadOffset, byteCount: length)
                    }
                    easy.uploadOffset += length
                }
                return length
            }
        } else {
            if !request.headers.isEmpty {
                let headers = CurlStringList(request.headers)
                lists.append(headers)
                _ = koerier_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headers.pointer)
            }
            let method = request.method ?? "GET"
            if method == "GET" {
                setLong(CURLOPT_HTTPGET, 1)
            } else {
                _ = koerier_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(upload.count))
                upload.withUnsafeBytes { bytes in
                    // COPYPOSTFIELDS copies, so the body may change or go away after this call.
                    _ = koerier_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(errorBuffer)))
                }
                if method != "POST" { setString(CURLOPT_CUSTOMREQUEST, method) }
            }
        }
    }

    /// Reads the outcome after the transfer finished with `code`.
    func response(code: CURLcode) -> CurlResponse {
        var responseCode: Int = 0
        _ = koerier_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
        var requestSize: Int = 0
        _ = koerier_easy_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestSize)
        let detail = String(cString: errorBuffer)
        return CurlResponse(
            error: code == CURLE_OK ? nil : CurlError(code: code, detail: detail),
            responseCode: responseCode,
            headerLines: headerLines,
            body: received,
            bytesSent: max(uploadOffset, requestSize)
        )
    }

    private func setLong(_ option: CURLoption, _ value: Int) {
        _ = koerier_easy_setopt_long(handle, option, value)
    }

    private func setString(_ option: CURLoption, _ value: String) {
        _ = koerier_easy_setopt_string(handle, option, value)  // curl copies strings
    }

    private func setPointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) {
        _ = koerier_easy_setopt_pointer(handle, option, value)
    }
}
