#include <proj.h>
// proj_crs_demote_to_2D lives here.
#include <proj_experimental.h>
// GeographicLib's geodesic algorithms, shipped inside libproj.
#include <geodesic.h>
