// Labels in Vietnamese and English; the page starts in Vietnamese unless the URL says lang=en.
export const labels = {
  vi: {
    title: 'cadrestat — Khám phá số liệu công tác tổ chức xây dựng Đảng',
    metric: 'Chỉ tiêu', year: 'Năm (năm đầu nhiệm kỳ)', map: 'Bản đồ', synthetic: 'Hiện dữ liệu giả lập',
    csv: 'Tải CSV', png: 'Tải PNG', table: 'Bảng số liệu', seriesTitle: 'Diễn biến theo thời gian',
    search: 'Thêm tỉnh, thành phố', alternatives: 'Nguồn khác', copy: 'Sao chép trích dẫn', copied: 'Đã sao chép',
    national: 'Toàn quốc', target: 'Mục tiêu', noData: 'Chưa có số liệu công bố cho lựa chọn này.',
    loading: 'Đang tải…', rank: 'Hạng', province: 'Tỉnh, thành phố', value: 'Giá trị', status: 'Tình trạng',
    source: 'Nguồn', issuer: 'Cơ quan ban hành', date: 'Ngày', doc: 'Số văn bản', quote: 'Trích dẫn',
    synth: 'GIẢ LẬP', combined: 'Ghép từ', none: 'Không có', remove: 'Bỏ',
    lower: 'cận dưới', upper: 'cận trên', bars: (n) => `${n} tỉnh, thành phố có số liệu`,
  },
  en: {
    title: 'cadrestat — Party-organisation personnel statistics explorer',
    metric: 'Metric', year: 'Year (term start)', map: 'Map', synthetic: 'Show synthetic data',
    csv: 'Download CSV', png: 'Download PNG', table: 'Data table', seriesTitle: 'Trends',
    search: 'Add a province', alternatives: 'Other sources', copy: 'Copy citation', copied: 'Copied',
    national: 'National', target: 'Target', noData: 'No published figure for this selection.',
    loading: 'Loading…', rank: 'Rank', province: 'Province', value: 'Value', status: 'Status',
    source: 'Source', issuer: 'Issuer', date: 'Date', doc: 'Document no.', quote: 'Quote',
    synth: 'SYNTHETIC', combined: 'Combined from', none: 'None', remove: 'Remove',
    lower: 'lower bound', upper: 'upper bound', bars: (n) => `${n} provinces with a figure`,
  },
};

// fold strips Vietnamese diacritics and case, so "can tho" finds "Cần Thơ".
export function fold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().trim();
}
