<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="vi_VN">
<context>
    <name>@default</name>
    <message>
        <location filename="../processing/common.py" line="88" />
        <source>Incident analytics</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="151" />
        <source>Canceled</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../processing/common.py" line="124" />
        <source>The analysis CRS {} is geographic; choose a projected CRS in metres (e.g. VN-2000 / TM-3).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../processing/common.py" line="134" />
        <source>Analysis CRS (used when the input is geographic)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../processing/common.py" line="252" />
        <source>The input has {} usable {} (with geometry); at least {} needed.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../processing/common.py" line="252" />
        <source>{} features without a usable geometry were skipped.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../processing/common.py" line="390" />
        <source>Could not create the raster {}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="58" />
        <source>Camera coverage gaps</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="61" />
        <source>Counts incidents on a square grid, finds hot cells with Getis-Ord Gi* (FDR, band = two cells) and checks each hot cell against the cameras' fields of view (wedge from position, bearing, angle and range_m; a camera without bearing/angle sees all around). Hot cells with less than the chosen share of their area seen are gaps, ranked from the hottest (rank 1).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="60" />
        <source>Incidents (points)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="72" />
        <source>Cameras (bearing, angle, range_m)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="90" />
        <source>Cell size</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="78" />
        <source>Hot cells are</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="78" />
        <source>Hot at 90 % or more</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="78" />
        <source>Hot at 95 % or more</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="78" />
        <source>Hot at 99 %</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="86" />
        <source>A cell counts as seen from this share of its area (0–1)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="98" />
        <source>Coverage gaps</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="68" />
        <source>Summary</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="73" />
        <source>Invalid input layer</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="109" />
        <source>Cell size must be greater than 0.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="77" />
        <source>incidents</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="116" />
        <source>The camera layer needs a range_m field.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="138" />
        <source>All incidents fall in one cell; choose a smaller cell size.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="170" />
        <source>Camera coverage: {hot} hot cells (Gi_Bin ≥ {b}, cell {cell:g} m), {gaps} not seen by any of {cams} cameras (&lt; {pct:g}% of the cell in a field of view).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="66" />
        <source>Deadline performance by ward and category</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="69" />
        <source>For field reports (fields report_id, service_code, priority, status, ward_id, requested_at, due_at, resolved_at): classifies each report as on time, due soon, overdue, resolved on time, resolved late or no deadline (rejected/duplicate) using the deadline rules (2 h urgent, 8 h or 24 h by category; a missing due_at is computed from them), then counts per ward and category with the on-time rate and the median hours to resolve. With a ward polygon layer it also writes a choropleth layer of on-time rate per ward.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="79" />
        <source>Field reports</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="82" />
        <source>Wards (optional, for the map)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="87" />
        <source>Ward id field of the wards</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="92" />
        <source>Split by category</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="93" />
        <source>Deadline performance</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="96" />
        <source>On-time rate by ward</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="111" />
        <source>Field reports lack the fields: {}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="120" />
        <source>No field reports to analyse.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="140" />
        <source>The wards layer has no field {}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="157" />
        <source>Deadline performance: {n} reports in {g} groups; resolved on time {rate} ({on}/{res}); open overdue {od}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="52" />
        <source>Density-based clusters (DBSCAN / HDBSCAN)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="55" />
        <source>Groups incidents into dense clusters. DBSCAN: points with at least 'minimum points' neighbours within the search distance form clusters (scikit-learn). HDBSCAN: clusters of varying density, only 'minimum cluster size' needed (needs the hdbscan package or scikit-learn 1.3+). Outputs every point with its cluster id (−1 = noise) and one convex-hull polygon per cluster with its size and area.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="67" />
        <source>Method</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="68" />
        <source>Search distance (DBSCAN)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="71" />
        <source>Minimum points (DBSCAN)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="76" />
        <source>Minimum cluster size (HDBSCAN)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="87" />
        <source>Clustered incidents</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="88" />
        <source>Cluster outlines</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="106" />
        <source>The search distance must be greater than 0.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="111" />
        <source>Fewer incidents than the minimum cluster size.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="141" />
        <source>{method}: {k} clusters, {noise} noise points of {n}; largest {sizes}; {params}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="67" />
        <source>Emerging hot spot analysis</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="70" />
        <source>Builds a space-time cube (square cells × weeks, months or days) from incident times, computes Gi* for every cell in every time step (distance band, binary weights), tests each cell's z-score series for a trend with Mann–Kendall and labels it: new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating or historical hot (or cold) spot, at 90 % confidence.
