<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="vi_VN">
<context>
    <name>@default</name>
    <message>
        <location filename="../processing/common.py" line="111" />
        <source>Incident analytics</source>
        <translation>Phân tích sự vụ</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="185" />
        <source>Canceled</source>
        <translation>Đã hủy</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="208" />
        <source>Analysis CRS (used when the input is geographic)</source>
        <translation>Hệ tọa độ phân tích (dùng khi lớp đầu vào là tọa độ địa lý)</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="489" />
        <source>The input has {} usable {} (with geometry); at least {} needed.</source>
        <translation>Lớp đầu vào có {} {} dùng được (có hình học); cần tối thiểu {}.</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="489" />
        <source>{} features without a usable geometry were skipped.</source>
        <translation>Đã bỏ qua {} đối tượng không có hình học hợp lệ.</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="862" />
        <source>Could not create the raster {}</source>
        <translation>Không tạo được lớp raster {}</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="56" />
        <source>Camera coverage gaps</source>
        <translation>Vùng nóng chưa có camera</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="59" />
        <source>Counts incidents on a square grid, finds hot cells with Getis-Ord Gi* (FDR, band = two cells) and checks each hot cell against the cameras' fields of view (wedge from position, bearing, angle and range_m; a camera without bearing/angle sees all around). Hot cells with less than the chosen share of their area seen are gaps, ranked from the hottest (rank 1).</source>
        <translation>Đếm sự vụ trên lưới ô vuông, tìm các ô nóng bằng Getis-Ord Gi* (FDR, dải khoảng cách = hai ô) và đối chiếu từng ô nóng với vùng quan sát của camera (hình quạt theo vị trí, hướng, góc nhìn và range_m; camera không có hướng/góc được coi là quan sát toàn cảnh). Ô nóng có phần diện tích được quan sát nhỏ hơn tỷ lệ đã chọn là vùng chưa có camera, xếp hạng từ ô nóng nhất (hạng 1).</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="64" />
        <source>Incidents (points)</source>
        <translation>Sự vụ (điểm)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="70" />
        <source>Cameras (bearing, angle, range_m)</source>
        <translation>Camera (hướng, góc nhìn, range_m)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="99" />
        <source>Cell size</source>
        <translation>Kích thước ô</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="76" />
        <source>Hot cells are</source>
        <translation>Ô nóng là ô</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="76" />
        <source>Hot at 90 % or more</source>
        <translation>Nóng với độ tin cậy từ 90 %</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="76" />
        <source>Hot at 95 % or more</source>
        <translation>Nóng với độ tin cậy từ 95 %</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="76" />
        <source>Hot at 99 %</source>
        <translation>Nóng với độ tin cậy 99 %</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="84" />
        <source>A cell counts as seen from this share of its area (0–1)</source>
        <translation>Ô được coi là có camera khi tỷ lệ diện tích được quan sát đạt mức này (0–1)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="96" />
        <source>Coverage gaps</source>
        <translation>Vùng chưa có camera</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="89" />
        <source>Summary</source>
        <translation>Tóm tắt</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="100" />
        <source>Invalid input layer</source>
        <translation>Lớp đầu vào không hợp lệ</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="132" />
        <source>Cell size must be greater than 0.</source>
        <translation>Kích thước ô phải lớn hơn 0.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="85" />
        <source>incidents</source>
        <translation>sự vụ</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="123" />
        <source>The camera layer needs a range_m field.</source>
        <translation>Lớp camera cần có trường range_m.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="147" />
        <source>All incidents fall in one cell; choose a smaller cell size.</source>
        <translation>Tất cả sự vụ nằm trong một ô; hãy chọn kích thước ô nhỏ hơn.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="171" />
        <source>Camera coverage: {hot} hot cells (Gi_Bin ≥ {b}, cell {cell:g} m), {gaps} not seen by any of {cams} cameras (&lt; {pct:g}% of the cell in a field of view).</source>
        <translation>Độ phủ camera: {hot} ô nóng (Gi_Bin ≥ {b}, ô {cell:g} m), {gaps} ô không nằm trong tầm quan sát của camera nào trong số {cams} camera (&lt; {pct:g}% diện tích ô trong vùng quan sát).</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="66" />
        <source>Deadline performance by ward and category</source>
        <translation>Tỷ lệ xử lý đúng hạn theo phường và lĩnh vực</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="71" />
        <source>Field reports</source>
        <translation>Phản ánh hiện trường</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="82" />
        <source>Wards (optional, for the map)</source>
        <translation>Phường/xã (không bắt buộc, để vẽ bản đồ)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="87" />
        <source>Ward id field of the wards</source>
        <translation>Trường mã phường của lớp phường/xã</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="92" />
        <source>Split by category</source>
        <translation>Tách theo lĩnh vực</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="93" />
        <source>Deadline performance</source>
        <translation>Tình hình xử lý đúng hạn</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="96" />
        <source>On-time rate by ward</source>
        <translation>Tỷ lệ đúng hạn theo phường</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="104" />
        <source>Field reports lack the fields: {}</source>
        <translation>Lớp phản ánh hiện trường thiếu các trường: {}</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="121" />
        <source>No field reports to analyse.</source>
        <translation>Không có phản ánh hiện trường để phân tích.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="149" />
        <source>The wards layer has no field {}</source>
        <translation>Lớp phường/xã không có trường {}</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="177" />
        <source>Deadline performance: {n} reports in {g} groups; resolved on time {rate} ({on}/{res}); open overdue {od}.</source>
        <translation>Tình hình xử lý đúng hạn: {n} phản ánh trong {g} nhóm; xử lý đúng hạn {rate} ({on}/{res}); đang quá hạn {od}.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="52" />
        <source>Density-based clusters (DBSCAN / HDBSCAN)</source>
        <translation>Cụm theo mật độ (DBSCAN / HDBSCAN)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="55" />
        <source>Groups incidents into dense clusters. DBSCAN: points with at least 'minimum points' neighbours within the search distance form clusters (scikit-learn). HDBSCAN: clusters of varying density, only 'minimum cluster size' needed (needs the hdbscan package or scikit-learn 1.3+). Outputs every point with its cluster id (−1 = noise) and one convex-hull polygon per cluster with its size and area.</source>
        <translation>Gom sự vụ thành các cụm có mật độ cao. DBSCAN: các điểm có ít nhất 'số điểm tối thiểu' lân cận trong khoảng cách tìm kiếm tạo thành cụm (scikit-learn). HDBSCAN: cụm có mật độ khác nhau, chỉ cần 'kích thước cụm tối thiểu' (cần gói hdbscan hoặc scikit-learn 1.3 trở lên). Kết quả gồm mọi điểm kèm mã cụm (−1 = nhiễu) và một đa giác bao lồi cho mỗi cụm kèm số điểm và diện tích.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="67" />
        <source>Method</source>
        <translation>Phương pháp</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="68" />
        <source>Search distance (DBSCAN)</source>
        <translation>Khoảng cách tìm kiếm (DBSCAN)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="71" />
        <source>Minimum points (DBSCAN)</source>
        <translation>Số điểm tối thiểu (DBSCAN)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="76" />
        <source>Minimum cluster size (HDBSCAN)</source>
        <translation>Kích thước cụm tối thiểu (HDBSCAN)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="87" />
        <source>Clustered incidents</source>
        <translation>Sự vụ theo cụm</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="88" />
        <source>Cluster outlines</source>
        <translation>Đường bao cụm</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="111" />
        <source>The search distance must be greater than 0.</source>
        <translation>Khoảng cách tìm kiếm phải lớn hơn 0.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="116" />
        <source>Fewer incidents than the minimum cluster size.</source>
        <translation>Số sự vụ ít hơn kích thước cụm tối thiểu.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/density_clusters.py" line="138" />
        <source>{method}: {k} clusters, {noise} noise points of {n}; largest {sizes}; {params}.</source>
        <translation>{method}: {k} cụm, {noise}/{n} điểm nhiễu; cụm lớn nhất {sizes}; {params}.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="72" />
        <source>Emerging hot spot analysis</source>
        <translation>Phân tích xu hướng điểm nóng</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="91" />
        <source>Time field</source>
        <translation>Trường thời gian</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="96" />
        <source>Time step</source>
        <translation>Bước thời gian</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="96" />
        <source>Week</source>
        <translation>Tuần</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="96" />
        <source>Month</source>
        <translation>Tháng</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="96" />
        <source>Day</source>
        <translation>Ngày</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="100" />
        <source>Distance band (0 = two cells)</source>
        <translation>Dải khoảng cách (0 = hai ô)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="116" />
        <source>Emerging hot spots</source>
        <translation>Xu hướng điểm nóng</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="142" />
        <source>The time field has fewer than two readable date/times.</source>
        <translation>Trường thời gian có ít hơn hai giá trị ngày giờ đọc được.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="145" />
        <source>All incidents fall in one time step; choose a shorter step.</source>
        <translation>Tất cả sự vụ nằm trong một bước thời gian; hãy chọn bước ngắn hơn.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="185" />
        <source>Incidents without a readable time: {}.</source>
        <translation>Sự vụ không đọc được thời gian: {}.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="73" />
        <source>Hot spot analysis (Getis-Ord Gi*)</source>
        <translation>Phân tích điểm nóng (Getis-Ord Gi*)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="76" />
        <source>Finds statistically significant hot and cold spots with the Getis-Ord Gi* statistic (same z-scores as ArcGIS Hot Spot Analysis and PySAL esda.G_Local(star=True, transform='B')).
Points (incidents) are counted on a square or hexagon grid, or each feature is used as it is with a numeric value field (e.g. counts per ward polygon). Neighbours: a fixed distance band (binary weights; 0 = the smallest band giving every feature a neighbour, or 2 cells on a grid) or the k nearest.
Outputs GiZScore, GiPValue (two-sided) and Gi_Bin (−3…+3: cold/hot at 99/95/90 % confidence), with optional Benjamini–Hochberg false discovery rate correction.
A geographic input CRS is reprojected to the analysis CRS (default VN-2000 / TM-3 107°45′, EPSG:5899).</source>
        <translation>Tìm các điểm nóng và điểm lạnh có ý nghĩa thống kê bằng chỉ số Getis-Ord Gi* (cùng z-score với Hot Spot Analysis của ArcGIS và PySAL esda.G_Local(star=True, transform='B')).
