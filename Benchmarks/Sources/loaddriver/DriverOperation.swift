/// The `op` byte of every submission's user data.
enum DriverOperation: UInt8 {
    case subscriberConnect = 1
    case subscriberSend = 2
    case subscriberReceive = 3
    /// A pong answering a ws ping; slot = local subscriber index.
    case subscriberPong = 4
    case publisherConnect = 5
    case publisherSend = 6
    case publisherReceive = 7
}