Field reports: use requested_at as the time field.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="82" />
        <source>Time field</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="87" />
        <source>Time step</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="87" />
        <source>Week</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="87" />
        <source>Month</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="87" />
        <source>Day</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="91" />
        <source>Distance band (0 = two cells)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="97" />
        <source>Emerging hot spots</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="116" />
        <source>The time field has fewer than two readable date/times.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="119" />
        <source>All incidents fall in one time step; choose a shorter step.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="165" />
        <source>Emerging hot spots: {cells} cells × {steps} {step}s, cell {cell:g} m, band {band:g} m; {counts}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="168" />
        <source>Incidents without a readable time: {}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="73" />
        <source>Hot spot analysis (Getis-Ord Gi*)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="76" />
        <source>Finds statistically significant hot and cold spots with the Getis-Ord Gi* statistic (same z-scores as ArcGIS Hot Spot Analysis and PySAL esda.G_Local(star=True, transform='B')).
Points (incidents) are counted on a square or hexagon grid, or each feature is used as it is with a numeric value field (e.g. counts per ward polygon). Neighbours: a fixed distance band (binary weights; 0 = the smallest band giving every feature a neighbour, or 2 cells on a grid) or the k nearest.
Outputs GiZScore, GiPValue (two-sided) and Gi_Bin (−3…+3: cold/hot at 99/95/90 % confidence), with optional Benjamini–Hochberg false discovery rate correction.
A geographic input CRS is reprojected to the analysis CRS (default VN-2000 / TM-3 107°45′, EPSG:5899).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="88" />
        <source>Incidents (points) or areas</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="95" />
        <source>Aggregate points to</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="63" />
        <source>Square grid</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="63" />
        <source>Hexagon grid</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="95" />
        <source>No aggregation (use features and value field)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="103" />
        <source>Cell size (0 = automatic)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="108" />
        <source>Value field (optional; summed per cell, required without aggregation)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="117" />
        <source>Neighbourhood</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="117" />
        <source>Fixed distance band</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="117" />
        <source>K nearest neighbours</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="125" />
        <source>Distance band (0 = automatic)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="130" />
        <source>Number of neighbours (k)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="135" />
        <source>False discovery rate (FDR) correction</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="137" />
        <source>Hot spots</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="154" />
        <source>Without aggregation a numeric value field is needed.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="165" />
        <source>The value field has no numeric values.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="169" />
        <source>{} features with a NULL value were left out.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="172" />
        <source>NULL values in the value field count as 0.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="179" />
        <source>All points fall in one cell of {} m; choose a smaller cell size.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="188" />
        <source>k = {} needs more than {} features.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="181" />
        <source>Skipped features without geometry: {}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="53" />
        <source>Kernel density (heatmap)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="56" />
        <source>Kernel density raster of incidents (quartic, triangular, uniform, triweight or Epanechnikov kernel, optional weight field).
