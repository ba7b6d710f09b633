import Foundation
import GDALKit
import RedlineCore
import RedlineOutputs

/// An image a patch's attribute names: a web address, kept as a link, or a path to a local file
/// (relative, absolute, a Windows drive or a UNC share), looked for under the image roots.
enum ImageReference: Equatable {
    case web(String)
    case file(String)

    static let extensions = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"]

    /// Nil for anything else — and for what must never become a link or a file read
    /// (javascript:, data:, file:, addresses with spaces or quotes).
    init?(_ text: String) {
        let value = text.trimmingCharacters(in: .whitespaces)
        let lower = value.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard !value.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" || $0 == "'" }) else { return nil }
            self = .web(value)
            return
        }
        guard Self.extensions.contains(where: lower.hasSuffix) else { return nil }
        if lower.hasPrefix("file://") {
            let path = String(value.dropFirst("file://".count))
            guard path.hasPrefix("/"), let decoded = path.removingPercentEncoding else { return nil }
            self = .file(decoded)
            return
        }
        let windowsDrive = value.count > 2 && value.dropFirst().first == ":" && value.first!.isLetter
        // Any other scheme (javascript:, data:, file:) is not a path.
        guard windowsDrive || !value.contains(":") else { return nil }
        self = .file(value)
    }
}

/// Finds the local images patches name, and copies them, scaled down, into a bundle's images/.
/// Only files under an image root are read: a path in the data cannot reach the rest of the disk.
struct ImageFinder {
    let roots: [URL]

    /// `roots` as given (--image-root), then the folders of the local activity sources.
    init(roots: [String], activitySources: [SourceSpec]) {
        // A file's folder, or a folder source itself — never the folder above it.
        let local = activitySources.map(\.path).filter { !$0.hasPrefix("/vsi") && !$0.contains(":") }.map { path -> String in
            var isFolder: ObjCBool = false
            let folder = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            return folder ? path : URL(fileURLWithPath: path).deletingLastPathComponent().path
        }
        var seen = Set<String>()
        self.roots = (roots + local).map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().standardizedFileURL }
            .filter { seen.insert($0.path).inserted }
    }

    /// The file a path names, under a root: the path itself when it lies under one, else each
    /// root joined with the path's tail — all of it, then without its first folder, and so on
    /// (D:\影像\2026\a.tif is looked for as ROOT/影像/2026/a.tif, ROOT/2026/a.tif, ROOT/a.tif).
    func find(_ path: String) -> URL? {
        var parts = path.replacingOccurrences(of: "\\", with: "/").split(separator: "/").map(String.init)
        guard !parts.contains("..") else { return nil }
        if let first = parts.first, first.count == 2, first.hasSuffix(":") { parts.removeFirst() }
        if path.hasPrefix("/"), let inside = regularFile(URL(fileURLWithPath: path)) { return inside }
        for start in parts.indices {
            let tail = parts[start...].joined(separator: "/")
            for root in roots {
                if let found = regularFile(root.appendingPathComponent(tail)) { return found }
            }
        }
        return nil
    }

    /// The file, when it is a regular file (not a folder, device or pipe) whose real place is under
    /// a root; its name matched without regard to case when it is not there as written (data made
    /// on Windows says a.JPG for a.jpg).
    private func regularFile(_ url: URL) -> URL? {
        let real = url.resolvingSymlinksInPath().standardizedFileURL
        let manager = FileManager.default
        guard roots.contains(where: { real.path.hasPrefix($0.path.hasSuffix("/") ? $0.path : $0.path + "/") }) else { return nil }
        if (try? manager.attributesOfItem(atPath: real.path)[.type] as? FileAttributeType) == .typeRegular { return real }
        let folder = real.deletingLastPathComponent(), name = real.lastPathComponent.lowercased()
        guard let match = (try? manager.contentsOfDirectory(atPath: folder.path))?.first(where: { $0.lowercased() == name }),
              match != real.lastPathComponent else { return nil }
        return regularFile(folder.appendingPathComponent(match))
    }
}

/// The images of one clue as its bundle shows them.
struct ClueImages {
    /// Thumbnails copied into the bundle: the attribute's name, the path from the bundle folder
    /// and the size in pixels (the page keeps the shape when it shrinks them).
    var copied: [(name: String, path: String, width: Int, height: Int)] = []
    /// Web addresses, shown as links.
    var links: [(name: String, url: String)] = []
    /// References that were not found or could not be read, with why.
    var missing: [(name: String, reference: String, reason: String)] = []
}

extension ChecklistWriter {
    /// Longest side of a copied image, in pixels: sharp on an A4 page at 30 mm, small on a phone.
    static let thumbnailSide = 1000

    /// Copies the clue's local images into `bundle`/images (JPEG, scaled down through GDAL) and
    /// sorts its references; every image not copied is a warning naming the clue.
    func images(of clue: ClueRow, into bundle: String, warnings: inout [RunWarning]) -> ClueImages {
        var result = ClueImages()
        for (name, value) in imagery(clue) {
            switch ImageReference(value) {
            case .web(let url): result.links.append((name, url))
            case .file(let path):
                guard let found = imageFinder.find(path) else {
                    result.missing.append((name, path, "not found"))
                    continue
                }
                let file = "images/\(SafeText.fileName(clue.clueID, fallback: "clue"))-\(result.copied.count + 1).jpg"
                do {
                    try FileManager.default.createDirectory(atPath: (bundle as NSString).appendingPathComponent("images"),
                                                            withIntermediateDirectories: true)
                    let image = try RasterImage.read(found.path, maxSide: Self.thumbnailSide)
                    try image.write((bundle as NSString).appendingPathComponent(file), driver: "JPEG", options: ["QUALITY=85"])
                    result.copied.append((name, file, image.width, image.height))
                } catch {
                    result.missing.append((name, path, "not readable as an image (\(error))"))
                }
            case nil: continue
            }
        }
        if !result.missing.isEmpty {
            let list = result.missing.map { "\($0.name) “\($0.reference)” (\($0.reason))" }.joined(separator: "; ")
            let roots = imageFinder.roots.map(\.path).joined(separator: ", ")
            warnings.append(RunWarning(code: "image_not_found", message: "clue \(clue.clueID): \(list) — looked under \(roots); "
                                       + "pass --image-root with the folder holding the images", feature: clue.clueID))
        }
        return result
    }
}
