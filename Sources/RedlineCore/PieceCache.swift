import DigestKit
import Foundation
import GEOSKit
import PROJKit
import ThreadKit

/// Cut boundaries kept on disk between runs, as PostGIS keeps its subdivided tables: an analyst
/// checks extract after extract against the same red lines, and cutting 2 million vertices costs
/// every run about half a second of two cores. An entry is named by the SHA-256 of everything
/// the cut depends on — every feature's WKB, the layers' CRSs, the frame, the policy, the piece
/// size, whether outlines are kept, the GEOS and PROJ versions — so changed boundaries, settings
/// or libraries never meet an old entry.
/// Each entry ends with the SHA-256 of its body: a damaged entry (a flipped byte would blame a
/// patch for an invalid geometry, altered coordinates would change results silently) is removed,
/// warned about, and the boundaries are cut again.
///
/// The folder is `$REDLINE_CACHE`, else `$XDG_CACHE_HOME/redline`, else `~/.cache/redline`;
/// `REDLINE_CACHE=off` turns the cache off. Entries are written atomically (a temporary file
/// renamed), and only the `keep` most recently used stay.
public struct PieceCache: Sendable {
    public let folder: URL
    public var keep = 4
    /// Where a damaged entry is reported.
    public var warnings: WarningLog?

    static let magic = Array("redline-pieces-2\n".utf8)
    static let digestLength = 64

    public init(folder: URL) { self.folder = folder }

    /// The cache the environment asks for, or nil when it is turned off or has no home.
    public static func fromEnvironment() -> PieceCache? {
        let environment = ProcessInfo.processInfo.environment
        if let chosen = environment["REDLINE_CACHE"], !chosen.isEmpty {
            return chosen == "off" ? nil : PieceCache(folder: URL(fileURLWithPath: chosen))
        }
        if let base = environment["XDG_CACHE_HOME"], !base.isEmpty {
            return PieceCache(folder: URL(fileURLWithPath: base).appendingPathComponent("redline"))
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return PieceCache(folder: URL(fileURLWithPath: home).appendingPathComponent(".cache/redline"))
    }

    /// The name of the entry for cutting `features` with these settings.
    func key(_ features: [PolygonFeature], frame: WorkingFrame, layers: [SourceLayer], invalid: InvalidPolicy,
             keepWhole: Bool) -> String {
        let hasher = SHA256()
        func add(_ text: String) {
            hasher.update(Array(text.utf8))
            hasher.update([0])
        }
        // Another GEOS or PROJ may cut or reproject a little differently.
        add("pieces \(PieceCutter.maxVertices) \(invalid.rawValue) \(keepWhole)")
        add("GEOS \(GEOSContext.libraryVersion) PROJ \(ProjContext.libraryVersion)")
        add(frame.crs.text)
        for layer in layers { add(layer.crs.text) }
        for feature in features {
            add("\(feature.layer) \(feature.name) \(feature.wkb.count)")
            hasher.update(feature.wkb)
        }
        return hasher.hexDigest()
    }

    private func path(_ key: String) -> URL { folder.appendingPathComponent("\(key).pieces") }

    /// The outcomes stored under `key` for `count` features, or nil.
    func load(_ key: String, count: Int) -> [PieceCutter.Outcome]? {
        let file = path(key)
        guard let stored = try? Data(contentsOf: file, options: .alwaysMapped) else { return nil }
        let body = stored.prefix(max(0, stored.count - Self.digestLength))
        let digest = SHA256()
        digest.update(body)
        guard stored.count > Self.digestLength, Array(stored.suffix(Self.digestLength)) == Array(digest.hexDigest().utf8) else {
            try? FileManager.default.removeItem(at: file)
            warnings?.add(code: "cache_entry_damaged", "the boundary cache entry \(file.path) was damaged — removed, and the "
                          + "boundaries cut again; if this repeats, check the disk", file: file.path)
            return nil
        }
        var reader = ByteReader(body)
        guard reader.bytes(Self.magic.count) == Self.magic, reader.integer() == count else { return nil }
        var outcomes: [PieceCutter.Outcome] = []
        outcomes.reserveCapacity(count)
        for _ in 0..<count {
            switch reader.integer() {
            case 0:
                guard let repaired = reader.integer(), let hasWhole = reader.integer() else { return nil }
                let whole = hasWhole == 1 ? reader.blob() : nil
                guard hasWhole == 0 || whole != nil, let pieceCount = reader.integer() else { return nil }
                var pieces: [(wkb: [UInt8], envelope: Envelope)] = []
                pieces.reserveCapacity(pieceCount)
                for _ in 0..<pieceCount {
                    guard let minX = reader.double(), let minY = reader.double(), let maxX = reader.double(),
                          let maxY = reader.double(), let wkb = reader.blob() else { return nil }
                    pieces.append((wkb, Envelope(minX: minX, minY: minY, maxX: maxX, maxY: maxY)))
                }
                outcomes.append(.pieces(pieces, repaired: repaired == 1, whole: whole))
            case 1:
                guard let raw = reader.blob(), let reason = SkipReason(rawValue: String(decoding: raw, as: UTF8.self))
                else { return nil }
                outcomes.append(.skipped(reason))
            default:
                return nil
            }
        }
        guard reader.atEnd else { return nil }
        // Used now: the last to go when the folder is trimmed.
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: file.path)
        return outcomes
    }