Điểm (sự vụ) được đếm trên lưới ô vuông hoặc lục giác, hoặc dùng nguyên từng đối tượng với một trường giá trị số (ví dụ số lượng theo đa giác phường). Lân cận: dải khoảng cách cố định (trọng số nhị phân; 0 = dải nhỏ nhất để mọi đối tượng đều có lân cận, hoặc 2 ô trên lưới) hoặc k lân cận gần nhất.
Kết quả gồm GiZScore, GiPValue (hai phía) và Gi_Bin (−3…+3: lạnh/nóng ở độ tin cậy 99/95/90 %), có thể hiệu chỉnh tỷ lệ phát hiện sai (FDR) Benjamini–Hochberg.
Lớp đầu vào ở hệ tọa độ địa lý được chuyển sang hệ tọa độ phân tích (mặc định VN-2000 / TM-3 107°45′, EPSG:5899).</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="88" />
        <source>Incidents (points) or areas</source>
        <translation>Sự vụ (điểm) hoặc vùng</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="95" />
        <source>Aggregate points to</source>
        <translation>Gộp điểm vào</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="67" />
        <source>Square grid</source>
        <translation>Lưới ô vuông</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="67" />
        <source>Hexagon grid</source>
        <translation>Lưới lục giác</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="95" />
        <source>No aggregation (use features and value field)</source>
        <translation>Không gộp (dùng đối tượng và trường giá trị)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="103" />
        <source>Cell size (0 = automatic)</source>
        <translation>Kích thước ô (0 = tự động)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="108" />
        <source>Value field (optional; summed per cell, required without aggregation)</source>
        <translation>Trường giá trị (tùy chọn; cộng dồn theo ô, bắt buộc khi không gộp)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="117" />
        <source>Neighbourhood</source>
        <translation>Lân cận</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="117" />
        <source>Fixed distance band</source>
        <translation>Dải khoảng cách cố định</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="117" />
        <source>K nearest neighbours</source>
        <translation>K lân cận gần nhất</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="125" />
        <source>Distance band (0 = automatic)</source>
        <translation>Dải khoảng cách (0 = tự động)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="130" />
        <source>Number of neighbours (k)</source>
        <translation>Số lân cận (k)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="135" />
        <source>False discovery rate (FDR) correction</source>
        <translation>Hiệu chỉnh tỷ lệ phát hiện sai (FDR)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="137" />
        <source>Hot spots</source>
        <translation>Điểm nóng</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="157" />
        <source>Without aggregation a numeric value field is needed.</source>
        <translation>Khi không gộp cần có một trường giá trị số.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="172" />
        <source>The value field has no numeric values.</source>
        <translation>Trường giá trị không có giá trị số nào.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="176" />
        <source>{} features with a NULL value were left out.</source>
        <translation>Đã loại {} đối tượng có giá trị NULL.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="179" />
        <source>NULL values in the value field count as 0.</source>
        <translation>Giá trị NULL trong trường giá trị được tính là 0.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="186" />
        <source>All points fall in one cell of {} m; choose a smaller cell size.</source>
        <translation>Tất cả điểm nằm trong một ô {} m; hãy chọn kích thước ô nhỏ hơn.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="195" />
        <source>k = {} needs more than {} features.</source>
        <translation>k = {} cần nhiều hơn {} đối tượng.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="259" />
        <source>Skipped features without geometry: {}.</source>
        <translation>Đã bỏ qua đối tượng không có hình học: {}.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="57" />
        <source>Kernel density (heatmap)</source>
        <translation>Mật độ nhân (bản đồ nhiệt)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="78" />
        <source>Radius</source>
        <translation>Bán kính</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="79" />
        <source>Pixel size</source>
        <translation>Kích thước pixel</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="82" />
        <source>Kernel shape</source>
        <translation>Dạng hàm nhân</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="82" />
        <source>Quartic</source>
        <translation>Quartic</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="82" />
        <source>Triangular</source>
        <translation>Tam giác</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="82" />
        <source>Uniform</source>
        <translation>Đều</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="82" />
        <source>Triweight</source>
        <translation>Triweight</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="82" />
        <source>Epanechnikov</source>
        <translation>Epanechnikov</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="90" />
        <source>Decay ratio (triangular only)</source>
        <translation>Hệ số suy giảm (chỉ với hàm tam giác)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="95" />
        <source>Weight field</source>
        <translation>Trường trọng số</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="104" />
        <source>Mode</source>
        <translation>Chế độ</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="104" />
        <source>Exact (same as QGIS heatmap)</source>
        <translation>Chính xác (như Heatmap của QGIS)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="104" />
        <source>Fast (binned + FFT)</source>
        <translation>Nhanh (phân ô + FFT)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="104" />
        <source>Automatic</source>
        <translation>Tự động</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="112" />
        <source>Output values</source>
        <translation>Giá trị đầu ra</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="112" />
        <source>Raw (as QGIS heatmap)</source>
        <translation>Thô (như Heatmap của QGIS)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="112" />
        <source>Density (incidents per km²)</source>
        <translation>Mật độ (sự vụ trên km²)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="121" />
        <source>Kernel density</source>
        <translation>Mật độ nhân</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="143" />
        <source>Radius and pixel size must be greater than 0.</source>
        <translation>Bán kính và kích thước pixel phải lớn hơn 0.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="156" />
        <source>points</source>
        <translation>điểm</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="197" />
        <source>Kernel density ({mode}, {kernel}): {n} points, radius {radius:g}, pixel {pixel:g}, raster {cols}×{rows}, max {vmax:.4g}{unit}; CRS {crs}.</source>
        <translation>Mật độ nhân ({mode}, {kernel}): {n} điểm, bán kính {radius:g}, pixel {pixel:g}, raster {cols}×{rows}, lớn nhất {vmax:.4g}{unit}; hệ tọa độ {crs}.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="200" />
        <source> per km²</source>
        <translation> trên km²</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="213" />
        <source>{} points at the raster edge were dropped, as QGIS does.</source>
        <translation>Đã bỏ {} điểm ở mép raster, giống như QGIS.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="50" />
        <source>Optimized hot spot analysis</source>
        <translation>Phân tích điểm nóng tối ưu</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="67" />
        <source>Grid</source>
        <translation>Lưới</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="71" />
        <source>Optimized hot spots</source>
        <translation>Điểm nóng tối ưu</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="108" />
        <source>Moran's I z by band: {}.</source>
        <translation>z-score Moran's I theo dải: {}.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="110" />
        <source>Outlying incidents set aside: {}.</source>
        <translation>Sự vụ ngoại biên được để riêng: {}.</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="187" />
        <source>Ward briefing</source>
        <translation>Báo cáo tình hình phường</translation>
    </message>
    <message>
        <location filename="../gui/briefing_dialog.py" line="38" />
        <source>Last day</source>
        <translation>Ngày cuối</translation>
    </message>
    <message>
        <location filename="../gui/briefing_dialog.py" line="41" />
        <source>Days</source>
        <translation>Số ngày</translation>
    </message>
    <message>
        <location filename="../gui/briefing_dialog.py" line="43" />
        <source>All wards</source>
        <translation>Tất cả phường/xã</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="40" />
        <source>Ward</source>
        <translation>Phường/xã</translation>
    </message>
    <message>
        <location filename="../gui/ops_replay_dialog.py" line="51" />
        <source>Output folder</source>
        <translation>Thư mục kết quả</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="129" />
        <source>The authentication configuration cannot be loaded</source>
        <translation>Không tải được cấu hình xác thực</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="163" />
        <source>Export open data</source>
        <translation>Xuất dữ liệu mở</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="165" />
        <source>Data</source>
        <translation>Dữ liệu</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="166" />
        <source>Anonymisation</source>
        <translation>Ẩn danh hoá</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="80" />
        <source>Target</source>
        <translation>Nơi xuất</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="183" />
        <source>Preview</source>
        <translation>Xem trước</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="184" />
        <source>Publish</source>
        <translation>Công bố</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="185" />
        <source>Cancel publishing</source>
        <translation>Hủy công bố</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="213" />
        <source>Tables</source>
        <translation>Bảng dữ liệu</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="214" />
        <source>Only reports requested in this period</source>
        <translation>Chỉ các phản ánh gửi trong khoảng thời gian này</translation>
    </message>
    <message>
        <location filename="../gui/ops_replay_dialog.py" line="40" />
        <source>From</source>
        <translation>Từ</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="222" />
        <source>Until (exclusive)</source>
        <translation>Đến (không bao gồm)</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="227" />
        <source>Wards</source>
        <translation>Phường/xã</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="228" />
        <source>Categories</source>
        <translation>Lĩnh vực</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="229" />
        <source>Statuses</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="81" />
        <source>Dataset id</source>
        <translation>Mã bộ dữ liệu</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="82" />
        <source>Title</source>
        <translation>Tiêu đề</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="239" />
        <source>Description</source>
        <translation>Mô tả</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="240" />
        <source>Licence</source>
        <translation>Giấy phép</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="241" />
        <source>Contact e-mail (office)</source>
        <translation>Email liên hệ (cơ quan)</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="242" />
        <source>Keywords</source>
        <translation>Từ khóa</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="83" />
        <source>Report locations</source>
        <translation>Vị trí phản ánh</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="258" />
        <source>Grid cell</source>
        <translation>Ô lưới</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="259" />
        <source>k (k-anonymity)</source>
        <translation>k (k-ẩn danh)</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="262" />
        <source>Table</source>
        <translation>Bảng</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="262" />
        <source>Field</source>
        <translation>Trường</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="262" />
        <source>Action</source>
        <translation>Thao tác</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="101" />
        <source>Package folder</source>
        <translation>Thư mục gói dữ liệu</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="91" />
        <source>CKAN portal URL</source>
        <translation>Địa chỉ cổng CKAN</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="303" />
        <source>CKAN organisation</source>
        <translation>Tổ chức trên CKAN</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="304" />
        <source>CKAN API token (QGIS authentication)</source>
        <translation>Mã API CKAN (xác thực QGIS)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="93" />
        <source>pygeoapi data folder</source>
        <translation>Thư mục dữ liệu pygeoapi</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="98" />
        <source>pygeoapi configuration</source>
        <translation>Cấu hình pygeoapi</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="307" />
        <source>pygeoapi URL (check)</source>
        <translation>Địa chỉ pygeoapi (kiểm tra)</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="444" />
        <source>Will publish {} rows ({}). Preview of {}: first {} rows.</source>
        <translation>Sẽ công bố {} dòng ({}). Xem trước {}: {} dòng đầu.</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="491" />
        <source>Publishing {}</source>
        <translation>Đang công bố {}</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="495" />
        <source>Publishing…</source>
        <translation>Đang công bố…</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="501" />
        <source>Cancelling… files already sent stay on the portal; a new run resumes.</source>
        <translation>Đang hủy… các tệp đã gửi vẫn ở trên cổng dữ liệu; lần chạy sau sẽ tiếp tục.</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="511" />
        <source>Published: {}</source>
        <translation>Đã công bố: {}</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="515" />
        <source>Not published: {}</source>
        <translation>Chưa công bố: {}</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="527" />
        <source>Export open data…</source>
        <translation>Xuất dữ liệu mở…</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="162" />
        <source>never reported</source>
        <translation>chưa từng báo cáo</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="177" />
        <source>Light level</source>
        <translation>Mức sáng</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="178" />
        <source>Active power</source>
        <translation>Công suất tác dụng</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="182" />
        <source>Dim to</source>
        <translation>Giảm sáng về</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="183" />
        <source>Switch on</source>
        <translation>Bật</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="184" />
        <source>Switch off</source>
        <translation>Tắt</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="211" />
        <source>Your role may not send commands to street lights</source>
        <translation>Vai trò của bạn không được phép gửi lệnh điều khiển đèn chiếu sáng</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="239" />
        <source>Command sent</source>
        <translation>Đã gửi lệnh</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="255" />
        <source>No grouping</source>
        <translation>Không nhóm</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="255" />
        <source>Cabinet</source>
        <translation>Tủ điện</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="255" />
        <source>Circuit</source>
        <translation>Lộ</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="257" />
        <source>Faults and no data only</source>
        <translation>Chỉ đèn lỗi và không có dữ liệu</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="266" />
        <source>Group by</source>
        <translation>Nhóm theo</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="58" />
        <source>Cameras seeing this report</source>
        <translation>Camera quan sát phản ánh này</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="59" />
        <source>Open the cameras whose field of view covers the selected report</source>
        <translation>Mở các camera có vùng quan sát bao phủ phản ánh đang chọn</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="61" />
        <source>Reports in this camera's view</source>
        <translation>Phản ánh trong tầm quan sát của camera</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="63" />
        <source>Click a camera on the map to select the open reports it sees</source>
        <translation>Bấm vào một camera trên bản đồ để chọn các phản ánh chưa xử lý trong tầm quan sát của camera đó</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="65" />
        <source>Ward briefing…</source>
        <translation>Báo cáo tình hình phường…</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="67" />
        <source>Replay animation…</source>
        <translation>Phát lại diễn biến…</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="135" />
        <source>Cameras</source>
        <translation>Camera</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="38" />
        <source>No camera sees this report</source>
        <translation>Không có camera nào quan sát được phản ánh này</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="122" />
        <source>Cameras seeing report</source>
        <translation>Camera quan sát phản ánh</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="135" />
        <source>Select a field report first</source>
        <translation>Hãy chọn một phản ánh hiện trường trước</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="154" />
        <source>{n} open reports in view</source>
        <translation>{n} phản ánh chưa xử lý trong tầm quan sát</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="159" />
        <source>Camera</source>
        <translation>Camera</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="184" />
        <source>Written to {p}</source>
        <translation>Đã ghi vào {p}</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="228" />
        <source>Replay</source>
        <translation>Phát lại</translation>
    </message>
    <message>
        <location filename="../gui/ops_replay_dialog.py" line="32" />
        <source>Replay animation</source>
        <translation>Phát lại diễn biến</translation>
    </message>
    <message>
        <location filename="../gui/ops_replay_dialog.py" line="41" />
        <source>To</source>
        <translation>Đến</translation>
    </message>
    <message>
        <location filename="../gui/ops_replay_dialog.py" line="46" />
        <source>Step</source>
        <translation>Bước</translation>
    </message>
    <message>
        <location filename="../gui/ops_replay_dialog.py" line="47" />
        <source>Also make a video</source>
        <translation>Xuất thêm video</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="39" />
        <source>Connection OK</source>
        <translation>Kết nối thành công</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="40" />
        <source>Login refused: wrong password or expired account</source>
        <translation>Đăng nhập bị từ chối: sai mật khẩu hoặc tài khoản hết hạn</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="41" />
        <source>Connected, but this account lacks the rights for the IOC database</source>
        <translation>Đã kết nối nhưng tài khoản này không có quyền trên cơ sở dữ liệu IOC</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="42" />
        <source>The database server cannot be reached</source>
        <translation>Không kết nối được tới máy chủ cơ sở dữ liệu</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="43" />
        <source>This database is not an IOC city database (or another version)</source>
        <translation>Cơ sở dữ liệu này không phải cơ sở dữ liệu đô thị IOC (hoặc khác phiên bản)</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="44" />
        <source>Connection failed</source>
        <translation>Kết nối thất bại</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="69" />
        <source>IOC — PostGIS city database</source>
        <translation>IOC — Cơ sở dữ liệu đô thị PostGIS</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="80" />
        <source>Test connection</source>
        <translation>Kiểm tra kết nối</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="85" />
        <source>Host</source>
        <translation>Máy chủ</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="86" />
        <source>Port</source>
        <translation>Cổng</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="87" />
        <source>Database</source>
        <translation>Cơ sở dữ liệu</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="88" />
        <source>Schema</source>
        <translation>Lược đồ</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="89" />
        <source>Authentication</source>
        <translation>Xác thực</translation>
    </message>
    <message>
        <location filename="../gui/postgis_settings.py" line="119" />
        <source>Connecting…</source>
        <translation>Đang kết nối…</translation>
    </message>
    <message>
        <location filename="../processing/land_base.py" line="31" />
        <source>Land and planning</source>
        <translation>Đất đai và quy hoạch</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="34" />
        <source>Authentication configuration {} cannot be loaded</source>
        <translation>Không tải được cấu hình xác thực {}</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="57" />
        <source>Export open data (anonymised)</source>
        <translation>Xuất dữ liệu mở (đã ẩn danh hoá)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="60" />
        <source>Open data</source>
        <translation>Dữ liệu mở</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="66" />
        <source>Exports IOC tables from an IOC GeoPackage, anonymised (Decree 13/2023: reporter names, phones, e-mails dropped; phones, e-mails, ID numbers and names scrubbed from free text; report locations snapped to a grid or made k-anonymous), as a file package (GeoPackage, GeoJSON, CSV, DCAT-style metadata), and optionally publishes it to a CKAN portal (token from the QGIS authentication configuration) or a pygeoapi OGC API – Features server. Exporting the same data again gives identical files and uploads nothing new.</source>
        <translation>Xuất các bảng IOC từ GeoPackage IOC đã được ẩn danh hoá (Nghị định 13/2023: bỏ họ tên, số điện thoại, email người phản ánh; xóa số điện thoại, email, số giấy tờ tùy thân và họ tên khỏi nội dung tự do; vị trí phản ánh được gắn vào lưới hoặc làm k-ẩn danh) thành gói tệp (GeoPackage, GeoJSON, CSV, siêu dữ liệu kiểu DCAT), và có thể công bố lên cổng CKAN (mã truy cập lấy từ cấu hình xác thực QGIS) hoặc máy chủ pygeoapi OGC API – Features. Xuất lại cùng dữ liệu sẽ cho các tệp giống hệt và không tải lên gì mới.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/import_cadastre.py" line="48" />
        <source>IOC GeoPackage</source>
        <translation>GeoPackage IOC</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="77" />
        <source>Tables (comma separated)</source>
        <translation>Bảng dữ liệu (cách nhau bằng dấu phẩy)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="78" />
        <source>From (ISO date)</source>
        <translation>Từ ngày (ISO)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="79" />
        <source>Until (ISO date, exclusive)</source>
        <translation>Đến ngày (ISO, không bao gồm)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="86" />
        <source>Grid cell (m)</source>
        <translation>Ô lưới (m)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="92" />
        <source>CKAN API token</source>
        <translation>Mã API CKAN</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="102" />
        <source>Result</source>
        <translation>Kết quả</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/export_open_data.py" line="115" />
        <source>Give the CKAN portal URL</source>
        <translation>Hãy nhập địa chỉ cổng CKAN</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/import_cadastre.py" line="35" />
        <source>Import cadastral parcels</source>
        <translation>Nhập thửa đất địa chính</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/import_cadastre.py" line="38" />
        <source>Imports a cadastral file (Shapefile, GeoPackage, DGN v7 or DXF) into the parcels table of an IOC GeoPackage. Fields are mapped from the delivered names (SoHieuToBanDo, SoThuTuThua, DienTich, KyHieuMucDichSuDung, DiaChi; '=12' gives a constant); TCVN3/VNI text is converted to Unicode; the province gives the VN-2000 / TM-3 CRS when the file has none. Any problem (wrong CRS, damaged file, mixed geometries, unknown land-use codes) stops the import and nothing is written.</source>
        <translation>Nhập tệp địa chính (Shapefile, GeoPackage, DGN v7 hoặc DXF) vào bảng thửa đất của GeoPackage IOC. Các trường được ánh xạ theo tên trong tệp bàn giao (SoHieuToBanDo, SoThuTuThua, DienTich, KyHieuMucDichSuDung, DiaChi; '=12' cho một giá trị cố định); chữ TCVN3/VNI được chuyển sang Unicode; tỉnh/thành phố xác định hệ tọa độ VN-2000 / TM-3 khi tệp không có hệ tọa độ. Mọi lỗi (sai hệ tọa độ, tệp hỏng, lẫn nhiều kiểu hình học, mã mục đích sử dụng đất không xác định) đều dừng việc nhập và không ghi gì.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/import_cadastre.py" line="47" />
        <source>Cadastral file</source>
        <translation>Tệp địa chính</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/import_cadastre.py" line="50" />
        <source>Province (used when the file has no CRS)</source>
        <translation>Tỉnh/thành phố (dùng khi tệp không có hệ tọa độ)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/import_cadastre.py" line="59" />
        <source>Field for {}</source>
        <translation>Trường cho {}</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/import_cadastre.py" line="64" />
        <source>Text encoding</source>
        <translation>Bảng mã chữ</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/import_cadastre.py" line="66" />
        <source>Parcels imported</source>
        <translation>Thửa đất đã nhập</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/parcel_quality.py" line="49" />
        <source>Cadastral parcel quality</source>
        <translation>Kiểm tra chất lượng thửa đất địa chính</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/parcel_quality.py" line="52" />
        <source>Checks cadastral parcels in metres (a geographic layer is projected to VN-2000 / TM-3): invalid geometries, overlaps between parcels, gaps (small or thin holes between parcels), slivers (mean width below the limit) and computed area against the declared area (DienTich). The report layer has one feature per problem with its kind, the parcel(s) concerned and a readable reason.</source>
        <translation>Kiểm tra thửa đất địa chính theo mét (lớp tọa độ địa lý được chiếu sang VN-2000 / TM-3): hình học không hợp lệ, chồng lấn giữa các thửa, khe hở (lỗ nhỏ hoặc hẹp giữa các thửa), thửa dải hẹp (bề rộng trung bình dưới ngưỡng) và diện tích tính toán so với diện tích kê khai (DienTich). Lớp báo cáo có một đối tượng cho mỗi lỗi, kèm loại lỗi, (các) thửa liên quan và lý do dễ hiểu.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/planning_conformity.py" line="57" />
        <source>Parcels</source>
        <translation>Thửa đất</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/parcel_quality.py" line="63" />
        <source>Declared area field (DienTich)</source>
        <translation>Trường diện tích kê khai (DienTich)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/parcel_quality.py" line="73" />
        <source>Area tolerance (share)</source>
        <translation>Sai số diện tích cho phép (tỷ lệ)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/parcel_quality.py" line="78" />
        <source>Sliver width (m)</source>
        <translation>Bề rộng thửa dải hẹp (m)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/parcel_quality.py" line="83" />
        <source>Largest gap area (m²)</source>
        <translation>Diện tích khe hở lớn nhất (m²)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/parcel_quality.py" line="88" />
        <source>Quality report</source>
        <translation>Báo cáo chất lượng</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/planning_conformity.py" line="45" />
        <source>Planning conformity of parcels</source>
        <translation>Sự phù hợp quy hoạch của thửa đất</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/planning_conformity.py" line="48" />
        <source>Puts each parcel in the planning zone holding most of its area and checks its land-use code against the zone's allowed uses (a comma list such as 'ODT,TMD,DGT'). Output: the parcels with zone, share of the parcel in that zone, conforming (1), not conforming (0) or outside the plan (-1) and a reason; the summary gives each zone's parcel area per land-use code.</source>
        <translation>Gán mỗi thửa đất vào khu quy hoạch chứa phần lớn diện tích của thửa và đối chiếu mã mục đích sử dụng đất với các mục đích được phép của khu (danh sách cách nhau bằng dấu phẩy, ví dụ 'ODT,TMD,DGT'). Kết quả: các thửa kèm khu quy hoạch, tỷ lệ diện tích thửa trong khu, phù hợp (1), không phù hợp (0) hoặc ngoài quy hoạch (-1) và lý do; phần tóm tắt cho diện tích thửa theo từng mã mục đích sử dụng đất trong mỗi khu.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/planning_conformity.py" line="58" />
        <source>Land-use code field</source>
        <translation>Trường mã mục đích sử dụng đất</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/planning_conformity.py" line="61" />
        <source>Planning zones</source>
        <translation>Khu quy hoạch</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/planning_conformity.py" line="62" />
        <source>Zone id field</source>
        <translation>Trường mã khu</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/planning_conformity.py" line="63" />
        <source>Allowed uses field</source>
        <translation>Trường mục đích được phép</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/planning_conformity.py" line="66" />
        <source>Parcel conformity</source>
        <translation>Sự phù hợp quy hoạch của thửa</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="50" />
        <source>Field report statistics by month, ward and category</source>
        <translation>Thống kê phản ánh hiện trường theo tháng, phường và lĩnh vực</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="59" />
        <source>For each month (city time, Asia/Ho_Chi_Minh) and each ward and category of the field reports layer (fields ward_id, service_code, priority, status, requested_at, updated_at, resolved_at, due_at): received, carried over from the previous month, resolved on time, resolved late, returned (rejected/duplicate) and unresolved at the month's end, plus the on-time rate. received + carried_over = resolved_on_time + resolved_late + returned + unresolved. Months are YYYY-MM (empty: the whole period). An SLA rules file (JSON: rules [{category, priority, hours}], default_hours) recomputes every due time; without it due_at is used and missing ones come from the built-in rules (2 h urgent, 8 h or 24 h by category). Writes a table and a CSV (UTF-8).</source>
        <translation>Với mỗi tháng (giờ thành phố, Asia/Ho_Chi_Minh) và mỗi phường, lĩnh vực của lớp phản ánh hiện trường (các trường ward_id, service_code, priority, status, requested_at, updated_at, resolved_at, due_at): số phản ánh tiếp nhận, chuyển từ tháng trước, xử lý đúng hạn, xử lý trễ hạn, trả lại (từ chối/trùng lặp) và chưa xử lý vào cuối tháng, kèm tỷ lệ đúng hạn. received + carried_over = resolved_on_time + resolved_late + returned + unresolved. Tháng có dạng YYYY-MM (để trống: toàn bộ thời gian). Tệp quy định thời hạn xử lý SLA (JSON: rules [{category, priority, hours}], default_hours) dùng để tính lại mọi hạn xử lý; nếu không có, dùng due_at và các hạn còn thiếu lấy theo quy định sẵn có (khẩn cấp 2 giờ, 8 giờ hoặc 24 giờ tùy lĩnh vực). Kết quả là một bảng và một tệp CSV (UTF-8).</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="74" />
        <source>First month (YYYY-MM)</source>
        <translation>Tháng đầu (YYYY-MM)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="75" />
        <source>Last month (YYYY-MM)</source>
        <translation>Tháng cuối (YYYY-MM)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="76" />
        <source>SLA rules file (JSON)</source>
        <translation>Tệp quy định thời hạn xử lý SLA (JSON)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="81" />
        <source>Report statistics</source>
        <translation>Thống kê phản ánh</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="84" />
        <source>Report statistics (CSV)</source>
        <translation>Thống kê phản ánh (CSV)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="94" />
        <source>{} must look like 2024-05, not {!r}</source>
        <translation>{} phải có dạng 2024-05, không phải {!r}</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="108" />
        <source>The last month is before the first month.</source>
        <translation>Tháng cuối đứng trước tháng đầu.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="113" />
        <source>Cannot read the SLA rules file {}: {}</source>
        <translation>Không đọc được tệp quy định thời hạn xử lý (SLA) {}: {}</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/report_statistics.py" line="148" />
        <source>Report statistics: {rows} rows ({months} months); received {received}, resolved on time {resolved_on_time}, late {resolved_late}, returned {returned}.</source>
        <translation>Thống kê phản ánh: {rows} dòng ({months} tháng); tiếp nhận {received}, xử lý đúng hạn {resolved_on_time}, trễ hạn {resolved_late}, trả lại {returned}.</translation>
    </message>
    <message>
        <location filename="../gui/land_card.py" line="30" />
        <source>Sheet / parcel</source>
        <translation>Tờ bản đồ / thửa</translation>
    </message>
    <message>
        <location filename="../gui/tabs/parcels_tab.py" line="22" />
        <source>Land use</source>
        <translation>Mục đích sử dụng đất</translation>
    </message>
    <message>
        <location filename="../gui/land_card.py" line="32" />
        <source>Declared area (m²)</source>
        <translation>Diện tích kê khai (m²)</translation>
    </message>
    <message>
        <location filename="../gui/land_card.py" line="33" />
        <source>Computed area (m²)</source>
        <translation>Diện tích tính toán (m²)</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="40" />
        <source>Address</source>
        <translation>Địa chỉ</translation>
    </message>
    <message>
        <location filename="../gui/land_card.py" line="41" />
        <source>Planning zone</source>
        <translation>Khu quy hoạch</translation>
    </message>
    <message>
        <location filename="../gui/land_card.py" line="39" />
        <source>outside the plan</source>
        <translation>ngoài quy hoạch</translation>
    </message>
    <message>
        <location filename="../gui/land_card.py" line="42" />
        <source>Allowed uses</source>
        <translation>Mục đích được phép</translation>
    </message>
    <message>
        <location filename="../gui/land_card.py" line="43" />
        <source>Decision</source>
        <translation>Quyết định</translation>
    </message>
    <message>
        <location filename="../gui/land_card.py" line="44" />
        <source>Conformity</source>
        <translation>Sự phù hợp quy hoạch</translation>
    </message>
    <message>
        <location filename="../gui/land_card.py" line="44" />
        <source>conforming</source>
        <translation>phù hợp</translation>
    </message>
    <message>
        <location filename="../gui/land_card.py" line="44" />
        <source>NOT conforming</source>
        <translation>KHÔNG phù hợp</translation>
    </message>
    <message>
        <location filename="../gui/tabs/parcels_tab.py" line="22" />
        <source>Parcel</source>
        <translation>Thửa</translation>
    </message>
    <message>
        <location filename="../gui/land_card.py" line="67" />
        <source>No parcel here.</source>
        <translation>Không có thửa đất tại vị trí này.</translation>
    </message>
    <message>
        <location filename="../gui/land_controller.py" line="37" />
        <source>Import cadastral parcels…</source>
        <translation>Nhập thửa đất địa chính…</translation>
    </message>
    <message>
        <location filename="../gui/land_controller.py" line="39" />
        <source>Parcel card</source>
        <translation>Thông tin thửa đất</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="55" />
        <source>Browse…</source>
        <translation>Chọn tệp…</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="60" />
        <source>File (SHP, GPKG, DGN, DXF)</source>
        <translation>Tệp (SHP, GPKG, DGN, DXF)</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="62" />
        <source>Layer</source>
        <translation>Lớp</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="64" />
        <source>Save preset…</source>
        <translation>Lưu mẫu thiết lập…</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="69" />
        <source>Preset</source>
        <translation>Mẫu thiết lập</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="77" />
        <source>(CRS of the file)</source>
        <translation>(Hệ tọa độ của tệp)</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="80" />
        <source>Province (CRS when the file has none)</source>
        <translation>Tỉnh/thành phố (hệ tọa độ khi tệp không có)</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="87" />
        <source>Add new parcels</source>
        <translation>Thêm thửa mới</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="88" />
        <source>Replace the file's sheets</source>
        <translation>Thay thế các tờ bản đồ có trong tệp</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="95" />
        <source>Import</source>
        <translation>Nhập</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="127" />
        <source>Fields: {}</source>
        <translation>Các trường: {}</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="158" />
        <source>Save preset</source>
        <translation>Lưu mẫu thiết lập</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="158" />
        <source>Preset name</source>
        <translation>Tên mẫu thiết lập</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="193" />
        <source>Importing…</source>
        <translation>Đang nhập…</translation>
    </message>
    <message>
        <location filename="../gui/land_import_dialog.py" line="208" />
        <source>Nothing was imported: {}</source>
        <translation>Chưa nhập được gì: {}</translation>
    </message>
    <message>
        <location filename="../gui/land_locator.py" line="42" />
        <source>Thửa đất / parcel</source>
        <translation>Thửa đất</translation>
    </message>
    <message>
        <location filename="../gui/land_task.py" line="31" />
        <source>Importing cadastral parcels</source>
        <translation>Đang nhập thửa đất địa chính</translation>
    </message>
    <message>
        <location filename="../gui/land_task.py" line="67" />
        <source>Import cancelled; nothing was imported.</source>
        <translation>Đã hủy nhập; không có dữ liệu nào được nhập.</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="60" />
        <source>Light</source>
        <translation>Đèn</translation>
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="26" />
        <source>State</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="60" />
        <source>Fault</source>
        <translation>Lỗi</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="60" />
        <source>Since last report</source>
        <translation>Từ lần báo cáo cuối</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="40" />
        <source>ID</source>
        <translation>Mã</translation>
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="26" />
        <source>Name</source>
        <translation>Tên</translation>
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="26" />
        <source>Bearing</source>
        <translation>Hướng</translation>
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="26" />
        <source>Last frame</source>
        <translation>Khung hình cuối</translation>
    </message>
    <message>
        <location filename="../gui/tabs/parcels_tab.py" line="22" />
        <source>Sheet</source>
        <translation>Tờ</translation>
    </message>
    <message>
        <location filename="../gui/tabs/parcels_tab.py" line="22" />
        <source>Area m²</source>
        <translation>Diện tích m²</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="40" />
        <source>Category</source>
        <translation>Lĩnh vực</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="40" />
        <source>Status</source>
        <translation>Trạng thái</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="40" />
        <source>Deadline</source>
        <translation>Tiến độ</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="40" />
        <source>Received</source>
        <translation>Thời điểm nhận</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="40" />
        <source>Due</source>
        <translation>Hạn xử lý</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/dark_lights_near_reports.py" line="47" />
        <source>Dark street lights near open security/traffic reports</source>
        <translation>Đèn tắt gần phản ánh an ninh/giao thông chưa xử lý</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/dark_lights_near_reports.py" line="50" />
        <source>Lists dark street lights (failed, or off when judged at night) within the search distance of open field reports of the given services (default security and traffic) — places where fixing a lamp may matter most. Open = not resolved, closed, rejected or duplicate.
