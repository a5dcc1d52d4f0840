import CCurl

/// Process-wide libcurl initialisation, done once before the first handle is made.
enum CurlGlobal {
    /// `curl_global_init` is not thread-safe; a lazily initialised global runs it exactly once.
    static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()
}

