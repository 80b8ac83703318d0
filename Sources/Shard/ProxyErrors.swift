/// The answers the proxy itself gives when it cannot deliver a backend response.
enum ProxyError {
    case noRoute
    case connectFailed
    case backendReset
    case badBackendResponse
    case backendTimeout

    var status: Int {
        switch self {
        case .noRoute, .connectFailed, .backendReset, .badBackendResponse: return 502
        case .backendTimeout: return 504
        }
    }

    var body: String {
        switch self {
        case .noRoute: return "No route matches this request.\n"
        case .connectFailed: return "Could not connect to the backend.\n"
        case .backendReset: return "The backend closed the connection before responding.\n"
        case .badBackendResponse: return "The backend sent an invalid response.\n"
        case .backendTimeout: return "The backend did not respond in time.\n"
        }
    }
}
