"""What the shapely peers share: reading with pyogrio (activities brought to EPSG:4490, invalid
polygons repaired as redline repairs them), equal-area measuring and the pairs table."""
import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

ALBERS = "+proj=aea +lat_0=0 +lon_0=90 +lat_1=40 +lat_2=50 +ellps=GRS80 +units=m +no_defs"
PROTECTION_LAYERS = ("reserve_zones", "red_lines")


def read(path, layer, id_field, to_4490=None):
    _, _, wkb, fields = pyogrio.raw.read(path, layer=layer, columns=[id_field])
    geoms = shapely.from_wkb(wkb)
    if to_4490 is not None:
        geoms = shapely.transform(geoms, lambda x, y: to_4490.transform(x, y), interleaved=False)
    invalid = ~shapely.is_valid(geoms)
    # The same repair as redline's: GEOS's "structure" method, collapsed parts dropped.
    geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    return np.asarray(fields[0], dtype=object), geoms


def read_inputs(activities, protection):
    """(patch ids, patches, protected ids, protected polygons), all in EPSG:4490."""
    to_4490 = Transformer.from_crs("EPSG:4539", "EPSG:4490", always_xy=True)
    ids, patches = read(activities, "patches", "tbbh", to_4490)
    zones = [read(protection, layer, "protected_id") for layer in PROTECTION_LAYERS]
    return ids, patches, np.concatenate([z[0] for z in zones]), np.concatenate([z[1] for z in zones])


def overlap_pieces(patches, polygons):
    """Each patch's part inside the polygon paired with it: the patch itself where the polygon
    contains it properly (no overlay), else the intersection. Polygons must be prepared."""
    inside = shapely.contains_properly(polygons, patches)
    pieces = np.empty(len(patches), dtype=object)
    pieces[inside] = patches[inside]
    pieces[~inside] = shapely.intersection(patches[~inside], polygons[~inside])
    return pieces


def areas_m2(geoms):
    to_albers = Transformer.from_crs("EPSG:4490", ALBERS, always_xy=True)
    return shapely.area(shapely.transform(geoms, lambda x, y: to_albers.transform(x, y), interleaved=False))


def write_pairs(out, activity_ids, protected_ids, areas):
    """The pairs of at least 1 m2, as redline's overlaps.csv names them."""
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("activity_id,protected_id,overlap_m2\n")
        for activity, protected, area in zip(activity_ids, protected_ids, areas):
            if area >= 1.0:
                handle.write(f"{activity},{protected},{area:.2f}\n")