Exact mode gives the same pixels as QGIS's own Heatmap (kernel density estimation) 'Raw' output (same raster extent, same pixel sampling, including its sub-pixel vertical displacement of each kernel). Fast mode bins the points linearly onto the pixel lattice and convolves with the kernel by FFT: for large inputs, within about 1 % RMS of the exact raster for the smooth kernels (quartic, triweight, Epanechnikov); the kernels with a hard edge (uniform, triangular) differ more at the disc edge. Auto uses fast mode above 50,000 points.
Output values: raw kernel sums (as QGIS) or a density in incidents per km² (kernel normalised to 1).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="72" />
        <source>Radius</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="73" />
        <source>Pixel size</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="76" />
        <source>Kernel shape</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="76" />
        <source>Quartic</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="76" />
        <source>Triangular</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="76" />
        <source>Uniform</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="76" />
        <source>Triweight</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="76" />
        <source>Epanechnikov</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="84" />
        <source>Decay ratio (triangular only)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="89" />
        <source>Weight field</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="98" />
        <source>Mode</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="98" />
        <source>Exact (same as QGIS heatmap)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="98" />
        <source>Fast (binned + FFT)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="98" />
        <source>Automatic</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="106" />
        <source>Output values</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="106" />
        <source>Raw (as QGIS heatmap)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="106" />
        <source>Density (incidents per km²)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="115" />
        <source>Kernel density</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="125" />
        <source>Radius and pixel size must be greater than 0.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="135" />
        <source>points</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="163" />
        <source>Kernel density ({mode}, {kernel}): {n} points, radius {radius:g}, pixel {pixel:g}, raster {cols}×{rows}, max {vmax:.4g}{unit}; CRS {crs}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="166" />
        <source> per km²</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="179" />
        <source>{} points at the raster edge were dropped, as QGIS does.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="48" />
        <source>Optimized hot spot analysis</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="51" />
        <source>Hot spot analysis that chooses its own scale: incidents far outside the main area (beyond three standard distances) are set aside, the cell size is the larger of twice the mean nearest-neighbour distance and 1/100 of the extent, the distance band is the first peak of global Moran's I z-scores over 10 increasing bands (incremental spatial autocorrelation; the maximum when there is no peak), and Gi* is classified with FDR correction. The summary reports every choice.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="63" />
        <source>Grid</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="67" />
        <source>Optimized hot spots</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="109" />
        <source>Moran's I z by band: {}.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="111" />
        <source>Outlying incidents set aside: {}.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>CamerasTab</name>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="61" />
        <source>All wards</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="66" />
        <source>Online</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="66" />
        <source>Offline</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="66" />
        <source>Unknown</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="40" />
        <source>Any state</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="45" />
        <source>Live view</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="46" />
        <source>Grid of selected</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>IocAlgorithms</name>
    <message>
        <location filename="../processing/provider.py" line="79" />
        <source>IOC incident analytics</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>IocDock</name>
    <message>
        <location filename="../gui/panel.py" line="52" />
        <source>IOC – Operations centre</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="58" />
        <source>No data store open</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="60" />
        <source>Open…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="61" />
        <source>Reload</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="72" />
        <source>Street lights: open a data store</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="74" />
        <source>Overview</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="75" />
        <source>Reports</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="76" />
        <source>Cameras</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="161" />
        <source>Lights</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="78" />
        <source>Parcels</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="97" />
        <source>Loading…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="116" />
        <source>Could not load: {0}</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="118" />
        <source>IOC: loading the panel</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/panel.py" line="130" />
        <source>{n} wards · data loaded {t}</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>IocPlugin</name>
    <message>
        <location filename="../plugin.py" line="68" />
        <source>IOC</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../plugin.py" line="70" />
        <source>IOC panel</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../plugin.py" line="71" />
        <source>Open IOC data store…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../plugin.py" line="167" />
        <source>Open IOC GeoPackage</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../plugin.py" line="167" />
        <source>GeoPackage (*.gpkg)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../plugin.py" line="207" />
        <source>IOC data store</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../plugin.py" line="207" />
        <source>opened {0}</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>OverviewTab</name>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="40" />
        <source>open reports</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="41" />
        <source>overdue</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="42" />
        <source>due soon</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="43" />
        <source>resolved late (all time)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="44" />
        <source>cameras offline</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="45" />
        <source>street lights in fault</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="46" />
        <source>lights with no data</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="47" />
        <source>cadastral parcels</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ParcelsTab</name>
    <message>
        <location filename="../gui/tabs/parcels_tab.py" line="34" />
        <source>Sheet</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/parcels_tab.py" line="37" />
        <source>Parcel</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/parcels_tab.py" line="39" />
        <source>All land uses</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/parcels_tab.py" line="43" />
        <source>Address…</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>ReportsTab</name>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="65" />
        <source>Dates</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="67" />
        <source>Search ID, address, text…</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="68" />
        <source>Filter map</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="69" />
        <source>Show on the map only the reports listed here</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="70" />
        <source>All categories</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="71" />
        <source>All statuses</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="72" />
        <source>Open</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="72" />
        <source>Any deadline</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="109" />
        <source>All wards</source>
        <translation type="unfinished" />
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="202" />
        <source>{shown} of {total} reports · {open} open · {overdue} overdue · {soon} due soon</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>TableTab</name>
    <message>
        <location filename="../gui/tabs/base.py" line="64" />
        <source>{shown} of {total}</source>
        <translation type="unfinished" />
    </message>
</context>
</TS>