import CCurl

/// An owned `curl_slist` (recipients, HTTP headers); freed when released.
public final class CurlStringList {
    private(set) var pointer: UnsafeMutablePointer<curl_slist>?

    public init(_ items: [String]) {
        for item in items {
            pointer = curl_slist_append(pointer, item)
        }
    }

    deinit {
        curl_slist_free_all(pointer)
    }
}