    /// Stores the outcomes under `key`, unless one failed (that run stops anyway). Errors are
    /// ignored: the cache only saves time.
    func store(_ key: String, _ outcomes: [PieceCutter.Outcome]) {
        var bytes = Self.magic
        func integer(_ value: Int) { withUnsafeBytes(of: UInt64(value).littleEndian) { bytes.append(contentsOf: $0) } }
        func double(_ value: Double) { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        func blob(_ value: [UInt8]) { integer(value.count); bytes.append(contentsOf: value) }
        integer(outcomes.count)
        for outcome in outcomes {
            switch outcome {
            case .pieces(let pieces, let repaired, let whole):
                integer(0); integer(repaired ? 1 : 0); integer(whole == nil ? 0 : 1)
                if let whole { blob(whole) }
                integer(pieces.count)
                for piece in pieces {
                    for value in [piece.envelope.minX, piece.envelope.minY, piece.envelope.maxX, piece.envelope.maxY] {
                        double(value)
                    }
                    blob(piece.wkb)
                }
            case .skipped(let reason):
                integer(1); blob(Array(reason.rawValue.utf8))
            case .failed:
                return
            }
        }
        let digest = SHA256()
        digest.update(bytes)
        bytes += Array(digest.hexDigest().utf8)
        let manager = FileManager.default
        guard (try? manager.createDirectory(at: folder, withIntermediateDirectories: true)) != nil else { return }
        let temporary = folder.appendingPathComponent(".\(key).\(getpid()).tmp")
        guard (try? Data(bytes).write(to: temporary)) != nil else { return }
        if rename(temporary.path, path(key).path) != 0 { try? manager.removeItem(at: temporary) }
        trim()
    }

    /// Keeps the `keep` most recently used entries, and drops the temporary files of runs killed
    /// while writing one (their process is gone).
    private func trim() {
        let manager = FileManager.default
        let files = (try? manager.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        for file in files where file.pathExtension == "tmp" {
            if let pid = Int32(file.deletingPathExtension().pathExtension), processIsGone(pid) {
                try? manager.removeItem(at: file)
            }
        }
        let entries = files
            .filter { $0.pathExtension == "pieces" }
            .map { ($0, (try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast) }
            .sorted { $0.1 > $1.1 }
        for (entry, _) in entries.dropFirst(keep) { try? manager.removeItem(at: entry) }
    }
}

/// Reads little-endian integers, doubles and length-prefixed blobs; nil past the end.
private struct ByteReader {
    private let data: Data
    private var offset = 0

    init(_ data: Data) { self.data = data }

    var atEnd: Bool { offset == data.count }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, offset + count <= data.count else { return nil }
        defer { offset += count }
        let start = data.startIndex + offset
        return Array(data[start..<start + count])
    }

    mutating func word() -> UInt64? {
        guard offset + 8 <= data.count else { return nil }
        defer { offset += 8 }
        return data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    }

    mutating func integer() -> Int? { word().flatMap { $0 <= UInt64(Int.max) ? Int($0) : nil } }

    mutating func double() -> Double? { word().map { Double(bitPattern: $0) } }

    mutating func blob() -> [UInt8]? { integer().flatMap { bytes($0) } }
}
