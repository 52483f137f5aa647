/// Ids the incumbents' clients expect as numbers for things we key by name (pipelines, stages, fields, options):
/// the same name always gives the same number, on every instance and after every restart.
enum StableID {
    /// FNV-1a of the text, folded into 1…modulo.
    static func of(_ text: String, modulo: UInt64) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int64(hash % modulo) + 1
    }
}
