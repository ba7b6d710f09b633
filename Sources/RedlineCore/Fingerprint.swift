import DigestKit
import Foundation

/// Content fingerprints of input files (SHA-256, FIPS 180-4), so a report says exactly which
/// data it was made from.
public enum Fingerprint {
    /// The hex SHA-256 of a file and of its shapefile sidecars (.shp, .shx, .dbf, .prj, .cpg),
    /// or nil for something that is not a readable file (a folder, a database), or when `stop`
    /// says so between two chunks.
    public static func ofSource(_ source: String, stop: () -> Bool = { false }) -> String? {
        guard let files = files(of: source) else { return nil }
        let hasher = SHA256()
        for file in files {
            guard let handle = try? FileHandle(forReadingFrom: file) else { return nil }
            defer { try? handle.close() }
            while let chunk = try? handle.read(upToCount: 4 << 20), !chunk.isEmpty {
                if stop() { return nil }
                hasher.update(chunk)
            }
        }
        return hasher.hexDigest()
    }

    /// The size and modification time of the same files, as text: cheap to read, and it changes
    /// whenever the files are written, so a digest computed earlier can be reused while it stays.
    public static func signature(ofSource source: String) -> String? {
        guard let files = files(of: source) else { return nil }
        // Size, modification time, and the inode's change time and number: a copy that keeps the
        // modification time (cp -p, rsync, unzip) over a file of the same size still changes those.
        let parts = files.compactMap { file -> String? in
            var status = stat()
            guard stat(file.path, &status) == 0 else { return nil }
            return "\(status.st_size)@\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
                + "/\(status.st_ctim.tv_sec).\(status.st_ctim.tv_nsec)#\(status.st_ino)"
        }
        return parts.count == files.count ? parts.joined(separator: ",") : nil
    }

    /// The file of a source and, for a shapefile, its sidecars; nil for a folder or a database.
    private static func files(of source: String) -> [URL]? {
        let path = source.hasPrefix("/vsizip/") ? String(source.dropFirst("/vsizip/".count)) : source
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
            return nil
        }
        let url = URL(fileURLWithPath: path)
        var files = [url]
        if url.pathExtension.lowercased() == "shp" {
            let stem = url.deletingPathExtension()
            files += ["shx", "dbf", "prj", "cpg"].map { stem.appendingPathExtension($0) }
                .filter { FileManager.default.fileExists(atPath: $0.path) }
        }
        return files
    }
}
