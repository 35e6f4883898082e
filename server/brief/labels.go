package brief

// labels holds the page's words in Vietnamese and English.
var labels = map[string]map[string]string{
	"vi": {
		"brief": "Báo cáo tóm tắt", "map": "bản đồ", "region": "Vùng", "figures": "số liệu",
		"predecessors": "Hợp nhất từ", "successors": "Sáp nhập vào", "valid": "hiệu lực", "since": "từ",
		"metric": "Chỉ tiêu", "period": "Kỳ", "figure": "Số liệu", "rank": "Xếp hạng", "change": "Thay đổi",
		"target": "Mục tiêu", "attain": "Đánh giá", "regionfig": "Vùng", "national": "Cả nước", "trend": "Xu hướng",
		"notes": "Nguồn", "sources": "Nguồn trích dẫn", "by": "đến", "retrieved": "truy cập",
		"none": "Không có số liệu công bố trong giai đoạn này.", "predfig": "Trước hợp nhất",
		"legend":       "Xếp hạng trong tất cả các đơn vị của bản đồ; khoảng (ví dụ 3–7) khi số liệu là cận. Thay đổi chỉ tính giữa các số liệu chính xác. Số liệu gộp: tổng tử số trên tổng mẫu số. Trạng thái yếu nhất của các thành phần.",
		"st_PUBLISHED": "công bố", "st_DERIVED": "suy ra", "st_PROVISIONAL": "tạm thời", "st_SYNTHETIC": "tổng hợp",
		"q_LOWER_BOUND": "cận dưới", "q_UPPER_BOUND": "cận trên", "q_APPROXIMATE": "xấp xỉ", "contested": "có số liệu khác",
		"ts_MET": "Đạt", "ts_BELOW": "Chưa đạt", "ts_ABOVE": "Vượt ngưỡng", "ts_UNKNOWN": "Chưa xác định",
		"ts_NO_TARGET": "Không có mục tiêu", "ts_NO_DATA": "Không có số liệu",
		"generated":   "Tạo bởi cadrestat",
		"missing":     "không gộp được, thiếu số liệu chính xác của",
		"notcombined": "không gộp được",
		"tn_judges":   "chỉ áp dụng cho", "tn_not": "không áp dụng cho",
	},
	"en": {
		"brief": "Province brief", "map": "map", "region": "Region", "figures": "figures",
		"predecessors": "Merged from", "successors": "Merged into", "valid": "valid", "since": "since",
		"metric": "Metric", "period": "Period", "figure": "Figure", "rank": "Rank", "change": "Change",
		"target": "Target", "attain": "Status", "regionfig": "Region", "national": "Nation", "trend": "Trend",
		"notes": "Src.", "sources": "Sources", "by": "by", "retrieved": "retrieved",
		"none": "No published figure in this period.", "predfig": "Before the merger",
		"legend":       "Ranks are among all units of the map; a range (e.g. 3–7) when the figure is a bound. Changes are between exact figures only. Combined figures: summed numerators over summed denominators. Status is the weakest of the parts.",
		"st_PUBLISHED": "published", "st_DERIVED": "derived", "st_PROVISIONAL": "provisional", "st_SYNTHETIC": "synthetic",
		"q_LOWER_BOUND": "lower bound", "q_UPPER_BOUND": "upper bound", "q_APPROXIMATE": "approximate", "contested": "contested",
		"ts_MET": "Met", "ts_BELOW": "Below", "ts_ABOVE": "Above", "ts_UNKNOWN": "Unknown",
		"ts_NO_TARGET": "No target", "ts_NO_DATA": "No data",
		"generated":   "Made by cadrestat",
		"missing":     "not combined: no exact figure for",
		"notcombined": "not combined",
		"tn_judges":   "judges only", "tn_not": "not",
	},
}