Distances are measured in the analysis CRS (default VN-2000 / TM-3 107°45′).
Output: dark lights with the number of such reports nearby, the nearest one's id and its distance.
Đèn tắt trong bán kính quanh các phản ánh an ninh/giao thông chưa xử lý.</source>
        <translation>Liệt kê các đèn chiếu sáng mất sáng (hỏng, hoặc tắt khi đánh giá vào ban đêm) trong khoảng cách tìm kiếm quanh các phản ánh hiện trường chưa xử lý thuộc các lĩnh vực đã chọn (mặc định an ninh và giao thông) — những nơi sửa đèn có thể cấp thiết nhất. Chưa xử lý = chưa ở trạng thái đã xử lý, đã đóng, từ chối hoặc trùng lặp.
Khoảng cách được đo trong hệ tọa độ phân tích (mặc định VN-2000 / TM-3 107°45′).
Kết quả: các đèn mất sáng kèm số phản ánh như vậy ở gần, mã phản ánh gần nhất và khoảng cách tới phản ánh đó.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_outages.py" line="66" />
        <source>Street lights layer</source>
        <translation>Lớp đèn chiếu sáng</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/dark_lights_near_reports.py" line="63" />
        <source>Field reports layer</source>
        <translation>Lớp phản ánh hiện trường</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/dark_lights_near_reports.py" line="68" />
        <source>Services (comma-separated service codes)</source>
        <translation>Lĩnh vực (mã, cách nhau bằng dấu phẩy)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/dark_lights_near_reports.py" line="73" />
        <source>Search distance</source>
        <translation>Khoảng cách tìm kiếm</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_outages.py" line="69" />
        <source>Count 'off' lamps as dark (night)</source>
        <translation>Tính đèn 'tắt' là mất sáng (ban đêm)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/dark_lights_near_reports.py" line="76" />
        <source>Dark lights near open reports</source>
        <translation>Đèn tắt gần phản ánh chưa xử lý</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/dark_lights_near_reports.py" line="86" />
        <source>The reports layer has no field {}; expected the IOC field_reports schema.</source>
        <translation>Lớp phản ánh không có trường {}; cần lớp field_reports theo lược đồ IOC.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_day_night.py" line="51" />
        <source>Street lights on in daytime / off at night</source>
        <translation>Đèn sáng ban ngày / tắt ban đêm</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_day_night.py" line="54" />
        <source>Flags street lights that are lit in daytime (wasted energy, broken photocell or schedule) or dark at night (off or failed). Sunrise and sunset are computed for the city with NOAA's solar equations (about one minute accuracy); times within the margin around sunrise/sunset are not judged.
