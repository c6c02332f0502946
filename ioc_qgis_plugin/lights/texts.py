"""Vietnamese texts for the street-light Processing algorithms and panel (used when no .qm translation is loaded)."""

from __future__ import annotations

VI = {
    "Street lights": "Chiếu sáng công cộng",
    "Street light outages by cabinet/circuit": "Sự cố đèn theo tủ điện/lộ",
    "Street lights on in daytime / off at night": "Đèn sáng ban ngày / tắt ban đêm",
    "Dark street lights near open security/traffic reports": "Đèn tắt gần phản ánh an ninh/giao thông chưa xử lý",
    "Street lights layer": "Lớp đèn chiếu sáng",
    "Count 'off' lamps as dark (night)": "Tính đèn 'tắt' là mất sáng (ban đêm)",
    "Share of dark lamps that means a supply fault": "Tỷ lệ đèn tắt được coi là mất nguồn",
    "Minimum dark lamps for a supply fault": "Số đèn tắt tối thiểu để coi là mất nguồn",
    "Dark lights": "Đèn mất sáng",
    "Circuits with outages": "Lộ có sự cố",
    "Margin around sunrise/sunset (minutes)": "Khoảng đệm quanh bình minh/hoàng hôn (phút)",
    "Evaluate at (empty = each light's last report)": "Thời điểm đánh giá (trống = lần báo cáo cuối của từng đèn)",
    "Latitude of the city (0 = layer centre)": "Vĩ độ thành phố (0 = tâm lớp)",
    "Longitude of the city (0 = layer centre)": "Kinh độ thành phố (0 = tâm lớp)",
    "Lights on in daytime / off at night": "Đèn sáng ban ngày / tắt ban đêm",
    "Field reports layer": "Lớp phản ánh hiện trường",
    "Services (comma-separated service codes)": "Lĩnh vực (mã, cách nhau bằng dấu phẩy)",
    "Search distance": "Khoảng cách tìm kiếm",
    "Dark lights near open reports": "Đèn tắt gần phản ánh chưa xử lý",
    "Summary": "Tóm tắt",
    "Canceled": "Đã hủy",
    "The layer has no field {}; expected the IOC street_lights schema.": (
        "Lớp không có trường {}; cần lớp street_lights theo lược đồ IOC."
    ),
}
