internal import CGEOS

/// A geometry prepared for repeated predicates against many others (GEOS builds its indexes
/// lazily on first use). Keeps its base geometry alive; destroyed in `deinit`.
public final class PreparedGeometry {
    public let base: Geometry
    private let handle: OpaquePointer

    public init(_ base: Geometry) throws {
        // GEOSPrepare_r returns NULL on exception; it does not take ownership of the base.
        guard let handle = GEOSPrepare_r(base.context.handle, base.handle) else {
            throw base.context.error("prepare")
        }
        self.base = base
        self.handle = handle
    }

    deinit { GEOSPreparedGeom_destroy_r(base.context.handle, handle) }

    public func intersects(_ other: Geometry) throws -> Bool {
        try base.context.predicate("prepared intersects", GEOSPreparedIntersects_r(base.context.handle, handle, other.handle))
    }

    /// True when `other` lies in the interior, not touching the boundary: then the intersection
    /// is `other` itself and needs no overlay.
    public func containsProperly(_ other: Geometry) throws -> Bool {
        try base.context.predicate("prepared containsProperly",
                                   GEOSPreparedContainsProperly_r(base.context.handle, handle, other.handle))
    }
}

/// A GEOS STR tree of integer items (indices into the owner's own arrays). The tree builds itself
/// on the first query; nothing may be inserted after that.
public final class STRTree {
    private let context: GEOSContext
    private let handle: OpaquePointer

    public init(context: GEOSContext, nodeCapacity: Int = 10) throws {
        guard let handle = GEOSSTRtree_create_r(context.handle, nodeCapacity) else {
            throw context.error("STRtree create")
        }
        self.context = context
        self.handle = handle
    }

    deinit { GEOSSTRtree_destroy_r(context.handle, handle) }

    /// Adds `item` under the envelope of `geometry` (the tree copies the envelope).
    public func insert(_ item: Int, envelope geometry: Geometry) {
        // Items are stored as pointers; offset by one so item 0 is not NULL.
        GEOSSTRtree_insert_r(context.handle, handle, geometry.handle, UnsafeMutableRawPointer(bitPattern: item + 1))
    }

    /// Replaces `items` with every item whose envelope intersects the envelope of `geometry`,
    /// in ascending order so results do not depend on the tree's layout.
    public func query(_ geometry: Geometry, into items: inout [Int]) {
        items.removeAll(keepingCapacity: true)
        withUnsafeMutablePointer(to: &items) { pointer in
            GEOSSTRtree_query_r(context.handle, handle, geometry.handle, { item, userData in
                guard let item, let userData else { return }
                userData.assumingMemoryBound(to: [Int].self).pointee.append(Int(bitPattern: item) - 1)
            }, pointer)
        }
        items.sort()
    }
}