Each light is judged at its last report time, or at one given time for all.
Input: the IOC street_lights layer (state, light_level, fault, last_report).
Đèn sáng ban ngày hoặc tắt ban đêm, theo giờ mặt trời mọc/lặn tính cho thành phố.</source>
        <translation>Đánh dấu các đèn chiếu sáng sáng vào ban ngày (lãng phí điện, hỏng cảm biến quang hoặc sai lịch bật/tắt) hoặc mất sáng vào ban đêm (tắt hoặc hỏng). Giờ mặt trời mọc và lặn được tính cho thành phố theo phương trình mặt trời của NOAA (sai số khoảng một phút); các thời điểm nằm trong khoảng đệm quanh lúc mặt trời mọc/lặn không được đánh giá.
Mỗi đèn được đánh giá tại thời điểm báo cáo cuối cùng của nó, hoặc tại một thời điểm chung cho tất cả.
Đầu vào: lớp street_lights của IOC (state, light_level, fault, last_report).</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_day_night.py" line="67" />
        <source>Margin around sunrise/sunset (minutes)</source>
        <translation>Khoảng đệm quanh bình minh/hoàng hôn (phút)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_day_night.py" line="77" />
        <source>Evaluate at (empty = each light's last report)</source>
        <translation>Thời điểm đánh giá (trống = lần báo cáo cuối của từng đèn)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_day_night.py" line="80" />
        <source>Latitude of the city (0 = layer centre)</source>
        <translation>Vĩ độ thành phố (0 = tâm lớp)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_day_night.py" line="85" />
        <source>Longitude of the city (0 = layer centre)</source>
        <translation>Kinh độ thành phố (0 = tâm lớp)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_day_night.py" line="90" />
        <source>Lights on in daytime / off at night</source>
        <translation>Đèn sáng ban ngày / tắt ban đêm</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_outages.py" line="51" />
        <source>Street light outages by cabinet/circuit</source>
        <translation>Sự cố đèn theo tủ điện/lộ</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_outages.py" line="54" />
        <source>Finds street lights that give no light where they should — a lamp, relay or supply fault, or 'off' when judged at night — and groups them by circuit and cabinet.
When at least the given share of a circuit's lamps (and the minimum number) is dark, or a lamp reports supply loss, the circuit probably lost supply; when all (or at least two and half) of a cabinet's circuits did, the cabinet. Other dark lamps are single-lamp faults.
Input: the IOC street_lights layer (fields state, light_level, fault, cabinet_id, circuit_id).
Outputs: dark lights with outage_class, and one point per affected circuit (centre of its dark lamps).
Đèn mất sáng theo lộ và tủ điện: mất nguồn lộ/tủ hay hỏng đèn đơn lẻ.</source>
        <translation>Tìm các đèn chiếu sáng không sáng khi cần sáng — hỏng bóng, hỏng rơ-le, mất nguồn, hoặc 'tắt' khi đánh giá vào ban đêm — và nhóm theo lộ và tủ điện.
Khi tỷ lệ đèn mất sáng của một lộ đạt ngưỡng đã chọn (và đủ số lượng tối thiểu), hoặc có đèn báo mất nguồn, lộ đó có thể đã mất nguồn; khi tất cả (hoặc ít nhất hai lộ và một nửa số lộ) của một tủ điện như vậy thì tủ điện mất nguồn. Các đèn mất sáng còn lại là hỏng đèn đơn lẻ.
Đầu vào: lớp street_lights của IOC (các trường state, light_level, fault, cabinet_id, circuit_id).
Kết quả: các đèn mất sáng kèm outage_class, và một điểm cho mỗi lộ bị ảnh hưởng (tâm của các đèn mất sáng).</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_outages.py" line="70" />
        <source>Share of dark lamps that means a supply fault</source>
        <translation>Tỷ lệ đèn tắt được coi là mất nguồn</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_outages.py" line="80" />
        <source>Minimum dark lamps for a supply fault</source>
        <translation>Số đèn tắt tối thiểu để coi là mất nguồn</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_outages.py" line="89" />
        <source>Dark lights</source>
        <translation>Đèn mất sáng</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/light_outages.py" line="90" />
        <source>Circuits with outages</source>
        <translation>Lộ có sự cố</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="306" />
        <source>faults</source>
        <translation>lỗi</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="306" />
        <source>no data</source>
        <translation>không có dữ liệu</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="155" />
        <source>no data since</source>
        <translation>không có dữ liệu từ</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="236" />
        <source>Command failed</source>
        <translation>Gửi lệnh thất bại</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="306" />
        <source>lights</source>
        <translation>đèn</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="306" />
        <source>lit</source>
        <translation>đang sáng</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="315" />
        <source>Street light server unreachable</source>
        <translation>Không kết nối được máy chủ chiếu sáng</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="316" />
        <source>showing the last known state; no data since</source>
        <translation>đang hiển thị trạng thái gần nhất; không có dữ liệu từ</translation>
    </message>
    <message>
        <location filename="../gui/lights_tab.py" line="319" />
        <source>updated</source>
        <translation>cập nhật lúc</translation>
    </message>
    <message>
        <location filename="../processing/lights_base.py" line="41" />
        <source>Street lights</source>
        <translation>Chiếu sáng công cộng</translation>
    </message>
    <message>
        <location filename="../processing/lights_base.py" line="54" />
        <source>The layer has no field {}; expected the IOC street_lights schema.</source>
        <translation>Lớp không có trường {}; cần lớp street_lights theo lược đồ IOC.</translation>
    </message>
    <message>
        <location filename="../processing/lights_base.py" line="81" />
        <source>The input has no usable features.</source>
        <translation>Lớp đầu vào không có đối tượng dùng được.</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="32" />
        <source>report {0} is not loaded</source>
        <translation>phản ánh {0} chưa được tải</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="33" />
        <source>report {0} has no location</source>
        <translation>phản ánh {0} không có vị trí</translation>
    </message>
    <message>
        <location filename="../gui/ops_controller.py" line="34" />
        <source>no camera's field of view covers report {0}</source>
        <translation>không có camera nào có vùng quan sát bao phủ phản ánh {0}</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="188" />
        <source>The analysis CRS {} is not a projected CRS with true metres; choose one (e.g. VN-2000 / TM-3).</source>
        <translation>Hệ tọa độ phân tích {} không phải hệ tọa độ phẳng đo đúng mét; hãy chọn một hệ như vậy (ví dụ VN-2000 / TM-3).</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="194" />
        <source>{} (Mercator) does not measure true metres here; the input is reprojected to {}.</source>
        <translation>{} (Mercator) không đo đúng mét ở khu vực này; dữ liệu đầu vào được chuyển sang {} để phân tích.</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="502" />
        <source>{} features without a usable geometry were left out.</source>
        <translation>{} đối tượng không có hình học dùng được đã bị bỏ qua.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/camera_coverage_gaps.py" line="127" />
        <source>{} cameras without a position were left out.</source>
        <translation>{} camera không có vị trí đã bị bỏ qua.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="69" />
        <source>For field reports (fields report_id, service_code, priority, status, ward_id, requested_at, due_at, resolved_at; a table without geometry will do): classifies each report as on time, due soon, overdue, resolved on time, resolved late or no deadline (rejected/duplicate, and resolved/closed without a resolution time) using the deadline rules (2 h urgent, 8 h or 24 h by category; a missing due_at is computed from them), then counts per ward and category with the on-time rate and the median hours to resolve. With a ward polygon layer it also writes a choropleth layer of on-time rate per ward.</source>
        <translation>Với các phản ánh hiện trường (các trường report_id, service_code, priority, status, ward_id, requested_at, due_at, resolved_at; bảng không có hình học cũng được): xếp mỗi phản ánh vào đúng hạn, sắp đến hạn, quá hạn, xử lý đúng hạn, xử lý trễ hạn hoặc không có thời hạn (từ chối/trùng lặp, và đã xử lý/đã đóng nhưng không có thời điểm xử lý) theo quy tắc thời hạn (2 giờ khẩn cấp, 8 giờ hoặc 24 giờ theo lĩnh vực; due_at còn thiếu được tính từ các quy tắc này), rồi đếm theo phường và lĩnh vực cùng tỷ lệ đúng hạn và số giờ xử lý trung vị. Khi có lớp ranh giới phường, thuật toán còn tạo lớp bản đồ tỷ lệ đúng hạn theo phường.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="183" />
        <source>Resolved/closed without a resolution time (no deadline): {}.</source>
        <translation>Đã xử lý/đã đóng nhưng không có thời điểm xử lý (không có thời hạn): {}.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/deadline_performance.py" line="185" />
        <source>Reports without a location (counted, not mapped): {}.</source>
        <translation>Phản ánh không có vị trí (có tính, không hiển thị trên bản đồ): {}.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="75" />
        <source>Builds a space-time cube (square cells × weeks, months or days) from incident times; cells without any incident in any step are left out, as in ArcGIS. Gi* is computed for every bin with a space-time neighbourhood, as ArcGIS Emerging Hot Spot Analysis does: the cells within the distance band (binary weights) in the same step and the chosen number of previous steps, compared with the mean and standard deviation of the whole cube — so a place whose counts stay the same keeps its z-score while another area grows. Each cell's z-score series is tested for a trend with Mann–Kendall and labelled: new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating or historical hot (or cold) spot, at 90 % confidence.
Field reports: use requested_at as the time field.</source>
        <translation>Dựng khối không gian – thời gian (ô vuông × tuần, tháng hoặc ngày) từ thời điểm sự vụ; các ô không có sự vụ nào ở mọi bước thời gian bị loại, như ArcGIS. Gi* được tính cho mọi ô của khối với vùng lân cận không gian – thời gian như công cụ Emerging Hot Spot Analysis của ArcGIS: các ô trong khoảng cách (trọng số nhị phân) ở cùng bước và số bước trước đó đã chọn, so với trung bình và độ lệch chuẩn của cả khối — nên một nơi có số sự vụ không đổi giữ nguyên điểm z khi nơi khác tăng lên. Chuỗi điểm z của mỗi ô được kiểm định xu hướng bằng Mann–Kendall và gán nhãn: điểm nóng (hoặc lạnh) mới xuất hiện, liên tiếp, đang tăng, kéo dài, đang giảm, rải rác, dao động hoặc trong quá khứ, ở độ tin cậy 90 %.
Phản ánh hiện trường: dùng requested_at làm trường thời gian.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="105" />
        <source>Neighbourhood time steps (previous steps in each bin's neighbourhood)</source>
        <translation>Số bước thời gian lân cận (các bước trước đó trong vùng lân cận của mỗi ô)</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/emerging_hotspots.py" line="176" />
        <source>Emerging hot spots: {cells} cells × {steps} {step}s, cell {cell:g} m, band {band:g} m, neighbourhood time steps {window}; {counts}.</source>
        <translation>Xu hướng điểm nóng: {cells} ô × {steps} bước ({step}), ô {cell:g} m, khoảng cách {band:g} m, số bước thời gian lân cận {window}; {counts}.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="197" />
        <source>Only {} incidents: Gi* needs about {} or more to say anything reliable.</source>
        <translation>Chỉ có {} sự vụ: Gi* cần khoảng {} sự vụ trở lên mới cho kết quả đáng tin cậy.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/hotspots_gistar.py" line="224" />
        <source>{} features have no neighbour within the band: they get no z-score and no hot/cold class.</source>
        <translation>{} đối tượng không có láng giềng trong khoảng cách: không có điểm z và không được xếp nóng/lạnh.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="60" />
        <source>Kernel density raster of incidents (quartic, triangular, uniform, triweight or Epanechnikov kernel, optional weight field).
Exact mode gives the same pixels as QGIS's own Heatmap (kernel density estimation) 'Raw' output (same raster extent, same pixel sampling, including its sub-pixel vertical displacement of each kernel). Fast mode bins the points linearly onto the pixel lattice and convolves with the kernel by FFT: for large inputs, within about 1 % RMS of the exact raster for the smooth kernels (quartic, triweight, Epanechnikov, triangular without decay) when the radius spans about 10 pixels or more; fewer pixels per radius or a hard-edged kernel (uniform, triangular with decay) differ more, and a warning says by how much. Pixels no kernel reaches are nodata (transparent), as in QGIS. Auto uses fast mode above 50,000 points when its error bound is within 1 %, exact mode otherwise.
Output values: raw kernel sums (as QGIS) or a density in incidents per km² (kernel normalised to 1).</source>
        <translation>Raster mật độ nhân của sự vụ (nhân quartic, tam giác, đều, triweight hoặc Epanechnikov, có thể dùng trường trọng số).
Chế độ chính xác cho cùng các điểm ảnh như công cụ Heatmap (kernel density estimation) của QGIS, đầu ra 'Raw' (cùng phạm vi raster, cùng cách lấy mẫu điểm ảnh, kể cả độ lệch dọc dưới một điểm ảnh của mỗi nhân). Chế độ nhanh gán tuyến tính các điểm vào lưới điểm ảnh rồi tích chập với nhân bằng FFT: với dữ liệu lớn, sai khác khoảng 1 % RMS so với raster chính xác cho các nhân trơn (quartic, triweight, Epanechnikov, tam giác không suy giảm) khi bán kính dài khoảng 10 điểm ảnh trở lên; ít điểm ảnh hơn trên một bán kính hoặc nhân có biên cứng (đều, tam giác có suy giảm) sai khác nhiều hơn, và có cảnh báo cho biết mức sai khác. Điểm ảnh không nhân nào chạm tới là nodata (trong suốt), như QGIS. Tự động dùng chế độ nhanh khi có trên 50.000 điểm và giới hạn sai số trong 1 %, ngược lại dùng chế độ chính xác.
Giá trị đầu ra: tổng nhân thô (như QGIS) hoặc mật độ sự vụ trên km² (nhân chuẩn hóa về 1).</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="163" />
        <source>Exact mode: at {:.3g} pixels per radius fast mode could differ by up to {:.1%}.</source>
        <translation>Chế độ chính xác: với {:.3g} điểm ảnh trên một bán kính, chế độ nhanh có thể sai khác tới {:.1%}.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/kernel_density.py" line="166" />
        <source>Fast mode at {:.3g} pixels per radius ({} kernel) may differ from QGIS's raster by up to {:.1%} RMS (about 1 % needs a radius of 10 or more pixels and a smooth kernel): use exact mode or a smaller pixel.</source>
        <translation>Chế độ nhanh với {:.3g} điểm ảnh trên một bán kính (nhân {}) có thể sai khác với raster của QGIS tới {:.1%} RMS (để khoảng 1 % cần bán kính từ 10 điểm ảnh trở lên và nhân trơn): hãy dùng chế độ chính xác hoặc điểm ảnh nhỏ hơn.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="53" />
        <source>Hot spot analysis that chooses its own scale: incidents far outside the main area (beyond three standard distances) are set aside, the cell size is the larger of twice the mean nearest-neighbour distance and 1/100 of the extent, the distance band is the first peak of global Moran's I z-scores over 15 bands from the smallest band giving every cell a neighbour to a quarter of the area (incremental spatial autocorrelation). Without a peak, as in ArcGIS, the band is the mean distance to the K nearest cells (K = 5 % of the cells, 3 to 30), and a warning says so. Gi* is classified with FDR correction. The summary reports every choice.</source>
        <translation>Phân tích điểm nóng tự chọn tỷ lệ: sự vụ nằm xa khu vực chính (quá ba khoảng cách chuẩn) được để riêng, kích thước ô là giá trị lớn hơn giữa hai lần khoảng cách láng giềng gần nhất trung bình và 1/100 phạm vi, khoảng cách là đỉnh đầu tiên của điểm z Moran's I toàn cục trên 15 khoảng cách từ khoảng cách nhỏ nhất cho mọi ô có láng giềng đến một phần tư khu vực (tự tương quan không gian tăng dần). Khi không có đỉnh, như ArcGIS, khoảng cách là khoảng cách trung bình tới K ô gần nhất (K = 5 % số ô, từ 3 đến 30), kèm cảnh báo. Gi* được phân lớp với hiệu chỉnh FDR. Phần tóm tắt nêu mọi lựa chọn.</translation>
    </message>
    <message>
        <location filename="../../processing_scripts/optimized_hotspots.py" line="112" />
        <source>No peak of spatial autocorrelation between {:.4g} and {:.4g} m: the band is the mean distance to the {} nearest neighbours.</source>
        <translation>Không có đỉnh tự tương quan không gian trong khoảng {:.4g} đến {:.4g} m: khoảng cách là khoảng cách trung bình tới {} láng giềng gần nhất.</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="648" />
        <source>{} features: written without a spatial index (create one later if needed).</source>
        <translation>{} đối tượng: ghi không kèm chỉ mục không gian (có thể tạo sau nếu cần).</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="627" />
        <source>Could not open the output {}</source>
        <translation>Không mở được lớp kết quả {}</translation>
    </message>
    <message>
        <location filename="../gui/briefing_runner.py" line="65" />
        <source>IOC: ward briefing figures</source>
        <translation>IOC: số liệu giao ban phường</translation>
    </message>
    <message>
        <location filename="../gui/briefing_runner.py" line="93" />
        <source>IOC: ward briefing PDF</source>
        <translation>IOC: tài liệu giao ban phường (PDF)</translation>
    </message>
    <message>
        <location filename="../gui/camera_controller.py" line="45" />
        <source>Connect timeout (s)</source>
        <translation>Thời gian chờ kết nối (giây)</translation>
    </message>
    <message>
        <location filename="../gui/camera_controller.py" line="46" />
        <source>Read timeout (s)</source>
        <translation>Thời gian chờ dữ liệu (giây)</translation>
    </message>
    <message>
        <location filename="../gui/camera_controller.py" line="47" />
        <source>No picture after (s)</source>
        <translation>Báo mất hình sau (giây)</translation>
    </message>
    <message>
        <location filename="../gui/camera_controller.py" line="57" />
        <source>Between 0.5 and 120 seconds, or empty for the default</source>
        <translation>Từ 0,5 đến 120 giây, hoặc để trống để dùng mặc định</translation>
    </message>
    <message>
        <location filename="../gui/camera_controller.py" line="156" />
        <source>View camera</source>
        <translation>Xem camera</translation>
    </message>
    <message>
        <location filename="../gui/camera_controller.py" line="156" />
        <source>Click a camera on the map to watch it live</source>
        <translation>Nhấp vào camera trên bản đồ để xem trực tiếp</translation>
    </message>
    <message>
        <location filename="../gui/camera_grid.py" line="42" />
        <source>Camera grid</source>
        <translation>Lưới camera</translation>
    </message>
    <message>
        <location filename="../gui/camera_controller.py" line="156" />
        <source>Open the selected cameras in a grid</source>
        <translation>Mở các camera đang chọn trong lưới</translation>
    </message>
    <message>
        <location filename="../gui/camera_controller.py" line="279" />
        <source>The camera has no stream address</source>
        <translation>Camera chưa có địa chỉ luồng video</translation>
    </message>
    <message>
        <location filename="../gui/camera_controller.py" line="324" />
        <source>Select cameras on the map first</source>
        <translation>Hãy chọn camera trên bản đồ trước</translation>
    </message>
    <message>
        <location filename="../gui/camera_controller.py" line="378" />
        <source>User name and password typed in the address of {cameras} were moved to the QGIS authentication database; the stored address has no password.</source>
        <translation>Tên đăng nhập và mật khẩu nhập trong địa chỉ của {cameras} đã được chuyển vào kho xác thực của QGIS; địa chỉ được lưu không còn mật khẩu.</translation>
    </message>
    <message>
        <location filename="../gui/camera_grid.py" line="55" />
        <source>Layout</source>
        <translation>Bố cục</translation>
    </message>
    <message>
        <location filename="../gui/camera_grid.py" line="76" />
        <source>+{n} cameras not shown</source>
        <translation>+{n} camera không hiển thị</translation>
    </message>
    <message>
        <location filename="../gui/camera_viewer.py" line="48" />
        <source>Idle</source>
        <translation>Chờ</translation>
    </message>
    <message>
        <location filename="../gui/camera_viewer.py" line="49" />
        <source>Connecting</source>
        <translation>Đang kết nối</translation>
    </message>
    <message>
        <location filename="../gui/camera_viewer.py" line="50" />
        <source>Live</source>
        <translation>Trực tiếp</translation>
    </message>
    <message>
        <location filename="../gui/camera_viewer.py" line="51" />
        <source>Stalled</source>
        <translation>Mất hình</translation>
    </message>
    <message>
        <location filename="../gui/camera_viewer.py" line="52" />
        <source>Reconnecting</source>
        <translation>Đang kết nối lại</translation>
    </message>
    <message>
        <location filename="../gui/camera_viewer.py" line="53" />
        <source>Error</source>
        <translation>Lỗi</translation>
    </message>
    <message>
        <location filename="../gui/camera_viewer.py" line="54" />
        <source>Paused</source>
        <translation>Tạm dừng</translation>
    </message>
    <message>
        <location filename="../gui/camera_viewer.py" line="55" />
        <source>Stopped</source>
        <translation>Đã dừng</translation>
    </message>
    <message>
        <location filename="../gui/camera_viewer.py" line="280" />
        <source>Live view</source>
        <translation>Xem trực tiếp</translation>
    </message>
    <message>
        <location filename="../gui/camera_viewer.py" line="299" />
        <source>Save the current frame as PNG</source>
        <translation>Lưu khung hình hiện tại thành ảnh PNG</translation>
    </message>
    <message>
        <location filename="../gui/camera_viewer.py" line="307" />
        <source>Snapshot</source>
        <translation>Ảnh chụp</translation>
    </message>
    <message>
        <location filename="../gui/camera_viewer.py" line="442" />
        <source>Bearing {bearing}   Last frame {last}   {fps} fps</source>
        <translation>Hướng {bearing}   Khung cuối {last}   {fps} khung/s</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="34" />
        <source>camera live view, camera grid, snapshots, replay video export</source>
        <translation>xem camera trực tiếp, lưới camera, chụp ảnh, xuất video phát lại</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="35" />
        <source>Processing analytics: hot spots (Gi*), optimized and emerging hot spots, kernel density, clusters, camera coverage gaps; light outage groups</source>
        <translation>phân tích Processing: điểm nóng (Gi*), điểm nóng tối ưu và điểm nóng mới nổi, mật độ nhân, cụm, vùng camera chưa phủ; nhóm đèn hỏng</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="39" />
        <source>density clusters (DBSCAN; HDBSCAN with scikit-learn ≥ 1.3)</source>
        <translation>cụm theo mật độ (DBSCAN; HDBSCAN với scikit-learn ≥ 1.3)</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="40" />
        <source>city database (PostGIS) store and its administration</source>
        <translation>kho dữ liệu thành phố (PostGIS) và quản trị kho</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="41" />
        <source>hardened parsing of Open311 XML answers</source>
        <translation>đọc an toàn các trả lời XML của Open311</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="42" />
        <source>Open311 report sync, street-light (SensorThings) refresh, CKAN / OGC API publishing, ONVIF cameras</source>
        <translation>đồng bộ phản ánh Open311, cập nhật đèn đường (SensorThings), công bố lên CKAN / OGC API, camera ONVIF</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="45" />
        <source>publishing to an OGC API – Features (pygeoapi) portal</source>
        <translation>công bố lên cổng OGC API – Features (pygeoapi)</translation>
    </message>
    <message>
        <location filename="../processing/unavailable.py" line="30" />
        <source>{0} (needs {1})</source>
        <translation>{0} (cần {1})</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="124" />
        <source>IOC — Python modules</source>
        <translation>IOC — Mô-đun Python</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="129" />
        <source>All optional modules are installed.</source>
        <translation>Đã cài đủ các mô-đun tùy chọn.</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="129" />
        <source>{0} optional module(s) missing: the features listed next to them are disabled.</source>
        <translation>Thiếu {0} mô-đun tùy chọn: các chức năng ghi bên cạnh đã bị tắt.</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="139" />
        <source>Module</source>
        <translation>Mô-đun</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="139" />
        <source>Needed for</source>
        <translation>Cần cho</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="144" />
        <source>installed {0}</source>
        <translation>đã cài {0}</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="144" />
        <source>missing</source>
        <translation>thiếu</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="166" />
        <source>Nothing to install.</source>
        <translation>Không cần cài thêm gì.</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="167" />
        <source>Windows (OSGeo4W Shell, started as administrator; or the OSGeo4W Setup, Advanced install):</source>
        <translation>Windows (OSGeo4W Shell, chạy với quyền quản trị; hoặc OSGeo4W Setup, cài đặt nâng cao):</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="170" />
        <source>Debian / Ubuntu:</source>
        <translation>Debian / Ubuntu:</translation>
    </message>
    <message>
        <location filename="../gui/dependencies.py" line="173" />
        <source>Then restart QGIS.</source>
        <translation>Sau đó khởi động lại QGIS.</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="63" />
        <source>Wards and communes</source>
        <translation>Phường, xã</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="66" />
        <source>Field report history</source>
        <translation>Lịch sử xử lý phản ánh</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="67" />
        <source>Field report attachments</source>
        <translation>Tệp đính kèm phản ánh</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="68" />
        <source>Land parcels</source>
        <translation>Thửa đất</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="71" />
        <source>Street light readings</source>
        <translation>Số liệu đèn chiếu sáng</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="74" />
        <source>keep</source>
        <translation>giữ nguyên</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="75" />
        <source>remove</source>
        <translation>bỏ</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="76" />
        <source>remove personal details from the text</source>
        <translation>xóa thông tin cá nhân trong nội dung</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="77" />
        <source>street only (no house number)</source>
        <translation>chỉ tên đường (bỏ số nhà)</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="78" />
        <source>date only</source>
        <translation>chỉ ngày</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="79" />
        <source>date and hour</source>
        <translation>ngày và giờ</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="82" />
        <source>centre of a grid cell</source>
        <translation>tâm ô lưới</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="83" />
        <source>grid cell with at least k reports</source>
        <translation>ô lưới có ít nhất k phản ánh</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="84" />
        <source>exact (not anonymised)</source>
        <translation>vị trí chính xác (không ẩn danh)</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="85" />
        <source>no location</source>
        <translation>không có vị trí</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="88" />
        <source>Files (GeoPackage, GeoJSON, CSV and metadata)</source>
        <translation>Tệp (GeoPackage, GeoJSON, CSV và siêu dữ liệu)</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="89" />
        <source>CKAN open data portal</source>
        <translation>Cổng dữ liệu mở CKAN</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="90" />
        <source>OGC API – Features (pygeoapi)</source>
        <translation>OGC API – Features (pygeoapi)</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="111" />
        <source>all</source>
        <translation>tất cả</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="215" />
        <source>Close</source>
        <translation>Đóng</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="310" />
        <source>Publish the real report ids (risky)</source>
        <translation>Công bố mã phản ánh thật (rủi ro)</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="312" />
        <source>Report id secret (QGIS authentication id)</source>
        <translation>Khóa bí mật cho mã phản ánh (mã xác thực QGIS)</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="317" />
        <source>Publish real report ids?</source>
        <translation>Công bố mã phản ánh thật?</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="317" />
        <source>Publishing the real report ids lets anyone look each report up on the city's Open311 server, which returns the exact location, the address and the photos: the grid or k-anonymity generalisation is undone and the reporter's home can be found. Publish real ids only if the Open311 server is not public.</source>
        <translation>Công bố mã phản ánh thật cho phép bất kỳ ai tra cứu từng phản ánh trên máy chủ Open311 của thành phố, nơi trả về vị trí chính xác, địa chỉ và ảnh: việc làm thô vị trí theo lưới hoặc k-ẩn danh bị vô hiệu và có thể tìm ra nhà của người phản ánh. Chỉ công bố mã thật nếu máy chủ Open311 không công khai.</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="408" />
        <source>Export preview</source>
        <translation>Xem trước dữ liệu xuất</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="412" />
        <source>Reading and anonymising the preview…</source>
        <translation>Đang đọc và ẩn danh hóa dữ liệu xem trước…</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="440" />
        <source>Removed: {}</source>
        <translation>Đã loại bỏ: {}</translation>
    </message>
    <message>
        <location filename="../gui/export_dialog.py" line="444" />
        <source>{} cells with removed personal data are highlighted.</source>
        <translation>{} ô có dữ liệu cá nhân đã bị loại bỏ được tô sáng.</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="106" />
        <source>camera id already in the store: {0}</source>
        <translation>mã camera đã có trong kho dữ liệu: {0}</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="135" />
        <source>Add cameras from ONVIF</source>
        <translation>Thêm camera từ ONVIF</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="139" />
        <source>Find cameras</source>
        <translation>Tìm camera</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="146" />
        <source>Search the local network</source>
        <translation>Tìm trong mạng nội bộ</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="151" />
        <source>Network interface</source>
        <translation>Giao diện mạng</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="153" />
        <source>IP address, host:port or http://…/onvif/device_service</source>
        <translation>Địa chỉ IP, máy:cổng hoặc http://…/onvif/device_service</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="155" />
        <source>Add address</source>
        <translation>Thêm địa chỉ</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="160" />
        <source>Camera address</source>
        <translation>Địa chỉ camera</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="168" />
        <source>Camera login</source>
        <translation>Tài khoản đăng nhập camera</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="172" />
        <source>Add</source>
        <translation>Thêm</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="172" />
        <source>Device</source>
        <translation>Thiết bị</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="172" />
        <source>Main stream</source>
        <translation>Luồng chính</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="172" />
        <source>Sub-stream</source>
        <translation>Luồng phụ</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="172" />
        <source>Camera id</source>
        <translation>Mã camera</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="172" />
        <source>Longitude</source>
        <translation>Kinh độ</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="172" />
        <source>Latitude</source>
        <translation>Vĩ độ</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="195" />
        <source>View angle</source>
        <translation>Góc nhìn</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="195" />
        <source>Range</source>
        <translation>Tầm nhìn</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="198" />
        <source>Place selected camera on the map</source>
        <translation>Đặt camera đang chọn trên bản đồ</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="208" />
        <source>Read profiles</source>
        <translation>Đọc cấu hình luồng</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="210" />
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="213" />
        <source>Save cameras</source>
        <translation>Lưu camera</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="251" />
        <source>Cancelled</source>
        <translation>Đã hủy</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="274" />
        <source>Cannot search on this network interface: {0}</source>
        <translation>Không thể tìm trên giao diện mạng này: {0}</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="278" />
        <source>Searching the local network…</source>
        <translation>Đang tìm trong mạng nội bộ…</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="278" />
        <source>ONVIF discovery</source>
        <translation>Dò tìm camera ONVIF</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="282" />
        <source>{0} camera(s) answered, {1} new</source>
        <translation>{0} camera đã trả lời, {1} camera mới</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="289" />
        <source>Not a camera address: {0}</source>
        <translation>Không phải địa chỉ camera: {0}</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="292" />
        <source>The user name and password typed in the address were removed: use a camera login.</source>
        <translation>Tên đăng nhập và mật khẩu gõ trong địa chỉ đã được xóa: hãy dùng tài khoản đăng nhập camera.</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="308" />
        <source>not read yet</source>
        <translation>chưa đọc</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="325" />
        <source>Search the network or type a camera address first.</source>
        <translation>Hãy tìm trong mạng hoặc nhập địa chỉ camera trước.</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="343" />
        <source>Reading camera profiles…</source>
        <translation>Đang đọc cấu hình luồng của camera…</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="343" />
        <source>ONVIF profiles</source>
        <translation>Cấu hình luồng ONVIF</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="356" />
        <source>(none)</source>
        <translation>(không có)</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="369" />
        <source>{0} profile(s)</source>
        <translation>{0} cấu hình luồng</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="371" />
        <source>no media profiles</source>
        <translation>không có cấu hình luồng nào</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="374" />
        <source>Profiles read from {0} of {1} camera(s)</source>
        <translation>Đã đọc cấu hình luồng của {0}/{1} camera</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="389" />
        <source>Click the camera's position on the map</source>
        <translation>Nhấp vào vị trí camera trên bản đồ</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="426" />
        <source>{0}: no main stream (read the profiles first)</source>
        <translation>{0}: chưa có luồng chính (hãy đọc cấu hình luồng trước)</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="429" />
        <source>{0}: camera id missing or repeated</source>
        <translation>{0}: thiếu mã camera hoặc mã bị trùng</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="434" />
        <source>{0}: position missing (type it or pick it on the map)</source>
        <translation>{0}: chưa có vị trí (nhập tọa độ hoặc chọn trên bản đồ)</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="437" />
        <source>{0}: position out of range</source>
        <translation>{0}: vị trí nằm ngoài phạm vi hợp lệ</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="464" />
        <source>No camera chosen</source>
        <translation>Chưa chọn camera nào</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="476" />
        <source>Saving cameras…</source>
        <translation>Đang lưu camera…</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="476" />
        <source>Save ONVIF cameras</source>
        <translation>Lưu camera ONVIF</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="479" />
        <source>{0} camera(s) added: {1}</source>
        <translation>Đã thêm {0} camera: {1}</translation>
    </message>
    <message>
        <location filename="../gui/onvif_dialog.py" line="505" />
        <source>Add cameras from ONVIF…</source>
        <translation>Thêm camera từ ONVIF…</translation>
    </message>
    <message>
        <location filename="../gui/report_sync_task.py" line="85" />
        <source>the reporting system cannot take updates: {0} changes stay queued</source>
        <translation>hệ thống phản ánh không nhận cập nhật: {0} thay đổi vẫn chờ gửi</translation>
    </message>
    <message>
        <location filename="../gui/report_sync_task.py" line="90" />
        <source>changes sent: {0}, refused: {1}, waiting: {2}</source>
        <translation>đã gửi {0} thay đổi, bị từ chối {1}, đang chờ {2}</translation>
    </message>
    <message>
        <location filename="../gui/report_sync_task.py" line="100" />
        <source>reporting system said: {0}</source>
        <translation>hệ thống phản ánh trả lời: {0}</translation>
    </message>
    <message>
        <location filename="../gui/report_sync_task.py" line="102" />
        <source>reports fetched: {0} ({1} new, {2} changed)</source>
        <translation>đã tải {0} phản ánh ({1} mới, {2} thay đổi)</translation>
    </message>
    <message>
        <location filename="../gui/report_sync_task.py" line="108" />
        <source>{0} reports could not be read</source>
        <translation>{0} phản ánh không đọc được</translation>
    </message>
    <message>
        <location filename="../gui/report_sync_task.py" line="129" />
        <source>IOC: reports sync</source>
        <translation>IOC: đồng bộ phản ánh</translation>
    </message>
    <message>
        <location filename="../gui/store_recovery.py" line="49" />
        <source>IOC: daily backup of the data store</source>
        <translation>IOC: sao lưu hằng ngày kho dữ liệu</translation>
    </message>
    <message>
        <location filename="../gui/store_recovery.py" line="68" />
        <source>IOC data store</source>
        <translation>Kho dữ liệu IOC</translation>
    </message>
    <message>
        <location filename="../gui/store_recovery.py" line="59" />
        <source>Open last good backup ({0})</source>
        <translation>Mở bản sao lưu tốt gần nhất ({0})</translation>
    </message>
    <message>
        <location filename="../gui/store_recovery.py" line="68" />
        <source>Working on {0}, made from the backup {1}. The damaged file {2} was left as it is.</source>
        <translation>Đang làm việc trên {0}, tạo từ bản sao lưu {1}. Tệp bị hỏng {2} được giữ nguyên.</translation>
    </message>
    <message>
        <location filename="../processing/unavailable.py" line="33" />
        <source>Unavailable: missing Python modules</source>
        <translation>Không dùng được: thiếu mô-đun Python</translation>
    </message>
    <message>
        <location filename="../processing/unavailable.py" line="42" />
        <source>The algorithm ioc:{0}</source>
        <translation>Thuật toán ioc:{0}</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="660" />
        <source>Could not write to the output {}: {}</source>
        <translation>Không ghi được vào lớp kết quả {}: {}</translation>
    </message>
    <message>
        <location filename="../processing/land_base.py" line="105" />
        <source>Feature ({}) from “{}” has invalid geometry. Please fix the geometry or change the Processing setting to the “Ignore invalid input features” option.</source>
        <translation>Đối tượng ({}) của “{}” có hình học không hợp lệ. Hãy sửa hình học hoặc đổi thiết lập Processing sang “Bỏ qua đối tượng đầu vào không hợp lệ”.</translation>
    </message>
    <message>
        <location filename="../processing/land_base.py" line="113" />
        <source>Feature ({}) from “{}” has invalid geometry and has been skipped.</source>
        <translation>Đối tượng ({}) của “{}” có hình học không hợp lệ và đã bị bỏ qua.</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="130" />
        <source>Could not read the PostgreSQL input {}: {}</source>
        <translation>Không đọc được lớp đầu vào PostgreSQL {}: {}</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="155" />
        <source>{} features read column-wise from PostGIS.</source>
        <translation>Đã đọc {} đối tượng theo cột từ PostGIS.</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="157" />
        <source>{} features read column-wise from the file.</source>
        <translation>Đã đọc {} đối tượng theo cột từ tệp.</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="161" />
        <source>Input read feature by feature: {}.</source>
        <translation>Lớp đầu vào được đọc từng đối tượng: {}.</translation>
    </message>
    <message>
        <location filename="../processing/common.py" line="447" />
        <source>The table changed while it was read; run the algorithm again.</source>
        <translation>Bảng đã thay đổi trong khi đang đọc; hãy chạy lại thuật toán.</translation>
    </message>
</context>
<context>
    <name>CamerasTab</name>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="64" />
        <source>All wards</source>
        <translation>Tất cả phường/xã</translation>
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="69" />
        <source>Online</source>
        <translation>Trực tuyến</translation>
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="69" />
        <source>Offline</source>
        <translation>Mất kết nối</translation>
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="69" />
        <source>Unknown</source>
        <translation>Không rõ</translation>
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="41" />
        <source>Any state</source>
        <translation>Mọi trạng thái</translation>
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="46" />
        <source>Live view</source>
        <translation>Xem trực tiếp</translation>
    </message>
    <message>
        <location filename="../gui/tabs/cameras_tab.py" line="47" />
        <source>Grid of selected</source>
        <translation>Xem lưới camera đã chọn</translation>
    </message>
</context>
<context>
    <name>IocAlgorithms</name>
    <message>
        <location filename="../processing/provider.py" line="82" />
        <source>IOC incident analytics</source>
        <translation>Phân tích sự vụ IOC</translation>
    </message>
</context>
<context>
    <name>IocDock</name>
    <message>
        <location filename="../gui/panel.py" line="57" />
        <source>IOC – Operations centre</source>
        <translation>IOC – Trung tâm điều hành</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="63" />
        <source>No data store open</source>
        <translation>Chưa mở kho dữ liệu</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="65" />
        <source>Open…</source>
        <translation>Mở…</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="66" />
        <source>Reload</source>
        <translation>Tải lại</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="81" />
        <source>Street lights: open a data store</source>
        <translation>Chiếu sáng công cộng: hãy mở kho dữ liệu</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="83" />
        <source>Overview</source>
        <translation>Tổng quan</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="84" />
        <source>Reports</source>
        <translation>Phản ánh</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="85" />
        <source>Cameras</source>
        <translation>Camera</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="190" />
        <source>Lights</source>
        <translation>Chiếu sáng</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="87" />
        <source>Parcels</source>
        <translation>Thửa đất</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="111" />
        <source>Loading…</source>
        <translation>Đang tải…</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="130" />
        <source>Could not load: {0}</source>
        <translation>Không tải được: {0}</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="133" />
        <source>IOC: loading the panel</source>
        <translation>IOC: đang tải bảng điều khiển</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="146" />
        <source>{n} wards · data loaded {t}</source>
        <translation>{n} phường/xã · dữ liệu tải lúc {t}</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="67" />
        <source>Sync reports</source>
        <translation>Đồng bộ phản ánh</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="68" />
        <source>Send pending changes to the reporting system (Open311), then fetch updates</source>
        <translation>Gửi các thay đổi đang chờ lên hệ thống tiếp nhận phản ánh (Open311), sau đó lấy các cập nhật mới</translation>
    </message>
    <message>
        <location filename="../gui/panel.py" line="159" />
        <source>Data as of {0} (not current: the last load failed). Press Reload once the file is fixed.</source>
        <translation>Số liệu lúc {0} (không phải hiện tại: lần tải gần nhất bị lỗi). Bấm Tải lại khi tệp đã được sửa.</translation>
    </message>
</context>
<context>
    <name>IocPlugin</name>
    <message>
        <location filename="../plugin.py" line="101" />
        <source>IOC</source>
        <translation>IOC</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="104" />
        <source>IOC panel</source>
        <translation>Bảng điều khiển IOC</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="105" />
        <source>Open IOC data store…</source>
        <translation>Mở kho dữ liệu IOC…</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="315" />
        <source>Open IOC GeoPackage</source>
        <translation>Mở GeoPackage IOC</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="315" />
        <source>GeoPackage (*.gpkg)</source>
        <translation>GeoPackage (*.gpkg)</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="397" />
        <source>IOC data store</source>
        <translation>Kho dữ liệu IOC</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="397" />
        <source>opened {0}</source>
        <translation>đã mở {0}</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="522" />
        <source>Snapshot</source>
        <translation>Ảnh chụp</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="522" />
        <source>attached to report {0}</source>
        <translation>đã đính kèm vào phản ánh {0}</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="492" />
        <source>saved to {0}; open a report in the panel to attach the next one</source>
        <translation>đã lưu vào {0}; hãy mở một phản ánh trong bảng điều khiển để đính kèm ảnh tiếp theo</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="571" />
        <source>Sync reports</source>
        <translation>Đồng bộ phản ánh</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="537" />
        <source>no reporting system (Open311) address is set in the IOC settings</source>
        <translation>chưa đặt địa chỉ hệ thống tiếp nhận phản ánh (Open311) trong phần thiết lập IOC</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="106" />
        <source>Connect to the city database (PostGIS)…</source>
        <translation>Kết nối cơ sở dữ liệu đô thị (PostGIS)…</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="289" />
        <source>Dependencies…</source>
        <translation>Mô-đun phụ thuộc…</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="506" />
        <source>saved to {0}; not attached: camera {1} does not see report {2}</source>
        <translation>đã lưu vào {0}; không đính kèm: camera {1} không nhìn thấy phản ánh {2}</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="515" />
        <source>Attach snapshot</source>
        <translation>Đính kèm ảnh chụp</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="515" />
        <source>Attach the snapshot from camera {0} to report {1}?</source>
        <translation>Đính kèm ảnh chụp từ camera {0} vào phản ánh {1}?</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="519" />
        <source>saved to {0}; not attached</source>
        <translation>đã lưu vào {0}; không đính kèm</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="568" />
        <source>cancelled; what was fetched so far is kept and the next sync resumes</source>
        <translation>đã hủy; phần đã tải được giữ lại, lần đồng bộ sau sẽ tiếp tục</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="570" />
        <source>failed: {0}</source>
        <translation>thất bại: {0}</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="622" />
        <source>Street lights</source>
        <translation>Chiếu sáng công cộng</translation>
    </message>
    <message>
        <location filename="../plugin.py" line="624" />
        <source>IOC: reading the street lights</source>
        <translation>IOC: đang đọc dữ liệu đèn chiếu sáng</translation>
    </message>
</context>
<context>
    <name>OverviewTab</name>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="50" />
        <source>open reports</source>
        <translation>phản ánh chưa xử lý</translation>
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="51" />
        <source>overdue</source>
        <translation>quá hạn</translation>
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="52" />
        <source>due soon</source>
        <translation>sắp đến hạn</translation>
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="53" />
        <source>resolved late (all time)</source>
        <translation>xử lý trễ hạn (toàn thời gian)</translation>
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="54" />
        <source>cameras offline</source>
        <translation>camera mất kết nối</translation>
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="55" />
        <source>street lights in fault</source>
        <translation>đèn chiếu sáng bị lỗi</translation>
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="56" />
        <source>lights with no data</source>
        <translation>đèn không có dữ liệu</translation>
    </message>
    <message>
        <location filename="../gui/tabs/overview_tab.py" line="57" />
        <source>cadastral parcels</source>
        <translation>thửa đất địa chính</translation>
    </message>
</context>
<context>
    <name>ParcelsTab</name>
    <message>
        <location filename="../gui/tabs/parcels_tab.py" line="37" />
        <source>Sheet</source>
        <translation>Tờ</translation>
    </message>
    <message>
        <location filename="../gui/tabs/parcels_tab.py" line="40" />
        <source>Parcel</source>
        <translation>Thửa</translation>
    </message>
    <message>
        <location filename="../gui/tabs/parcels_tab.py" line="42" />
        <source>All land uses</source>
        <translation>Mọi mục đích sử dụng đất</translation>
    </message>
    <message>
        <location filename="../gui/tabs/parcels_tab.py" line="46" />
        <source>Address…</source>
        <translation>Địa chỉ…</translation>
    </message>
</context>
<context>
    <name>ReportsTab</name>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="66" />
        <source>Dates</source>
        <translation>Ngày</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="68" />
        <source>Search ID, address, text…</source>
        <translation>Tìm mã, địa chỉ, nội dung…</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="69" />
        <source>Filter map</source>
        <translation>Lọc bản đồ</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="70" />
        <source>Show on the map only the reports listed here</source>
        <translation>Chỉ hiển thị trên bản đồ các phản ánh trong danh sách này</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="71" />
        <source>All categories</source>
        <translation>Tất cả lĩnh vực</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="72" />
        <source>All statuses</source>
        <translation>Tất cả trạng thái</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="73" />
        <source>Open</source>
        <translation>Chưa xử lý</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="73" />
        <source>Any deadline</source>
        <translation>Mọi tiến độ</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="116" />
        <source>All wards</source>
        <translation>Tất cả phường/xã</translation>
    </message>
    <message>
        <location filename="../gui/tabs/reports_tab.py" line="209" />
        <source>{shown} of {total} reports · {open} open · {overdue} overdue · {soon} due soon</source>
        <translation>{shown}/{total} phản ánh · {open} chưa xử lý · {overdue} quá hạn · {soon} sắp đến hạn</translation>
    </message>
</context>
<context>
    <name>TableTab</name>
    <message>
        <location filename="../gui/tabs/base.py" line="101" />
        <source>{shown} of {total}</source>
        <translation>{shown}/{total}</translation>
    </message>
</context>
</TS>